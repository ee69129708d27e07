"""Data scope: the one place that decides which rows a user may see or change.

Every org-scoped model's manager is a ScopedQuerySet. Views, exports, tasks and API handlers call
`visible_to(user)` or `changeable_by(user)` (idea from NetBox's RestrictedQuerySet). Scope is a set of
org subtrees, each one indexed prefix match on the materialised tree path (django-treebeard MP_Node).
"""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import connection, connections, models
from django.db.models import Q

from .roles import Capability

K = TypeVar("K", bound=Hashable)


def collapse_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths inside another path of the list: ['0001', '00010002'] -> ['0001']."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def _inside(path: str | None, subtree_paths: list[str]) -> bool:
    return path is not None and any(path.startswith(root) for root in subtree_paths)


def subtree_q(lookup: str, paths: Iterable[str]) -> Q:
    """Rows whose tree path (reached through `lookup`, e.g. "org__path") lies in one of the subtrees of `paths`:
    one indexed prefix match per outermost path. No paths: no rows (an empty Q would match every row)."""
    q = Q(pk__in=[])
    for path in collapse_paths(paths):
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def roll_up(counts: Iterable[tuple[str, K, int]], *, steplen: int) -> defaultdict[str, Counter[K]]:
    """Counts of rows per (tree path, key) summed into every ancestor of the path: each org's whole subtree, by key.

    `steplen` is the tree's path step (Organization.steplen). One pass over grouped rows, so a grouped query by the
    rows' own org gives the figures of every org above them without a query per org."""
    by_path: defaultdict[str, Counter[K]] = defaultdict(Counter)
    for path, key, n in counts:
        for end in range(steplen, len(path) + 1, steplen):
            by_path[path[:end]][key] += n
    return by_path


class UnrestrictedQuerySetError(RuntimeError):
    """A scoped queryset that nobody restricted was evaluated while a view ran (SCOPE_ENFORCE)."""


ERR_UNRESTRICTED = (
    "{model} rows read in a request without restrict()/visible_to()/changeable_by(): restrict the queryset, or mark "
    "it .unrestricted() with a comment saying why every row may be read here"
)

#: While a request is served with settings.SCOPE_ENFORCE (ScopeGuardMiddleware): how deep the database connection's
#: transactions were when it began. None: not guarded.
_guard: ContextVar[int | None] = ContextVar("dangjian_scope_guard", default=None)


@contextmanager
def scope_guard(on: bool = True) -> Iterator[None]:
    """Refuse (on) or allow (off) the evaluation of unrestricted scoped querysets inside the block, outside any
    transaction opened inside it."""
    token = _guard.set(len(connection.atomic_blocks) if on else None)
    try:
        yield
    finally:
        _guard.reset(token)


def _guarded(using: str) -> bool:
    """Whether an unrestricted read must raise here. Not inside a transaction the request opened: that is a write,
    a service's, which takes the acting user and checks their scope itself (CONVENTIONS.md), and in which Django
    (full_clean's uniqueness), django-auditlog (the row before the change) and treebeard (add_child, move) read
    through the model's default manager where nobody could mark the read."""
    depth = _guard.get()
    return depth is not None and len(connections[using].atomic_blocks) <= depth


class ScopedQuerySet(models.QuerySet):
    """Rows of an org-scoped model: `restrict(user, capability)` keeps those in the user's scope.

    The queryset remembers whether it was restricted (or marked `unrestricted()` on purpose); reading one that was
    neither inside a request raises UnrestrictedQuerySetError when settings.SCOPE_ENFORCE is on (DEBUG, tests), so
    a list that forgot its scope fails its test instead of leaking rows (idea from NetBox's RestrictedQuerySet)."""

    #: lookup from this model to the tree path of the org that owns the row
    org_path_lookup: str = "org__path"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scoped = False

    def own_records(self, user) -> Q | None:
        """Rows a user sees as their own, whatever their grants (a member's own record). None: no such rows."""
        return None

    def own_rows_root(self, user) -> str | None:
        """Tree path of an org whose subtree holds every row own_records(user) gives, now and whenever rows are
        written; None (the default) when there is no such promise.

        Where the granted subtrees hold that org, restrict() leaves the own rows out of its filter: they add no row
        there, and the OR would stop the database from using the path index (a full scan of the members at scale).
        Declare it only where the own rows are found through the owner's current org (a member's record and its
        history). A fee ledger keyed by the org at payment time must not: a transferred member's earlier rows lie
        under another org, and would be lost."""
        return None

    def restrict(self, user, capability: str = Capability.VIEW):
        if not user.is_authenticated or not user.is_active:
            return self._restricted(self.none())
        if user.is_superuser:
            return self._restricted(self._chain())
        paths = user.scope_paths(capability)
        q = subtree_q(self.org_path_lookup, paths)
        own = self.own_records(user) if capability == Capability.VIEW else None
        if own is not None and not _inside(self.own_rows_root(user), paths):
            q |= own
        return self._restricted(self.filter(q))

    def visible_to(self, user):
        return self.restrict(user, Capability.VIEW)

    def changeable_by(self, user):
        return self.restrict(user, Capability.CHANGE)

    def unrestricted(self):
        """Every row, on purpose: for the scope machinery, services and tasks that must look beyond the user (a
        uniqueness check across the register, a count the user's rule needs). Each call says why in a comment."""
        return self._restricted(self._chain())

    def _restricted(self, queryset):
        queryset._scoped = True
        return queryset

    def _clone(self):
        clone = super()._clone()
        clone._scoped = self._scoped
        return clone

    def _check_scope(self) -> None:
        if not self._scoped and self._result_cache is None and _guarded(self.db):
            raise UnrestrictedQuerySetError(ERR_UNRESTRICTED.format(model=self.model.__name__))

    # Every way a queryset reads rows or figures goes through one of these.
    def _fetch_all(self):
        self._check_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._check_scope()
        return super().count()

    def exists(self):
        self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)
