"""党员之声's part of scale data set L (core.scale): each part adds its producer in its section."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from random import Random

from django.db.models import Max
from django.utils import timezone

from dangjian.core.scale import ADMIN_USERNAME, ScaleContext, reset_sequence, scale_producer, write_rows
from dangjian.meetings.scale import next_id
from dangjian.members.scale import members_by_org, scale_members
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs

from .choices import Channel, CommitmentGrade, InquiryState, Phase, ProposalCategory, Satisfaction
from .commitments import phase_opens
from .models import Commitment, Fulfilment, HandOff, Inquiry, Proposal, ProposalEvent, ServicePromise
from .rules import State

# ── proposals: a few per branch per year, in every state (ProposalWriter: the demo's bulk too)

PROPOSAL_FIELDS = [
    "id",
    "created_at",
    "updated_at",
    "version",
    "org_id",
    "proposer_id",
    "year",
    "submitted_on",
    "title",
    "category",
    "content",
    "state",
    "reviewed_on",
    "reject_reason",
    "merged_into_id",
    "handler_org_id",
    "assigned_on",
    "deadline",
    "reply",
    "replied_on",
    "asked_again",
    "rating",
    "rating_note",
    "rated_on",
]
EVENT_FIELDS = ["id", "created_at", "updated_at", "proposal_id", "move", "state", "on", "by_id", "note"]
PROPOSAL_TOPICS = [
    ("关于优化机关食堂就餐时间的建议", ProposalCategory.WELFARE),
    ("关于规范支部主题党日活动记录的建议", ProposalCategory.PARTY),
    ("关于精简会议文件材料的建议", ProposalCategory.MANAGEMENT),
    ("关于加强年轻干部轮岗锻炼的建议", ProposalCategory.CADRES),
    ("关于推行政务服务“一次办好”的建议", ProposalCategory.SERVICE),
    ("关于统一业务系统账号登录的建议", ProposalCategory.BUSINESS),
    ("关于增设职工健身场所的建议", ProposalCategory.WELFARE),
    ("关于建立党员志愿服务积分制度的建议", ProposalCategory.PARTY),
    ("关于完善档案电子化管理的建议", ProposalCategory.MANAGEMENT),
    ("关于改进办事窗口预约服务的建议", ProposalCategory.SERVICE),
]
CONTENT = "现状与问题：……\n建议：……\n预期效果：……"
REPLY = "经研究，已采纳该建议并制定具体措施，自下月起实施，后续将持续跟踪落实情况。"
#: (state, weight) of a past year's proposal, and of this year's (more still open).
PAST = [
    (State.CLOSED, 8),
    (State.REJECTED, 2),
    (State.MERGED, 1),
    (State.REPLIED, 1),
    (State.ASSIGNED, 1),
]
THIS_YEAR = [
    (State.SUBMITTED, 3),
    (State.ACCEPTED, 2),
    (State.ASSIGNED, 3),
    (State.REPLIED, 2),
    (State.CLOSED, 3),
    (State.REJECTED, 1),
    (State.MERGED, 1),
]
RATINGS = [("satisfied", 6), ("basic", 3), ("unsatisfied", 1)]


def _pick(rng: Random, weighted: list) -> object:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@dataclass
class ProposalWriter:
    """Proposal rows and their timeline as tuples with chosen ids (core.scale.write_rows), each state's fields as
    the services would leave them; dates never after `today`."""

    rng: Random
    today: date
    by: int | None
    proposals: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    next_proposal: int = 0
    next_event: int = 0
    #: org id → the last open proposal (a merge target)
    open_of: dict[int, int] = field(default_factory=dict)
    moves: int = 0

    def __post_init__(self) -> None:
        self.next_proposal = next_id(Proposal)
        self.next_event = next_id(ProposalEvent)

    def _event(self, pid: int, move: str, state: str, on: date, note: str = "") -> None:
        self.moves += 1
        at = _moment(on)
        self.events.append((self.next_event, at, at, pid, move, state, on, self.by, note))
        self.next_event += 1

    def add(
        self,
        *,
        org: int,
        proposer: int,
        handler: int,
        submitted: date,
        state: State,
        topic: int | None = None,
        deadline_days: int = 30,
        late: bool = False,
    ) -> int:
        rng, today = self.rng, self.today
        pid = self.next_proposal
        self.next_proposal += 1
        k = rng.randrange(len(PROPOSAL_TOPICS)) if topic is None else topic
        title, category = PROPOSAL_TOPICS[k % len(PROPOSAL_TOPICS)]

        def after(day: date, lo: int, hi: int) -> date:
            return min(today, day + timedelta(days=rng.randint(lo, hi)))

        self.moves = 0
        self._event(pid, "submit", State.SUBMITTED, submitted)
        reviewed = reason = merged = handler_org = assigned = deadline = replied = rated = None
        reply = rating = ""
        reason = ""
        if state != State.SUBMITTED:
            reviewed = after(submitted, 1, 10)
        if state == State.REJECTED:
            reason = "建议内容不属于提案受理范围，已转有关部门参考"
            self._event(pid, "reject", state, reviewed, reason)
        elif state == State.MERGED:
            merged = self.open_of.get(org)
            if merged is None:  # nothing to merge into yet: rejected instead
                state, reason = State.REJECTED, "与已办理事项重复"
                self._event(pid, "reject", state, reviewed, reason)
            else:
                self._event(pid, "merge", state, reviewed, "并入同类提案")
        elif state != State.SUBMITTED:
            self._event(pid, "accept", State.ACCEPTED, reviewed)
        if state in (State.ASSIGNED, State.REPLIED, State.CLOSED):
            handler_org, assigned = handler, after(reviewed, 0, 5)
            deadline = assigned + timedelta(days=deadline_days)
            if late and (today - assigned).days >= 2:  # past its deadline, still being handled
                deadline = assigned + timedelta(days=rng.randint(1, (today - assigned).days - 1))
            self._event(pid, "assign", State.ASSIGNED, assigned, f"办理时限：{deadline:%Y-%m-%d}")
        if state in (State.REPLIED, State.CLOSED):
            replied = after(assigned, 3, deadline_days + 10)
            reply = REPLY
            self._event(pid, "reply", State.REPLIED, replied, reply)
        if state == State.CLOSED:
            rated = after(replied, 1, 7)
            rating = _pick(rng, RATINGS)
            self._event(pid, "rate", State.CLOSED, rated)
        if state in (State.SUBMITTED, State.ACCEPTED, State.ASSIGNED):
            self.open_of[org] = pid
        at = _moment(submitted)
        self.proposals.append(
            (
                pid,
                at,
                at,
                self.moves,  # the version: one save per move
                org,
                proposer,
                submitted.year,
                submitted,
                title,
                category,
                CONTENT,
                str(state),
                reviewed,
                reason,
                merged,
                handler_org,
                assigned,
                deadline,
                reply,
                replied,
                False,
                rating,
                "",
                rated,
            )
        )
        return pid

    def flush(self) -> None:
        write_rows(Proposal, PROPOSAL_FIELDS, self.proposals)
        write_rows(ProposalEvent, EVENT_FIELDS, self.events)
        self.proposals, self.events = [], []


def _day_in(rng: Random, year: int, today: date) -> date:
    first = date(year, 1, 1)
    last = min(date(year, 12, 31), today)
    return first + timedelta(days=rng.randint(0, (last - first).days))


@scale_producer(order=96)
def produce_proposals(ctx: ScaleContext) -> None:
    """A few proposals per branch per year (one to three), in every state; this year's more often still open, and
    some being handled past their deadline."""
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    members = members_by_org(ctx)
    if not branches:
        return
    rng, today = ctx.rng, ctx.today
    years = [today.year - k for k in range(min(ctx.years, 3) - 1, -1, -1)]
    writer = ProposalWriter(rng=rng, today=today, by=ctx.users.get(ADMIN_USERNAME))
    label = "党员提案"
    ctx.report(label, 0, len(branches))
    for n, org in enumerate(branches, start=1):
        people = members.get(org.id) or []
        if not people:
            continue
        for year in years:
            for _ in range(rng.randint(1, 3)):
                state = _pick(rng, THIS_YEAR if year == today.year else PAST)
                handler = branches[rng.randrange(len(branches))].id
                writer.add(
                    org=org.id,
                    proposer=people[rng.randrange(len(people))].id,
                    handler=handler,
                    submitted=_day_in(rng, year, today),
                    state=state,
                    late=state == State.ASSIGNED and rng.random() < 0.3,
                )
        if n % 500 == 0:
            writer.flush()
            ctx.report(label, n, len(branches))
    writer.flush()
    for model in (Proposal, ProposalEvent):
        reset_sequence(model)
    ctx.counts[label] = Proposal.objects.unrestricted().count()
    ctx.report(label, len(branches), len(branches))


# ── commitments
#: Rows per write_rows call.
CHUNK = 20_000
PROMISES_PER_BRANCH = 3
GRADES = CommitmentGrade.values


def _stamp(day: date):
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


@scale_producer(order=96)
def produce_commitments(ctx: ScaleContext) -> None:
    """This year's commitment of about nine members in ten (践诺 as far as the year has gone, some graded), and a few
    service promises per branch (its department's)."""
    members = scale_members(ctx)
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    if not members:
        return
    today = ctx.today
    year = today.year
    admin = ctx.users.get(ADMIN_USERNAME)
    published = min(date(year, 1, 15), today)
    stamp = _stamp(today)
    label = "承诺践诺"
    ctx.report(label, 0, len(members))
    next_c = (Commitment.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_f = (Fulfilment.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    c_fields = ["id", "org_id", "member_id", "year", "content", "measures", "published_on", "grade", "grade_note",
                "graded_on", "graded_by_id", "created_by_id", "version", "created_at", "updated_at"]  # fmt: skip
    f_fields = ["id", "commitment_id", "phase", "done", "evidence", "recorded_on", "recorded_by_id", "version",
                "created_at", "updated_at"]  # fmt: skip
    opened = [p for p in (Phase.MID, Phase.END) if today >= phase_opens(p, year)]
    c_rows, f_rows, made = [], [], 0
    for n, m in enumerate(members):
        if ctx.rng.random() < 0.1 or m.status != "active":
            continue
        done = [p for p in opened if ctx.rng.random() < 0.8]
        graded = Phase.END in done and ctx.rng.random() < 0.5
        grade = ctx.rng.choice(GRADES) if graded else ""
        c_rows.append((next_c, m.org_id, m.id, year, "立足岗位作表率，服务群众办实事", "全年学习不少于12次；办结率100%",
                       published, grade, "", today if graded else None, admin if graded else None, None, 1, stamp,
                       stamp))  # fmt: skip
        for phase in done:
            f_rows.append((next_f, next_c, phase, "按承诺推进，完成预定目标", "", today, None, 1, stamp, stamp))
            next_f += 1
        next_c += 1
        made += 1
        if len(c_rows) >= CHUNK:
            write_rows(Commitment, c_fields, c_rows)
            write_rows(Fulfilment, f_fields, f_rows)
            c_rows, f_rows = [], []
            ctx.report(label, n, len(members))
    write_rows(Commitment, c_fields, c_rows)
    write_rows(Fulfilment, f_fields, f_rows)
    ctx.counts[label] = made
    p_rows = []
    next_p = (ServicePromise.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for org in branches:
        for k in range(PROMISES_PER_BRANCH):
            p_rows.append((next_p, org.id, f"服务事项{k + 1}", k + 1, "按时限办结并告知办理结果", True, admin, 1,
                           stamp, stamp))  # fmt: skip
            next_p += 1
    write_rows(
        ServicePromise,
        ["id", "org_id", "item", "time_limit_days", "standard", "active", "created_by_id", "version", "created_at",
         "updated_at"],
        p_rows,
    )  # fmt: skip
    ctx.counts["服务承诺"] = len(p_rows)
    for model in (Commitment, Fulfilment, ServicePromise):
        reset_sequence(model)
    ctx.report(label, len(members), len(members))


# ── consultations

#: Per branch and year: 座谈会/个别交流 held, opinions each, problems listed.
CONSULTATIONS_PER_YEAR = 2
OPINIONS_EACH = 2
PROBLEMS_PER_YEAR = 3
CONSULTATION_TOPICS = ["征求对支部班子的意见建议", "党员思想状况个别交流", "听取群众对机关作风的意见"]
OPINIONS = ["学习形式较单一，建议增加现场教学", "组织生活会批评与自我批评不够深入", "联系服务群众的渠道不够畅通"]
MEASURES = ["每季度开展一次现场教学", "会前逐一谈心谈话，列出问题清单", "设立意见箱并每月梳理反馈"]


@scale_producer(order=96)
def produce_consultations(ctx: ScaleContext) -> None:
    """For every branch and year: consultations with opinions (the first a forum, the second an individual talk),
    and problems of its members in every state; deadlines past for some that are not done (overdue)."""
    from .choices import ConsultationKind, ProblemSource, ProblemState
    from .models import Consultation, Opinion, Problem

    branches = scale_orgs(ctx, OrgKind.BRANCH)
    members = [m for m in scale_members(ctx) if m.status == "active"]
    if not branches or not members:
        return
    by_org = defaultdict(list)
    for m in members:
        by_org[m.org_id].append(m)
    rng, today, admin = ctx.rng, ctx.today, ctx.users.get(ADMIN_USERNAME)
    years = [today.year - k for k in range(min(ctx.years, 2) - 1, -1, -1)]
    first_c = (Consultation.objects.unrestricted().order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_o = (Opinion.objects.unrestricted().order_by("-id").values_list("id", flat=True).first() or 0) + 1
    consultations, opinions, problems = [], [], []
    states = [ProblemState.OPEN, ProblemState.PROGRESS, ProblemState.DONE]
    for org in branches:
        people = by_org.get(org.id)
        if not people:
            continue
        for year in years:
            last = today if year == today.year else date(year, 12, 31)
            for k in range(CONSULTATIONS_PER_YEAR):
                day = last - timedelta(days=rng.randrange(last.timetuple().tm_yday))
                stamp = datetime.combine(day, time(8), tzinfo=UTC)
                cid = first_c + len(consultations)
                kind = ConsultationKind.FORUM if k == 0 else ConsultationKind.PERSONAL
                who = "全体党员" if k == 0 else rng.choice(people).name
                consultations.append(
                    (
                        cid,
                        org.id,
                        kind,
                        day,
                        CONSULTATION_TOPICS[k % len(CONSULTATION_TOPICS)],
                        who,
                        "",
                        admin,
                        stamp,
                        stamp,
                        1,
                    )
                )
                for n in range(OPINIONS_EACH):
                    opinions.append((first_o + len(opinions), cid, OPINIONS[(k + n) % len(OPINIONS)], "", stamp, stamp))
            for k in range(PROBLEMS_PER_YEAR):
                state = states[k % 3]
                deadline = last + timedelta(days=rng.randrange(-120, 90))
                done_on = min(today, deadline) if state == ProblemState.DONE else None
                stamp = datetime.combine(last - timedelta(days=150), time(8), tzinfo=UTC)
                problems.append(
                    (
                        org.id, year, ProblemSource.TALK if k == 0 else ProblemSource.OTHER,
                        OPINIONS[k % len(OPINIONS)], MEASURES[k % len(MEASURES)], rng.choice(people).id, deadline,
                        state, done_on, "已按措施整改完成" if done_on else "", admin, stamp, stamp, 1,
                    )
                )  # fmt: skip
    c_fields = ["id", "org_id", "kind", "held_on", "topic", "participants", "summary", "recorded_by_id",
                "created_at", "updated_at", "version"]  # fmt: skip
    write_rows(Consultation, c_fields, consultations)
    write_rows(Opinion, ["id", "consultation_id", "content", "raised_by", "created_at", "updated_at"], opinions)
    p_fields = ["org_id", "year", "source", "description", "measure", "owner_id", "deadline", "state", "done_on",
                "result", "created_by_id", "created_at", "updated_at", "version"]  # fmt: skip
    write_rows(Problem, p_fields, problems)
    reset_sequence(Consultation)
    reset_sequence(Opinion)
    ctx.counts["座谈交流"] = len(consultations)
    ctx.counts["问题清单"] = len(problems)


# ── inquiries

#: One 首问 request a year for about this many members of a branch; a third handed on (a tenth twice).
INQUIRY_MEMBERS_PER_ITEM = 4
INQUIRY_CHUNK = 20_000
INQUIRY_FIELDS = [
    "id", "org_id", "first_person_id", "asker", "asker_phone", "channel", "content", "asked_at", "promise_id",
    "due_on", "holder_id", "holder_org_id", "state", "closed_at", "result", "satisfaction", "recorded_by_id",
    "version", "created_at", "updated_at",
]  # fmt: skip
HANDOFF_FIELDS = ["inquiry_id", "from_member_id", "to_member_id", "to_org_id", "at", "due_on", "note", "by_id"]
HANDOFF_FIELDS += ["created_at", "updated_at"]
INQUIRY_TOPICS = ["咨询组织关系转接", "询问党费缴纳标准", "反映办事流程问题", "申请困难帮扶", "查询党员档案材料"]
SATISFACTION_WEIGHTS = [(Satisfaction.SATISFIED, 7), (Satisfaction.BASIC, 2), (Satisfaction.UNSATISFIED, 1)]


@scale_producer(order=96)
def produce_inquiries(ctx: ScaleContext) -> None:
    """Requests in every branch over the last year: most closed (rated), the recent ones open, some overdue, a third
    handed on within the branch or to a neighbouring one."""
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    members = scale_members(ctx)
    if not branches or not members:
        return
    rng, today = ctx.rng, ctx.today
    by_org = defaultdict(list)
    for m in members:
        if m.status == "active":
            by_org[m.org_id].append(m.id)
    channels = list(Channel.values)
    sats = [s for s, w in SATISFACTION_WEIGHTS for _ in range(w)]
    next_id = (Inquiry.objects.unrestricted().aggregate(n=Max("id"))["n"] or 0) + 1  # a command: the whole table
    now = timezone.now()
    inquiries, handoffs = [], []
    label = "首问登记"
    ctx.report(label, 0, len(branches))

    def flush():
        write_rows(Inquiry, INQUIRY_FIELDS, inquiries)
        write_rows(HandOff, HANDOFF_FIELDS, handoffs)
        ctx.counts[label] = ctx.counts.get(label, 0) + len(inquiries)
        inquiries.clear()
        handoffs.clear()

    for n, org in enumerate(branches, start=1):
        people = by_org.get(org.id)
        if not people:
            continue
        neighbour = branches[n % len(branches)]
        others = by_org.get(neighbour.id) or people
        for _ in range(max(1, len(people) // INQUIRY_MEMBERS_PER_ITEM)):
            first = rng.choice(people)
            asked_day = today - timedelta(days=rng.randrange(0, 365))
            asked_at = timezone.make_aware(datetime.combine(asked_day, time(rng.randrange(8, 18), rng.randrange(60))))
            due = asked_day + timedelta(days=5)
            holder, holder_org = first, org.id
            links = rng.choices([0, 1, 2], weights=[6, 3, 1])[0]
            for k in range(links):
                to, to_org = (rng.choice(people), org.id) if k == 0 else (rng.choice(others), neighbour.id)
                at = asked_at + timedelta(hours=2 + 20 * k)
                if at > now:
                    break
                handoffs.append((next_id, holder, to, to_org, at, due, "转具体经办人办理", None, at, at))
                holder, holder_org = to, to_org
            closed = (today - asked_day).days > 7 or rng.random() < 0.3
            closed_at = min(asked_at + timedelta(days=rng.randrange(0, 8), hours=3), now) if closed else None
            inquiries.append(
                (
                    next_id, org.id, first, f"来访人{next_id % 1000:03d}", f"139{rng.randrange(10**8):08d}",
                    rng.choice(channels), rng.choice(INQUIRY_TOPICS), asked_at, None, due, holder, holder_org,
                    InquiryState.CLOSED if closed else InquiryState.OPEN, closed_at, "已答复" if closed else "",
                    rng.choice(sats) if closed else "", None, 1, asked_at, closed_at or asked_at,
                )
            )  # fmt: skip
            next_id += 1
        if len(inquiries) >= INQUIRY_CHUNK:
            flush()
        ctx.report(label, n, len(branches))
    flush()
    reset_sequence(Inquiry)
    reset_sequence(HandOff)


# ── surveys

SCALE_SURVEY_TITLE = "全系统党员满意度测评（匿名）"
#: Responses written per INSERT batch (their answers with them).
SURVEY_CHUNK = 10_000


@scale_producer(order=96)
def produce_surveys(ctx: ScaleContext) -> None:
    """The root's anonymous survey of every member in the register, closed, answered by all of them (100,000 at L):
    a Participation per member, a Response with no member, answerer nor date under a random key, and its Answers —
    the rows answer() writes, in bulk (core.scale.write_rows), the responses in shuffled order."""
    import uuid
    from datetime import UTC, datetime, time, timedelta

    from dangjian.core.scale import ADMIN_USERNAME, foreign_keys_checked_at_the_end, write_rows
    from dangjian.members.choices import Status
    from dangjian.members.scale import scale_members
    from dangjian.orgs.scale import scale_root

    from .choices import Audience, QuestionKind, SurveyState
    from .models import Answer, Participation, Question, Response, Survey, SurveyTarget

    members = [m for m in scale_members(ctx) if m.status == Status.ACTIVE]
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    root = scale_root(ctx)
    survey = Survey.objects.create(
        org_id=root.id,
        title=SCALE_SURVEY_TITLE,
        intro="匿名填写。",
        audience=Audience.MEMBERS,
        anonymous=True,
        state=SurveyState.CLOSED,
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=10),
        created_by_id=ctx.users.get(ADMIN_USERNAME),
    )
    SurveyTarget.objects.create(survey=survey, org_id=root.id)
    specs = [
        (QuestionKind.SINGLE, "您对本单位党建工作的总体评价", ["满意", "比较满意", "基本满意", "不满意"]),
        (
            QuestionKind.MULTIPLE,
            "您认为应重点加强哪些工作",
            ["理论武装", "组织建设", "作风建设", "党风廉政", "服务群众"],
        ),
        (QuestionKind.SCALE, "您对所在支部组织生活质量的评分", []),
        (QuestionKind.TEXT, "意见和建议", []),
    ]
    questions = Question.objects.bulk_create(
        [
            Question(survey=survey, position=i, kind=kind, text=text, required=kind != QuestionKind.TEXT, choices=c)
            for i, (kind, text, c) in enumerate(specs, start=1)
        ]
    )
    single, multiple, scale, text = (q.pk for q in questions)
    suggestions = ["希望多组织专题辅导", "组织生活形式可以更丰富", "加强青年党员教育", "减少形式主义材料"]
    stamp = datetime.combine(today - timedelta(days=20), time(2), tzinfo=UTC)
    label = "问卷答卷"
    ctx.report(label, 0, len(members))
    order = list(range(len(members)))
    rng.shuffle(order)  # the responses' order is not the members'
    with foreign_keys_checked_at_the_end([Participation, Response, Answer]):
        write_rows(
            Participation,
            ["survey_id", "member_id", "org_id", "created_at", "updated_at"],
            [(survey.pk, m.id, m.org_id, stamp, stamp) for m in members],
        )
        for start in range(0, len(order), SURVEY_CHUNK):
            responses, answers = [], []
            for index in order[start : start + SURVEY_CHUNK]:
                member = members[index]
                rid = uuid.UUID(int=rng.getrandbits(128), version=4)
                responses.append((rid, survey.pk, member.org_id, False, None, None, None))

                def add(qid, choice=None, value=None, words="", rid=rid, out=answers):
                    out.append((uuid.UUID(int=rng.getrandbits(128), version=4), rid, qid, choice, value, words))

                add(single, choice=rng.choices(range(4), [5, 3, 2, 0.5])[0])
                for i in rng.sample(range(5), rng.randint(0, 2)):
                    add(multiple, choice=i)
                add(scale, value=rng.choices(range(1, 6), [0.3, 0.5, 2, 4, 4])[0])
                if rng.random() < 0.2:
                    add(text, words=rng.choice(suggestions))
            write_rows(
                Response,
                ["id", "survey_id", "org_id", "for_org", "member_id", "answered_by_id", "answered_on"],
                responses,
            )
            write_rows(Answer, ["id", "response_id", "question_id", "choice", "value", "text"], answers)
            ctx.counts[label] = ctx.counts.get(label, 0) + len(responses)
            ctx.report(label, min(start + SURVEY_CHUNK, len(order)), len(order))
