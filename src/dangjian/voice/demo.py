"""党员之声's part of demo data set S (core.demo): each part adds its producer in its section."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.scale import reset_sequence
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from .choices import Channel, InquiryState, Satisfaction
from .models import HandOff, Inquiry, Proposal, ProposalEvent, ServicePromise
from .rules import State
from .scale import PAST, THIS_YEAR, ProposalWriter, _day_in, _pick

# ── proposals

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

# ── inquiries

# ── surveys

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

# ── consultations
