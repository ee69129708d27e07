"""出口: the 处置 of unqualified members (党章 第九条; DOMAIN.md §2). A case is opened by a person, from a proposal
(民主评议 不合格, six months without organisational life, six months without 党费) or by hand; the branch records
what it did (谈话, 限期改正, 支部大会 …), chooses a measure and closes the case with a decision. Closing as 劝退,
除名 or 自行脱党 takes the member off the register through members.services.member_change_status (status history
and audit with it). Nothing is decided automatically: a flag proposes, a person decides.

Each write is one transaction: the case (or member) locked, the user's scope re-checked, a refusal raises
ValidationError/PermissionDenied with Chinese text and writes nothing."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.lib.periods import add_months
from dangjian.core.roles import Capability
from dangjian.fees.arrears import flags_for as arrears_flags_for
from dangjian.meetings.flags import flags_visible_to
from dangjian.meetings.models import Flag
from dangjian.meetings.selectors import unqualified_ratings
from dangjian.members import services as member_services
from dangjian.members.choices import ExitKind, Status
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import rules
from .choices import ActionKind, CaseSource, CaseState, Measure, Outcome
from .models import CaseAction, ExitCase

SOURCE_CHARTER = "党章第九条"
SOURCE_OPINION = "中组部《关于加强和改进发展党员工作的意见》（处置不合格党员）"

#: Which measure an outcome may close a case after, and why (党章 第九条):
#: - 限期改正 → 已改正: "党的支部应当对他进行教育，要求他限期改正";
#: - 劝退 → 劝退: "经教育仍无转变的，应当劝他退党 … 经支部大会讨论决定，并报上级党组织批准";
#: - 劝退 → 除名: "如被劝告退党的党员坚持不退，应当提交支部大会讨论，决定把他除名";
#: - 除名 → 除名 (and 自行脱党 → 除名: the 支部大会 strikes off a member who lapsed);
#: - 自行脱党 → 自行脱党，予以除名: "连续六个月不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是
#:   自行脱党。支部大会应当决定把这样的党员除名";
#: - 撤销 (not an unqualified member after all): whatever the measure, or none yet.
OUTCOME_MEASURES: dict[str, frozenset[str]] = {
    Outcome.CORRECTED: frozenset({Measure.CORRECTION}),
    Outcome.PERSUADED: frozenset({Measure.PERSUADE}),
    Outcome.STRUCK_OFF: frozenset({Measure.STRIKE_OFF, Measure.PERSUADE, Measure.LAPSED}),
    Outcome.LAPSED: frozenset({Measure.LAPSED}),
    Outcome.DROPPED: frozenset({"", *Measure.values}),
}

#: Outcomes that take the member off the register, with the 出党 kind recorded on the member.
EXIT_KINDS: dict[str, str] = {
    Outcome.PERSUADED: ExitKind.PERSUADED,
    Outcome.STRUCK_OFF: ExitKind.STRUCK_OFF,
    Outcome.LAPSED: ExitKind.LAPSED,
}

ERR_OUT_OF_SCOPE = "您无权处置该党员"
ERR_NOT_ACTIVE = "只有在册党员才能立案处置"
ERR_OPEN = "该党员已有处置中的案件"
ERR_FUTURE = "日期不能晚于今天"
ERR_BEFORE_JOINED = "立案日期不能早于入党日期（{joined}）"
ERR_CLOSED = "该案件已结案"
ERR_BEFORE_OPENED = "日期不能早于立案日期（{opened}）"
ERR_DEADLINE = "限期改正须填写改正期限，且须晚于立案日期"
ERR_NOTE = "请填写情况"
ERR_DECISION = "请填写决定内容（如支部大会决定、上级党委批准的情况）"
ERR_OUTCOME = "处理结果“{outcome}”与处置方式“{measure}”不符（{source}）"
ERR_CHOICE = "请选择有效的选项"


def _today_or_before(on: date, field: str) -> None:
    if on > clock.today():
        raise ValidationError({field: ERR_FUTURE})


def _locked(by, case: ExitCase, version: int | None = None) -> ExitCase:
    locked = ExitCase.objects.changeable_by(by).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    if version is not None:
        check_version(locked, version)
    if locked.state != CaseState.OPEN:
        raise ValidationError(ERR_CLOSED)
    return locked


def outcome_allowed(outcome: str, measure: str) -> bool:
    return measure in OUTCOME_MEASURES.get(outcome, frozenset())


@transaction.atomic
def open_case(*, by, member: Member, source: str, opened_on: date, source_note: str = "") -> ExitCase:
    locked = Member.objects.changeable_by(by).select_for_update().filter(pk=member.pk).select_related("org").first()
    if locked is None:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    if locked.status != Status.ACTIVE:
        raise ValidationError({"member": ERR_NOT_ACTIVE})
    if source not in CaseSource.values:
        raise ValidationError({"source": ERR_CHOICE})
    _today_or_before(opened_on, "opened_on")
    if opened_on < locked.joined_on:
        raise ValidationError({"opened_on": ERR_BEFORE_JOINED.format(joined=locked.joined_on)})
    # The member's open case, whoever opened it (the constraint says the same; this says it first, in words).
    if ExitCase.objects.unrestricted().filter(member=locked, state=CaseState.OPEN).exists():
        raise ValidationError({"member": ERR_OPEN})
    case = ExitCase(
        member=locked,
        org=locked.org,
        source=source,
        source_note=source_note.strip()[:500],
        opened_on=opened_on,
        opened_by=by,
    )
    case.full_clean()
    case.save()
    return case


@transaction.atomic
def add_action(*, by, case: ExitCase, kind: str, done_on: date, note: str) -> CaseAction:
    case = _locked(by, case)
    if kind not in ActionKind.values:
        raise ValidationError({"kind": ERR_CHOICE})
    _today_or_before(done_on, "done_on")
    if done_on < case.opened_on:
        raise ValidationError({"done_on": ERR_BEFORE_OPENED.format(opened=case.opened_on)})
    if not note.strip():
        raise ValidationError({"note": ERR_NOTE})
    action = CaseAction(case=case, kind=kind, done_on=done_on, note=note.strip(), recorded_by=by)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def set_measure(
    *, by, case: ExitCase, measure: str, deadline: date | None = None, version: int | None = None
) -> ExitCase:
    """Choose (or change, while the case is open: 限期改正 that failed becomes 劝退) the measure; 限期改正 with its
    deadline, after the opening day."""
    case = _locked(by, case, version)
    if measure not in Measure.values:
        raise ValidationError({"measure": ERR_CHOICE})
    if measure == Measure.CORRECTION:
        if deadline is None or deadline <= case.opened_on:
            raise ValidationError({"deadline": ERR_DEADLINE})
    else:
        deadline = None
    case.measure, case.deadline = measure, deadline
    case.save()
    return case


@transaction.atomic
def close_case(
    *, by, case: ExitCase, outcome: str, closed_on: date, decision: str, version: int | None = None
) -> ExitCase:
    """Close the case with the decision taken; 劝退, 除名, 自行脱党 take the member off the register (出党)."""
    case = _locked(by, case, version)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": ERR_CHOICE})
    _today_or_before(closed_on, "closed_on")
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": ERR_BEFORE_OPENED.format(opened=case.opened_on)})
    if not decision.strip():
        raise ValidationError({"decision": ERR_DECISION})
    if not outcome_allowed(outcome, case.measure):
        measure = case.get_measure_display() or "未确定"
        text = ERR_OUTCOME.format(outcome=Outcome(outcome).label, measure=measure, source=SOURCE_CHARTER)
        raise ValidationError({"outcome": text})
    case.state, case.outcome, case.closed_on, case.decision = CaseState.CLOSED, outcome, closed_on, decision.strip()
    case.full_clean()
    case.save()
    if outcome in EXIT_KINDS:
        member = Member.objects.unrestricted().get(pk=case.member_id)  # the case's own member
        member_services.member_change_status(
            acting_user=by,
            member=member,
            to_status=Status.EXPELLED,
            exit_kind=EXIT_KINDS[outcome],
            changed_on=closed_on,
            reason=f"不合格党员处置：{Outcome(outcome).label}（立案{case.opened_on}）。{case.decision}"[:500],
        )
    return case


# --- reading ---------------------------------------------------------------------------------------------------


def case_list(*, fetched_by, org: Organization | None = None) -> QuerySet:
    cases = ExitCase.objects.visible_to(fetched_by).select_related("member", "org")
    if org is not None:
        cases = cases.filter(org__path__startswith=org.path)
    return cases


def open_case_of(user, member: Member) -> ExitCase | None:
    return ExitCase.objects.visible_to(user).filter(member=member, state=CaseState.OPEN).first()


@dataclass
class Candidate:
    member: Member
    source: str  # CaseSource
    reason: str
    can_open: bool = False  # set by the page: the user may open a case on this member

    @property
    def source_label(self) -> str:
        return CaseSource(self.source).label


def candidates(user, org: Organization | None = None) -> list[Candidate]:
    """Members the flags propose for review (one row per member and source), without an open case: 民主评议 不合格
    of the last two years, six months without organisational life (meetings.Flag), six months without 党费
    (fees.ArrearsFlag review). Three queries. Not for a plain member (their own row is visible to them)."""
    if not user.can(Capability.VIEW):
        return []
    members = Member.objects.visible_to(user).filter(status=Status.ACTIVE)
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    open_cases = ExitCase.objects.unrestricted().filter(state=CaseState.OPEN).values("member_id")  # any scope
    members = members.exclude(pk__in=open_cases)
    ids = members.values("pk")
    found: list[Candidate] = []
    seen: set[tuple[int, str]] = set()

    def add(member, source, reason):
        if (member.pk, source) not in seen:
            seen.add((member.pk, source))
            found.append(Candidate(member, source, reason))

    since = add_months(clock.today(), -12 * rules.RATING_YEARS)
    for rating in unqualified_ratings(ids, since):
        on = timezone.localtime(rating.meeting.starts_at).date()
        add(rating.member, CaseSource.RATING, f"{on:%Y-%m-%d} 民主评议（{rating.meeting.topic}）评为不合格")
    for flag in (
        flags_visible_to(user).filter(kind=Flag.Kind.ABSENT_SIX_MONTHS, member__in=ids).select_related("member__org")
    ):
        add(flag.member, CaseSource.ABSENCE, flag.message)
    for flag in arrears_flags_for(user, org).filter(member__in=ids).select_related("member__org"):
        add(flag.member, CaseSource.ARREARS, flag.message)
    found.sort(key=lambda c: (c.member.org.path, c.member.name_pinyin, c.member.pk, c.source))
    return found


def overdue_cases(user) -> QuerySet:
    """Open 限期改正 cases whose deadline has passed (the reminder)."""
    return (
        ExitCase.objects.visible_to(user)
        .filter(state=CaseState.OPEN, measure=Measure.CORRECTION, deadline__lt=clock.today())
        .filter(~Q(deadline=None))
    )
