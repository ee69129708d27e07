"""The stored flags (meetings.models.Flag): computed for the whole tree by the daily task (meetings.tasks), read by the
reminders, the workbench and the flags page in a constant number of queries.

Rules (issue 12; DOMAIN.md §2 and §3), decided here:
- DUE, from the 20th of the month (REMIND_FROM_DAY): a branch with a committee (its latest term has current seats)
  and no HELD 支委会 this month; every branch without a HELD 主题党日 this month, its own or an ancestor's (a 党总支's
  主题党日 counts for its branches).
- OVERDUE: a PLANNED meeting whose end passed more than OVERDUE_AFTER ago and that nobody recorded (still planned).
- RETURNED: a meeting whose record the level above returned (review_state returned).
- LOW_ATTENDANCE: a HELD meeting of the last LOW_ATTENDANCE_MONTHS months with present / invited < ATTENDANCE_MIN.
- ABSENT_SIX_MONTHS (党章第九条): "attended organisational life" is an Attendance with presence=present at a HELD
  meeting (any activity). A member in register (status active) who joined before the window is flagged when they
  attended nothing in the ABSENT_MONTHS_FLAG full calendar months before today's month. Absences with a reason
  (公差/病假/请假) still count as not attending: the flag is for people to review (the page shows the reasons); it
  never changes a status.

Every run replaces all flags in one transaction (delete + bulk_create): the result is a function of the data.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import CommitteeTerm, Organization

from .choices import Activity, MeetingStatus, Presence, ReviewState
from .models import Attendance, Flag, Meeting, MeetingActivity
from .rules import ABSENT_MONTHS_FLAG, ATTENDANCE_MIN

#: From this day of the month a branch is reminded of the month's 支委会 and 主题党日 not yet held (issue 12).
REMIND_FROM_DAY = 20
#: A planned meeting is overdue once its end lies this far behind and it was not recorded as held (issue 12).
OVERDUE_AFTER = timedelta(days=1)
#: Held meetings of this many months back are checked for attendance (issue 12).
LOW_ATTENDANCE_MONTHS = 3
#: Rows per INSERT when the flags are written.
BATCH_SIZE = 2000

#: A flag's level on the home page (Bootstrap contextual colours).
LEVELS = {
    Flag.Kind.DUE: "warning",
    Flag.Kind.OVERDUE: "danger",
    Flag.Kind.RETURNED: "danger",
    Flag.Kind.LOW_ATTENDANCE: "warning",
    Flag.Kind.ABSENT_SIX_MONTHS: "warning",
    Flag.Kind.UNRECORDED: "info",
}
#: Where each rule comes from, shown beside the reminder.
SOURCES = {
    Flag.Kind.DUE: "支部条例第十九条",
    Flag.Kind.OVERDUE: "支部条例第十九条",
    Flag.Kind.RETURNED: "上级党组织审核意见",
    Flag.Kind.LOW_ATTENDANCE: "参会率不低于三分之二",
    Flag.Kind.ABSENT_SIX_MONTHS: "党章第九条（仅供核实，不改变党籍状态）",
}


# --- pure rules (no ORM): the oracle the queries below follow --------------------------------------------------


def month_start(day: date, months_back: int = 0) -> date:
    """The first day of the month `months_back` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def absence_window(today: date) -> tuple[date, date]:
    """[first, end) of the ABSENT_MONTHS_FLAG full calendar months before today's month."""
    return month_start(today, ABSENT_MONTHS_FLAG), month_start(today)


def is_absent_six_months(*, today: date, joined_on: date, active: bool, attended_on: list[date]) -> bool:
    """党章第九条 as a flag: in register for the whole window, and no attended organisational life in it."""
    first, end = absence_window(today)
    if not active or joined_on >= first:
        return False
    return not any(first <= day < end for day in attended_on)


def is_low_attendance(present: int, invited: int) -> bool:
    """present / invited below ATTENDANCE_MIN (2/3); a meeting without invitees has no rate."""
    num, den = ATTENDANCE_MIN
    return invited > 0 and present * den < invited * num


def due_activities(*, today: date, has_committee: bool, committee_held: bool, theme_day_held: bool) -> list[str]:
    """The activities a branch is reminded of this month (from REMIND_FROM_DAY)."""
    if today.day < REMIND_FROM_DAY:
        return []
    due = []
    if has_committee and not committee_held:
        due.append(Activity.COMMITTEE)
    if not theme_day_held:
        due.append(Activity.THEME_DAY)
    return due


# --- the set-based computation ----------------------------------------------------------------------------------


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _ancestors(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def _due_flags(today: date, now: datetime) -> list[Flag]:
    if today.day < REMIND_FROM_DAY:
        return []
    first, end = month_start(today), month_start(today, -1)
    # The whole tree: the task computes for everybody; each reader restricts with visible_to.
    branches = list(
        Organization.objects.unrestricted()
        .filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)
        .values_list("pk", "path", "name")
    )
    terms = (
        CommitteeTerm.objects.unrestricted()  # the whole tree, as above
        .filter(org__kind=OrgKind.BRANCH, org__dissolved_on__isnull=True)
        .annotate(seats_now=Count("seats", filter=Q(seats__ended_on__isnull=True)))
        .order_by("org_id", "-started_on")
        .values_list("org_id", "seats_now")
    )
    latest: dict[int, int] = {}
    for org_id, seats in terms:
        latest.setdefault(org_id, seats)
    held = (
        MeetingActivity.objects.unrestricted()  # the whole tree, as above
        .filter(held=True, held_on__gte=first, held_on__lt=end, activity__in=[Activity.COMMITTEE, Activity.THEME_DAY])
        .values_list("activity", "org__path")
        .distinct()
    )
    committee_paths, theme_paths = set(), set()
    for activity, path in held:
        (committee_paths if activity == Activity.COMMITTEE else theme_paths).add(path)
    steplen = Organization.steplen
    flags = []
    for pk, path, name in branches:
        for activity in due_activities(
            today=today,
            has_committee=latest.get(pk, 0) > 0,
            committee_held=path in committee_paths,
            theme_day_held=any(p in theme_paths for p in _ancestors(path, steplen)),
        ):
            label = Activity(activity).label
            flags.append(Flag(org_id=pk, kind=Flag.Kind.DUE, message=f"{name}：本月{label}尚未召开", computed_at=now))
    return flags


def _meeting_flags(today: date, now: datetime) -> list[Flag]:
    flags = []
    meetings = Meeting.objects.unrestricted()  # the whole tree: the task computes for everybody
    overdue = meetings.filter(status=MeetingStatus.PLANNED, ends_at__lt=now - OVERDUE_AFTER)
    for pk, org_id, name, topic, starts_at in overdue.values_list("pk", "org_id", "org__name", "topic", "starts_at"):
        day = timezone.localtime(starts_at).date()
        message = f"{name}：{day:%Y-%m-%d}「{topic}」已过会议时间，尚未登记召开情况"
        flags.append(Flag(org_id=org_id, meeting_id=pk, kind=Flag.Kind.OVERDUE, message=message[:300], computed_at=now))
    returned = meetings.filter(review_state=ReviewState.RETURNED)
    for pk, org_id, name, topic, starts_at in returned.values_list("pk", "org_id", "org__name", "topic", "starts_at"):
        day = timezone.localtime(starts_at).date()
        message = f"{name}：{day:%Y-%m-%d}「{topic}」的会议记录被退回，请补充后重新提交"
        flags.append(
            Flag(org_id=org_id, meeting_id=pk, kind=Flag.Kind.RETURNED, message=message[:300], computed_at=now)
        )
    num, den = ATTENDANCE_MIN
    present = Q(attendances__presence=Presence.PRESENT)
    low = (
        meetings.filter(status=MeetingStatus.HELD, starts_at__gte=_aware(month_start(today, LOW_ATTENDANCE_MONTHS)))
        .annotate(
            invited=Count("attendances"),
            present=Count("attendances", filter=present),
        )
        .filter(invited__gt=0)
        .alias(gap=Count("attendances", filter=present) * den - Count("attendances") * num)
        .filter(gap__lt=0)
        .values_list("pk", "org_id", "org__name", "topic", "starts_at", "present", "invited")
    )
    for pk, org_id, name, topic, starts_at, present, invited in low:
        day = timezone.localtime(starts_at).date()
        message = f"{name}：{day:%Y-%m-%d}「{topic}」实到{present}人/应到{invited}人，参会率不足三分之二"
        flags.append(
            Flag(org_id=org_id, meeting_id=pk, kind=Flag.Kind.LOW_ATTENDANCE, message=message[:300], computed_at=now)
        )
    return flags


def attended_in(first: date, end: date) -> QuerySet:
    """Attendance that counts as organisational life attended between [first, end) (present at a HELD meeting)."""
    return Attendance.objects.unrestricted().filter(  # the whole tree: the task and the flags page's own members
        presence=Presence.PRESENT,
        meeting__status=MeetingStatus.HELD,
        meeting__starts_at__gte=_aware(first),
        meeting__starts_at__lt=_aware(end),
    )


def _absent_flags(today: date, now: datetime) -> list[Flag]:
    first, end = absence_window(today)
    members = (
        Member.objects.unrestricted()  # the whole register: the task computes for everybody
        .filter(status=Status.ACTIVE, joined_on__lt=first)
        .exclude(Exists(attended_in(first, end).filter(member_id=OuterRef("pk"))))
        .values_list("pk", "org_id", "name")
    )
    label = f"{first:%Y年%m月}至{month_start(today, 1):%Y年%m月}"
    return [
        Flag(
            org_id=org_id,
            member_id=pk,
            kind=Flag.Kind.ABSENT_SIX_MONTHS,
            message=f"{name}：{label}连续{ABSENT_MONTHS_FLAG}个月未参加组织生活，请核实",
            computed_at=now,
        )
        for pk, org_id, name in members
    ]


@dataclass(frozen=True)
class RefreshResult:
    computed_at: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def refresh_flags() -> RefreshResult:
    """Compute every flag of the whole tree (a few grouped queries) and replace the stored ones in one transaction.
    Returns when they were computed and how many of each kind."""
    now = timezone.now()
    today = clock.today()
    flags = _due_flags(today, now) + _meeting_flags(today, now) + _absent_flags(today, now)
    for flag in flags:
        flag.level = LEVELS[flag.kind]
    with transaction.atomic():
        Flag.objects.unrestricted().delete()  # every stored flag: they are all replaced
        Flag.objects.bulk_create(flags, batch_size=BATCH_SIZE)
    return RefreshResult(computed_at=now, counts=dict(Counter(f.kind for f in flags)))


#: The flags page's button recomputes the whole tree: committee staff may ask, at most once in this interval.
REFRESH_INTERVAL = timedelta(minutes=10)


def may_refresh(user) -> bool:
    """Committee staff: who maintains a top of the tree (a whole-tree recompute is theirs to ask, not a branch's)."""
    if user.is_superuser:
        return True
    return any(len(path) == Organization.steplen for path in user.scope_paths(Capability.CHANGE))


def last_computed() -> datetime | None:
    # When the stored flags were computed (one run writes them all): not any row's content.
    return Flag.objects.unrestricted().aggregate(last=Max("computed_at"))["last"]


# --- reads ------------------------------------------------------------------------------------------------------


def still_true(flags: QuerySet) -> QuerySet:
    """Flags whose meeting has not changed since the task ran: a meeting recorded, or resubmitted, since the night's
    run drops its OVERDUE/RETURNED flag at once (the rest wait for the next run)."""
    return flags.filter(
        ~Q(kind__in=[Flag.Kind.OVERDUE, Flag.Kind.RETURNED])
        | Q(kind=Flag.Kind.OVERDUE, meeting__status=MeetingStatus.PLANNED)
        | Q(kind=Flag.Kind.RETURNED, meeting__review_state=ReviewState.RETURNED)
    )


def flags_visible_to(user) -> QuerySet:
    return still_true(Flag.objects.visible_to(user))


# --- other modules' flags on the same page ------------------------------------------------------------------------
# An app's `flag_sources.py` (MeetingsConfig.extension_modules) registers a kind of flag it computes and stores
# itself (fees: 连续6个月未交纳党费): `reader(user, org)` returns the rows the user sees (of `org`'s subtree when
# given), ordered, sliceable and countable (a queryset), each with `org`, `member` (or None), `message`, `level`
# (danger | warning | info) and `reason` (the text shown beneath, e.g. the last payment).


@dataclass(frozen=True)
class FlagSource:
    kind: str
    label: str
    reader: Callable


_sources: dict[str, FlagSource] = {}


def flag_source(kind: str, label: str, reader: Callable) -> FlagSource:
    """Register another module's kind of flag for the flags page (at import time, from its flag_sources.py)."""
    if kind in Flag.Kind.values:
        raise ValueError(f"flag kind {kind!r} is one of organisational life's")
    source = FlagSource(kind, label, reader)
    _sources[kind] = source
    return source


def flag_sources() -> list[FlagSource]:
    return list(_sources.values())
