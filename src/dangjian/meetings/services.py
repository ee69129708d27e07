"""Writes of the meetings module: each one transaction, scope checked, full_clean."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.membership import membership
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import current_terms

from . import cells
from .choices import AbsenceReason, Activity, MeetingStatus, Presence, ReviewState, SignedBy
from .models import Attendance, Meeting, MeetingActivity
from .rules import BACKFILL_DAYS
from .signals import send_attendance_changed

ERR_NO_ACTIVITY = "请至少选择一种会议类型"
ERR_GROUP_MEETING = "党小组会只能由党小组召开"
ERR_HELD_IN_FUTURE = "会议尚未开始，不能登记为已召开（开始时间晚于现在）"
ERR_OUT_OF_SCOPE = "您无权为该组织登记会议"
ERR_NOT_INVITEE = "{name}不在本次会议的应到人员中"
ERR_PERSON_NOT_IN_ORG = "{role}须为本组织的在册党员"
ERR_NO_INVITEE = "请至少选择一名应到人员"
ERR_INVITEE_NOT_IN_ORG = "应到人员须为本组织的在册党员（{count} 人不符合）"
ERR_TOO_MANY_INVITEES = "应到人员最多 {max} 人"
ERR_INVITEES_HELD = "会议已登记为已召开，应到人员不能再调整；缺席的人员请在出席情况中登记原因"
ERR_REMOVE_PRESENT = "{names}已签到或登记出席，不能移出应到人员"

#: Invitees chosen by hand (a page, an API body): bounded before any query sees them.
INVITEES_MAX = 5_000


def committee_member_ids(org: Organization) -> list[int]:
    """The members holding a current seat of the org's committee (none without a committee)."""
    term = current_terms([org.pk]).get(org.pk)
    if term is None:
        return []
    # Ids only, of the org's own committee: callers plan the org's meetings (the seats are in their scope).
    return list(term.seats.filter(ended_on__isnull=True).unrestricted().values_list("member_id", flat=True))


def default_invitees(org: Organization, activities: Iterable[str]):
    """Who is expected: 支委会 the current committee seats; a 党小组's meeting its group; otherwise the members in
    register of the org's subtree (a 党总支's 党员大会 is its branches' members)."""
    provider = membership()
    if set(activities) == {Activity.COMMITTEE}:
        return provider.in_register(org).filter(pk__in=committee_member_ids(org))
    return provider.in_register(org)


def chosen_invitees(org: Organization, member_ids: Iterable[int]):
    """Invitees chosen by hand, checked: at least one, at most INVITEES_MAX, each a member in register of the org
    (the count of those who are not, never their names: an id may be anyone's)."""
    wanted = set(member_ids)
    if not wanted:
        raise ValidationError({"invitees": ERR_NO_INVITEE})
    if len(wanted) > INVITEES_MAX:
        raise ValidationError({"invitees": ERR_TOO_MANY_INVITEES.format(max=INVITEES_MAX)})
    people = membership().in_register(org).filter(pk__in=wanted)
    outside = len(wanted) - people.count()
    if outside:
        raise ValidationError({"invitees": ERR_INVITEE_NOT_IN_ORG.format(count=outside)})
    return people


def is_backfilled(starts_at: datetime, recorded_at: datetime) -> bool:
    return recorded_at - starts_at > timedelta(days=BACKFILL_DAYS)


def sync_activities(meeting: Meeting, activities: Iterable[str]) -> None:
    """MeetingActivity rows: one per activity, with the meeting's org, day and held state copied (compliance reads
    that table alone)."""
    activities = sorted(set(activities))
    held_on = timezone.localtime(meeting.starts_at).date()
    held = meeting.status == MeetingStatus.HELD
    # The compliance cells (meetings.cells) of the branches the meeting counts for, before and after the change.
    before = set(
        MeetingActivity.objects.unrestricted().filter(meeting=meeting, held=True).values_list("org_id", "held_on")
    )
    MeetingActivity.objects.unrestricted().filter(meeting=meeting).exclude(activity__in=activities).delete()
    existing = set(
        MeetingActivity.objects.unrestricted().filter(meeting=meeting).values_list("activity", flat=True)
    )  # this meeting's own rows, written with it
    MeetingActivity.objects.unrestricted().filter(meeting=meeting).update(org=meeting.org, held_on=held_on, held=held)
    MeetingActivity.objects.bulk_create(
        MeetingActivity(meeting=meeting, activity=a, org=meeting.org, held_on=held_on, held=held)
        for a in activities
        if a not in existing
    )
    if before or held:
        # In the write's transaction: whoever reads next sees the heat map changed (or nothing, if it rolls back).
        cells.refresh_after_write(before | ({(meeting.org_id, held_on)} if held else set()))


def _check_activities(org: Organization, activities: set[str]) -> None:
    if not activities:
        raise ValidationError({"activities": ERR_NO_ACTIVITY})
    unknown = activities - set(Activity.values)
    if unknown:
        raise ValidationError({"activities": f"未知的会议类型：{'、'.join(sorted(unknown))}"})
    if Activity.GROUP in activities and org.kind != OrgKind.GROUP:
        raise ValidationError({"activities": ERR_GROUP_MEETING})


def _check_people(org: Organization, **people) -> None:
    """Host, recorder and lecturer are members in register of the org (its subtree; a 党小组: its members)."""
    chosen = {name: person for name, person in people.items() if person is not None}
    if not chosen:
        return
    inside = set(
        membership().in_register(org).filter(pk__in=[p.pk for p in chosen.values()]).values_list("pk", flat=True)
    )
    errors = {
        name: ERR_PERSON_NOT_IN_ORG.format(role=Meeting._meta.get_field(name).verbose_name)
        for name, person in chosen.items()
        if person.pk not in inside
    }
    if errors:
        raise ValidationError(errors)


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
    invitees: Iterable[int] | None = None,
    held: bool = False,
) -> Meeting:
    """Plan a meeting (or record one already held, `held`): its activities and its invitees (default_invitees unless
    member ids are given), each invitee's branch at the time kept on their attendance row."""
    if not Organization.objects.changeable_by(by).filter(pk=org.pk).exists():
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    activities = set(activities)
    _check_activities(org, activities)
    now = timezone.now()
    if held and starts_at > now:
        raise ValidationError({"starts_at": ERR_HELD_IN_FUTURE})
    _check_people(org, host=host, recorder=recorder, lecturer=lecturer)
    people = default_invitees(org, activities) if invitees is None else chosen_invitees(org, invitees)
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
    _invite(meeting, people)
    send_attendance_changed(meeting)
    return meeting


def _invite(meeting: Meeting, people) -> None:
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, member_id=pk, org_id=org_id, presence=Presence.UNKNOWN)
        for pk, org_id in people.values_list("pk", "org_id")
    )


def _change_invitees(meeting: Meeting, member_ids: Iterable[int]) -> None:
    """A planned meeting's invitees become those chosen: rows added, rows removed (never one signed in or ticked
    present: that is a fact about the meeting)."""
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError({"invitees": ERR_INVITEES_HELD})
    people = chosen_invitees(meeting.org, member_ids)
    wanted = set(people.values_list("pk", flat=True))
    rows = Attendance.objects.unrestricted().filter(meeting=meeting)
    leaving = rows.exclude(member_id__in=wanted)
    present = list(leaving.filter(presence=Presence.PRESENT).values_list("member__name", flat=True)[:5])
    if present:
        raise ValidationError({"invitees": ERR_REMOVE_PRESENT.format(names="、".join(present))})
    leaving.delete()
    _invite(meeting, people.exclude(pk__in=rows.values("member_id")))


# --- records: edit, record as held, attendance, cancel, review (lane "records") ---------------------------------------

ERR_CANCELLED = "会议已取消，不能再修改或登记"
ERR_PASSED = "会议记录已审核通过，不能再修改"
ERR_SUBMITTED = "会议记录已提交审核，审核结果出来前不能修改"
ERR_NOT_HELD = "会议尚未登记为已召开，不能提交审核"
ERR_ALREADY_HELD = "会议已召开并登记，不能取消"
ERR_ABSENT_REASON = "缺席须选择原因（请假、公差、病假或其他）"
ERR_PRESENCE = "请选择出席或缺席"
ERR_SUBMIT_STATE = "只有待提交或被退回的会议记录可以提交审核"
ERR_REVIEW_STATE = "只有待审核的会议记录可以审核"
ERR_REVIEW_SCOPE = "会议记录须由上级党组织审核，您无权审核该记录"
ERR_RETURN_COMMENT = "退回时请填写需要补充或修改的内容"
ERR_PRESENT_EARLY = "会议尚未开始，不能登记出席"
ERR_ATTENDANCE_SCOPE = "只有本组织的书记、委员或本次会议的记录人可以登记出席情况"

#: Ticking someone present is a fact: not before the meeting starts, less this margin (people sign in early).
PRESENT_EARLY = timedelta(hours=1)

#: What a review decides.
REVIEW_PASS = "pass"
REVIEW_RETURN = "return"


def _locked(meeting: Meeting) -> Meeting:
    """The meeting's row under a lock, read again inside the service's transaction (the caller checked its scope)."""
    return Meeting.objects.unrestricted().select_for_update().select_related("org").get(pk=meeting.pk)


def _check_changeable(by, meeting: Meeting) -> None:
    if not by.can(Capability.CHANGE, meeting.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)


def _check_editable(meeting: Meeting) -> None:
    """A cancelled meeting, or a record under review or passed, is not changed."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(ERR_CANCELLED)
    if meeting.review_state == ReviewState.PASSED:
        raise ValidationError(ERR_PASSED)
    if meeting.review_state == ReviewState.SUBMITTED:
        raise ValidationError(ERR_SUBMITTED)


def meeting_activity_codes(meeting: Meeting) -> list[str]:
    # The meeting's own rows: its caller has it in scope.
    return sorted(MeetingActivity.objects.unrestricted().filter(meeting=meeting).values_list("activity", flat=True))


def meeting_invitee_ids(meeting: Meeting) -> list[int]:
    # The meeting's own rows: its caller has it in scope.
    return list(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member_id", flat=True))


def may_review(user, meeting: Meeting) -> bool:
    """The level above reviews a record: CHANGE on the parent of the meeting's org, never the org on its own."""
    org = meeting.org
    if org.depth <= 1:
        return bool(user.is_superuser)
    return user.can(Capability.CHANGE, org.path[: -org.steplen])


def may_tick_attendance(user, meeting: Meeting) -> bool:
    """The org's secretary or committee (CHANGE on the org), or the user whose member record is the recorder."""
    if user.can(Capability.CHANGE, meeting.org.path):
        return True
    return meeting.recorder_id is not None and meeting.recorder is not None and meeting.recorder.user_id == user.pk


@transaction.atomic
def update_meeting(
    *,
    by,
    meeting: Meeting,
    version: int | None,
    activities: Iterable[str],
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    host=None,
    recorder=None,
    lecturer=None,
    invitees: Iterable[int] | None = None,
) -> Meeting:
    """Change a meeting's plan (its org stays): activities, topic, times, place, people, and while it is planned its
    invitees (member ids; None keeps them). A held meeting stays in the past, and its 补录 mark follows the new time
    against the first record."""
    _check_changeable(by, meeting)
    locked = _locked(meeting)
    check_version(locked, version)
    _check_editable(locked)
    activities = set(activities)
    _check_activities(locked.org, activities)
    if locked.status == MeetingStatus.HELD and starts_at > timezone.now():
        raise ValidationError({"starts_at": ERR_HELD_IN_FUTURE})
    _check_people(locked.org, host=host, recorder=recorder, lecturer=lecturer)
    for name, value in (
        ("topic", topic),
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("place", place),
        ("host", host),
        ("recorder", recorder),
        ("lecturer", lecturer),
    ):
        setattr(locked, name, value)
    if locked.status == MeetingStatus.HELD and locked.recorded_at is not None:
        locked.backfilled = is_backfilled(locked.starts_at, locked.recorded_at)
    locked.full_clean()
    locked.save()
    sync_activities(locked, activities)
    if invitees is not None:
        _change_invitees(locked, invitees)
    send_attendance_changed(locked)
    return locked


@dataclass(frozen=True)
class Mark:
    """One invitee's attendance as recorded: present, or absent with a reason (and a note)."""

    presence: str
    reason: str = ""
    note: str = ""


def _check_mark(member_id: int, mark: Mark, *, key: str = "") -> None:
    if mark.presence not in (Presence.PRESENT, Presence.ABSENT, Presence.UNKNOWN):
        raise ValidationError({key or f"presence_{member_id}": ERR_PRESENCE})
    if mark.presence == Presence.ABSENT and mark.reason not in AbsenceReason.values:
        raise ValidationError({key or f"reason_{member_id}": ERR_ABSENT_REASON})


def _apply_mark(row: Attendance, mark: Mark, now: datetime) -> None:
    row.presence = mark.presence
    if mark.presence == Presence.ABSENT:
        row.absence_reason, row.absence_note = mark.reason, mark.note
    else:
        row.absence_reason, row.absence_note = "", ""
    if mark.presence == Presence.PRESENT:
        if row.signed_by != SignedBy.SELF:
            row.signed_by = SignedBy.RECORDER
            row.signed_in_at = row.signed_in_at or now
    else:
        row.signed_by, row.signed_in_at = "", None
    row.full_clean(exclude=["meeting", "member", "org"])


def _not_invitee(member_ids: Iterable[int]) -> ValidationError:
    from dangjian.members.models import Member  # noqa: PLC0415  (the name for the message only)

    names = Member.objects.unrestricted().filter(pk__in=list(member_ids)).values_list("name", flat=True)
    return ValidationError({"attendance": ERR_NOT_INVITEE.format(name="、".join(names) or "所选人员")})


@transaction.atomic
def record_meeting(
    *,
    by,
    meeting: Meeting,
    minutes: str,
    resolutions: str = "",
    attendance: dict[int, Mark] | None = None,
    version: int | None = None,
) -> Meeting:
    """Record a meeting as held: minutes, resolutions and each invitee's attendance (member id → Mark). Refused:
    a start in the future, a member who is not an invitee, an absence without a reason, a cancelled meeting, a
    record under review or passed. 补录 is decided when it is first recorded (BACKFILL_DAYS after the start)."""
    _check_changeable(by, meeting)
    locked = _locked(meeting)
    check_version(locked, version)
    _check_editable(locked)
    now = timezone.now()
    if locked.starts_at > now:
        raise ValidationError(ERR_HELD_IN_FUTURE)  # the form's top: its start is on the edit page
    attendance = attendance or {}
    rows = {row.member_id: row for row in Attendance.objects.unrestricted().filter(meeting=locked)}
    outsiders = set(attendance) - set(rows)
    if outsiders:
        raise _not_invitee(outsiders)
    for member_id, mark in attendance.items():
        _check_mark(member_id, mark)
    locked.minutes = minutes
    locked.resolutions = resolutions
    if locked.status != MeetingStatus.HELD:
        locked.status = MeetingStatus.HELD
        locked.recorded_at = now
        locked.backfilled = is_backfilled(locked.starts_at, now)
    locked.full_clean()
    locked.save()
    changed = []
    for member_id, mark in attendance.items():
        row = rows[member_id]
        _apply_mark(row, mark, now)
        changed.append(row)
    for row in changed:
        row.save()  # one by one: each change is audit-logged
    sync_activities(locked, meeting_activity_codes(locked))
    send_attendance_changed(locked)
    return locked


@transaction.atomic
def set_attendance(*, by, meeting: Meeting, member_id: int, mark: Mark) -> Attendance:
    """Tick one invitee present or absent (with a reason), during or after the meeting: the org's secretary or
    committee, or the meeting's recorder."""
    locked = _locked(meeting)
    if not may_tick_attendance(by, locked):
        raise PermissionDenied(ERR_ATTENDANCE_SCOPE)
    _check_editable(locked)
    row = Attendance.objects.unrestricted().select_for_update().filter(meeting=locked, member_id=member_id).first()
    if row is None:
        raise _not_invitee([member_id])
    _check_mark(member_id, mark, key="presence" if mark.presence not in Presence.values else "absence_reason")
    now = timezone.now()
    if mark.presence == Presence.PRESENT and locked.starts_at - PRESENT_EARLY > now:
        raise ValidationError({"presence": ERR_PRESENT_EARLY})
    _apply_mark(row, mark, now)
    row.save()
    send_attendance_changed(locked)
    return row


@transaction.atomic
def cancel_meeting(*, by, meeting: Meeting) -> Meeting:
    """Cancel a planned meeting (a held one has a record: it is corrected, not cancelled)."""
    _check_changeable(by, meeting)
    locked = _locked(meeting)
    if locked.status == MeetingStatus.CANCELLED:
        raise ValidationError(ERR_CANCELLED)
    if locked.status == MeetingStatus.HELD:
        raise ValidationError(ERR_ALREADY_HELD)
    locked.status = MeetingStatus.CANCELLED
    locked.full_clean()
    locked.save()
    sync_activities(locked, meeting_activity_codes(locked))
    send_attendance_changed(locked)
    return locked


@transaction.atomic
def submit_for_review(*, by, meeting: Meeting) -> Meeting:
    """The branch hands a held meeting's record to the level above (again, after a return)."""
    _check_changeable(by, meeting)
    locked = _locked(meeting)
    if locked.status != MeetingStatus.HELD:
        raise ValidationError(ERR_NOT_HELD)
    if locked.review_state not in (ReviewState.DRAFT, ReviewState.RETURNED):
        raise ValidationError(ERR_SUBMIT_STATE)
    locked.review_state = ReviewState.SUBMITTED
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def review_meeting(*, by, meeting: Meeting, decision: str, comment: str = "", version: int | None = None) -> Meeting:
    """The level above passes a submitted record, or returns it with a comment (退回补充) to be corrected and
    submitted again."""
    locked = _locked(meeting)
    if not may_review(by, locked):
        raise PermissionDenied(ERR_REVIEW_SCOPE)
    check_version(locked, version)
    if locked.review_state != ReviewState.SUBMITTED:
        raise ValidationError(ERR_REVIEW_STATE)
    comment = comment.strip()
    if decision == REVIEW_RETURN:
        if not comment:
            raise ValidationError({"comment": ERR_RETURN_COMMENT})
        locked.review_state = ReviewState.RETURNED
    elif decision == REVIEW_PASS:
        locked.review_state = ReviewState.PASSED
    else:
        raise ValidationError({"decision": "请选择通过或退回"})
    locked.review_comment = comment
    locked.reviewed_by = by
    locked.reviewed_at = timezone.now()
    locked.full_clean()
    locked.save()
    return locked
