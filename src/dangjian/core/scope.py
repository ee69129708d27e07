"""Data scope: the one place that decides which rows a user may see or change.

Every org-scoped model's manager is a ScopedQuerySet. Views, exports, tasks and API handlers call
`visible_to(user)` or `changeable_by(user)` (idea from NetBox's RestrictedQuerySet). Scope is a set of
org subtrees, each one indexed prefix match on the materialised tree path (django-treebeard MP_Node).
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .roles import Capability


def collapse_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths inside another path of the list: ['0001', '00010002'] -> ['0001']."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def _inside(path: str | None, subtree_paths: list[str]) -> bool:
    return path is not None and any(path.startswith(root) for root in subtree_paths)


class ScopedQuerySet(models.QuerySet):
    #: lookup from this model to the tree path of the org that owns the row
    org_path_lookup: str = "org__path"

    def own_records(self, user) -> Q | None:
        """Rows a user sees as their own, whatever their grants (a member's own record). None: no such rows."""
        return None

    def _subtrees(self, paths: list[str]) -> Q:
        q = Q()
        for path in paths:
            q |= Q(**{f"{self.org_path_lookup}__startswith": path})
        return q

    def restrict(self, user, capability: str = Capability.VIEW):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = user.scope_paths(capability)
        q = self._subtrees(paths)
        if capability == Capability.VIEW and not _inside(user.own_org_path, paths):
            # Only when the own record lies outside the granted subtrees: the OR stops the database from using the
            # path index (a full scan of the members at scale), and inside the subtrees it adds no row.
            own = self.own_records(user)
            if own is not None:
                q = q | own if q else own
        return self.filter(q) if q else self.none()

    def visible_to(self, user):
        return self.restrict(user, Capability.VIEW)

    def changeable_by(self, user):
        return self.restrict(user, Capability.CHANGE)
