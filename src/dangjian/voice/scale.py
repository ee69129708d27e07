"""党员之声's producers of data set L (core.scale): each part adds its own in its section."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from django.utils import timezone

from dangjian.core.scale import ADMIN_USERNAME, ScaleContext, reset_sequence, scale_producer, write_rows
from dangjian.meetings.scale import next_id
from dangjian.members.scale import members_by_org
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs

from .choices import ProposalCategory
from .models import Proposal, ProposalEvent
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
TOPICS = [
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
        title, category = TOPICS[rng.randrange(len(TOPICS)) if topic is None else topic % len(TOPICS)]

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

# ── inquiries

# ── surveys

# ── consultations
