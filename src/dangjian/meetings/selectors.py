"""Reads of the meetings' records: every list, page and export goes through meeting_filterset / meeting_get."""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.roles import Capability
from dangjian.members.choices import Category

from .choices import Activity, MeetingStatus, Presence, Rating
from .filters import MeetingFilter
from .models import AppraisalRating, Attendance, Meeting, MeetingActivity


def attendance_rate(present: int, invited: int) -> int | None:
    """Present / invited as a whole percentage (rounded down); None when nobody was invited."""
    return None if not invited else present * 100 // invited


def _count(**conditions) -> Coalesce:
    """Attendance rows of the outer meeting, counted in a subquery (no join that would repeat the meeting). The rows
    are the meeting's own: the outer query already keeps the meetings the user may see."""
    rows = (
        Attendance.objects.unrestricted()
        .filter(meeting=OuterRef("pk"), **conditions)
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def meetings_scoped(user, capability: str = Capability.VIEW) -> QuerySet[Meeting]:
    """The meetings in the user's scope (an invitee's own meetings included, each once: Meeting.own_records)."""
    return Meeting.objects.restrict(user, capability)


def with_attendance(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """`invited` and `present` on each meeting, in the same query."""
    return meetings.annotate(invited=_count(), present=_count(presence=Presence.PRESENT))


def meeting_filterset(*, fetched_by, filters: dict | None = None) -> MeetingFilter:
    """The meetings filter over the user's visible meetings, with each meeting's attendance counts."""
    meetings = with_attendance(meetings_scoped(fetched_by)).select_related("org")
    return MeetingFilter(filters, meetings, request_user=fetched_by)


def meeting_get(*, fetched_by, pk: int, capability: str = Capability.VIEW) -> Meeting:
    """One meeting within the user's scope (with its attendance counts); Meeting.DoesNotExist outside it as for no
    such meeting (the views answer 404 for both)."""
    meetings = with_attendance(meetings_scoped(fetched_by, capability))
    return meetings.select_related("org", "host", "recorder", "lecturer", "reviewed_by", "created_by").get(pk=pk)


def meeting_activities(meetings: list[Meeting]) -> dict[int, list[str]]:
    """Each meeting's activity labels, in one query (the meetings are in the caller's scope)."""
    labels: dict[int, list[str]] = {m.pk: [] for m in meetings}
    rows = MeetingActivity.objects.unrestricted().filter(meeting__in=list(labels)).order_by("meeting", "activity")
    for row in rows:
        labels[row.meeting_id].append(row.get_activity_display())
    return labels


@dataclass
class AttendanceSummary:
    rows: list[Attendance]
    invited: int
    present: int
    absent: int
    unknown: int

    @property
    def rate(self) -> int | None:
        return attendance_rate(self.present, self.invited)


def meeting_attendance(meeting: Meeting) -> AttendanceSummary:
    """Every invitee of a meeting (the caller has the meeting in scope), with their branch, by name; the counts."""
    rows = list(
        Attendance.objects.unrestricted()
        .filter(meeting=meeting)
        .select_related("member", "org")
        .order_by("member__name_pinyin", "id")
    )
    present = sum(1 for r in rows if r.presence == Presence.PRESENT)
    absent = sum(1 for r in rows if r.presence == Presence.ABSENT)
    return AttendanceSummary(rows, len(rows), present, absent, len(rows) - present - absent)


# --- for other modules ---------------------------------------------------------------------------------------------


def held_assemblies(org) -> QuerySet[Meeting]:
    """The org's held 支部党员大会, newest first: the meetings a decision by vote may be linked to (发展党员)."""
    # The org's own meetings; the caller holds the org (it decides what the user may link).
    assemblies = MeetingActivity.objects.unrestricted().filter(activity=Activity.ASSEMBLY, held=True, org=org)
    return Meeting.objects.unrestricted().filter(pk__in=assemblies.values("meeting")).order_by("-starts_at", "-pk")


def assembly_voters(meeting: Meeting, org, on) -> tuple[int, int] | None:
    """(应到会有表决权人数, 实到会有表决权人数) of a held 支部党员大会 of `org` on day `on`: the full members (转正 by
    that day) among its invitees from the org, and those of them present (预备党员 have no vote: DOMAIN.md §8).
    None when the meeting is not such a meeting."""
    if not held_assemblies(org).filter(pk=meeting.pk).exists() or timezone.localtime(meeting.starts_at).date() != on:
        return None
    # The meeting's own attendance rows, read whoever asks: the caller holds the org.
    voters = Attendance.objects.unrestricted().filter(meeting=meeting, org=org, member__category=Category.FULL)
    voters = voters.filter(Q(member__full_member_on__isnull=True) | Q(member__full_member_on__lte=on))
    return voters.count(), voters.filter(presence=Presence.PRESENT).count()


def unqualified_ratings(members: QuerySet, since) -> QuerySet:
    """民主评议 ratings of 不合格 of `members` (a queryset of the caller's) at meetings from `since` on, newest first,
    with the member and meeting (the 出口's candidates, development.exits)."""
    # The members are the caller's; the meeting may be a 党总支's, outside the branch's own meetings.
    return (
        AppraisalRating.objects.unrestricted()
        .filter(rating=Rating.UNQUALIFIED, member__in=members, meeting__starts_at__gte=day_start(since))
        .select_related("member__org", "meeting")
        .order_by("-meeting__starts_at", "-pk")
    )


def day_start(day):
    """Midnight at the start of `day` in the project's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time()))


def attended() -> QuerySet[Attendance]:
    """Every attendance that counts as having taken part: present, at a meeting not cancelled. Unrestricted: for a
    module's derived figures (study's 学时 per member), which filter it by member or meeting and are read scoped."""
    present = Attendance.objects.unrestricted().filter(presence=Presence.PRESENT)
    return present.exclude(meeting__status=MeetingStatus.CANCELLED)


def having_activity(meetings: QuerySet[Meeting], activities) -> QuerySet[Meeting]:
    """The meetings of `meetings` that count as one of `activities` (a subquery of each meeting's own rows)."""
    rows = MeetingActivity.objects.unrestricted().filter(meeting=OuterRef("pk"), activity__in=list(activities))
    return meetings.filter(Exists(rows))
