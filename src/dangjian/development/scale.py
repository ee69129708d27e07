"""The development records' part of scale data set L (see dangjian.core.scale), producer 90, after fees: some 3% of
the members' count as development records (发展档案), spread over every branch by its size.

- Most are in the pipeline at stages 0–3 (申请人 … 预备党员的接收), their steps on days the rules allow (each checked
  by rules.check_step, whose flags are stored: a few 谈话 come late); the people a step names (谈话人, 培养联系人,
  入党介绍人) are full members of the branch on the step's date; 支部大会 votes as typed figures.
- Some are 预备党员 (PROBATION): linked to roster 预备党员 (their 支部大会 on their 入党日期); some 已转正
  (CONFIRMED): linked to full members who joined within the set's years; where a branch has none, a pipeline record.
- Some ended (撤回申请 …). About 5% are overdue (a 谈话 not held a month after the application, an 审批 not given
  three months after the 支部大会). 积极分子 and 预备党员 have half-yearly 考察 records, the latest now and then
  missing.
- The stored funnel fields come from rules.standing and rules.review_due, as services.refresh_due computes them.
- A handful of 处置 cases (ExitCase) with their first action.

Rows are COPYed (executemany elsewhere) with ids chosen up front, the sequences reset after."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Max

from dangjian.core.datagen import STAFF
from dangjian.core.scale import ADMIN_USERNAME, ScaleContext, allocate, reset_sequence, scale_producer, write_rows
from dangjian.members.choices import Category, Status
from dangjian.members.datagen import MemberGenerator
from dangjian.members.models import Member
from dangjian.members.scale import MemberRow, members_by_org, scale_members
from dangjian.members.services import name_syllables
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs

from . import rules
from .choices import ActionKind, CaseSource, CaseState, Measure, Origin, Outcome, ReviewKind, State
from .models import Applicant, CaseAction, ExitCase, Review, StepPerson, StepRecord

#: Development records per member of the set, and at least this many (a small set still shows every stage).
RECORD_SHARE = 0.03
MIN_RECORDS = 60
#: Shares of the records by state (the rest in the pipeline).
STATE_SHARES = [(State.PROBATION, 0.12), (State.CONFIRMED, 0.06), (State.ENDED, 0.06)]
#: Pipeline records by their last step (stage 0: 1–2, stage 1: 3–6, stage 2: 7–13, stage 3: 14–16).
PIPELINE_LAST = [
    (1, 0.12), (2, 0.2), (3, 0.06), (4, 0.08), (5, 0.06), (6, 0.12), (7, 0.04), (8, 0.03), (9, 0.03), (10, 0.03),
    (11, 0.03), (12, 0.03), (13, 0.02), (14, 0.05), (15, 0.05), (16, 0.05),
]  # fmt: skip
#: Share of all records overdue (a step past its due day), and of 谈话 held late (flagged).
OVERDUE_SHARE = 0.05
LATE_TALK_SHARE = 0.08
#: Share of 考察 records whose latest is missing (the next one overdue).
REVIEW_MISSING_SHARE = 0.2
#: Days after the day a step may first be recorded: (least, most).
GAPS = {
    2: (3, 26), 3: (20, 90), 4: (7, 45), 5: (1, 10), 6: (1, 20), 7: (0, 60), 8: (3, 20), 9: (10, 40), 10: (5, 30),
    11: (5, 20), 12: (5, 20), 13: (3, 10), 14: (5, 15), 15: (5, 20), 16: (3, 20), 17: (15, 70), 18: (3, 20),
    19: (3, 30), 20: (1, 15), 21: (1, 10), 22: (-25, 0), 23: (0, 20), 24: (5, 50), 25: (5, 30),
}  # fmt: skip
LATE_TALK_GAP = (33, 70)
ENDED_REASONS = ["本人申请撤回入党申请", "工作调动离开本单位", "经支部委员会研究，不再列为入党积极分子", "本人放弃"]
REVIEW_TEXT = "政治立场坚定，学习认真，工作积极，能够发挥骨干作用；今后须进一步加强理论学习。"
NOTES = {2: "谈话了解入党动机和对党的认识。", 15: "支部党员大会讨论，同意接收为预备党员。", 23: "同意按期转正。"}
CASE_NOTES = {
    CaseSource.RATING: "年度民主评议党员被评为不合格",
    CaseSource.ABSENCE: "连续6个月未参加党的组织生活",
    CaseSource.ARREARS: "连续6个月未交纳党费",
    CaseSource.MANUAL: "群众反映，经支部核实",
}

APPLICANT_FIELDS = [
    "id", "created_at", "updated_at", "version", "org_id", "name", "name_pinyin", "gender", "ethnicity",
    "birth_date", "id_number", "education", "position", "phone", "origin", "state", "last_step", "stage",
    "next_step", "due_on", "ready_on", "review_due_on", "member_id", "accepted_on", "extended_months", "round",
    "full_member_on", "ended_on", "ended_reason", "created_by_id",
]  # fmt: skip
STEP_FIELDS = [
    "id", "created_at", "updated_at", "applicant_id", "step", "round", "done_on", "note", "meeting_id",
    "voting_members", "present_voting", "in_favour", "decision", "extend_months", "flags", "recorded_by_id",
]  # fmt: skip
PERSON_FIELDS = ["record_id", "member_id", "role"]
REVIEW_FIELDS = ["created_at", "updated_at", "applicant_id", "kind", "done_on", "content", "recorded_by_id"]


def _quantile(shares, u: float):
    for value, share in shares:
        if u < share:
            return value
        u -= share
    return shares[-1][0]


def _stamp(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


@dataclass
class Plan:
    """One record to write: who, where, its state, and the steps it reached (step → date)."""

    org_id: int
    state: str
    person: dict
    member_id: int | None = None
    history: dict[int, date] = field(default_factory=dict)
    ended_on: date | None = None


class Walker:
    """Step dates that the rules allow, drawn from `rng`: each step a few days after the first day it may be
    recorded (its predecessors, its minimum durations, the end of the 预备期)."""

    def __init__(self, rng, today: date):
        self.rng, self.today = rng, today

    def gaps(self, until: int, late_talk: bool) -> dict[int, int]:
        rng = self.rng
        drawn = {step: rng.randint(*GAPS[step]) for step in range(2, until + 1)}
        if late_talk and until >= 2:
            drawn[2] = rng.randint(*LATE_TALK_GAP)
        return drawn

    def walk(
        self, applied_on: date, gaps: dict[int, int], *, pin: dict[int, date] | None = None, clamp: int = 0
    ) -> dict[int, date]:
        """Steps 1…max(gaps) from `applied_on`, stopping before the first one after today; `pin` fixes a step's day
        (if the rules allow it), steps up to `clamp` are moved back to today rather than stopping."""
        history = {1: applied_on}
        for step in sorted(gaps):
            spec = rules.BY_NUMBER[step]
            ready = max(history[p] for p in spec.predecessors)
            if spec.min_after:
                ready = max(ready, rules.period_end(history[spec.min_after.after], months=spec.min_after.months))
            on = ready + timedelta(days=gaps[step])
            if step in (22, rules.CONFIRM_ASSEMBLY):
                on = rules.probation_end(history[rules.ASSEMBLY]) + timedelta(days=gaps[step])
                on = max(on, ready)
            if pin and step in pin and pin[step] >= ready:
                on = pin[step]
            if on > self.today:
                if step > clamp or ready > self.today:
                    break
                on = self.today
            history[step] = on
        return history

    def span(self, gaps: dict[int, int], step: int) -> int:
        """Days from the application to `step` with these gaps (walked from a day far enough back)."""
        start = self.today - timedelta(days=4000)
        return (self.walk(start, gaps)[step] - start).days


def _pipeline_plan(rng, walker: Walker, today: date, draw: float | None) -> dict[int, date]:
    """A pipeline record's history: its last step where `draw` (in [0, 1)) falls in PIPELINE_LAST, and how long
    since that step such that its next step is not overdue; None: overdue (a 谈话 not held, an 审批 not given)."""
    overdue = draw is None
    last = (1 if rng.random() < 0.7 else 16) if overdue else _quantile(PIPELINE_LAST, draw)
    gaps = walker.gaps(last, rng.random() < LATE_TALK_SHARE)
    span = walker.span(gaps, last) if last > 1 else 0
    since_assembly = walker.span(gaps, last) - walker.span(gaps, 15) if last >= 15 else 0
    if last == 1:
        idle = rng.randint(35, 150) if overdue else rng.randint(0, 25)
    elif last >= 15:
        idle = (
            max(0, 100 - since_assembly) + rng.randint(0, 80)
            if overdue
            else rng.randint(0, max(0, 75 - since_assembly))
        )
    elif 4 <= last <= 6:
        idle = rng.randint(0, 300)
    else:
        idle = rng.randint(0, 60)
    return walker.walk(today - timedelta(days=span + idle + 3), gaps)


def _linked_plan(
    walker: Walker, rng, joined_on: date, birth_date: date, until: int, clamp: int
) -> dict[int, date] | None:
    """The history of a roster member's record: its 支部大会 (step 15) on their 入党日期 (None: it cannot be, as
    when they would have applied before 18)."""
    gaps = walker.gaps(until, rng.random() < LATE_TALK_SHARE)
    before = walker.span(gaps, 15)
    history = walker.walk(joined_on - timedelta(days=before + 5), gaps, pin={15: joined_on}, clamp=clamp)
    adult = history[1] >= rules.period_end(birth_date, years=rules.MIN_AGE)
    if not adult or history.get(15) != joined_on or 17 not in history:
        return None
    return history


def _vote(rng, voting: int) -> tuple[int, int, int]:
    present = max(voting // 2 + 1, voting - rng.randint(0, max(0, voting // 4)))
    in_favour = present - (1 if rng.random() < 0.3 and (present - 1) * 2 > voting else 0)
    if not rules.vote_passes(voting, present, in_favour):
        present = in_favour = voting
    return voting, present, in_favour


@scale_producer(order=90)
def produce_development(ctx: ScaleContext) -> None:
    """The development records, their steps, people and 考察 records, and a handful of 处置 cases (see the
    module's text)."""
    members = scale_members(ctx)
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    admin_id = ctx.users.get(ADMIN_USERNAME)
    walker = Walker(rng, today)
    by_org = members_by_org(ctx)
    branches = [b for b in scale_orgs(ctx, OrgKind.BRANCH) if by_org.get(b.id)]
    full: dict[int, list[MemberRow]] = {
        org: [m for m in rows if m.category == Category.FULL and m.status == Status.ACTIVE and m.full_member_on]
        for org, rows in by_org.items()
    }
    ids = [m.id for m in members]
    # The set's own members (a task, no request): the roster 预备党员, and full members who joined in the set's years.
    cutoff = today - timedelta(days=365 * (ctx.years + 1))
    linkable: dict[tuple[int, str], list[dict]] = defaultdict(list)
    person_fields = [
        "name", "name_pinyin", "gender", "ethnicity", "birth_date", "id_number", "education", "position", "phone",
    ]  # fmt: skip
    rows = (
        Member.objects.unrestricted()
        .filter(pk__gte=min(ids), pk__lte=max(ids), status=Status.ACTIVE)
        .filter(joined_on__gte=cutoff)
        .order_by("pk")
        .values("pk", "org_id", "category", "joined_on", "full_member_on", *person_fields)
    )
    for row in rows:
        if row["category"] == Category.FULL and row["full_member_on"] != rules.probation_end(row["joined_on"]):
            continue
        if row["category"] == Category.FULL and row["full_member_on"] > today - timedelta(days=30):
            continue
        state = State.PROBATION if row["category"] == Category.PROBATIONARY else State.CONFIRMED
        linkable[(row["org_id"], state)].append(row)
    people = MemberGenerator(rng, today, unique_names=False)
    people.id_numbers.update(Member.objects.values_list("id_number", flat=True))
    people.id_numbers.update(Applicant.objects.unrestricted().values_list("id_number", flat=True))
    pinyin: dict[str, str] = {}

    def new_person() -> dict:
        fields = people.person(rank=STAFF, probationary=True, department="", head_title="")
        name = fields["name"]
        if name not in pinyin:
            pinyin[name] = "".join(name_syllables(name))
        keep = {f: fields[f] for f in person_fields if f != "name_pinyin"}
        return keep | {"name_pinyin": pinyin[name]}

    total = max(MIN_RECORDS, round(RECORD_SHARE * len(members)))
    shares = dict(STATE_SHARES)
    plans: list[Plan] = []
    # The roster's people first: 预备党员 and recently confirmed members, drawn over the whole set.
    for state, until, clamp in ((State.PROBATION, 22, 17), (State.CONFIRMED, 25, 24)):
        pool = [row for (_, kind), rows in sorted(linkable.items()) if kind == state for row in rows]
        wanted = max(1, round(shares[state] * total))
        for row in rng.sample(pool, len(pool)):
            if wanted == 0:
                break
            last = until if state == State.PROBATION or rng.random() < 0.7 else until - 1
            history = _linked_plan(walker, rng, row["joined_on"], row["birth_date"], last, clamp)
            if history is not None:
                plans.append(Plan(row["org_id"], state, {f: row[f] for f in person_fields}, row["pk"], history))
                wanted -= 1
    # The rest over every branch by its size: some ended, some overdue, the others in the pipeline, their last steps
    # drawn by stratified sampling (every stage there even in a small set).
    rest = max(0, total - len(plans))
    ended = max(1, round(shares[State.ENDED] * total))
    overdue = max(1, round(OVERDUE_SHARE * total))
    pipeline = max(0, rest - ended - overdue)
    kinds: list[float | str] = [State.ENDED] * ended + ["overdue"] * overdue
    kinds += [(k + rng.random()) / pipeline for k in range(pipeline)]
    rng.shuffle(kinds)
    sizes = allocate(len(kinds), [len(by_org[b.id]) for b in branches])
    slots = [b.id for b, n in zip(branches, sizes, strict=True) for _ in range(n)]
    for org_id, kind in zip(slots, kinds, strict=True):
        if kind == State.ENDED:
            gaps = walker.gaps(rng.randint(1, 13), False)
            last = max(gaps, default=1)
            span = walker.span(gaps, last) if gaps else 0
            history = walker.walk(today - timedelta(days=span + rng.randint(30, 400)), gaps)
            ended_on = min(today, max(history.values()) + timedelta(days=rng.randint(10, 200)))
            plans.append(Plan(org_id, State.ENDED, new_person(), history=history, ended_on=ended_on))
        else:
            history = _pipeline_plan(rng, walker, today, None if kind == "overdue" else kind)
            plans.append(Plan(org_id, State.PIPELINE, new_person(), history=history))
    _write(ctx, plans, full, admin_id)
    _cases(ctx, full, {p.member_id for p in plans if p.member_id}, admin_id)


def _write(ctx: ScaleContext, plans: list[Plan], full: dict[int, list[MemberRow]], admin_id: int | None) -> None:
    rng, today = ctx.rng, ctx.today
    applicant_id = (Applicant.objects.unrestricted().aggregate(m=Max("pk"))["m"] or 0) + 1
    record_id = (StepRecord.objects.unrestricted().aggregate(m=Max("pk"))["m"] or 0) + 1
    applicants, steps, persons, reviews = [], [], [], []
    for plan in plans:
        history, org_full = plan.history, full.get(plan.org_id, [])
        birth = plan.person["birth_date"]
        for step, on in sorted(history.items()):
            facts = rules.Facts(today=today, birth_date=birth, decision=rules.CONFIRM if step == 23 else None)
            earlier = {s: d for s, d in history.items() if s < step}
            verdict = rules.check_step(earlier, step, on, facts)
            if not verdict.accepted:  # a bug here: the set must be what the services would have written
                raise AssertionError((plan.org_id, step, on, verdict.refusals))
            voting = present = in_favour = None
            if step in rules.VOTE_STEPS:
                eligible = sum(1 for m in org_full if m.full_member_on <= on and m.id != plan.member_id)
                voting, present, in_favour = _vote(rng, max(1, eligible))
            stamp = _stamp(on)
            flags = [{"rule": f.rule, "message": f.message} for f in verdict.flags]
            steps.append(
                (record_id, stamp, stamp, applicant_id, step, 0, on, NOTES.get(step, ""), None, voting, present,
                 in_favour, rules.CONFIRM if step == 23 else "", 0, json.dumps(flags, ensure_ascii=False), admin_id)
            )  # fmt: skip
            if step in rules.PEOPLE:
                role, least, most = rules.PEOPLE[step]
                eligible = [m.id for m in org_full if m.full_member_on <= on and m.id != plan.member_id]
                wanted = rng.randint(least, most) if step == 2 else least
                for member_id in rng.sample(eligible, min(wanted, len(eligible))):
                    persons.append((record_id, member_id, role))
            record_id += 1
        accepted_on = history.get(rules.ASSEMBLY) if plan.state in (State.PROBATION, State.CONFIRMED) else None
        full_member_on = rules.probation_end(accepted_on) if plan.state == State.CONFIRMED else None
        # 考察 records: 积极分子 (steps 4–6) and 预备党员, every six months from the stage's start.
        last_step = max(history)
        started = None
        if plan.state == State.PROBATION:
            kind, started = ReviewKind.PROBATION, accepted_on
        elif plan.state == State.PIPELINE and 4 <= last_step < 7:
            kind, started = ReviewKind.ACTIVIST, history[4]
        last_review = None
        if started:
            done = []
            day = rules.period_end(started, months=rules.REVIEW_MONTHS) - timedelta(days=rng.randint(0, 20))
            while day <= today:
                done.append(day)
                day = rules.period_end(day, months=rules.REVIEW_MONTHS) - timedelta(days=rng.randint(0, 20))
            if done and rng.random() < REVIEW_MISSING_SHARE:
                done.pop()
            for day in done:
                reviews.append((_stamp(day), _stamp(day), applicant_id, kind, day, REVIEW_TEXT, admin_id))
            last_review = done[-1] if done else None
        active = plan.state in (State.PIPELINE, State.PROBATION, State.CONFIRMED)
        standing = rules.standing(history, list(history), active=active)
        review_due_on = rules.review_due(started, last_review) if started else None
        person = plan.person
        stamp = _stamp(history[1])
        applicants.append(
            (applicant_id, stamp, stamp, 1, plan.org_id, person["name"], person["name_pinyin"], person["gender"],
             person["ethnicity"], birth, person["id_number"], person["education"], person["position"],
             person["phone"], Origin.PIPELINE, plan.state, standing.last_step, standing.stage, standing.next.step,
             standing.next.due_on, standing.next.ready_on, review_due_on, plan.member_id, accepted_on, 0, 0,
             full_member_on, plan.ended_on, rng.choice(ENDED_REASONS) if plan.state == State.ENDED else "",
             admin_id)
        )  # fmt: skip
        applicant_id += 1
    ctx.report("发展档案", 0, len(applicants))
    write_rows(Applicant, APPLICANT_FIELDS, applicants)
    write_rows(StepRecord, STEP_FIELDS, steps)
    write_rows(StepPerson, PERSON_FIELDS, persons)
    write_rows(Review, REVIEW_FIELDS, reviews)
    for model in (Applicant, StepRecord, StepPerson, Review):
        reset_sequence(model)
    ctx.report("发展档案", len(applicants), len(applicants))
    for label, rows in (("发展档案", applicants), ("发展步骤", steps), ("步骤人员", persons), ("考察记录", reviews)):
        ctx.counts[label] = ctx.counts.get(label, 0) + len(rows)


def _cases(ctx: ScaleContext, full: dict[int, list[MemberRow]], taken: set[int], admin_id: int | None) -> None:
    """A handful of 处置 cases on staff full members of different branches: most open (some with a 限期改正
    deadline), some closed as corrected or dropped (the member stays on the register)."""
    rng, today = ctx.rng, ctx.today
    candidates = [rows[-1] for rows in full.values() if rows and rows[-1].rank == STAFF and rows[-1].id not in taken]
    count = min(len(candidates), 3 + len(candidates) // 400)
    cases, actions = [], []
    for member in sorted(rng.sample(candidates, count), key=lambda m: m.id):
        source = rng.choice(CaseSource.values)
        opened_on = today - timedelta(days=rng.randint(5, 240))
        case = ExitCase(
            member_id=member.id,
            org_id=member.org_id,
            source=source,
            source_note=CASE_NOTES[source],
            opened_on=opened_on,
            opened_by_id=admin_id,
        )
        if rng.random() < 0.5:
            case.measure, case.deadline = Measure.CORRECTION, opened_on + timedelta(days=90)
        if rng.random() < 0.25:
            case.state, case.closed_on = (
                CaseState.CLOSED,
                opened_on + timedelta(days=rng.randint(0, (today - opened_on).days)),
            )
            case.outcome = rng.choice([Outcome.CORRECTED, Outcome.DROPPED])
            case.decision = (
                "经教育帮助，本人已改正，继续保留党籍" if case.outcome == Outcome.CORRECTED else "经核实，撤销"
            )
        cases.append(case)
    cases = ExitCase.objects.bulk_create(cases)
    for case in cases:
        talked = min(today, case.opened_on + timedelta(days=rng.randint(1, 20)))
        actions.append(
            CaseAction(case=case, kind=ActionKind.TALK, done_on=talked, note="支部书记谈话，指出问题，提出要求。",
                       recorded_by_id=admin_id)
        )  # fmt: skip
    CaseAction.objects.bulk_create(actions)
    ctx.counts["处置案件"] = ctx.counts.get("处置案件", 0) + len(cases)
