"""The members of each org, as orgs asks for them (orgs.membership): orgs is below members and cannot import it."""

from collections import defaultdict

from django.db.models import Count, Q

from dangjian.core.scope import roll_up, subtree_q
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.membership import MemberCounts, Membership, register_membership
from dangjian.orgs.models import Organization

from .choices import Category, Status
from .models import Member


class RosterMembership(Membership):
    def counts(self, orgs: list[Organization]) -> dict[int, MemberCounts]:
        """Two grouped queries: by tree path (added up along each path), and by party group."""
        if not orgs:
            return {}
        # Figures of orgs the caller already holds (restricted by whoever fetched them): counts, not member rows.
        active = Member.objects.unrestricted().filter(status=Status.ACTIVE)
        in_roots = active.filter(subtree_q("org__path", (o.path for o in orgs)))
        rows = in_roots.values_list("org__path", "category").annotate(n=Count("id")).order_by()
        rolled = roll_up(rows, steplen=Organization.steplen)
        by_path = {path: MemberCounts(c[Category.FULL], c[Category.PROBATIONARY]) for path, c in rolled.items()}
        group_ids = [o.pk for o in orgs if o.kind == OrgKind.GROUP]
        by_group: dict[int, MemberCounts] = defaultdict(MemberCounts)
        if group_ids:
            for row in active.filter(group_id__in=group_ids).values("group_id", "category").annotate(n=Count("id")):
                _add(by_group[row["group_id"]], row["category"], row["n"])
        none = MemberCounts()
        return {o.pk: (by_group[o.pk] if o.kind == OrgKind.GROUP else by_path.get(o.path, none)) for o in orgs}

    def in_register(self, org: Organization):
        active = Member.objects.filter(status=Status.ACTIVE)
        if org.kind == OrgKind.GROUP:
            return active.filter(group=org)
        return active.filter(org__path__startswith=org.path)

    def seat_candidates(self, org: Organization):
        return self.in_register(org).filter(category=Category.FULL).order_by("name_pinyin")

    def own_orgs(self, user) -> Q:
        mine = Member.objects.filter(user=user)
        return Q(pk__in=mine.values("org_id")) | Q(pk__in=mine.filter(group__isnull=False).values("group_id"))


def _add(counts: MemberCounts, category: str, n: int) -> None:
    if category == Category.FULL:
        counts.full += n
    else:
        counts.probationary += n


register_membership(RosterMembership())
