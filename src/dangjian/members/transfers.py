"""组织关系介绍信: the letter's number (per issuing committee and year, never shared), its 回执, the transfers list of
a user's scope with its filters, and the queries behind the 待办 of letters awaiting their receipt.

The letter is issued by the nearest 机关党委 above the branch the member leaves (the 党委 that keeps 组织关系);
its number is the next of that committee's year, taken under a lock on the committee's row (PostgreSQL) with a
unique constraint behind it, so two letters written at once never share a number."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet

from dangjian.core import clock
from dangjian.core.lib.periods import period_end
from dangjian.core.roles import Capability
from dangjian.core.validators import check_not_future
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .choices import TransferKind
from .models import Transfer

ERR_RECEIPT_KIND = "只有转出系统外的介绍信需要登记回执"
ERR_RECEIPT_TWICE = "该介绍信的回执已于{day}登记，不能重复登记"
ERR_RECEIPT_BEFORE = "回执日期不能早于介绍信开具日期（{day}）"
#: How many times a number is taken again when another letter took it meanwhile (SQLite, or no lock).
NUMBER_RETRIES = 5


def issuer_of(org: Organization) -> Organization:
    """The 机关党委 that issues the letters of `org`'s members: the nearest committee at or above it (the tree's
    top when there is none). One query."""
    steplen = Organization.steplen
    prefixes = [org.path[:end] for end in range(steplen, len(org.path) + 1, steplen)]
    # The ancestors of an org the service already authorised: read without a user on purpose.
    committees = Organization.objects.unrestricted().filter(path__in=prefixes)
    found = committees.filter(kind=OrgKind.COMMITTEE).order_by("-depth").first()
    return found or committees.order_by("depth").first() or org


def letter_number(year: int, seq: int) -> str:
    return rules.TRANSFER_LETTER_FORMAT.format(year=year, seq=seq)


def valid_until(issued_on: date, months: int | None = None) -> date:
    """The letter's last valid day: `months` (the configured validity) counted per 民法典 from the day it is issued."""
    return period_end(issued_on, months=rules.TRANSFER_LETTER_VALID_MONTHS if months is None else months)


def save_with_number(transfer: Transfer, *, from_org: Organization) -> Transfer:
    """Save a new transfer with the next letter number of its issuing committee's year (inside the caller's
    transaction). The committee's row is locked first, so concurrent letters of one committee queue; should a number
    still be taken (a database without row locks), the next one is tried, in a savepoint."""
    issuer = issuer_of(from_org)
    year = transfer.transferred_on.year
    Organization.objects.unrestricted().select_for_update().filter(pk=issuer.pk).exists()
    transfer.letter_issuer, transfer.letter_year = issuer, year
    for attempt in range(NUMBER_RETRIES):
        last = (
            Transfer.objects.unrestricted()
            .filter(letter_issuer=issuer, letter_year=year)
            .aggregate(last=Max("letter_seq"))["last"]
        )
        transfer.letter_seq = (last or 0) + 1
        transfer.letter_number = letter_number(year, transfer.letter_seq)
        try:
            with transaction.atomic():
                transfer.save()
            return transfer
        except IntegrityError:
            transfer.pk = None
            if attempt == NUMBER_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def record_receipt(*, acting_user, transfer: Transfer, received_on: date, note: str = "") -> Transfer:
    """登记回执 of a letter out of the system: once, not before the letter's date, not in the future; by whoever may
    change the issuing branch's records."""
    transfer = Transfer.objects.select_for_update().select_related("member__org").get(pk=transfer.pk)
    if not acting_user.can(Capability.CHANGE, transfer.member.org.path):
        raise PermissionDenied
    if transfer.kind != TransferKind.OUT:
        raise ValidationError(ERR_RECEIPT_KIND)
    if transfer.receipt_on is not None:
        raise ValidationError(ERR_RECEIPT_TWICE.format(day=f"{transfer.receipt_on:%Y-%m-%d}"))
    if received_on < transfer.transferred_on:
        raise ValidationError({"received_on": ERR_RECEIPT_BEFORE.format(day=f"{transfer.transferred_on:%Y-%m-%d}")})
    check_not_future(received_on=received_on)
    transfer.receipt_on, transfer.receipt_note, transfer.receipt_by = received_on, note.strip()[:500], acting_user
    transfer.save(update_fields=["receipt_on", "receipt_note", "receipt_by", "updated_at"])
    return transfer


# --- the list -------------------------------------------------------------------------------------------------------

STATES = {
    "awaiting": "待回执",
    "expiring": f"{rules.TRANSFER_LETTER_REMIND_DAYS}天内到期未回执",
    "expired": "已过期未回执",
    "received": "已回执",
}
SORTS = {
    "date": ("transferred_on", "id"),
    "-date": ("-transferred_on", "-id"),
    "name": ("member__name_pinyin", "id"),
    "-name": ("-member__name_pinyin", "-id"),
    "valid": ("letter_valid_until", "id"),
    "-valid": ("-letter_valid_until", "-id"),
}
DEFAULT_SORT = "-date"


@dataclass(frozen=True)
class TransferFilters:
    q: str = ""
    kind: str = ""
    state: str = ""
    year: int | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, data) -> "TransferFilters":
        """From a query string; unknown values are dropped (not an error)."""
        kind = data.get("kind", "")
        state = data.get("state", "")
        year = data.get("year", "")
        sort = data.get("sort", "")
        return cls(
            q=data.get("q", "").strip()[:50],
            kind=kind if kind in TransferKind.values else "",
            state=state if state in STATES else "",
            year=int(year) if year.isascii() and year.isdigit() and 1900 < int(year) < 3000 else None,
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )


def awaiting_q() -> Q:
    return Q(kind=TransferKind.OUT, receipt_on__isnull=True)


def state_q(state: str, today: date) -> Q:
    soon = today + timedelta(days=rules.TRANSFER_LETTER_REMIND_DAYS)
    if state == "awaiting":
        return awaiting_q()
    if state == "expiring":
        return awaiting_q() & Q(letter_valid_until__gte=today, letter_valid_until__lte=soon)
    if state == "expired":
        return awaiting_q() & Q(letter_valid_until__lt=today)
    if state == "received":
        return Q(receipt_on__isnull=False)
    return Q()


def transfer_list(*, fetched_by, filters: TransferFilters) -> QuerySet[Transfer]:
    """Transfers seen at either end by the user (models.TransferQuerySet.at_either_end), filtered and sorted."""
    rows = Transfer.objects.at_either_end(fetched_by).select_related("member__org", "from_org", "to_org")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.state:
        rows = rows.filter(state_q(filters.state, clock.today()))
    if filters.year:
        rows = rows.filter(transferred_on__year=filters.year)
    if filters.q:
        term = filters.q
        rows = rows.filter(
            Q(member__name__contains=term)
            | Q(member__name_pinyin__startswith=term.lower())
            | Q(member__name_initials__startswith=term.lower())
            | Q(letter_number__contains=term)
        )
    return rows.order_by(*SORTS[filters.sort])


def letter_state(transfer: Transfer, today: date) -> tuple[str, str]:
    """(label, Bootstrap colour) of a transfer's letter for the list and the member's page."""
    if transfer.receipt_on is not None:
        return "已回执", "success"
    if transfer.kind != TransferKind.OUT:
        return "", ""
    if transfer.letter_valid_until and transfer.letter_valid_until < today:
        return "已过期未回执", "danger"
    if transfer.letter_valid_until and transfer.letter_valid_until <= today + timedelta(
        days=rules.TRANSFER_LETTER_REMIND_DAYS
    ):
        return "即将到期", "warning"
    return "待回执", "secondary"


def reminder_counts(user, today: date) -> dict[str, int]:
    """Letters out awaiting their receipt that the user may act on: expiring within the window, and expired. One
    aggregate query."""
    from django.db.models import Count

    rows = Transfer.objects.changeable_by(user).filter(awaiting_q())
    return rows.aggregate(
        expiring=Count("id", filter=state_q("expiring", today)),
        expired=Count("id", filter=state_q("expired", today)),
    )
