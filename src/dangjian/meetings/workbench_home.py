"""Home page panels: next meetings, records to finish or returned, a member's sign-in and attendance.

Two panels (core.home.home_panel), each a constant number of queries whatever the size of the scope:
- the branch's 工作台 for whoever sees an org subtree (a secretary; a committee admin sees it rolled up over theirs);
- a member's own: their next meetings, a sign-in button while one is open, their attendance this year.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.home import Panel, home_panel
from dangjian.core.roles import Capability

from .choices import MeetingStatus, Presence, ReviewState
from .flags import _aware
from .models import Attendance, Meeting

#: "Next meetings": those starting within this many days.
NEXT_DAYS = 7
#: Rows each list of the panel shows (the counts link to the full lists).
PANEL_ROWS = 5
#: The sign-in window this panel assumes: from this long before the start to the end of the meeting.
#: (meetings.signin decides the real one: the lead swaps open_signins for meetings.signin.open_for at merge.)
SIGNIN_OPENS_BEFORE = timedelta(minutes=30)


def _url_or_empty(name: str, *args) -> str:
    """The URL of a page another lane builds (meetings:list, detail, signin): empty until it exists in this tree.
    The lead removes this guard after the merge."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class Row:
    meeting: Meeting
    url: str
    signin_url: str = ""


def _rows(meetings, **extra) -> list[Row]:
    return [Row(m, _url_or_empty("meetings:detail", m.pk), **extra) for m in meetings]


def _to_finish_q(now: datetime) -> Q:
    """Records to finish: planned meetings whose time has passed, held ones not yet submitted for review."""
    held_not_submitted = Q(status=MeetingStatus.HELD, review_state=ReviewState.DRAFT)
    return Q(status=MeetingStatus.PLANNED, ends_at__lt=now) | held_not_submitted


def workbench(user) -> dict:
    """The 工作台 of the user's scope: 4 queries."""
    now = timezone.now()
    base = Meeting.objects.visible_to(user)
    meetings = base.select_related("org").distinct()
    upcoming = Q(status=MeetingStatus.PLANNED, starts_at__gte=now, starts_at__lt=now + timedelta(days=NEXT_DAYS))
    returned = Q(review_state=ReviewState.RETURNED)
    # distinct: a user's own meetings (invited) are found through a join that may repeat a row (MeetingQuerySet).
    counts = base.aggregate(
        upcoming=Count("id", filter=upcoming, distinct=True),
        to_finish=Count("id", filter=_to_finish_q(now), distinct=True),
        returned=Count("id", filter=returned, distinct=True),
        planned=Count("id", filter=Q(status=MeetingStatus.PLANNED), distinct=True),
    )
    list_url = _url_or_empty("meetings:list")
    return {
        "next": _rows(meetings.filter(upcoming).order_by("starts_at", "id")[:PANEL_ROWS]),
        "to_finish": _rows(meetings.filter(_to_finish_q(now)).order_by("starts_at", "id")[:PANEL_ROWS]),
        "returned": _rows(meetings.filter(returned).order_by("-reviewed_at", "id")[:PANEL_ROWS]),
        "counts": counts,
        "planned_url": f"{list_url}?status=planned" if list_url else "",
        "returned_url": f"{list_url}?review_state=returned" if list_url else "",
        "list_url": list_url,
        "calendar_url": reverse("meetings:calendar"),
        "flags_url": reverse("meetings:flags"),
        "next_days": NEXT_DAYS,
    }


def open_signins(user, member, now: datetime | None = None):
    """Meetings whose sign-in window is open now, where the user's member is invited and not yet signed in."""
    now = now or timezone.now()
    return (
        Meeting.objects.visible_to(user)
        .filter(
            status__in=[MeetingStatus.PLANNED, MeetingStatus.HELD],
            starts_at__lte=now + SIGNIN_OPENS_BEFORE,
            ends_at__gte=now,
            attendances__member=member,
            attendances__signed_in_at__isnull=True,
        )
        .select_related("org")
        .distinct()
        .order_by("starts_at", "id")
    )


def member_panel_context(user, member) -> dict:
    """A member's next meetings, open sign-ins, attendance this year: 3 queries."""
    now = timezone.now()
    today = clock.today()
    mine = Meeting.objects.visible_to(user).filter(attendances__member=member).select_related("org").distinct()
    upcoming = mine.filter(status=MeetingStatus.PLANNED, starts_at__gte=now).order_by("starts_at", "id")[:PANEL_ROWS]
    signins = [
        Row(m, _url_or_empty("meetings:detail", m.pk), _url_or_empty("meetings:signin", m.pk))
        for m in open_signins(user, member, now)[:PANEL_ROWS]
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
