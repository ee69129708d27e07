"""Home page panels: next meetings, records to finish or returned, a member's sign-in and attendance.

Two panels (core.home.home_panel), each a constant number of queries whatever the size of the scope:
- the branch's 工作台 for whoever sees an org subtree (a secretary; a committee admin sees it rolled up over theirs);
- a member's own: their next meetings, a sign-in button while one is open, their attendance this year.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from . import signin
from .choices import MeetingStatus, Presence, ReviewState
from .flags import _aware
from .models import Attendance, Meeting

#: "Next meetings": those starting within this many days.
NEXT_DAYS = 7
#: Rows each list of the panel shows (the counts link to the full lists).
PANEL_ROWS = 5


@dataclass(frozen=True)
class Row:
    meeting: Meeting
    url: str
    signin_url: str = ""


def _rows(meetings, **extra) -> list[Row]:
    return [Row(m, reverse("meetings:detail", args=[m.pk]), **extra) for m in meetings]


def _to_finish_q(now: datetime) -> Q:
    """Records to finish: planned meetings whose time has passed, held ones not yet submitted for review."""
    held_not_submitted = Q(status=MeetingStatus.HELD, review_state=ReviewState.DRAFT)
    return Q(status=MeetingStatus.PLANNED, ends_at__lt=now) | held_not_submitted


def workbench(user) -> dict:
    """The 工作台 of the user's scope: 4 queries."""
    now = timezone.now()
    base = Meeting.objects.visible_to(user)
    meetings = base.select_related("org")
    upcoming = Q(status=MeetingStatus.PLANNED, starts_at__gte=now, starts_at__lt=now + timedelta(days=NEXT_DAYS))
    returned = Q(review_state=ReviewState.RETURNED)
    counts = base.aggregate(
        upcoming=Count("id", filter=upcoming),
        to_finish=Count("id", filter=_to_finish_q(now)),
        returned=Count("id", filter=returned),
        planned=Count("id", filter=Q(status=MeetingStatus.PLANNED)),
    )
    list_url = reverse("meetings:list")
    return {
        "next": _rows(meetings.filter(upcoming).order_by("starts_at", "id")[:PANEL_ROWS]),
        "to_finish": _rows(meetings.filter(_to_finish_q(now)).order_by("starts_at", "id")[:PANEL_ROWS]),
        "returned": _rows(meetings.filter(returned).order_by("-reviewed_at", "id")[:PANEL_ROWS]),
        "counts": counts,
        "planned_url": f"{list_url}?status=planned",
        "returned_url": f"{list_url}?review_state=returned",
        "list_url": list_url,
        "calendar_url": reverse("meetings:calendar"),
        "flags_url": reverse("meetings:flags"),
        "next_days": NEXT_DAYS,
    }


def member_panel_context(user, member) -> dict:
    """A member's next meetings, open sign-ins, attendance this year: 3 queries."""
    now = timezone.now()
    today = clock.today()
    mine = Meeting.objects.visible_to(user).filter(
        pk__in=Attendance.objects.visible_to(user).filter(member=member).values("meeting_id")
    )
    mine = mine.select_related("org")
    upcoming = mine.filter(status=MeetingStatus.PLANNED, starts_at__gte=now).order_by("starts_at", "id")[:PANEL_ROWS]
    signins = [
        Row(m, reverse("meetings:detail", args=[m.pk]), reverse("meetings:signin", args=[m.pk]))
        for m in signin.open_for(user)[:PANEL_ROWS]
    ]
    year = (
        Attendance.objects.visible_to(user)
        .filter(
            member=member,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__gte=_aware(date(today.year, 1, 1)),
            meeting__starts_at__lte=now,
        )
        .aggregate(invited=Count("id"), attended=Count("id", filter=Q(presence=Presence.PRESENT)))
    )
    rate = round(100 * year["attended"] / year["invited"]) if year["invited"] else None
    return {
        "member": member,
        "next": _rows(upcoming),
        "signins": signins,
        "year": today.year,
        "invited": year["invited"],
        "attended": year["attended"],
        "rate": rate,
    }


@home_panel
def workbench_panel(user) -> Panel | None:
    if not user.is_authenticated or not user.can(Capability.VIEW):
        return None
    return Panel("meetings/workbench_panel.html", workbench(user), order=40)


@home_panel
def member_panel(user) -> Panel | None:
    member = getattr(user, "member", None) if user.is_authenticated else None
    if member is None:
        return None
    return Panel("meetings/workbench_member.html", member_panel_context(user, member), order=30)
