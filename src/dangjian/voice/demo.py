"""党员之声's part of demo data set S (core.demo): each part adds its producer in its section."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.scale import reset_sequence
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from .choices import Channel, CommitmentGrade, InquiryState, Phase, Satisfaction
from .commitments import phase_opens
from .models import Commitment, Fulfilment, HandOff, Inquiry, Proposal, ProposalEvent, ServicePromise
from .rules import State
from .scale import PAST, THIS_YEAR, ProposalWriter, _day_in, _pick

# ── proposals: every branch's few a year (ProposalWriter), and on top the member persona's in every state

MEMBER_LOGIN = "dangyuan01"
#: The persona's proposals: (state, days ago submitted, topic, late) — one 承办中 past its deadline, handled by
#: the persona's own branch (shuji01 sees it in 待办), one replied waiting for the persona's rating.
PERSONA = [
    (State.SUBMITTED, 2, 0, False),
    (State.ACCEPTED, 20, 1, False),
    (State.ASSIGNED, 60, 2, True),
    (State.ASSIGNED, 15, 3, False),
    (State.REPLIED, 50, 4, False),
    (State.CLOSED, 120, 5, False),
    (State.REJECTED, 40, 6, False),
    (State.MERGED, 10, 7, False),
]


@demo_producer(order=96)
def produce_proposals(ctx: DemoContext) -> None:
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    branch_ids = [orgs[plan.code].pk for plan in BRANCHES]
    admin = ctx.users.get(ADMIN_USERNAME)
    writer = ProposalWriter(rng=ctx.rng, today=today, by=admin.pk if admin else None)
    for plan in BRANCHES:
        org = orgs[plan.code]
        people = members[plan.code]
        for year in (today.year - 1, today.year):
            for _ in range(2):
                state = _pick(ctx.rng, THIS_YEAR if year == today.year else PAST)
                writer.add(
                    org=org.pk,
                    proposer=people[ctx.rng.randrange(len(people))].pk,
                    handler=branch_ids[ctx.rng.randrange(len(branch_ids))],
                    submitted=_day_in(ctx.rng, year, today),
                    state=state,
                )
    persona = ctx.users.get(MEMBER_LOGIN)
    # a command writing the set: the persona's own record, wherever the accounts producer linked it
    own = Member.objects.unrestricted().filter(user=persona).first() if persona else None
    if own is not None:
        home = own.org_id
        for state, days, topic, late in PERSONA:
            handler = home if late or state == State.REPLIED else orgs[BRANCHES[2].code].pk
            writer.add(
                org=home,
                proposer=own.pk,
                handler=handler,
                submitted=today - timedelta(days=days),
                state=state,
                topic=topic,
                deadline_days=20,
                late=late,
            )
    writer.flush()
    for model in (Proposal, ProposalEvent):
        reset_sequence(model)


@demo_summary(order=96)
def summarize_proposals(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    # a command: the set's count
    summary.counts["党员提案"] = Proposal.objects.unrestricted().filter(org__path__startswith=committee.path).count()


# ── commitments
#: Branch code → the login that keeps its commitments (the committee admin's otherwise: None).
COMMITMENT_KEEPERS = {"ZB01": "shuji01", "ZB02": "shuji02"}
#: Every this many members one has published no commitment this year (未承诺 shows).
UNCOMMITTED_EVERY = 6
PROMISE_ITEMS = [
    ("来访来电咨询答复", 1, "当场答复；不能当场答复的一个工作日内答复"),
    ("业务证明材料开具", 3, "材料齐全的当场办结，其余三个工作日内办结"),
    ("政策文件解读", 5, "五个工作日内书面答复，并告知承办人联系方式"),
]
COMMITMENT_TEXTS = [
    ("带头学习党的创新理论，在本职岗位上当好表率", "全年参加集中学习不少于12次，撰写学习体会2篇"),
    ("提高办事效率，热情服务来访群众", "经办事项按期办结率100%，群众满意率95%以上"),
    ("积极参加志愿服务，联系服务群众", "全年参加志愿服务不少于4次"),
    ("严守纪律规矩，廉洁自律", "全年无违规违纪问题，按时足额交纳党费"),
]
GRADES = [CommitmentGrade.EXCELLENT, CommitmentGrade.GOOD, CommitmentGrade.GOOD, CommitmentGrade.FAIR]


def _published(year: int, today: date) -> date:
    return min(date(year, 1, 15), today)


@demo_producer(order=96)
def produce_commitments(ctx: DemoContext) -> None:
    """Last year's commitments of every member of the demo branches, all 践诺 recorded and graded; this year's of
    most members (every UNCOMMITTED_EVERY-th none), 践诺 as far as the year has gone (some members lag), graded once
    the year-end 践诺 is in (about half); 办公室's own commitment; three service promises per department."""
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    admin = ctx.users.get(ADMIN_USERNAME)
    rows, phases = [], []
    for code, branch_members in members.items():
        org = orgs.get(code)
        if org is None:
            continue
        keeper = ctx.users.get(COMMITMENT_KEEPERS.get(code, ""), admin)
        for n, member in enumerate(branch_members):
            content, measures = COMMITMENT_TEXTS[n % len(COMMITMENT_TEXTS)]
            last = Commitment(
                org=org, member=member, year=today.year - 1, content=content, measures=measures,
                published_on=date(today.year - 1, 1, 15), grade=GRADES[n % len(GRADES)], grade_note="较好地履行了承诺",
                graded_on=date(today.year - 1, 12, 28), graded_by=keeper, created_by_id=member.user_id,
            )  # fmt: skip
            rows.append((last, [Phase.MID, Phase.END], date(today.year - 1, 12, 20)))
            if n % UNCOMMITTED_EVERY == UNCOMMITTED_EVERY - 1:
                continue
            this = Commitment(
                org=org, member=member, year=today.year, content=content, measures=measures,
                published_on=_published(today.year, today), created_by_id=member.user_id,
            )  # fmt: skip
            done = [p for p in (Phase.MID, Phase.END) if today >= phase_opens(p, today.year) and n % 4 != 1]
            if Phase.END in done and n % 2 == 0:
                this.grade, this.grade_note, this.graded_on, this.graded_by = GRADES[n % 4], "", today, keeper
            rows.append((this, done, today))
        if code == "ZB01":
            own = Commitment(
                org=org, member=None, year=today.year, content="建设让党放心、让群众满意的模范机关",
                measures="年度党建考核“好”等次；群众满意率95%以上", published_on=_published(today.year, today),
                created_by=keeper,
            )  # fmt: skip
            rows.append((own, [p for p in (Phase.MID,) if today >= phase_opens(p, today.year)], today))
    Commitment.objects.bulk_create([c for c, _, _ in rows])
    for c, done, on in rows:
        for phase in done:
            text = f"{Phase(phase).label}：按承诺推进，{c.measures[:30]}"
            phases.append(
                Fulfilment(commitment=c, phase=phase, done=text, recorded_on=on, recorded_by_id=c.created_by_id)
            )
    Fulfilment.objects.bulk_create(phases)
    promises = []
    for plan in BRANCHES:
        org = orgs.get(plan.code)
        if org is None:
            continue
        for item, days, standard in PROMISE_ITEMS:
            promises.append(
                ServicePromise(org=org, item=item, time_limit_days=days, standard=standard, created_by=admin)
            )
    ServicePromise.objects.bulk_create(promises)


# ── consultations

CONSULTATION_SECRETARY = "shuji01"
CONSULTATION_BRANCH = "ZB01"
OWNER_LOGIN = "dangyuan01"


@demo_producer(order=96)
def produce_consultations(ctx: DemoContext) -> None:
    """In 办公室 (shuji01's branch): a 座谈会 recorded on its latest held meeting with three opinions (two made
    problems), an 个别交流 typed in with one opinion; problems in every state — one overdue — one owned by the member
    persona dangyuan01 (due within a week: their reminder and home panel). Through the services, as shuji01."""
    from dangjian.meetings.choices import MeetingStatus
    from dangjian.meetings.models import Meeting
    from dangjian.members.models import Member
    from dangjian.orgs.demo import demo_orgs

    from . import consultations, problems
    from .choices import ConsultationKind, ProblemSource

    today = ctx.today
    org = demo_orgs(ctx)[CONSULTATION_BRANCH]
    by = ctx.users.get(CONSULTATION_SECRETARY) or ctx.users[ADMIN_USERNAME]
    members = list(Member.objects.unrestricted().active().filter(org=org).order_by("id"))
    if not members:
        return
    owner_user = ctx.users.get(OWNER_LOGIN)
    persona = next((m for m in members if owner_user is not None and m.user_id == owner_user.pk), members[0])
    # The branch's latest held meeting (the meetings demo's): the forum was held there.
    meeting = (
        Meeting.objects.unrestricted()  # a demo fixture: shuji01's own branch, read to link it
        .filter(org=org, status=MeetingStatus.HELD, starts_at__date__lte=today)
        .order_by("-starts_at")
        .first()
    )
    forum_values = {"held_on": None, "participants": "", "meeting": meeting}
    if meeting is None:
        forum_values = {"held_on": today - timedelta(days=20), "participants": "全体党员"}
    forum = consultations.create_consultation(
        by=by, org=org, kind=ConsultationKind.FORUM, topic="征求对支部班子和机关作风的意见建议",
        summary="支部书记主持，逐一听取党员意见，现场作了回应。", **forum_values,
    )  # fmt: skip
    texts = [
        ("学习形式较单一，建议增加现场教学和专题研讨", members[0].name),
        ("窗口服务高峰时段等候时间较长", ""),
        ("建议定期通报支部工作和党费使用情况", members[-1].name),
    ]
    opinions = [consultations.add_opinion(by=by, consultation=forum, content=c, raised_by=w) for c, w in texts]
    personal = consultations.create_consultation(
        by=by, org=org, kind=ConsultationKind.PERSONAL, topic="谈工作思路和个人困难",
        held_on=today - timedelta(days=10), participants=f"{members[-1].name}",
    )  # fmt: skip
    consultations.add_opinion(by=by, consultation=personal, content="希望多安排业务培训", raised_by=members[-1].name)
    year = today.year

    def problem(**values):
        values = {"by": by, "org": org, "year": year, "source": ProblemSource.OTHER, "owner": members[0]} | values
        return problems.create_problem(**values)

    consultations.opinion_to_problem(
        by=by, opinion=opinions[0], description=opinions[0].content, measure="每季度安排一次现场教学",
        owner=persona, deadline=today + timedelta(days=5), year=year,
    )  # fmt: skip
    second = consultations.opinion_to_problem(
        by=by, opinion=opinions[1], description="窗口服务高峰时段等候时间长", measure="高峰时段增开窗口、推行预约",
        owner=members[-1], deadline=today - timedelta(days=15), year=year,
    )  # fmt: skip
    problems.start_problem(by=by, problem=second, version=None)  # overdue, 整改中
    done = problem(
        description="党员活动室资料更新不及时", measure="指定专人每月更新", deadline=today + timedelta(days=30)
    )
    problems.finish_problem(by=by, problem=done, version=None, result="已指定专人负责，资料按月更新", done_on=today)
    problem(description="个别党员学习笔记不全", measure="支委分片督促检查", deadline=today + timedelta(days=60))


# ── inquiries

#: The member persona: the first person of the demo's overdue chain, and of an item of their own still open.
INQUIRY_MEMBER_LOGIN = "dangyuan01"
ASKERS = ["赵先生", "钱女士", "孙先生", "李女士", "周先生", "吴女士"]
PHONES = ["13800001111", "13911112222", "13722223333", "", "13633334444", "15044445555"]
TOPICS = [
    ("咨询党员组织关系转接需要哪些材料", Channel.VISIT),
    ("询问本季度党费缴纳基数的核定办法", Channel.PHONE),
    ("反映办事大厅排队时间过长", Channel.ONLINE),
    ("来函询问困难党员帮扶申请流程", Channel.LETTER),
]


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _promise(org) -> ServicePromise | None:
    # A command: the demo's own promises (the commitments part may have made some before this one runs).
    return ServicePromise.objects.unrestricted().filter(org=org, active=True).order_by("id").first()


@demo_producer(order=96)
def produce_inquiries(ctx: DemoContext) -> None:
    """Per demo department a few requests: one closed with the asker's satisfaction, one open and on time, one
    handed on once; in 办公室 (the member persona's branch) a chain of two hand-offs whose last is overdue."""
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    codes = [plan.code for plan in BRANCHES]
    persona = ctx.users.get(INQUIRY_MEMBER_LOGIN)
    own = Member.objects.unrestricted().filter(user=persona).first() if persona else None  # a command: the set
    n = 0
    for index, code in enumerate(codes):
        org = orgs[code]
        people = members[code]
        if len(people) < 2:
            continue
        first, second = (own, people[1]) if own is not None and own.org_id == org.pk else (people[0], people[1])
        promise = _promise(org)
        limit = promise.time_limit_days if promise else 5
        for k, (content, channel) in enumerate(TOPICS[:3]):
            asked_day = today - timedelta(days=2 + 3 * k + index % 3)
            n += 1
            inquiry = Inquiry.objects.create(
                org=org,
                first_person=first,
                asker=ASKERS[n % len(ASKERS)],
                asker_phone=PHONES[n % len(PHONES)],
                channel=channel,
                content=content,
                asked_at=_at(asked_day, 9 + k),
                promise=promise,
                due_on=asked_day + timedelta(days=limit),
                holder=first,
                holder_org=org,
            )
            if k == 2:  # handed on once to a colleague, then closed
                HandOff.objects.create(
                    inquiry=inquiry,
                    from_member=first,
                    to_member=second,
                    to_org=org,
                    at=_at(asked_day, 14),
                    due_on=inquiry.due_on,
                    note="该事项由其具体经办，请协助答复",
                )
                inquiry.holder = second
            if k in (0, 2):
                inquiry.state = InquiryState.CLOSED
                inquiry.closed_at = min(_at(asked_day + timedelta(days=1), 16), timezone.now())
                inquiry.result = "已当面/电话答复，并告知办理流程"
                inquiry.satisfaction = [Satisfaction.SATISFIED, Satisfaction.BASIC][k // 2]
            inquiry.save()
    # The overdue chain: 办公室 → 人事处 → 财务处, the last hand-off past its limit.
    office, personnel, finance = orgs[codes[0]], orgs[codes[1]], orgs[codes[2]]
    starter = own or members[codes[0]][0]
    middle, last = members[codes[1]][0], members[codes[2]][0]
    asked_day = today - timedelta(days=12)
    inquiry = Inquiry.objects.create(
        org=office,
        first_person=starter,
        asker="郑先生",
        asker_phone="13955556666",
        channel=Channel.PHONE,
        content="来电询问退休党员组织关系转回社区的办理时限",
        asked_at=_at(asked_day, 10),
        due_on=asked_day + timedelta(days=5),
        holder=last,
        holder_org=finance,
    )
    HandOff.objects.create(
        inquiry=inquiry,
        from_member=starter,
        to_member=middle,
        to_org=personnel,
        at=_at(asked_day, 15),
        due_on=asked_day + timedelta(days=5),
        note="涉及人事档案，转人事处办理",
    )
    HandOff.objects.create(
        inquiry=inquiry,
        from_member=middle,
        to_member=last,
        to_org=finance,
        at=_at(asked_day + timedelta(days=2), 11),
        due_on=today - timedelta(days=3),
        note="涉及党费结算，转财务处办理",
    )
    Inquiry.objects.unrestricted().filter(pk=inquiry.pk).update(due_on=today - timedelta(days=3))


@demo_summary(order=96)
def summarize_inquiries(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    # A command: the set.
    summary.counts["首问登记"] = Inquiry.objects.unrestricted().filter(org__path__startswith=committee.path).count()


# ── surveys

SURVEY_CLOSED_TITLE = "机关党建工作满意度测评（匿名）"
SURVEY_ORGS_TITLE = "基层党组织“三会一课”落实情况自查"
SURVEY_OPEN_TITLE = "党员教育培训需求调查"


@demo_producer(order=96)
def produce_surveys(ctx: DemoContext) -> None:
    """Three surveys of the committee, through the services where a login answers: one closed, anonymous, answered by
    about seven in ten members (rows written as the service writes them: Participation, then a Response with no
    member, answerer nor date, and its Answers); one of orgs, open, answered by half the branches but not ZB01 (so
    shuji01 has it waiting); one of members, named, open, closing in two days (dangyuan01 has it waiting)."""
    from datetime import timedelta

    from dangjian.core.demo import ADMIN_USERNAME
    from dangjian.members.choices import Status
    from dangjian.members.demo import demo_members
    from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

    from . import surveys
    from .choices import Audience, QuestionKind, SurveyState
    from .models import Answer, Participation, Response, Survey

    rng, today = ctx.rng, ctx.today
    admin = ctx.users[ADMIN_USERNAME]
    committee = demo_committee()
    orgs = demo_orgs(ctx)
    branches = [orgs[plan.code] for plan in BRANCHES]
    questions = [
        (QuestionKind.SINGLE, "您对机关党委本年度党建工作的总体评价", True, ["满意", "比较满意", "基本满意", "不满意"]),
        (
            QuestionKind.MULTIPLE,
            "您认为下一步应重点加强哪些工作",
            False,
            ["理论武装", "组织建设", "作风建设", "党风廉政", "服务群众"],
        ),
        (QuestionKind.SCALE, "您对所在支部组织生活质量的评分", True, []),
        (QuestionKind.TEXT, "您对机关党建工作的意见和建议", False, []),
    ]

    def build(title, audience, anonymous, targets, days):
        survey = surveys.create_survey(
            by=admin,
            org=committee,
            title=title,
            intro="请结合实际如实填写。",
            audience=audience,
            anonymous=anonymous,
            closes_on=today + timedelta(days=days),
            targets=targets,
        )
        for kind, text, required, choices in questions:
            surveys.add_question(by=admin, survey=survey, kind=kind, text=text, required=required, choices=choices)
        return surveys.open_survey(by=admin, survey=survey)

    # closed, anonymous, many answers
    closed = build(SURVEY_CLOSED_TITLE, Audience.MEMBERS, True, [committee], 0)
    qs = surveys.questions_of(closed)
    suggestions = ["希望多组织专题辅导", "组织生活形式可以更丰富", "加强青年党员教育", "", "", "减少形式主义材料"]
    members = [m for plan in BRANCHES for m in demo_members(ctx)[plan.code] if m.status == Status.ACTIVE]
    participations, responses, answers = [], [], []
    for member in members:
        if rng.random() > 0.7:
            continue
        participations.append(Participation(survey=closed, member=member, org_id=member.org_id))
        response = Response(survey=closed, org_id=member.org_id, for_org=False)
        responses.append(response)
        answers.append(Answer(response=response, question=qs[0], choice=rng.choices(range(4), [5, 3, 2, 0.5])[0]))
        for i in rng.sample(range(5), rng.randint(0, 2)):
            answers.append(Answer(response=response, question=qs[1], choice=i))
        answers.append(
            Answer(response=response, question=qs[2], value=rng.choices(range(1, 6), [0.3, 0.5, 2, 4, 4])[0])
        )
        text = rng.choice(suggestions)
        if text:
            answers.append(Answer(response=response, question=qs[3], text=text))
    rng.shuffle(responses)
    Participation.objects.bulk_create(participations)
    Response.objects.bulk_create(responses)
    rng.shuffle(answers)
    Answer.objects.bulk_create(answers)
    Survey.objects.unrestricted().filter(pk=closed.pk).update(
        state=SurveyState.CLOSED, opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=10)
    )
    # open, of orgs: half the branches (not ZB01) have answered, through the service by the admin
    by_orgs = build(SURVEY_ORGS_TITLE, Audience.ORGS, False, branches, 14)
    qs = surveys.questions_of(by_orgs)
    for org in branches[1::2]:
        surveys.answer(
            by=admin,
            survey=by_orgs,
            org=org,
            answers={qs[0].pk: rng.randrange(4), qs[1].pk: [0, 2], qs[2].pk: rng.randint(3, 5), qs[3].pk: ""},
        )
    # open, named, closing soon
    build(SURVEY_OPEN_TITLE, Audience.MEMBERS, False, [committee], 2)


@demo_summary(order=96)
def summarize_surveys(summary: DemoSummary) -> None:
    from dangjian.orgs.demo import demo_committee

    from .models import Survey

    committee = demo_committee()
    if committee is None:
        return
    n = Survey.objects.unrestricted().filter(org=committee).count()  # the demo's own count
    if n:
        summary.counts["问卷"] = n
