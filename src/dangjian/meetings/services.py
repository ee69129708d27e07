"""Writes of the meetings module: each one transaction, scope checked, full_clean."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.orgs.choices import OrgKind
from dangjian.orgs.membership import membership
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import current_terms

from .choices import Activity, MeetingStatus, Presence
from .models import Attendance, Meeting, MeetingActivity
from .rules import BACKFILL_DAYS

ERR_NO_ACTIVITY = "请至少选择一种会议类型"
ERR_GROUP_MEETING = "党小组会只能由党小组召开"
ERR_HELD_IN_FUTURE = "会议尚未开始，不能登记为已召开（开始时间晚于现在）"
ERR_OUT_OF_SCOPE = "您无权为该组织登记会议"
ERR_NOT_INVITEE = "{name}不在本次会议的应到人员中"


def default_invitees(org: Organization, activities: Iterable[str]):
    """Who is expected: 支委会 the current committee seats; a 党小组's meeting its group; otherwise the members in
    register of the org's subtree (a 党总支's 党员大会 is its branches' members)."""
    provider = membership()
    activities = set(activities)
    if activities == {Activity.COMMITTEE}:
        term = current_terms([org.pk]).get(org.pk)
        if term is None:
            return provider.in_register(org).none()
        seats = term.seats.filter(ended_on__isnull=True).values("member_id")
        return provider.in_register(org).filter(pk__in=seats)
    return provider.in_register(org)


def is_backfilled(starts_at: datetime, recorded_at: datetime) -> bool:
    return recorded_at - starts_at > timedelta(days=BACKFILL_DAYS)


def sync_activities(meeting: Meeting, activities: Iterable[str]) -> None:
    """MeetingActivity rows: one per activity, with the meeting's org, day and held state copied (compliance reads
    that table alone)."""
    activities = sorted(set(activities))
    MeetingActivity.objects.unrestricted().filter(meeting=meeting).exclude(activity__in=activities).delete()
    held_on = timezone.localtime(meeting.starts_at).date()
    held = meeting.status == MeetingStatus.HELD
    existing = set(
        MeetingActivity.objects.unrestricted().filter(meeting=meeting).values_list("activity", flat=True)
    )  # this meeting's own rows, written with it
    MeetingActivity.objects.unrestricted().filter(meeting=meeting).update(org=meeting.org, held_on=held_on, held=held)
    MeetingActivity.objects.bulk_create(
        MeetingActivity(meeting=meeting, activity=a, org=meeting.org, held_on=held_on, held=held)
        for a in activities
        if a not in existing
    )


def _check_activities(org: Organization, activities: set[str]) -> None:
    if not activities:
        raise ValidationError({"activities": ERR_NO_ACTIVITY})
    unknown = activities - set(Activity.values)
    if unknown:
        raise ValidationError({"activities": f"未知的会议类型：{'、'.join(sorted(unknown))}"})
    if Activity.GROUP in activities and org.kind != OrgKind.GROUP:
        raise ValidationError({"activities": ERR_GROUP_MEETING})


@transaction.atomic
def create_meeting(
    *,
    by,
    org: Organization,
    activities: Iterable[str],
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    host=None,
    recorder=None,
    lecturer=None,
    invitees=None,
    held: bool = False,
) -> Meeting:
    """Plan a meeting (or record one already held, `held`): its activities and its invitees (default_invitees unless
    given), each invitee's branch at the time kept on their attendance row."""
    if not Organization.objects.changeable_by(by).filter(pk=org.pk).exists():
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    activities = set(activities)
    _check_activities(org, activities)
    now = timezone.now()
    if held and starts_at > now:
        raise ValidationError({"starts_at": ERR_HELD_IN_FUTURE})
    meeting = Meeting(
        org=org,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        host=host,
        recorder=recorder,
        lecturer=lecturer,
        status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
        recorded_at=now if held else None,
        backfilled=held and is_backfilled(starts_at, now),
        signin_secret=secrets.token_urlsafe(32),
        created_by=by,
    )
    meeting.full_clean()
    meeting.save()
    sync_activities(meeting, activities)
    people = default_invitees(org, activities) if invitees is None else invitees
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=pk, org_id=org_id, presence=Presence.UNKNOWN)
        for pk, org_id in people.values_list("pk", "org_id")
    )
    return meeting
