"""The development records' part of demo data set S (see dangjian.core.demo), producer 90, after fees: records at
every stage in several branches, written through the services as a secretary and the committee would (so the rows
are the ones the pages read), so every development page shows something to every demo persona.

- 办公室 (shuji01, zhiwei01) and 人事处 (shuji02) have a record at each stage: an application whose 谈话 is due, one
  whose 谈话 was not held two months after it (overdue), a late 谈话 (flagged), an 积极分子 whose half-yearly 考察
  record is due, 发展对象, a 支部大会 held (on the branch's own 支部党员大会 where one was held in the window, else
  with typed vote figures) awaiting 审批, one awaiting it for over three months (overdue), and 预备党员.
- Two 预备党员 near 转正 (预备期 ending within 30 days): one of 办公室 from the pipeline, and the roster 预备党员 whose
  预备期 ends first within 30 days (their record opened by probation_record, their 转正申请 made).
- Elsewhere: a 转正 done (信息中心), an extended 预备期 (财务处), an ended record (机关服务中心), and applicants and
  积极分子 in several branches; the roster 预备党员 of 办公室 and 人事处 have their records opened.
- One 处置 case (信息中心)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from dangjian.core.datagen import STAFF
from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.lib.periods import add_months
from dangjian.meetings.models import Meeting
from dangjian.meetings.selectors import assembly_voters, held_assemblies
from dangjian.members import services as member_services
from dangjian.members.choices import Category, Status
from dangjian.members.datagen import MemberGenerator
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import demo_committee, demo_groups, demo_orgs

from . import exits, rules, services
from .choices import CaseSource
from .models import Applicant, ExitCase
from .scale import LATE_TALK_GAP, Walker

#: Branch code → the secretary's login that records its steps (the committee admin elsewhere, and for 17 and 24).
SECRETARIES = {"ZB01": "shuji01", "ZB02": "shuji02"}
REVIEW_TEXT = "能够认真学习党的理论，工作积极主动，群众评价较好；须进一步加强党性锻炼。"


@dataclass(frozen=True)
class Plan:
    """One record: its branch, its last step, the days since that step; or its 支部大会 (step 15) on a day
    (`accepted_ago` days ago, or a 支部党员大会 of the branch held between `meeting_ago` days ago)."""

    code: str
    last: int
    idle: int = 0
    late_talk: bool = False
    accepted_ago: int | None = None
    meeting_ago: tuple[int, int] | None = None
    gaps: dict[int, int] = field(default_factory=dict)
    decision: str = rules.CONFIRM
    reviews: tuple[int, ...] = ()  # 考察 records, days ago
    end_after: int | None = None  # ended this many days after its last step
    note: str = ""


def _near_end_ago(today: date, days_left: int) -> int:
    """Days ago a 支部大会 must have been for the 预备期 to end `days_left` days from today."""
    return (today - add_months(today + timedelta(days=days_left), -rules.PROBATION_MONTHS)).days


def plans(today: date) -> list[Plan]:
    return [
        Plan("ZB01", 1, idle=8, note="申请人：谈话将到期"),
        Plan("ZB01", 1, idle=62, note="递交申请两个月仍未谈话：逾期"),
        Plan("ZB01", 2, idle=20, late_talk=True),
        Plan("ZB01", 6, idle=200, note="积极分子：半年考察记录到期"),
        Plan("ZB01", 11, idle=10),
        Plan("ZB01", 15, meeting_ago=(20, 85), accepted_ago=40),
        Plan("ZB01", 21, accepted_ago=_near_end_ago(today, 20), reviews=(160, 10), note="预备期将满"),
        Plan("ZB02", 2, idle=30),
        Plan("ZB02", 4, idle=200, reviews=(20,)),
        Plan("ZB02", 8, idle=15),
        Plan("ZB02", 16, meeting_ago=(100, 200), accepted_ago=120, note="上级党委逾期未审批"),
        Plan("ZB02", 21, meeting_ago=(120, 250), accepted_ago=150, reviews=(15,)),
        Plan("ZB03", 24, accepted_ago=420, gaps={22: -10, 23: 5, 24: 10}, decision=rules.EXTEND),
        Plan("ZB03", 5, idle=40),
        Plan("ZB04", 2, idle=12),
        Plan("ZB05", 1, idle=3),
        Plan("ZB05", 3, idle=25),
        Plan("ZB05", 7, idle=5),
        Plan("ZB05", 14, idle=5),
        Plan("ZB05", 25, accepted_ago=400, gaps={22: -10, 23: 3, 24: 10, 25: 5}),
        Plan("ZB06", 9, idle=20),
        Plan("ZB07", 1, idle=15),
        Plan("ZB07", 6, idle=60),
        Plan("ZB08", 12, idle=8),
        Plan("ZB09", 4, idle=30),
        Plan("ZB10", 1, idle=45),
        Plan("ZB10", 3, idle=60, end_after=30),
    ]


class Recorder:
    """Records a plan's steps through services.record_step on the days its walk gives."""

    def __init__(self, ctx: DemoContext):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.orgs = demo_orgs(ctx)
        self.admin = ctx.users[ADMIN_USERNAME]
        self.walker = Walker(ctx.rng, ctx.today)
        self.people = MemberGenerator(ctx.rng, ctx.today)
        self.people.id_numbers.update(Member.objects.unrestricted().values_list("id_number", flat=True))
        self.people.id_numbers.update(Applicant.objects.unrestricted().values_list("id_number", flat=True))
        self.people.phones.update(Member.objects.unrestricted().values_list("phone", flat=True))

    def secretary(self, code: str):
        return self.ctx.users.get(SECRETARIES.get(code, ""), self.admin)

    def assemblies(self, code: str) -> dict[date, Meeting]:
        """The branch's held 支部党员大会, by day."""
        return {timezone.localtime(m.starts_at).date(): m for m in held_assemblies(self.orgs[code]).reverse()}

    def accepted_on(self, plan: Plan) -> date | None:
        if plan.meeting_ago:
            low, high = plan.meeting_ago
            days = [d for d in self.assemblies(plan.code) if low <= (self.today - d).days <= high]
            if days:
                return days[-1]
        return self.today - timedelta(days=plan.accepted_ago) if plan.accepted_ago is not None else None

    def run(self, plan: Plan) -> Applicant:
        gaps = self.walker.gaps(plan.last, False) | plan.gaps
        if plan.late_talk:
            gaps[2] = self.rng.randint(*LATE_TALK_GAP)
        accepted_on = self.accepted_on(plan)
        if accepted_on is not None:
            applied_on = accepted_on - timedelta(days=self.walker.span(gaps, 15) + 5)
        else:
            span = self.walker.span(gaps, plan.last) if plan.last > 1 else 0
            applied_on = self.today - timedelta(days=span + plan.idle)
        history = self.walker.walk(applied_on, gaps, pin={15: accepted_on} if accepted_on else None)
        fields = self.people.person(rank=STAFF, probationary=True, department="", head_title="")
        person = {k: fields[k] for k in ("name", "gender", "ethnicity", "birth_date", "id_number", "education")}
        person |= {"position": fields["position"], "phone": fields["phone"]}
        by = self.secretary(plan.code)
        org = self.orgs[plan.code]
        applicant = services.create_applicant(by=by, org=org, applied_on=applied_on, note=plan.note, **person)
        for step in sorted(s for s in history if s > 1):
            on = history[step]
            kwargs = self.step_kwargs(plan, applicant, step, on)
            actor = self.admin if step in rules.UPPER_STEPS else by
            services.record_step(by=actor, applicant=applicant, step=step, done_on=on, **kwargs)
            applicant.refresh_from_db()
            if step == 20:  # 编入党支部和党小组: the roster row gets its 党小组 and 党费基数
                self.place(plan.code, applicant.member_id)
            if applicant.round:  # an extension opens a new round: its steps later
                break
        for days in plan.reviews:
            services.add_review(
                by=by, applicant=applicant, done_on=self.today - timedelta(days=days), content=REVIEW_TEXT
            )
        if plan.end_after is not None:
            ended_on = min(self.today, max(history.values()) + timedelta(days=plan.end_after))
            services.end_applicant(by=by, applicant=applicant, ended_on=ended_on, reason="本人申请撤回入党申请")
        applicant.refresh_from_db()
        return applicant

    def place(self, code: str, member_id: int) -> None:
        member = Member.objects.unrestricted().get(pk=member_id)  # the record's own roster row
        groups = demo_groups(self.ctx, code)
        group = groups[member_id % len(groups)] if groups else None
        fee_base = Decimal(self.rng.randint(4000, 9000))
        member_services.member_update(acting_user=self.admin, member=member, group=group, fee_base=fee_base)

    def full_members(self, org, on: date, exclude: int | None) -> list[int]:
        found = Member.objects.unrestricted().filter(  # a command: the branch's own roster
            org=org, status=Status.ACTIVE, category=Category.FULL, full_member_on__lte=on
        )
        return sorted(pk for pk in found.values_list("pk", flat=True) if pk != exclude)

    def step_kwargs(self, plan: Plan, applicant: Applicant, step: int, on: date) -> dict:
        org = self.orgs[plan.code]
        kwargs: dict = {}
        if step in rules.PEOPLE:
            _, least, _ = rules.PEOPLE[step]
            kwargs["people"] = self.rng.sample(self.full_members(org, on, applicant.member_id), least)
        if step in rules.VOTE_STEPS:
            meeting = self.assemblies(plan.code).get(on)
            if meeting is not None:
                counts = assembly_voters(meeting, org, on)
                try:
                    if counts and rules.vote_passes(*counts, counts[1]):
                        kwargs["meeting"], kwargs["vote"] = meeting, services.Vote(in_favour=counts[1])
                except ValueError:  # not a usable meeting (nobody with a vote): typed figures instead
                    pass
            if "meeting" not in kwargs:
                voting = len(self.full_members(org, on, applicant.member_id))
                present = max(voting // 2 + 1, voting - self.rng.randint(0, 2))
                kwargs["vote"] = services.Vote(voting, present, present)
        if step == rules.CONFIRM_ASSEMBLY:
            kwargs["decision"] = plan.decision
            if plan.decision == rules.EXTEND:
                kwargs["extend_months"] = rules.EXTEND_MIN_MONTHS
        return kwargs


def _roster_probation(ctx: DemoContext, recorder: Recorder) -> None:
    """Records for the roster 预备党员 of 办公室 and 人事处, and for the one whose 预备期 ends first within 30 days
    (with their 转正申请)."""
    today = ctx.today
    admin = ctx.users[ADMIN_USERNAME]
    branch_ids = {recorder.orgs[code].pk for code in SECRETARIES}
    roster = list(
        Member.objects.unrestricted()  # a command: the set's 预备党员
        .filter(pk__in=[m.pk for ms in demo_members(ctx).values() for m in ms])
        .filter(status=Status.ACTIVE, category=Category.PROBATIONARY)
        .order_by("joined_on", "pk")
    )
    near = [m for m in roster if 0 <= (rules.probation_end(m.joined_on) - today).days <= 30]
    for member in [m for m in roster if m.org_id in branch_ids] + near[:1]:
        services.probation_record(by=admin, member=member)
    if near:
        record = Applicant.objects.unrestricted().get(member=near[0])
        applied = max(near[0].joined_on, today - timedelta(days=3))
        services.record_step(by=admin, applicant=record, step=22, done_on=applied, note="本人提出转正申请")


def _case(ctx: DemoContext) -> None:
    """One 处置 case: a member of 信息中心 who has not taken part in the branch's life (opened a month ago)."""
    staff = [m for m in demo_members(ctx)["ZB05"][3:]]
    fresh = {
        m.pk: m
        for m in Member.objects.unrestricted().filter(  # a command: the branch's own roster
            pk__in=[m.pk for m in staff], status=Status.ACTIVE, category=Category.FULL, user__isnull=True
        )
    }
    member = next(fresh[m.pk] for m in reversed(staff) if m.pk in fresh)
    exits.open_case(
        by=ctx.users[ADMIN_USERNAME],
        member=member,
        source=CaseSource.MANUAL,
        opened_on=ctx.today - timedelta(days=30),
        source_note="群众反映该同志长期不参加组织生活，经支部核实",
    )


@demo_producer(order=90)
def produce_development(ctx: DemoContext) -> None:
    recorder = Recorder(ctx)
    for plan in plans(ctx.today):
        recorder.run(plan)
    _roster_probation(ctx, recorder)
    _case(ctx)


@demo_summary(order=90)
def summarize_development(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    records = Applicant.objects.unrestricted().filter(org__path__startswith=committee.path)  # a command: the set
    summary.counts["发展档案"] = records.count()
    summary.counts["处置案件"] = ExitCase.objects.unrestricted().filter(org__path__startswith=committee.path).count()
