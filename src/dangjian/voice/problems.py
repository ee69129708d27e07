"""问题清单 and its 整改: services and selectors. A problem belongs to an org (责任党组织; CHANGE on it to record and
move it), comes from a source (a survey the user sees, an opinion heard at a 座谈会/个别交流, a 党员提案, or other),
names its 整改措施, an owner (a member of the org's subtree), a deadline (a planned date: may be ahead) and a year.

States: 待整改 → 整改中 → 已整改; 已整改 straight from 待整改 too. Done needs the result and the day it was done (a
fact: not after today). Reopening (重新整改) takes a done problem back to 整改中, clearing result and day (the audit
log keeps them). Overdue: not done and today after the deadline. Every edit is versioned (check_version).

`problem_summary(user, year)` is what the plans/assessment module reads: per org, the problems of its subtree."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.core.validators import check_not_future
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .choices import ProblemSource, ProblemState
from .models import Opinion, Problem, Proposal, Survey

ERR_SCOPE = "您无权登记或修改该组织的问题清单"
ERR_DISSOLVED = "该组织已撤销，不能新增问题"
ERR_OWNER = "责任人应为本组织（含下级组织）的在册党员"
ERR_YEAR = "年度应在 {low} 年至 {high} 年之间"
ERR_SURVEY = "请选择您可查看的来源问卷"
ERR_OPINION = "来源意见应为本组织（含下级组织）座谈交流中的意见"
ERR_PROPOSAL = "请选择您可查看的来源提案"
ERR_NO_LINK = "来源为“其他”时不关联问卷、意见或提案"
ERR_LINK_SOURCE = "关联的来源与所选来源类别不一致"
ERR_MOVE = "当前状态为“{state}”，不能{move}"
ERR_RESULT = "标记为已整改须填写整改结果"
ERR_DONE_ON = "标记为已整改须填写完成日期"
ERR_DEADLINE = "整改时限应在 {low} 年至 {high} 年之间"

YEAR_MIN = 2000
SEARCH_MAX = 50
#: A problem the owner must finish within this many days shows in their reminders.
DUE_SOON_DAYS = 7
FIELDS = ("year", "description", "measure", "owner", "deadline")
SORTS = {
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "org": ("org__path", "deadline", "id"),
    "state": ("state", "deadline", "id"),
    "-created": ("-created_at", "-id"),
}


def year_bounds(today: date | None = None) -> tuple[int, int]:
    today = today or clock.today()
    return YEAR_MIN, today.year + 1


def is_overdue(problem: Problem, today: date | None = None) -> bool:
    return problem.state != ProblemState.DONE and (today or clock.today()) > problem.deadline


def overdue_q(today: date | None = None) -> Q:
    return ~Q(state=ProblemState.DONE) & Q(deadline__lt=today or clock.today())


def owners_of(org: Organization) -> QuerySet[Member]:
    """Who may own a problem of `org`: the active members of its subtree. Unrestricted: the caller may change `org`
    (checked before), so its subtree's roster is theirs to pick from."""
    return Member.objects.unrestricted().active().filter(subtree_q("org__path", [org.path])).order_by("name_pinyin")


def _check(by, org: Organization, *, year: int, owner: Member, deadline: date) -> None:
    errors = {}
    low, high = year_bounds()
    if year is None or not low <= year <= high:
        errors["year"] = ERR_YEAR.format(low=low, high=high)
    if owner is None or not owners_of(org).filter(pk=owner.pk).exists():
        errors["owner"] = ERR_OWNER
    if deadline is None or not low <= deadline.year <= high + 4:
        errors["deadline"] = ERR_DEADLINE.format(low=low, high=high + 4)
    if errors:
        raise ValidationError(errors)


def _check_source(by, org: Organization, *, source: str, survey, opinion, proposal) -> None:
    links = {ProblemSource.SURVEY: survey, ProblemSource.TALK: opinion, ProblemSource.PROPOSAL: proposal}
    if source == ProblemSource.OTHER:
        if survey or opinion or proposal:
            raise ValidationError({"source": ERR_NO_LINK})
        return
    if any(link is not None for kind, link in links.items() if kind != source):
        raise ValidationError({"source": ERR_LINK_SOURCE})
    if source == ProblemSource.SURVEY and (
        survey is None or not Survey.objects.visible_to(by).filter(pk=survey.pk).exists()
    ):
        raise ValidationError({"survey": ERR_SURVEY})
    if source == ProblemSource.PROPOSAL and (
        proposal is None or not Proposal.objects.visible_to(by).filter(pk=proposal.pk).exists()
    ):
        raise ValidationError({"proposal": ERR_PROPOSAL})
    if source == ProblemSource.TALK and opinion is not None:
        # An opinion heard in the org's subtree (a problem from a talk may also be recorded without one).
        mine = Opinion.objects.visible_to(by).filter(subtree_q("consultation__org__path", [org.path]))
        if not mine.filter(pk=opinion.pk).exists():
            raise ValidationError({"opinion": ERR_OPINION})


@transaction.atomic
def create_problem(
    *,
    by,
    org: Organization,
    year: int,
    source: str,
    description: str,
    measure: str,
    owner: Member,
    deadline: date,
    survey: Survey | None = None,
    opinion: Opinion | None = None,
    proposal: Proposal | None = None,
) -> Problem:
    """A problem of `org`'s list (CHANGE on it), 待整改."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_SCOPE)
    if org.dissolved_on is not None:
        raise ValidationError({"org": ERR_DISSOLVED})
    _check_source(by, org, source=source, survey=survey, opinion=opinion, proposal=proposal)
    _check(by, org, year=year, owner=owner, deadline=deadline)
    problem = Problem(
        org=org,
        year=year,
        source=source,
        survey=survey,
        opinion=opinion,
        proposal=proposal,
        description=description.strip(),
        measure=measure.strip(),
        owner=owner,
        deadline=deadline,
        created_by=by,
    )
    problem.full_clean()
    problem.save()
    return problem


def _locked(by, problem: Problem) -> Problem:
    locked = (
        Problem.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("org", "owner")
        .filter(pk=problem.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked


@transaction.atomic
def update_problem(
    *,
    by,
    problem: Problem,
    version: int | None,
    year: int,
    description: str,
    measure: str,
    owner: Member,
    deadline: date,
) -> Problem:
    """Change what the problem says (its org and source stay; its state moves by the moves below)."""
    locked = _locked(by, problem)
    check_version(locked, version)
    _check(by, locked.org, year=year, owner=owner, deadline=deadline)
    locked.year, locked.description, locked.measure = year, description.strip(), measure.strip()
    locked.owner, locked.deadline = owner, deadline
    locked.full_clean()
    locked.save()
    return locked


def _refuse(locked: Problem, move: str) -> None:
    raise ValidationError(ERR_MOVE.format(state=locked.get_state_display(), move=move))


@transaction.atomic
def start_problem(*, by, problem: Problem, version: int | None) -> Problem:
    """待整改 → 整改中."""
    locked = _locked(by, problem)
    check_version(locked, version)
    if locked.state != ProblemState.OPEN:
        _refuse(locked, "开始整改")
    locked.state = ProblemState.PROGRESS
    locked.save()
    return locked


@transaction.atomic
def finish_problem(*, by, problem: Problem, version: int | None, result: str, done_on: date | None) -> Problem:
    """待整改 or 整改中 → 已整改, with the result and the day (not after today)."""
    locked = _locked(by, problem)
    check_version(locked, version)
    if locked.state == ProblemState.DONE:
        _refuse(locked, "再次标记为已整改")
    errors = {}
    if not (result or "").strip():
        errors["result"] = ERR_RESULT
    if done_on is None:
        errors["done_on"] = ERR_DONE_ON
    if errors:
        raise ValidationError(errors)
    check_not_future(done_on=done_on)
    locked.state, locked.result, locked.done_on = ProblemState.DONE, result.strip(), done_on
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def reopen_problem(*, by, problem: Problem, version: int | None) -> Problem:
    """已整改 → 整改中 (重新整改): the result and day cleared (the audit log keeps them)."""
    locked = _locked(by, problem)
    check_version(locked, version)
    if locked.state != ProblemState.DONE:
        _refuse(locked, "重新整改")
    locked.state, locked.result, locked.done_on = ProblemState.PROGRESS, "", None
    locked.save()
    return locked


# --- reads ---------------------------------------------------------------------------------------------------------


def with_overdue(rows: QuerySet[Problem], today: date | None = None) -> QuerySet[Problem]:
    return rows.annotate(overdue=Case(When(overdue_q(today), then=Value(True)), default=Value(False),
                                      output_field=BooleanField()))  # fmt: skip


def problems_of(
    *,
    fetched_by,
    org: Organization | None = None,
    year: int | None = None,
    state: str = "",
    source: str = "",
    overdue: bool | None = None,
    owner: Member | None = None,
    q: str = "",
    sort: str = "",
) -> QuerySet[Problem]:
    """The problems the user sees (an owner: their own) as filtered, each with `overdue`: one query."""
    rows = Problem.objects.visible_to(fetched_by).select_related("org", "owner")
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    if year:
        rows = rows.filter(year=year)
    if state:
        rows = rows.filter(state=state)
    if source:
        rows = rows.filter(source=source)
    if overdue is not None:
        rows = rows.filter(overdue_q()) if overdue else rows.exclude(overdue_q())
    if owner is not None:
        rows = rows.filter(owner=owner)
    q = q.strip()[:SEARCH_MAX]
    if q:
        rows = rows.filter(Q(description__icontains=q) | Q(measure__icontains=q) | Q(owner__name__icontains=q))
    return with_overdue(rows).order_by(*SORTS.get(sort, SORTS["deadline"]))


def problem_get(*, fetched_by, pk: int, capability: str = Capability.VIEW) -> Problem:
    rows = Problem.objects.restrict(fetched_by, capability)
    rows = rows.select_related("org", "owner", "survey", "opinion__consultation", "proposal", "created_by")
    return with_overdue(rows).get(pk=pk)


def overdue_in_scope(user) -> QuerySet[Problem]:
    """Overdue problems of the orgs the user may change (the staff's reminder)."""
    return Problem.objects.changeable_by(user).filter(overdue_q())


def my_due(user, today: date | None = None) -> QuerySet[Problem]:
    """Problems the user owns, not done, due within DUE_SOON_DAYS days or overdue."""
    today = today or clock.today()
    rows = Problem.objects.visible_to(user).filter(owner__user=user).exclude(state=ProblemState.DONE)
    return rows.filter(deadline__lte=today + timedelta(days=DUE_SOON_DAYS))


@dataclass(frozen=True)
class SummaryRow:
    org: Organization
    total: int
    done: int
    overdue: int
    open: int
    progress: int

    @property
    def done_rate(self) -> int | None:
        return None if not self.total else self.done * 100 // self.total


def problem_summary(user, year: int, *, org: Organization | None = None) -> list[SummaryRow]:
    """Per org the user sees (or of `org`'s subtree), the problems of `year` of its whole subtree (those the user
    sees): total, done, overdue, 待整改, 整改中. Two queries whatever the tree (core.scope.roll_up); orgs without a
    problem in their subtree are left out. This is the interface of the plans/assessment module."""
    today = clock.today()
    rows = Problem.objects.visible_to(user).filter(year=year)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    grouped = with_overdue(rows, today).order_by().values_list("org__path", "state", "overdue").annotate(n=Count("pk"))
    counts = []
    for path, state, overdue, n in grouped:
        counts += [(path, "total", n), (path, state, n)]
        if overdue:
            counts.append((path, "overdue", n))
    by_path = roll_up(counts, steplen=Organization.steplen)
    if not by_path:
        return []
    orgs = Organization.objects.visible_to(user).filter(path__in=list(by_path)).order_by("path")
    return [
        SummaryRow(
            org=o,
            total=by_path[o.path]["total"],
            done=by_path[o.path][ProblemState.DONE],
            overdue=by_path[o.path]["overdue"],
            open=by_path[o.path][ProblemState.OPEN],
            progress=by_path[o.path][ProblemState.PROGRESS],
        )
        for o in orgs
    ]
