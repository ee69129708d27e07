"""Arrears, computed set-based for the whole tree by the nightly task and stored (ArrearsFlag), so that the 待办 and
the flags page read them in constant queries:
- every member in register with at least rules.MEMBER_ARREARS_MONTHS past months owed (a line of a month before
  this one not fully paid): the reminders (fees.reminders);
- among them, flagged for review (党章第九条): rules.FLAG_UNPAID_MONTHS consecutive past months unpaid (each of the
  full months before this one has a ledger line not fully paid) and no approved exemption (a FeeBase of kind exempt
  from a month not after this one). Shown on organisational life's flags page (fees.flag_sources); never a status
  change.

Decided here: a month without a ledger line (not yet a member, exempt by the rules' amount 0) breaks the run, so
a member who joined less than six months ago is not flagged; a line with due 0 is never unpaid."""

from datetime import date

from django.db import transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.scope import subtree_q
from dangjian.members.choices import Status
from dangjian.members.models import Member

from . import rules
from .choices import FeeKind
from .models import ArrearsFlag, FeeBase, LedgerLine, Payment

BATCH_SIZE = 2000
KIND = "fee_arrears"
LABEL = f"连续{rules.FLAG_UNPAID_MONTHS}个月未交纳党费"


def flag_window(today: date) -> tuple[date, date]:
    """[first, end) of the FLAG_UNPAID_MONTHS full months before today's month."""
    end = rules.month_first(today)
    return rules.add_months(end, -rules.FLAG_UNPAID_MONTHS), end


def is_flagged(*, today: date, owed_by_month: dict[date, int], exempt: bool, active: bool = True) -> bool:
    """The pure rule (the oracle of the query below): every month of the window has a line with something owed."""
    if exempt or not active:
        return False
    first, end = flag_window(today)
    return all(owed_by_month.get(m, 0) > 0 for m in rules.months_between(first, rules.add_months(end, -1)))


def flagged_members(today: date) -> QuerySet:
    """Members to flag, with their branch and name: one query (grouped subquery of unpaid lines in the window)."""
    first, end = flag_window(today)
    # Unrestricted: the task computes for the whole tree; each reader restricts with visible_to.
    unpaid = (
        LedgerLine.objects.unrestricted()
        .filter(month__gte=first, month__lt=end, paid_fen__lt=F("due_fen"))
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n=rules.FLAG_UNPAID_MONTHS)
        .values("member_id")
    )
    exempt = FeeBase.objects.unrestricted().filter(  # the whole tree, as above
        member=OuterRef("pk"), kind=FeeKind.EXEMPT, effective_month__lte=end
    )
    return (
        Member.objects.unrestricted()  # the whole register, as above
        .filter(status=Status.ACTIVE, pk__in=unpaid)
        .exclude(Exists(exempt))
        .values_list("pk", "org_id", "name")
    )


def owing_members(today: date) -> QuerySet:
    """(member, past months owed) of members owing at least MEMBER_ARREARS_MONTHS past months: one grouped query."""
    # Unrestricted: the task computes for the whole tree; each reader restricts with visible_to.
    return (
        LedgerLine.objects.unrestricted()
        .filter(month__lt=rules.month_first(today), paid_fen__lt=F("due_fen"))
        .values("member_id")
        .annotate(n=Count("id"))
        .filter(n__gte=rules.MEMBER_ARREARS_MONTHS)
        .order_by()
    )


def refresh_arrears_flags() -> int:
    """Replace every stored arrears row in one transaction (three queries before the writes). Returns how many
    members are flagged for review."""
    now = timezone.now()
    today = clock.today()
    first, end = flag_window(today)
    span = f"{first:%Y年%m月}至{rules.add_months(end, -1):%Y年%m月}"
    owed = dict(owing_members(today).values_list("member_id", "n"))
    review = {pk for pk, _org, _name in flagged_members(today)}
    members = (
        Member.objects.unrestricted()  # the whole register, as above
        .filter(status=Status.ACTIVE, pk__in=owing_members(today).values("member_id"))
        .values_list("pk", "org_id", "name")
    )
    flags = []
    for pk, org_id, name in members:
        if pk in review:
            message = f"{name}：{span}连续{rules.FLAG_UNPAID_MONTHS}个月未交纳党费，请核实"
        else:
            message = f"{name}：{owed[pk]}个月党费未交清"
        flags.append(
            ArrearsFlag(
                org_id=org_id,
                member_id=pk,
                months=min(owed[pk], 32_767),
                review=pk in review,
                message=message[:300],
                computed_at=now,
            )
        )
    with transaction.atomic():
        ArrearsFlag.objects.unrestricted().delete()  # every stored row: they are all replaced
        ArrearsFlag.objects.bulk_create(flags, batch_size=BATCH_SIZE)
    return len(review)


def _payments(user) -> QuerySet:
    """Payments that stand (not a reversal, not reversed) the user sees."""
    return Payment.objects.visible_to(user).filter(reverses__isnull=True, reversed_by__isnull=True)


def flags_for(user, org=None) -> QuerySet:
    """The stored flags the user sees (of `org`'s subtree), with the last payment the user sees of each member; a
    flag whose member paid since it was computed is left out at once (the rest wait for the next run)."""
    flags = ArrearsFlag.objects.visible_to(user).filter(review=True)
    if org is not None:
        flags = flags.filter(subtree_q("org__path", [org.path]))
    paid_since = _payments(user).filter(member=OuterRef("member_id"), created_at__gte=OuterRef("computed_at"))
    last = _payments(user).filter(member=OuterRef("member_id")).order_by("-paid_on", "-id").values("paid_on")[:1]
    return (
        flags.exclude(Exists(paid_since))
        .annotate(last_paid=Subquery(last), level=Value("warning", output_field=CharField()))
        .select_related("org", "member")
        .order_by("org__path", "member__name_pinyin", "id")
    )
