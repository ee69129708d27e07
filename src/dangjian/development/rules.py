"""发展党员 as DOMAIN.md §5 states it: the 25 steps in 5 stages as data, and pure functions over plain values (no ORM)
that say whether a step may be recorded on a day. Every number lives here with its source; periods are counted as
民法典 第二百零一条、第二百零二条 count them (periods.py, which also states our reading of "以上" and "以内").

Sources: 《中国共产党章程》(党章); 《中国共产党发展党员工作细则》(2014, 发展细则). Articles marked (?) are our best
reading and not yet confirmed against the text (DOMAIN.md's convention)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from dangjian.core.lib.periods import period_end

PARTY_CONSTITUTION = "《中国共产党章程》"
RULES = "《中国共产党发展党员工作细则》"

# ── The numbers, each with its source ─────────────────────────────────────────────────────────────────────────────
#: 党章 第一条: 年满十八岁 — on the application date, counted as every period here (periods.py): 18 on the birthday, and
#: one born on 29 February on 28 February of a common year (core.lib.dates.age_on, the roster's age, says 1 March).
MIN_AGE = 18
#: 发展细则 第八条: 党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话 (late: flagged, not refused).
TALK_WITHIN_MONTHS = 1
#: 发展细则 第十三条: 经过一年以上培养教育和考察 → 发展对象.
ACTIVIST_MIN_MONTHS = 12
#: 党章 第七条: 预备期为一年，从支部大会通过他为预备党员之日算起.
PROBATION_MONTHS = 12
#: 党章 第七条: 延长预备期，但不能超过一年; 发展细则 第三十四条(?): 延长时间不能少于半年. Once only.
EXTEND_MIN_MONTHS, EXTEND_MAX_MONTHS = 6, 12
#: 发展细则 第二十七条(?)、第三十五条(?): 上级党委审批 within three months (late: flagged; DOMAIN.md: at most 6 in
#: special cases).
APPROVAL_WITHIN_MONTHS = 3

STAGES = ("入党申请人", "入党积极分子", "发展对象", "预备党员的接收", "预备期")

FLAG, REFUSE = "flag", "refuse"


@dataclass(frozen=True)
class Duration:
    """A step's date measured from an earlier step's: at least (`min_after`) or at most (`max_after`) `months`."""

    after: int
    months: int
    rule: str  # the rule in Chinese, naming its source: the text of a refusal or a flag
    late_is: str = REFUSE  # max_after only: a late step is flagged or refused


@dataclass(frozen=True)
class Step:
    number: int
    code: str
    label: str
    stage: str
    predecessors: tuple[int, ...] = ()
    min_after: Duration | None = None
    max_after: Duration | None = None
    source: str = ""


def _step(number, code, label, stage, predecessors=None, min_after=None, max_after=None, source=""):
    if predecessors is None:
        predecessors = (number - 1,) if number > 1 else ()
    return Step(number, code, label, STAGES[stage], tuple(predecessors), min_after, max_after, source)


RULE_TALK = f"党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话（{RULES}第八条）"
RULE_ACTIVIST = f"入党积极分子经过一年以上培养教育和考察，方可列为发展对象（{RULES}第十三条）"
RULE_APPROVAL = f"上级党委应当在三个月内审批（{RULES}第二十七条(?)）"
RULE_CONFIRM_APPROVAL = f"上级党委应当在三个月内审批预备党员转正（{RULES}第三十五条(?)）"

STEPS: tuple[Step, ...] = (
    _step(1, "application", "递交入党申请书", 0, source=f"{PARTY_CONSTITUTION}第一条；{RULES}第七条"),
    _step(
        2,
        "talk",
        "党组织派人谈话",
        0,
        max_after=Duration(1, TALK_WITHIN_MONTHS, RULE_TALK, late_is=FLAG),
        source=f"{RULES}第八条",
    ),
    _step(3, "recommend", "推荐入党积极分子（党员推荐、群团组织推优）", 1, source=f"{RULES}第九条"),
    _step(4, "activist", "支部委员会确定入党积极分子并报上级党委备案", 1, source=f"{RULES}第十条"),
    _step(5, "contacts", "指定培养联系人", 1, source=f"{RULES}第十一条"),
    _step(6, "cultivation", "培养教育考察", 1, source=f"{RULES}第十二条"),
    _step(
        7,
        "candidate",
        "支部委员会确定发展对象并报上级党委备案",
        2,
        min_after=Duration(4, ACTIVIST_MIN_MONTHS, RULE_ACTIVIST),
        source=f"{RULES}第十三条",
    ),
    _step(8, "sponsors", "确定入党介绍人", 2, source=f"{RULES}第十四条"),
    _step(9, "vetting", "政治审查", 2, source=f"{RULES}第十五条"),
    _step(10, "training", "集中培训", 2, source=f"{RULES}第十六条"),
    _step(11, "committee_review", "支部委员会审查", 2, source=f"{RULES}第十七条"),
    _step(12, "pre_review", "上级党委预审", 2, source=f"{RULES}第十八条"),
    _step(13, "publicity", "公示", 2, source=f"{RULES}第十七条(?)"),
    _step(14, "form", "填写入党志愿书", 3, source=f"{RULES}第十九条(?)"),
    _step(15, "assembly", "支部大会讨论接收预备党员", 3, source=f"{RULES}第二十一条、第二十二条(?)"),
    _step(16, "upper_talk", "上级党委派人谈话", 3, source=f"{RULES}第二十五条(?)"),
    _step(
        17,
        "approval",
        "上级党委审批",
        3,
        max_after=Duration(15, APPROVAL_WITHIN_MONTHS, RULE_APPROVAL, late_is=FLAG),
        source=f"{RULES}第二十六条(?)、第二十七条(?)",
    ),
    _step(18, "filing", "再上一级党委组织部门备案", 3, source=f"{RULES}第二十七条(?)"),
    # 宣誓 and 编入 follow the approval; the 备案 above does not hold them up.
    _step(19, "oath", "入党宣誓", 4, predecessors=(17,), source=f"{RULES}第二十九条(?)"),
    _step(20, "placement", "编入党支部和党小组", 4, predecessors=(17,), source=f"{RULES}第三十条(?)"),
    _step(21, "probation", "预备期的教育和考察", 4, predecessors=(20,), source=f"{PARTY_CONSTITUTION}第七条"),
    _step(22, "confirm_application", "提出转正申请", 4, source=f"{RULES}第三十三条(?)"),
    _step(23, "confirm_assembly", "支部大会讨论转正", 4, source=f"{PARTY_CONSTITUTION}第七条；{RULES}第三十四条(?)"),
    _step(
        24,
        "confirm_approval",
        "上级党委审批转正",
        4,
        max_after=Duration(23, APPROVAL_WITHIN_MONTHS, RULE_CONFIRM_APPROVAL, late_is=FLAG),
        source=f"{RULES}第三十五条(?)",
    ),
    _step(25, "archive", "材料归档", 4, source=f"{RULES}第三十七条"),
)
BY_NUMBER: dict[int, Step] = {step.number: step for step in STEPS}

APPLICATION, ASSEMBLY, CONFIRM_ASSEMBLY = 1, 15, 23
#: Step 23's decisions (党章 第七条).
CONFIRM, EXTEND, CANCEL = "confirm", "extend", "cancel"
DECISIONS = {CONFIRM: "按期转正", EXTEND: "延长预备期", CANCEL: "取消预备党员资格"}

RULE_ORDER = f"每一步须在前一步之后进行（{RULES}第六条(?)：发展党员按程序进行）"
RULE_FUTURE = "日期不能晚于今天"
RULE_AGE = f"年满十八岁方可申请入党，以递交入党申请书之日计（{PARTY_CONSTITUTION}第一条）"
RULE_PROBATION = f"预备期为一年，从支部大会通过其为预备党员之日算起，预备期满方可讨论转正（{PARTY_CONSTITUTION}第七条）"
RULE_EXTEND_LENGTH = f"延长预备期的时间不能少于半年，最长不超过一年（{PARTY_CONSTITUTION}第七条；{RULES}第三十四条(?)）"
RULE_EXTEND_ONCE = f"预备期只能延长一次（{PARTY_CONSTITUTION}第七条：延长预备期不能超过一年）"
RULE_DECISION = "请选择支部大会的决定：按期转正、延长预备期或取消预备党员资格"
RULE_BIRTH = "须有出生日期才能核对年龄"
RULE_QUORUM = (
    f"有表决权的到会人数须超过应到会有表决权人数的半数（{RULES}第二十二条(?)；预备党员没有表决权，党章第七条）"
)
RULE_MAJORITY = f"赞成人数须超过应到会有表决权的正式党员的半数（{RULES}第二十二条(?)）"


@dataclass(frozen=True)
class Facts:
    """What a check needs besides the dates: today (core.clock.today() in a caller), the applicant's birth date, and
    for step 23 the branch meeting's decision, the months it extends by and the months already extended (0: never)."""

    today: date
    birth_date: date | None = None
    decision: str | None = None
    extend_months: int = 0
    extended_months: int = 0


@dataclass(frozen=True)
class Finding:
    rule: str  # a short code for tests and logs
    message: str  # Chinese, naming the rule and its source


@dataclass(frozen=True)
class Verdict:
    refusals: tuple[Finding, ...] = ()
    flags: tuple[Finding, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.refusals

    def __bool__(self) -> bool:
        return self.accepted


def probation_end(accepted_on: date, extended_months: int = 0) -> date:
    """The last day of the 预备期 (党章 第七条): one year from the branch meeting's acceptance, plus an extension,
    counted in one go from the acceptance (periods.period_end). 转正 may be discussed on this day."""
    return period_end(accepted_on, months=PROBATION_MONTHS + extended_months)


def check_step(history: Mapping[int, date], step: int, on: date, facts: Facts) -> Verdict:
    """Whether `step` may be recorded on `on`, given the dates of the steps recorded so far (`history`: step number →
    date). Refusals name their rule and source; flags (a late 谈话 or 审批) are recorded but do not refuse."""
    if step not in BY_NUMBER:
        raise ValueError(f"no step {step}")
    spec = BY_NUMBER[step]
    refusals: list[Finding] = []
    flags: list[Finding] = []
    if on > facts.today:
        refusals.append(Finding("future", RULE_FUTURE))
    for before in spec.predecessors:
        if before not in history:
            refusals.append(Finding("order", f"尚未记录“{BY_NUMBER[before].label}”。{RULE_ORDER}"))
        elif on < history[before]:
            refusals.append(Finding("order", f"不能早于“{BY_NUMBER[before].label}”的日期。{RULE_ORDER}"))
    minimum, maximum = spec.min_after, spec.max_after
    if minimum and minimum.after in history and on < period_end(history[minimum.after], months=minimum.months):
        refusals.append(Finding("min", minimum.rule))
    if maximum and maximum.after in history and on > period_end(history[maximum.after], months=maximum.months):
        (flags if maximum.late_is == FLAG else refusals).append(Finding("late", maximum.rule))
    if step == APPLICATION:
        if facts.birth_date is None:
            refusals.append(Finding("age", RULE_BIRTH))
        elif on < period_end(facts.birth_date, years=MIN_AGE):
            refusals.append(Finding("age", RULE_AGE))
    if step == CONFIRM_ASSEMBLY:
        refusals.extend(_check_decision(history, on, facts))
    return Verdict(tuple(refusals), tuple(flags))


def _check_decision(history: Mapping[int, date], on: date, facts: Facts) -> list[Finding]:
    if facts.decision not in DECISIONS:
        return [Finding("decision", RULE_DECISION)]
    found = []
    if facts.decision == EXTEND:
        if facts.extended_months:
            found.append(Finding("extend_once", RULE_EXTEND_ONCE))
        if not EXTEND_MIN_MONTHS <= facts.extend_months <= EXTEND_MAX_MONTHS:
            found.append(Finding("extend_length", RULE_EXTEND_LENGTH))
    ended = ASSEMBLY not in history or on >= probation_end(history[ASSEMBLY], facts.extended_months)
    if facts.decision in (CONFIRM, EXTEND) and not ended:
        found.append(Finding("probation", RULE_PROBATION))
    return found


def vote_passes(voting_members: int, present_voting: int, in_favour: int) -> Verdict:
    """The branch meeting's vote on accepting a 预备党员 (DOMAIN.md §5 step 15): more than half of the members with a
    vote present, and more than half of ALL members with a vote in favour (预备党员 have no vote: DOMAIN.md §8)."""
    if not 0 <= in_favour <= present_voting <= voting_members or voting_members == 0:
        raise ValueError("须 0 ≤ 赞成 ≤ 到会 ≤ 应到会有表决权人数，且应到会人数大于 0")
    refusals = []
    if present_voting * 2 <= voting_members:
        refusals.append(Finding("quorum", RULE_QUORUM))
    if in_favour * 2 <= voting_members:
        refusals.append(Finding("majority", RULE_MAJORITY))
    return Verdict(tuple(refusals))


# ── Who a step names, and who records it ──────────────────────────────────────────────────────────────────────────
#: The people a step names, (role, at least, at most): full members of the branch on the step's date.
#: 发展细则 第十一条 allows 一至两名 培养联系人; DOMAIN.md §5 says two: DOMAIN.md wins (a default, configurable).
PEOPLE: dict[int, tuple[str, int, int]] = {
    2: ("talker", 1, 3),
    5: ("contact", 2, 2),
    8: ("sponsor", 2, 2),
}
RULE_PEOPLE_FULL = f"须为本支部的正式党员，预备党员不能担任（{PARTY_CONSTITUTION}第五条、{RULES}第十一条、第十四条）"
RULE_PEOPLE_BRANCH = "须为本支部在册党员（以该步骤日期计）"
#: Steps recorded by the upper committee (CHANGE on the branch's parent): its 审批 makes a member or a 正式党员.
UPPER_STEPS = frozenset({17, 24})
#: Steps decided by a 支部大会 with a vote (vote_passes).
VOTE_STEPS = frozenset({ASSEMBLY, CONFIRM_ASSEMBLY})
#: Upper approval: step 17 accepts (the person enters the roster), step 24 carries out step 23's decision.
APPROVAL, CONFIRM_APPROVAL = 17, 24
#: An extension of the 预备期 opens a new round of these (the 转正申请, the 支部大会, the 审批 again).
ROUND_STEPS = frozenset({22, 23, 24})
#: Steps a 预备党员 from the roster (no pipeline history) still has: the 转正 procedure.
ROSTER_STEPS = (22, 23, 24, 25)

# ── What is due ───────────────────────────────────────────────────────────────────────────────────────────────────
#: 发展细则 第十二条: 党支部每半年对入党积极分子进行一次考察; 预备期 likewise (党章 第七条: 教育和考察).
REVIEW_MONTHS = 6
#: Reminder before the 预备期 ends (issue 14: 30 days).
PROBATION_REMIND_DAYS = 30
#: How far ahead the due list and the reminders look for a step's last day (our choice, as the 预备期's).
DUE_WITHIN_DAYS = 30
#: How far back a 民主评议 rating of 不合格 proposes a 处置 case (our choice: DOMAIN.md is silent).
RATING_YEARS = 2


@dataclass(frozen=True)
class Next:
    """The next step of a record and its window: from `ready_on` (None: now) to `due_on` (None: no limit)."""

    step: int | None
    ready_on: date | None = None
    due_on: date | None = None


def next_step(history: Mapping[int, date], extended_months: int = 0) -> Next:
    """The lowest step not yet recorded whose predecessors are, with the earliest day it may be recorded and the last
    day it is in time (DOMAIN.md §5's durations; 转正 due when the 预备期 ends)."""
    for spec in STEPS:
        if spec.number in history or any(p not in history for p in spec.predecessors):
            continue
        dates = [history[p] for p in spec.predecessors]
        ready = max(dates) if dates else None
        due = None
        if spec.min_after and spec.min_after.after in history:
            ready = max(filter(None, (ready, period_end(history[spec.min_after.after], months=spec.min_after.months))))
        if spec.max_after and spec.max_after.after in history:
            due = period_end(history[spec.max_after.after], months=spec.max_after.months)
        if spec.number in (22, CONFIRM_ASSEMBLY) and ASSEMBLY in history:
            ready = due = probation_end(history[ASSEMBLY], extended_months)
        return Next(spec.number, ready, due)
    return Next(None)


def review_due(started_on: date, last_review_on: date | None) -> date:
    """The day the next half-yearly 考察 record is due: six months after the last one, or after the stage began."""
    return period_end(last_review_on or started_on, months=REVIEW_MONTHS)


@dataclass(frozen=True)
class Standing:
    """What a record stores for the funnel and the due lists (Applicant.last_step … due_on): its highest step, that
    step's stage, and the next step with its window (None while the record is not open)."""

    last_step: int
    stage: int
    next: Next


def standing(
    history: Mapping[int, date],
    recorded: Iterable[int],
    extended_months: int = 0,
    *,
    active: bool = True,
    roster: bool = False,
    last_step: int = APPLICATION,
) -> Standing:
    """A record's standing from its history (history_of), the step numbers recorded (every round), its extension,
    whether it is open (`active`: in the pipeline, the 预备期 or 已转正 awaiting 归档) and whether it came from the
    roster (its steps before 22 are taken as done: 21 at least); `last_step` when nothing is recorded."""
    steps = list(recorded) or [last_step]
    last = max(steps + ([21] if roster else []))
    stage = STAGES.index(BY_NUMBER[last].stage)
    return Standing(last, stage, next_step(history, extended_months) if active else Next(None))
