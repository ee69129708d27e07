"""待办 of 党费: members in arrears (at least rules.MEMBER_ARREARS_MONTHS past months with something owed, as the
nightly task stored them: fees.arrears) and branches that have not remitted for rules.BRANCH_REMIT_MONTHS months.
A constant number of grouped queries whatever the scope: a secretary sees their branch's figures, committee staff
the same rolled up to the top of their scope (and the first branches by name, up to BRANCHES_MAX)."""

from django.db.models import Count
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability
from dangjian.core.scope import collapse_paths, roll_up
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .models import ArrearsFlag, LedgerLine, Remittance

SOURCE = rules.SOURCE
#: Beyond this many branches not remitting, one reminder with the count.
BRANCHES_MAX = 10


def _tops(user, paths_seen: list[str]) -> list[str]:
    """Where each figure is reported: the tops of the user's scope (a superuser: the tops of the tree seen)."""
    if user.is_superuser:
        return collapse_paths(p[: Organization.steplen] for p in paths_seen)
    return user.scope_paths(Capability.VIEW)


def member_arrears(user) -> list[tuple[str, int, int]]:
    """(top path, members in arrears, branches they belong to) per top of the user's scope: one grouped query of
    the stored rows (fees.arrears, computed nightly)."""
    per_org = list(ArrearsFlag.objects.visible_to(user).values_list("org__path").annotate(n=Count("id")).order_by())
    members = roll_up(((path, "m", n) for path, n in per_org), steplen=Organization.steplen)
    branches = roll_up(((path, "b", 1) for path, _n in per_org), steplen=Organization.steplen)
    return [
        (top, members[top]["m"], branches[top]["b"])
        for top in _tops(user, [p for p, _n in per_org])
        if members.get(top) and members[top]["m"]
    ]


def not_remitting(user, this_month):
    """Branches the user sees that collected something in the last BRANCH_REMIT_MONTHS full months and made no
    remittance since their start (a reversal does not count): a queryset of (pk, name)."""
    start = rules.add_months(this_month, -rules.BRANCH_REMIT_MONTHS)
    # Two sets of branch ids (IN subqueries: PostgreSQL hashes them once) rather than EXISTS per branch: at L the
    # committee's count took 0.4 s that way, 50 ms this way.
    collected = LedgerLine.objects.visible_to(user).filter(month__gte=start, month__lt=this_month, paid_fen__gt=0)
    remitted = Remittance.objects.visible_to(user).filter(
        remitted_on__gte=start, amount_fen__gt=0, reversed_by__isnull=True
    )
    return (
        Organization.objects.visible_to(user)
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True, pk__in=collected.values("org_id"))
        .exclude(pk__in=remitted.values("org_id"))
        .order_by("path")
        .values_list("pk", "name")
    )


@reminder_producer
def fee_reminders(user) -> list[Reminder]:
    if not user.can(Capability.VIEW):
        return []
    this_month = rules.month_first(clock.today())
    report = reverse("fees:report")
    reconcile = reverse("fees:reconcile")
    reminders = []
    arrears = member_arrears(user)
    if arrears:
        tops = Organization.objects.visible_to(user).filter(path__in=[top for top, _m, _b in arrears])
        orgs = {path: (pk, name) for pk, path, name in tops.values_list("pk", "path", "name")}
        for top, members, branches in arrears:
            pk, name = orgs.get(top, (None, ""))
            where = f"（涉及{branches}个党支部）" if branches > 1 else ""
            title = f"{name}：{members}名党员欠交党费{rules.MEMBER_ARREARS_MONTHS}个月以上{where}"
            url = f"{report}?org={pk}" if pk else report
            reminders.append(Reminder(level="warning", title=title, url=url, source=SOURCE))
    late = list(not_remitting(user, this_month)[: BRANCHES_MAX + 1])
    months = rules.BRANCH_REMIT_MONTHS
    if len(late) > BRANCHES_MAX:
        count = not_remitting(user, this_month).count()
        reminders.append(
            Reminder(level="warning", title=f"共{count}个党支部近{months}个月未上缴党费", url=reconcile, source=SOURCE)
        )
    else:
        reminders += [
            Reminder(
                level="warning",
                title=f"{name}：近{months}个月未上缴党费",
                url=f"{reverse('fees:remit')}?org={pk}",
                source=SOURCE,
            )
            for pk, name in late
        ]
    return reminders
