"""Reads over the org tree. Each runs a fixed number of queries, whatever the size of the tree."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404

from dangjian.core import clock
from dangjian.core.lib.dates import format_cn_date
from dangjian.core.scope import subtree_q

from . import rules
from .choices import CommitteeRole, OrgKind
from .membership import MemberCounts, membership
from .models import CommitteeSeat, CommitteeTerm, Organization


def member_counts(orgs: list[Organization]) -> dict[int, MemberCounts]:
    """Active members of each org's subtree (党小组: its own members), by category — from the members app."""
    return membership().counts(orgs)


#: The fields the tree pages read of each org. Timestamps, remark and version are left out: turning thousands of
#: timestamps into datetimes was a third of the time of a 5,000-org tree.
TREE_FIELDS = ("id", "path", "depth", "numchild", "name", "kind", "code", "department", "dissolved_on")


def _visible_orgs(fetched_by, include_dissolved: bool) -> QuerySet[Organization]:
    orgs = Organization.objects.visible_to(fetched_by)
    return orgs if include_dissolved else orgs.active()


def org_tree(*, fetched_by, include_dissolved: bool = False) -> list[Organization]:
    """The user's visible orgs in tree order, each with `.counts` (MemberCounts) and `.level` (0 = top shown)."""
    orgs = list(_visible_orgs(fetched_by, include_dissolved).only(*TREE_FIELDS))
    counts = member_counts(orgs)
    top = min((o.depth for o in orgs), default=1)
    for org in orgs:
        org.counts = counts[org.pk]
        org.level = org.depth - top
    return orgs


# ── The tree page: whole, or collapsed below the top orgs' children ─────────


class TreeOrg:
    """An org as the tree page shows it: TREE_FIELDS as plain values, and what the page works out for it. Building
    5,000 model instances took a fifth of the time of a 5,000-org tree page; these take a fiftieth of it."""

    __slots__ = (
        *("pk", *TREE_FIELDS[1:]),
        *("counts", "level", "warnings", "warnings_below", "expandable", "expanded", "ancestry"),
    )

    def __init__(self, pk, path, depth, numchild, name, kind, code, department, dissolved_on):
        self.pk, self.path, self.depth, self.numchild, self.name = pk, path, depth, numchild, name
        self.kind, self.code, self.department, self.dissolved_on = kind, code, department, dissolved_on

    def __repr__(self) -> str:
        return f"<TreeOrg {self.pk} {self.name}>"

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    def get_kind_display(self) -> str:
        return OrgKind(self.kind).label


def _tree_orgs(orgs: QuerySet[Organization]) -> list[TreeOrg]:
    return [TreeOrg(*row) for row in orgs.values_list(*TREE_FIELDS)]


#: The search box's limits (checked before any query sees the text) and how many matches it lists.
SEARCH_MAX_LENGTH = 50
SEARCH_MAX_RESULTS = 50
ERR_SEARCH_TOO_LONG = f"查找内容不能超过{SEARCH_MAX_LENGTH}个字"


@dataclass
class TreePage:
    """Rows of the org tree page in tree order. Each row has `.counts`, `.level` (0 = the user's top orgs),
    `.warnings` (its own OrgWarning list), `.expandable` (has children to load), `.expanded` (its children are among
    the rows) and `.warnings_below` (warnings of orgs under it that are not among the rows)."""

    rows: list[TreeOrg]
    collapsed: bool = False
    visible: int = 0  # the user's visible orgs (with dissolved ones when shown)
    truncated: bool = False  # a search found more than it lists
    warnings: int = 0  # warnings among all the visible orgs
    level: int = 0  # of the rows of tree_children


def _attach(orgs: list[TreeOrg], all_orgs: list[TreeOrg], top_depth: int, today: date | None) -> int:
    """Give `orgs` (some of `all_orgs`, the whole subtrees their warning badges cover) their counts, warnings,
    level and the number of warnings below them; returns the number of warnings of all_orgs. Fixed queries."""
    # 党小组 get no warnings and have no rows below them: only those shown need their figures (at L, 609 groups'
    # counts are a second pass over the members).
    shown = {o.pk for o in orgs}
    figured = [o for o in all_orgs if o.kind != OrgKind.GROUP or o.pk in shown]
    counts = member_counts(figured)
    for org in figured:
        org.counts = counts[org.pk]
    own: dict[int, list[OrgWarning]] = {}
    below: Counter[str] = Counter()
    found = org_warnings(figured, today=today)
    for w in found:
        own.setdefault(w.org.pk, []).append(w)
        path = w.org.path
        for end in range(Organization.steplen, len(path), Organization.steplen):
            below[path[:end]] += 1
    for org in orgs:
        org.level = org.depth - top_depth
        org.warnings = own.get(org.pk, [])
        org.warnings_below = below[org.path]
        org.expandable = org.numchild > 0
        org.expanded = True
    return len(found)


def _top_depth(orgs: list[TreeOrg]) -> int:
    return min((o.depth for o in orgs), default=1)


def tree_page(
    *, fetched_by, include_dissolved: bool = False, expanded_max: int | None = None, today: date | None = None
) -> TreePage:
    """The tree as the page opens it: every visible org when there are at most `expanded_max`
    (settings.ORG_TREE_EXPANDED_MAX), else the user's top orgs and their children, the rest collapsed (see
    tree_children). Warnings are worked out for every visible org either way, so a collapsed row shows how many
    lie below it. Fixed number of queries."""
    expanded_max = settings.ORG_TREE_EXPANDED_MAX if expanded_max is None else expanded_max
    orgs = _tree_orgs(_visible_orgs(fetched_by, include_dissolved))
    top_depth = _top_depth(orgs)
    step = Organization.steplen
    if len(orgs) <= expanded_max:
        warnings = _attach(orgs, orgs, top_depth, today)
        _expanded(orgs, orgs)
        return TreePage(rows=orgs, visible=len(orgs), warnings=warnings)
    # The user's top orgs: those whose parent they do not see.
    paths = {o.path for o in orgs}
    tops = {o.path for o in orgs if o.path[:-step] not in paths}
    rows = [o for o in orgs if o.path in tops or o.path[:-step] in tops]
    warnings = _attach(rows, orgs, top_depth, today)
    _expanded([o for o in rows if o.path in tops], rows)
    for org in rows:
        org.expanded = org.path in tops
    return TreePage(rows=rows, collapsed=True, visible=len(orgs), warnings=warnings)


def _expanded(orgs: list[TreeOrg], rows: list[TreeOrg]) -> None:
    """Mark `orgs` shown with their children: only those with a child among `rows` can be folded (numchild also
    counts dissolved children, which the rows may leave out)."""
    parents = {o.path[: -Organization.steplen] for o in rows}
    for org in orgs:
        org.expandable = org.path in parents


def tree_children(*, fetched_by, parent: Organization, include_dissolved: bool = False, today=None) -> TreePage:
    """The rows of `parent`'s children (an org the user sees), each collapsed, with the warnings below it. Fixed
    number of queries, whatever the number of children."""
    subtree = _visible_orgs(fetched_by, include_dissolved).filter(path__startswith=parent.path).exclude(pk=parent.pk)
    subtree = _tree_orgs(subtree)
    top_depth = Organization.objects.visible_to(fetched_by).aggregate(top=Min("depth"))["top"] or parent.depth
    rows = [o for o in subtree if o.depth == parent.depth + 1]
    warnings = _attach(rows, subtree, top_depth, today)
    for org in rows:
        org.expanded = False
    level = parent.depth + 1 - top_depth
    return TreePage(rows=rows, collapsed=True, visible=len(subtree), warnings=warnings, level=level)


def _with_ancestry(orgs: list[TreeOrg], names: dict[str, str]) -> None:
    """Give each org `.ancestry`: the names of its ancestors the user sees, top first (`names`: by tree path)."""
    step = Organization.steplen
    for org in orgs:
        org.ancestry = [names[p] for end in range(step, len(org.path), step) if (p := org.path[:end]) in names]


def tree_warnings(*, fetched_by, include_dissolved: bool = False, today: date | None = None) -> TreePage:
    """Every visible org with a warning, in tree order, each with `.ancestry`. Fixed number of queries."""
    orgs = _tree_orgs(_visible_orgs(fetched_by, include_dissolved))
    candidates = [o for o in orgs if o.kind != OrgKind.GROUP]  # 党小组 get no warnings
    warnings = _attach(candidates, orgs, _top_depth(orgs), today)
    rows = [o for o in candidates if o.warnings]
    _with_ancestry(rows, {o.path: o.name for o in orgs})
    return TreePage(rows=rows, visible=len(orgs), warnings=warnings)


def tree_search(*, fetched_by, query: str, include_dissolved: bool = False, today: date | None = None) -> TreePage:
    """Visible orgs whose name or department holds `query`, or whose code starts with it: at most
    SEARCH_MAX_RESULTS in tree order, each with `.ancestry`, counts and warnings. Fixed number of queries."""
    query = query.strip()
    if len(query) > SEARCH_MAX_LENGTH:
        raise ValueError(ERR_SEARCH_TOO_LONG)
    orgs = _visible_orgs(fetched_by, include_dissolved)
    found = orgs.filter(Q(name__icontains=query) | Q(department__icontains=query) | Q(code__istartswith=query))
    rows = _tree_orgs(found[: SEARCH_MAX_RESULTS + 1])
    truncated = len(rows) > SEARCH_MAX_RESULTS
    rows = rows[:SEARCH_MAX_RESULTS]
    step = Organization.steplen
    above = {o.path[:end] for o in rows for end in range(step, len(o.path), step)}
    ancestors = Organization.objects.visible_to(fetched_by).filter(path__in=above).values_list("path", "name")
    _with_ancestry(rows, dict(ancestors))
    _attach(rows, rows, _top_depth(rows), today)
    return TreePage(rows=rows, truncated=truncated)


def current_terms(org_ids: list[int]) -> dict[int, CommitteeTerm]:
    """The latest term of each org, with `.seat_count` of current seats — one query."""
    latest: dict[int, CommitteeTerm] = {}
    terms = (
        # Terms of orgs the caller already holds (restricted by whoever fetched them), for the org's own figures.
        CommitteeTerm.objects.unrestricted()
        .filter(org_id__in=org_ids)
        .annotate(seat_count=Count("seats", filter=Q(seats__ended_on__isnull=True)))
        .order_by("org_id", "-started_on")
    )
    for term in terms:
        latest.setdefault(term.org_id, term)
    return latest


@dataclass(frozen=True)
class TermFigures:
    """What org_warnings needs of an org's latest term."""

    ends_on: date
    seat_count: int


#: Above this many orgs, _term_figures finds their terms by the orgs' subtrees rather than by listing every id in the
#: SQL (preparing 5,000 parameters took longer than the query).
TERMS_BY_ID_MAX = 200


def _term_figures(orgs: list) -> dict[int, TermFigures]:
    """The end date and current seat count of each org's latest term, as plain values — one query (thousands of term
    instances with their timestamps took longer than the query)."""
    ids = {o.pk for o in orgs}
    # Terms of orgs the caller already holds (restricted by whoever fetched them), for the org's own figures.
    terms = CommitteeTerm.objects.unrestricted()
    if len(ids) > TERMS_BY_ID_MAX:
        terms = terms.filter(subtree_q("org__path", (o.path for o in orgs)))
    else:
        terms = terms.filter(org_id__in=ids)
    rows = (
        terms.values_list("org_id", "ends_on")
        .annotate(seat_count=Count("seats", filter=Q(seats__ended_on__isnull=True)))
        .order_by("org_id", "-started_on")
    )
    latest: dict[int, TermFigures] = {}
    for org_id, ends_on, seat_count in rows:
        if org_id in ids:
            latest.setdefault(org_id, TermFigures(ends_on, seat_count))
    return latest


#: Messages of org_warnings (DOMAIN.md §1), with their sources.
WARN_TERM_OVERDUE = "委员会任期已于{ends_on}届满，超期已逾1年，应尽快换届"
WARN_TERM_EXPIRED = "委员会任期已于{ends_on}届满，应按期换届"
WARN_TERM_EXPIRING = "委员会任期将于{ends_on}届满，请准备换届选举"
SOURCE_TERM = "选举条例；中办2018年意见（支部任期3年，机关党委5年）"
WARN_FEW_FULL_MEMBERS = "正式党员仅{full}人，不足{minimum}人（可考虑成立联合党支部）"
SOURCE_FEW_FULL_MEMBERS = "支部条例第五条"
WARN_NO_COMMITTEE = "正式党员{full}人，应设立支部委员会"
WARN_COMMITTEE_SIZE = "支委会现有委员{seats}人，应为{low}至{high}人、最多不超过{maximum}人"
WARN_SMALL_BRANCH_SEATS = "正式党员不足{threshold}人，一般不设支委会，只设书记（必要时设副书记），现有{seats}人"
SOURCE_COMMITTEE = "机关条例第七条；支部条例"
WARN_LARGE_BRANCH = "党员{total}人，超过{maximum}人，可考虑分设党支部或成立党总支"
SOURCE_LARGE_BRANCH = "支部条例第五条；机关条例"


@dataclass(frozen=True)
class OrgWarning:
    org: Organization
    level: str
    message: str
    source: str


def term_warning(term: CommitteeTerm | TermFigures, today: date) -> tuple[str, str] | None:
    """(level, message) for a term expiring within 3 months, expired, or more than a year overdue."""
    if term.ends_on < today - rules.TERM_OVERDUE_LIMIT:
        return "danger", WARN_TERM_OVERDUE.format(ends_on=format_cn_date(term.ends_on))
    if term.ends_on < today:
        return "warning", WARN_TERM_EXPIRED.format(ends_on=format_cn_date(term.ends_on))
    if term.ends_on <= today + rules.TERM_REMIND_BEFORE:
        return "info", WARN_TERM_EXPIRING.format(ends_on=format_cn_date(term.ends_on))
    return None


def org_warnings(orgs: list[Organization] | list[TreeOrg], *, today: date | None = None) -> list[OrgWarning]:
    """DOMAIN.md §1 checks for the given orgs (expects `.counts` from org_tree)."""
    today = today or clock.today()
    warnings: list[OrgWarning] = []

    def add(org, level, message, source):
        warnings.append(OrgWarning(org=org, level=level, message=message, source=source))

    terms = _term_figures([o for o in orgs if o.kind != OrgKind.GROUP])
    for org in orgs:
        if org.is_dissolved or org.kind == OrgKind.GROUP:
            continue
        term = terms.get(org.pk)
        if term and (found := term_warning(term, today)):
            add(org, *found, SOURCE_TERM)
        if org.kind != OrgKind.BRANCH:
            continue
        full = org.counts.full
        if full < rules.MIN_FULL_MEMBERS_FOR_BRANCH:
            message = WARN_FEW_FULL_MEMBERS.format(full=full, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
            add(org, "warning", message, SOURCE_FEW_FULL_MEMBERS)
        if org.counts.total > rules.BRANCH_USUAL_MAX_MEMBERS:
            message = WARN_LARGE_BRANCH.format(total=org.counts.total, maximum=rules.BRANCH_USUAL_MAX_MEMBERS)
            add(org, "info", message, SOURCE_LARGE_BRANCH)
        seats = term.seat_count if term else 0
        low, high = rules.COMMITTEE_SIZE_NORMAL
        # The committee thresholds count 正式党员 only: 预备党员 cannot vote or be elected (党章第七条).
        if full >= rules.MEMBERS_FOR_COMMITTEE:
            if seats == 0:
                add(org, "warning", WARN_NO_COMMITTEE.format(full=full), SOURCE_COMMITTEE)
            elif seats < low or seats > rules.COMMITTEE_SIZE_MAX:
                message = WARN_COMMITTEE_SIZE.format(seats=seats, low=low, high=high, maximum=rules.COMMITTEE_SIZE_MAX)
                add(org, "warning", message, SOURCE_COMMITTEE)
        elif seats > rules.SMALL_BRANCH_MAX_LEADERS:
            message = WARN_SMALL_BRANCH_SEATS.format(threshold=rules.MEMBERS_FOR_COMMITTEE, seats=seats)
            add(org, "info", message, SOURCE_COMMITTEE)
    return warnings


@dataclass(frozen=True)
class CurrentCommittee:
    """An org's latest term as plain values: its current seats and its current secretary's member id (or None)."""

    seat_count: int
    secretary_id: int | None


def current_committees(orgs: list, *, under: list[str] | None = None) -> dict[int, CurrentCommittee]:
    """The current seats and secretary of each org's latest term (orgs without a term are absent) — one query, by
    subtree above TERMS_BY_ID_MAX orgs as _term_figures does (`under`: the paths of subtrees holding every org, when
    the caller knows them: thousands of branches' own paths are thousands of LIKEs). For readers of other modules
    (meetings' compliance)."""
    ids = {o.pk for o in orgs}
    # Terms of orgs the caller already holds (restricted by whoever fetched them), for the org's own figures.
    terms = CommitteeTerm.objects.unrestricted()
    if len(ids) > TERMS_BY_ID_MAX:
        terms = terms.filter(subtree_q("org__path", under if under is not None else (o.path for o in orgs)))
    else:
        terms = terms.filter(org_id__in=ids)
    current = Q(seats__ended_on__isnull=True)
    rows = (
        terms.values_list("org_id")
        .annotate(
            seat_count=Count("seats", filter=current),
            secretary=Max("seats__member_id", filter=current & Q(seats__role=CommitteeRole.SECRETARY)),
        )
        .order_by("org_id", "-started_on")
    )
    latest: dict[int, CurrentCommittee] = {}
    for org_id, seat_count, secretary in rows:
        if org_id in ids:
            latest.setdefault(org_id, CurrentCommittee(seat_count, secretary))
    return latest


def visible_org_or_404(user, pk: int | None) -> Organization | None:
    """An API's ?org=: the org if the user sees it, else 404 (as the pages: its existence is not disclosed); None
    when not given."""
    if pk is None:
        return None
    org = Organization.objects.visible_to(user).filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def seats_between(first: date, last: date) -> QuerySet:
    """The committee seats (书记, 委员 … of any committee) held on some day from `first` to `last`. Unrestricted: a
    fact about a member that a module derives a rule from (study: 56 学时 for a year with a seat); callers filter it by
    member (`.filter(member=OuterRef(...))`) within what they read scoped."""
    return CommitteeSeat.objects.unrestricted().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first), started_on__lte=last
    )
