"""Writes of the yearly training plan (年度培训计划): an org's items, each a topic, a form of study, a month, an
audience and the hours planned. Sessions say which item they carry out (Session.plan_item); deleting an item keeps
its sessions and unlinks them (each saved, so the audit shows it). `unrealised_items` is the reminders' read: items
whose month has ended with no held session linked."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.meetings.choices import MeetingStatus
from dangjian.orgs.models import Organization

from .choices import PLAN_KINDS
from .models import PlanItem, Session

ERR_PLAN_SCOPE = "您无权维护该组织的培训计划"
ERR_PLAN_KIND = "培训形式应为集中学习、专题培训、党课、外出培训、专家辅导或网络学习（中心组学习另行安排）"
ERR_MONTH = "计划月份应在 1 至 12 之间"
ERR_YEAR = "年度应在 {low} 年至 {high} 年之间"
ERR_HOURS = "计划学时应大于 0，且不超过 {limit}"
ERR_HOURS_DECIMALS = "计划学时最多保留一位小数"
ERR_DISSOLVED = "该组织已撤销，不能新增培训计划"

#: The earliest year a plan may be kept for; the latest is next year (drafted at the end of this one).
YEAR_MIN = 2000
HOURS_MAX = Decimal("999.9")
FIELDS = ("year", "topic", "kind", "month", "audience", "planned_hours", "note")


def year_bounds(today: date | None = None) -> tuple[int, int]:
    today = today or clock.today()
    return YEAR_MIN, today.year + 1


def _hours(value) -> Decimal | None:
    """The hours as a Decimal (an int or a str from a caller that is not a form), None when none is given."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _check(*, year: int, kind: str, month: int, planned_hours: Decimal | None) -> None:
    errors = {}
    low, high = year_bounds()
    if year is None or not low <= year <= high:
        errors["year"] = ERR_YEAR.format(low=low, high=high)
    if kind not in PLAN_KINDS:
        errors["kind"] = ERR_PLAN_KIND
    if month is None or not 1 <= month <= 12:
        errors["month"] = ERR_MONTH
    if planned_hours is None or not Decimal(0) < planned_hours <= HOURS_MAX:
        errors["planned_hours"] = ERR_HOURS.format(limit=HOURS_MAX)
    elif planned_hours != planned_hours.quantize(Decimal("0.1")):
        errors["planned_hours"] = ERR_HOURS_DECIMALS
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_item(
    *,
    by,
    org: Organization,
    year: int,
    topic: str,
    kind: str,
    month: int,
    audience: str,
    planned_hours: Decimal,
    note: str = "",
) -> PlanItem:
    """An item of `org`'s plan for `year`, by its secretary or committee (CHANGE on the org)."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_PLAN_SCOPE)
    if org.dissolved_on is not None:
        raise ValidationError({"org": ERR_DISSOLVED})
    planned_hours = _hours(planned_hours)
    _check(year=year, kind=kind, month=month, planned_hours=planned_hours)
    item = PlanItem(
        org=org,
        year=year,
        topic=topic.strip(),
        kind=kind,
        month=month,
        audience=audience.strip(),
        planned_hours=planned_hours,
        note=note.strip(),
        created_by=by,
    )
    item.full_clean()
    item.save()
    return item


def _locked(by, item: PlanItem) -> PlanItem:
    locked = (
        PlanItem.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=item.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_PLAN_SCOPE)
    return locked


@transaction.atomic
def update_item(
    *,
    by,
    item: PlanItem,
    version: int | None,
    year: int,
    topic: str,
    kind: str,
    month: int,
    audience: str,
    planned_hours: Decimal,
    note: str = "",
) -> PlanItem:
    """Change an item (its org stays: sessions of the org's subtree may be linked to it)."""
    locked = _locked(by, item)
    check_version(locked, version)
    planned_hours = _hours(planned_hours)
    _check(year=year, kind=kind, month=month, planned_hours=planned_hours)
    locked.year, locked.topic, locked.kind, locked.month = year, topic.strip(), kind, month
    locked.audience, locked.planned_hours, locked.note = audience.strip(), planned_hours, note.strip()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def delete_item(*, by, item: PlanItem) -> int:
    """Delete an item; the sessions that carried it out stay (with their 学时) and lose the link. Returns how many
    were unlinked."""
    locked = _locked(by, item)
    # The item's own sessions, whoever sees them: they lie in the item's org's subtree, which the user may change.
    linked = list(Session.objects.unrestricted().select_for_update(of=("self",)).filter(plan_item=locked))
    for session in linked:
        session.plan_item = None
        session.save(update_fields=["plan_item", "updated_at"])
    locked.delete()
    return len(linked)


def month_ended(year: int, month: int, today: date) -> bool:
    """The plan's month is over (the item should have been carried out by now)."""
    return (year, month) < (today.year, today.month)


def held_sessions() -> QuerySet[Session]:
    """Sessions whose meeting was held (a planned or cancelled one carries nothing out). Unrestricted: callers narrow
    it to rows they have in scope (an item's own sessions, an Exists on the outer item)."""
    return Session.objects.unrestricted().filter(meeting__status=MeetingStatus.HELD)


def unrealised_items(user, year: int, today: date | None = None) -> QuerySet[PlanItem]:
    """The items of `year` the user sees whose month has ended with no held session linked (未落实), by org and
    month: one query."""
    today = today or clock.today()
    if year > today.year:
        return PlanItem.objects.visible_to(user).none()
    items = PlanItem.objects.visible_to(user).filter(year=year)
    if year == today.year:
        items = items.filter(month__lt=today.month)
    realised = held_sessions().filter(plan_item=OuterRef("pk"))
    return items.filter(~Exists(realised)).select_related("org").order_by("org__path", "month", "id")
