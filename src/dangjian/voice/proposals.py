"""党员提案: the services (submit, move) and selectors (the list, one proposal, the public list, the yearly
statistics, the reminders' counts). The state machine is rules.py's; here who the user is to a proposal (proposer,
reviewer, handler), the facts each move needs read from the database, and the writes — one transaction, the row
locked, the version checked, one ProposalEvent per move; nothing written on a refusal."""

import os
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q
from dangjian.meetings.parts import ALLOWED_SUFFIXES, check_attachment
from dangjian.orgs.models import Organization

from . import problems, rules
from .choices import ProblemSource, ProposalCategory, ProposalState, Satisfaction
from .models import Proposal, ProposalEvent, ProposalFile
from .rules import Actor, Facts, State

#: Up to this many attachments, each checked by content (meetings.parts: size limit, suffix, the bytes themselves).
FILES_MAX = 5
FILE_SUFFIXES = {s: v for s, v in ALLOWED_SUFFIXES.items() if v[0] in ("pdf", "jpeg", "png", "docx", "xlsx")}
FILE_TEXT = "PDF、JPG、PNG、DOCX 或 XLSX 文件"
#: A second reply gets as many days as the first handling had (our reading); at least this many.
SECOND_PERIOD_MIN_DAYS = 7
#: The states of an adopted proposal (立案 and beyond): the public list, the adoption rate.
ADOPTED = (State.ACCEPTED, State.ASSIGNED, State.REPLIED, State.CLOSED)
#: Reviewed (no longer 待审查): the adoption rate's denominator.
DECIDED = (*ADOPTED, State.REJECTED, State.MERGED)
#: The handler's reminder: due within this many days.
DUE_SOON_DAYS = 3
YEAR_MIN = 2000

ERR_NOT_A_MEMBER = "只有登记了党员信息并编入党支部的用户可以提交提案"
ERR_CATEGORY = "请选择提案类别"
ERR_FILES_MAX = f"附件最多{FILES_MAX}个"
ERR_NO_RIGHT = "您无权办理该提案"
ERR_MERGE_SELF = "不能并入提案本身"
ERR_MERGE_TARGET = "所选提案不存在，或不在您审查的范围内"
ERR_MERGE_TARGET_STATE = "不能并入已不予立案或已并案的提案"
ERR_HANDLER = "请选择承办单位"
ERR_HANDLER_SCOPE = "所选承办单位不存在，或不在您的权限范围内"
ERR_UNASSIGNED = "该提案尚未交办承办单位，不能答复"
ERR_REPLY = "请填写答复内容"
ERR_TEXT_LONG = "内容不能超过{n}个字"

SORTS = {
    "-submitted_on": ("-submitted_on", "-id"),
    "submitted_on": ("submitted_on", "id"),
    "deadline": ("deadline", "id"),
    "-deadline": ("-deadline", "-id"),
    "state": ("state", "-submitted_on", "-id"),
    "title": ("title", "id"),
}
SORT_LABELS = {
    "-submitted_on": "提交日期（新→旧）",
    "submitted_on": "提交日期（旧→新）",
    "deadline": "办理时限（近→远）",
    "-deadline": "办理时限（远→近）",
    "state": "状态",
    "title": "标题",
}


# --- who the user is to a proposal ---------------------------------------------------------------------------------


def actors_of(user, proposal: Proposal) -> set[Actor]:
    """The parts `user` plays on `proposal`: its proposer, a reviewer (may change its branch: the branch or any
    org above it, e.g. the committee), its handler (may change the handling org)."""
    if not user.is_authenticated:
        return set()
    actors = set()
    if proposal.proposer.user_id == user.pk:
        actors.add(Actor.PROPOSER)
    if user.can(Capability.CHANGE, proposal.org.path):
        actors.add(Actor.REVIEWER)
    if proposal.handler_org_id is not None and user.can(Capability.CHANGE, proposal.handler_org.path):
        actors.add(Actor.HANDLER)
    return actors


def moves_for(user, proposal: Proposal) -> list[str]:
    """The moves `user` may make on `proposal` now (facts aside): what its page offers."""
    actors = actors_of(user, proposal)
    state = State(proposal.state)
    names = [n for n, m in rules.MOVES.items() if m.actor in actors and state in m.sources]
    if proposal.asked_again and "ask_again" in names:
        names.remove("ask_again")
    return names


def is_overdue(proposal: Proposal, today: date | None = None) -> bool:
    return rules.overdue(State(proposal.state), proposal.deadline, today or clock.today())


# --- submit --------------------------------------------------------------------------------------------------------


def _check_files(files: list[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    if len(files) > FILES_MAX:
        raise ValidationError({"files": ERR_FILES_MAX})
    checked = []
    for upload in files:
        try:
            name, _type = check_attachment(upload, FILE_SUFFIXES, FILE_TEXT)
        except ValidationError as refused:
            raise ValidationError(
                {"files": [f"{os.path.basename(upload.name or '')}：{m}" for m in refused.messages]}
            ) from None
        checked.append((upload, name))
    return checked


@transaction.atomic
def submit(*, by, title: str, category: str, content: str, files: list[UploadedFile] | None = None) -> Proposal:
    """A member's proposal: their current branch reviews it. Up to five attachments, checked by their content."""
    member = getattr(by, "member", None) if by.is_authenticated else None
    if member is None or member.org_id is None:
        raise PermissionDenied(ERR_NOT_A_MEMBER)
    if category not in ProposalCategory.values:
        raise ValidationError({"category": ERR_CATEGORY})
    checked = _check_files(list(files or []))
    today = clock.today()
    proposal = Proposal(
        org=member.org,
        proposer=member,
        year=today.year,
        submitted_on=today,
        title=title.strip(),
        category=category,
        content=content.strip(),
    )
    proposal.full_clean()
    proposal.save()
    saved = []
    try:
        for upload, name in checked:
            row = ProposalFile(proposal=proposal, name=name, size=upload.size, uploaded_by=by)
            row.file.save(f"p{os.path.splitext(name)[1].lower()}", upload, save=False)
            saved.append(row)
            row.full_clean()
            row.save()
    except Exception:
        for row in saved:
            row.file.delete(save=False)
        raise
    ProposalEvent.objects.create(proposal=proposal, move="submit", state=State.SUBMITTED, on=today, by=by)
    return proposal


# --- moves ---------------------------------------------------------------------------------------------------------


def _text(facts: dict, key: str, limit: int) -> str:
    value = str(facts.get(key) or "").strip()
    if len(value) > limit:
        raise ValidationError({key: ERR_TEXT_LONG.format(n=limit)})
    return value


def _as_id(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organization | Proposal):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def second_deadline(proposal: Proposal, today: date) -> date:
    """The deadline of a second reply (our reading): today plus the days the first handling had (assigned on to
    the first deadline), at least SECOND_PERIOD_MIN_DAYS."""
    days = SECOND_PERIOD_MIN_DAYS
    if proposal.assigned_on and proposal.deadline:
        days = max(days, (proposal.deadline - proposal.assigned_on).days)
    return today + timedelta(days=days)


@dataclass
class _Target:
    merge: Proposal | None = None
    handler: Organization | None = None


def _checked_targets(by, locked: Proposal, name: str, facts: dict) -> tuple[_Target, dict]:
    """The rows a move names (the proposal merged into, the handling org), read in the user's scope."""
    errors: dict[str, list[str]] = {}
    target = _Target()
    if name == "merge" and facts.get("merge_into") not in (None, ""):
        pk = _as_id(facts.get("merge_into"))
        if pk == locked.pk:
            errors.setdefault("merge_into", []).append(ERR_MERGE_SELF)
        else:
            other = Proposal.objects.changeable_by(by).select_related("org").filter(pk=pk).first() if pk else None
            if other is None or not by.can(Capability.CHANGE, other.org.path):
                errors.setdefault("merge_into", []).append(ERR_MERGE_TARGET)
            elif other.state in (State.REJECTED, State.MERGED):
                errors.setdefault("merge_into", []).append(ERR_MERGE_TARGET_STATE)
            else:
                target.merge = other
    if name == "assign":
        pk = _as_id(facts.get("handler_org"))
        if pk is None:
            errors.setdefault("handler_org", []).append(ERR_HANDLER)
        else:
            # our reading: the reviewer hands it to an org they see (their subtree; the committee: any org)
            org = Organization.objects.visible_to(by).filter(pk=pk, dissolved_on__isnull=True).first()
            if org is None:
                errors.setdefault("handler_org", []).append(ERR_HANDLER_SCOPE)
            target.handler = org
    if name == "reply":
        if locked.handler_org_id is None:
            errors.setdefault("reply", []).append(ERR_UNASSIGNED)
        elif not str(facts.get("reply") or "").strip():
            errors.setdefault("reply", []).append(ERR_REPLY)
    return target, errors


FACT_FIELD = {
    rules.ERR_REASON: "reason",
    rules.ERR_MERGE_TARGET: "merge_into",
    rules.ERR_DEADLINE: "deadline",
    rules.ERR_RATING: "rating",
}


@transaction.atomic
def move(by, proposal: Proposal, name: str, facts: dict | None = None, version: int | None = None) -> Proposal:
    """Make move `name` (rules.MOVES) on `proposal` as `by`, with `facts` (reason, merge_into, handler_org,
    deadline, reply, rating, rating_note, note), from `version` of the row. Refusals: PermissionDenied (the user
    plays no part on it), StaleEdit, ValidationError with every reason in Chinese; nothing is written then."""
    facts = dict(facts or {})
    locked = (
        Proposal.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("org", "handler_org", "proposer")
        .filter(pk=proposal.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_NO_RIGHT)
    actors = actors_of(by, locked)
    if not actors:
        raise PermissionDenied(ERR_NO_RIGHT)
    check_version(locked, version)
    today = clock.today()
    wanted = rules.MOVES[name].actor if name in rules.MOVES else None
    actor = wanted if wanted in actors else sorted(actors)[0]
    reason = _text(facts, "reason", 500)
    rating_note = _text(facts, "rating_note", 500)
    note = _text(facts, "note", 2000)
    reply = _text(facts, "reply", 10000)
    deadline = _as_date(facts.get("deadline"))
    rating = str(facts.get("rating") or "")
    merge_id = _as_id(facts.get("merge_into"))
    problems = rules.check_move(
        State(locked.state),
        name,
        actor,
        Facts(
            today=today,
            reason=reason,
            merge_into=merge_id,
            deadline=deadline,
            rating=rating,
            asked_again=locked.asked_again,
        ),
    )
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(FACT_FIELD.get(problem, "__all__"), []).append(problem)
    if name in rules.MOVES:
        target, more = _checked_targets(by, locked, name, facts)
        for key, messages in more.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    to = rules.MOVES[name].target
    event_note = note
    if name == "accept":
        locked.reviewed_on = today
    elif name == "reject":
        locked.reviewed_on, locked.reject_reason = today, reason
        event_note = reason
    elif name == "merge":
        locked.reviewed_on, locked.merged_into = today, target.merge
        event_note = f"并入：{target.merge.title}" + (f"；{note}" if note else "")
    elif name == "assign":
        locked.handler_org, locked.assigned_on, locked.deadline = target.handler, today, deadline
        event_note = f"承办单位：{target.handler.name}；办理时限：{deadline:%Y-%m-%d}" + (f"；{note}" if note else "")
    elif name == "reply":
        locked.reply, locked.replied_on = reply, today
        event_note = reply
    elif name == "rate":
        locked.rating, locked.rating_note, locked.rated_on = rating, rating_note, today
        event_note = Satisfaction(rating).label + (f"：{rating_note}" if rating_note else "")
    elif name == "ask_again":
        locked.asked_again = True
        locked.deadline = second_deadline(locked, today)
        locked.assigned_on = today
        locked.rating_note = rating_note
        event_note = f"新的办理时限：{locked.deadline:%Y-%m-%d}" + (f"；{rating_note}" if rating_note else "")
    locked.state = to
    locked.full_clean()
    locked.save()
    ProposalEvent.objects.create(proposal=locked, move=name, state=to, on=today, by=by, note=event_note)
    return locked


# --- selectors -----------------------------------------------------------------------------------------------------


@dataclass
class Filters:
    state: str = ""
    category: str = ""
    year: int | None = None
    org: Organization | None = None
    handler: Organization | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "-submitted_on"


def proposals_of(*, fetched_by, filters: Filters | None = None) -> QuerySet:
    """The proposals `fetched_by` sees (their branches' and those handled by their orgs, their own) as `filters`
    ask, with what a list row shows joined: one query for a page, whatever the rows."""
    f = filters or Filters()
    rows = Proposal.objects.visible_to(fetched_by).select_related("org", "handler_org", "proposer")
    if f.state:
        rows = rows.filter(state=f.state)
    if f.category:
        rows = rows.filter(category=f.category)
    if f.year:
        rows = rows.filter(year=f.year)
    if f.org is not None:
        rows = rows.filter(subtree_q("org__path", [f.org.path]))
    if f.handler is not None:
        rows = rows.filter(subtree_q("handler_org__path", [f.handler.path]))
    if f.overdue:
        rows = rows.filter(state=State.ASSIGNED, deadline__lt=clock.today())
    if f.q:
        rows = rows.filter(Q(title__icontains=f.q) | Q(proposer__name__icontains=f.q) | Q(content__icontains=f.q))
    return rows.order_by(*SORTS.get(f.sort, SORTS["-submitted_on"]))


def proposal_get(*, fetched_by, pk: int) -> Proposal:
    """One proposal the user sees, with its files and timeline (Proposal.DoesNotExist otherwise)."""
    return (
        Proposal.objects.visible_to(fetched_by)
        .select_related("org", "handler_org", "proposer", "merged_into")
        .get(pk=pk)
    )


def files_of(user, proposal: Proposal) -> list[ProposalFile]:
    return list(ProposalFile.objects.visible_to(user).filter(proposal=proposal))


def events_of(user, proposal: Proposal) -> list[ProposalEvent]:
    return list(ProposalEvent.objects.visible_to(user).filter(proposal=proposal).select_related("by"))


#: The merge form offers at most this many proposals (the service accepts any the user reviews).
MERGE_CHOICES_MAX = 200


def merge_candidates(user, proposal: Proposal) -> list[tuple[int, str]]:
    """(id, "编号 标题") of the proposals of the same branch `proposal` may be merged into, newest first."""
    rows = (
        Proposal.objects.changeable_by(user)
        .filter(org_id=proposal.org_id)
        .exclude(pk=proposal.pk)
        .exclude(state__in=(State.REJECTED, State.MERGED))
        .order_by("-submitted_on", "-id")
        .values_list("pk", "title")[:MERGE_CHOICES_MAX]
    )
    return [(pk, f"{pk} {title}") for pk, title in rows]


def own_proposals(user) -> QuerySet:
    """The user's own proposals, newest first (their member record's, wherever they are now)."""
    return (
        Proposal.objects.visible_to(user)
        .filter(proposer__user=user)
        .select_related("org", "handler_org")
        .order_by("-submitted_on", "-id")
    )


def public_proposals(user, *, year: int | None = None, category: str = "", q: str = "") -> QuerySet:
    """The adopted proposals (立案 and beyond) of the whole organ, for any logged-in user of it: the title, category,
    the proposer's branch, the handler, the state and the reply — never the proposer's name (not selected)."""
    if not user.is_authenticated:
        return Proposal.objects.none()
    # Unrestricted on purpose: the public list of adopted proposals within the organ is open to every
    # logged-in user; only adopted rows, and only the fields above are read (.only()), no proposer.
    rows = (
        Proposal.objects.unrestricted()
        .filter(state__in=ADOPTED)
        .select_related("org", "handler_org")
        .only(
            "id",
            "title",
            "category",
            "state",
            "year",
            "submitted_on",
            "reply",
            "replied_on",
            "deadline",
            "org__name",
            "handler_org__name",
        )
    )
    if year:
        rows = rows.filter(year=year)
    if category:
        rows = rows.filter(category=category)
    if q:
        rows = rows.filter(title__icontains=q)
    return rows.order_by("-submitted_on", "-id")


def _rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def statistics(user, year: int, org: Organization | None = None) -> dict:
    """A year's figures over the proposals the user sees (in `org`'s subtree): per category (submitted, adopted,
    adoption rate = adopted ÷ reviewed), timeliness (replied by the deadline ÷ replied), satisfaction (the ratings),
    per branch, and per handling org (its timeliness). Four grouped queries, whatever the number of proposals."""
    rows = Proposal.objects.visible_to(user).filter(year=year)
    if org is not None:
        rows = rows.filter(subtree_q("org__path", [org.path]))
    counts = {
        "total": Count("id"),
        "decided": Count("id", filter=Q(state__in=DECIDED)),
        "adopted": Count("id", filter=Q(state__in=ADOPTED)),
        "replied": Count("id", filter=Q(replied_on__isnull=False)),
        "in_time": Count("id", filter=Q(replied_on__isnull=False, replied_on__lte=F("deadline"))),
        "overdue": Count("id", filter=Q(state=State.ASSIGNED, deadline__lt=clock.today())),
    }
    by_category = {r["category"]: r for r in rows.order_by().values("category").annotate(**counts)}
    categories = []
    for code, label in ProposalCategory.choices:
        r = by_category.get(code, {k: 0 for k in counts})
        categories.append(_line(label, r))
    total = {k: sum(r[k] for r in by_category.values()) for k in counts}
    ratings = dict(rows.exclude(rating="").order_by().values_list("rating").annotate(n=Count("id")))
    rated = sum(ratings.values())
    satisfaction = [
        {"label": label, "n": ratings.get(code, 0), "rate": _rate(ratings.get(code, 0), rated)}
        for code, label in Satisfaction.choices
    ]
    orgs = [
        _line(r["org__name"], r)
        for r in rows.order_by().values("org_id", "org__name").annotate(**counts).order_by("-total", "org__name")
    ]
    handlers = [
        _line(r["handler_org__name"], r)
        for r in rows.filter(handler_org__isnull=False)
        .order_by()
        .values("handler_org_id", "handler_org__name")
        .annotate(**counts)
        .order_by("-total", "handler_org__name")
    ]
    return {
        "year": year,
        "handlers": handlers,
        "categories": categories,
        "total": _line("合计", total),
        "satisfaction": satisfaction,
        "rated": rated,
        "orgs": orgs,
    }


def _line(label: str, r: dict) -> dict:
    return {
        "label": label,
        "total": r["total"],
        "decided": r["decided"],
        "adopted": r["adopted"],
        "adoption": _rate(r["adopted"], r["decided"]),
        "replied": r["replied"],
        "in_time": r["in_time"],
        "timeliness": _rate(r["in_time"], r["replied"]),
        "overdue": r["overdue"],
    }


# --- what waits for whom (reminders, home) -------------------------------------------------------------------------


def waiting_review(user) -> QuerySet:
    """待审查 proposals of the branches the user may review."""
    return Proposal.objects.changeable_by(user).filter(
        subtree_q("org__path", user.scope_paths(Capability.CHANGE)) if not user.is_superuser else Q(),
        state=State.SUBMITTED,
    )


def handled_by(user) -> QuerySet:
    """承办中 proposals assigned to orgs the user may change."""
    rows = Proposal.objects.changeable_by(user).filter(state=State.ASSIGNED)
    if not user.is_superuser:
        rows = rows.filter(subtree_q("handler_org__path", user.scope_paths(Capability.CHANGE)))
    return rows


def overdue_handled(user) -> QuerySet:
    return handled_by(user).filter(deadline__lt=clock.today())


def due_soon_handled(user) -> QuerySet:
    today = clock.today()
    return handled_by(user).filter(deadline__gte=today, deadline__lte=today + timedelta(days=DUE_SOON_DAYS))


def waiting_rating(user) -> QuerySet:
    """The user's own proposals replied to and waiting for their rating."""
    return Proposal.objects.visible_to(user).filter(proposer__user=user, state=State.REPLIED)


STATE_LABELS = dict(ProposalState.choices)


# --- into the 问题清单 ---------------------------------------------------------------------------------------------


def problem_org(proposal: Proposal):
    """Whose 整改 a proposal's problem is: the handling org once assigned, else the branch that reviewed it."""
    return proposal.handler_org or proposal.org


def may_list_problem(user, proposal: Proposal) -> bool:
    return proposal.state in ADOPTED and user.can(Capability.CHANGE, problem_org(proposal).path)


def to_problem(*, by, proposal: Proposal, description: str, measure: str, owner, deadline, year: int):
    """An adopted proposal as a problem of the 问题清单 (source 党员提案), owned in the org that handles it."""
    if proposal.state not in ADOPTED:
        raise ValidationError("只有已立案的提案可以列入问题清单")
    return problems.create_problem(
        by=by,
        org=problem_org(proposal),
        year=year,
        source=ProblemSource.PROPOSAL,
        proposal=proposal,
        description=description,
        measure=measure,
        owner=owner,
        deadline=deadline,
    )
