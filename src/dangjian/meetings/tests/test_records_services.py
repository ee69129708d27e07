"""record_meeting, set_attendance, update_meeting, cancel, submit and review: what they write and what they refuse
(nothing written on a refusal)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.concurrency import StaleEdit
from dangjian.meetings.choices import AbsenceReason, Activity, MeetingStatus, Presence, ReviewState, SignedBy
from dangjian.meetings.models import Attendance, Meeting, MeetingActivity
from dangjian.meetings.services import (
    ERR_ABSENT_REASON,
    ERR_HELD_IN_FUTURE,
    ERR_NOT_INVITEE,
    ERR_PASSED,
    ERR_PERSON_NOT_IN_ORG,
    ERR_RETURN_COMMENT,
    ERR_SUBMITTED,
    REVIEW_PASS,
    REVIEW_RETURN,
    Mark,
    cancel_meeting,
    record_meeting,
    review_meeting,
    set_attendance,
    submit_for_review,
    update_meeting,
)

from .factories import at, meeting_of, submitted_meeting

pytestmark = pytest.mark.django_db


def rows(meeting) -> dict[int, tuple]:
    return {
        a.member_id: (a.presence, a.absence_reason, a.absence_note, a.signed_by)
        for a in Attendance.objects.unrestricted().filter(meeting=meeting)
    }


def snapshot(meeting):
    fresh = Meeting.objects.unrestricted().get(pk=meeting.pk)
    return (fresh.status, fresh.minutes, fresh.version, fresh.review_state, fresh.backfilled, rows(meeting))


def test_recording_a_planned_meeting_marks_it_held_with_attendance(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, days_ago=2)
    marks = {
        world.member_a.pk: Mark(Presence.PRESENT),
        world.member_a2.pk: Mark(Presence.ABSENT, AbsenceReason.BUSINESS, "出差北京"),
    }
    done = record_meeting(by=world.secretary_a, meeting=meeting, minutes="第一段。\n\n第二段。", attendance=marks)
    assert done.status == MeetingStatus.HELD and done.recorded_at is not None and not done.backfilled
    assert rows(meeting) == {
        world.member_a.pk: (Presence.PRESENT, "", "", SignedBy.RECORDER),
        world.member_a2.pk: (Presence.ABSENT, AbsenceReason.BUSINESS, "出差北京", ""),
    }
    assert set(MeetingActivity.objects.unrestricted().filter(meeting=meeting).values_list("held", flat=True)) == {True}


def test_a_record_entered_more_than_seven_days_late_is_backfilled(world, clock):
    late = meeting_of(world.branch_a, world.secretary_a, days_ago=8)
    in_time = meeting_of(world.branch_a, world.secretary_a, days_ago=6)
    assert record_meeting(by=world.secretary_a, meeting=late, minutes="补记").backfilled
    assert not record_meeting(by=world.secretary_a, meeting=in_time, minutes="按时").backfilled


def test_refusals_write_nothing(world, clock):
    ahead = meeting_of(world.branch_a, world.secretary_a, days_ago=-1)
    before = snapshot(ahead)
    with pytest.raises(ValidationError) as error:
        record_meeting(by=world.secretary_a, meeting=ahead, minutes="还没开")
    assert error.value.messages == [ERR_HELD_IN_FUTURE]
    assert snapshot(ahead) == before

    meeting = meeting_of(world.branch_a, world.secretary_a)
    before = snapshot(meeting)
    outsider = {world.member_a.pk: Mark(Presence.PRESENT), world.member_b.pk: Mark(Presence.PRESENT)}
    with pytest.raises(ValidationError) as error:
        record_meeting(by=world.secretary_a, meeting=meeting, minutes="有外人", attendance=outsider)
    assert error.value.message_dict["attendance"] == [ERR_NOT_INVITEE.format(name=world.member_b.name)]
    assert snapshot(meeting) == before

    no_reason = {world.member_a.pk: Mark(Presence.PRESENT), world.member_a2.pk: Mark(Presence.ABSENT)}
    with pytest.raises(ValidationError) as error:
        record_meeting(by=world.secretary_a, meeting=meeting, minutes="缺席无原因", attendance=no_reason)
    assert error.value.message_dict[f"reason_{world.member_a2.pk}"] == [ERR_ABSENT_REASON]
    assert snapshot(meeting) == before

    with pytest.raises(PermissionDenied):
        record_meeting(by=world.secretary_b, meeting=meeting, minutes="别人的会")
    assert snapshot(meeting) == before


def test_set_attendance_ticks_one_invitee_and_refuses_others(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, held=True)
    set_attendance(by=world.committee_member_a, meeting=meeting, member_id=world.member_a.pk, mark=Mark("present"))
    assert rows(meeting)[world.member_a.pk][0] == Presence.PRESENT
    before = snapshot(meeting)
    with pytest.raises(ValidationError) as error:
        set_attendance(by=world.secretary_a, meeting=meeting, member_id=world.member_b.pk, mark=Mark("present"))
    assert error.value.message_dict["attendance"] == [ERR_NOT_INVITEE.format(name=world.member_b.name)]
    with pytest.raises(ValidationError):
        set_attendance(by=world.secretary_a, meeting=meeting, member_id=world.member_a2.pk, mark=Mark("absent"))
    with pytest.raises(PermissionDenied):
        set_attendance(by=world.member_user_a, meeting=meeting, member_id=world.member_a.pk, mark=Mark("absent"))
    assert snapshot(meeting) == before


def test_the_recorder_may_tick_attendance(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, recorder=world.member_a)
    set_attendance(by=world.member_user_a, meeting=meeting, member_id=world.member_a2.pk, mark=Mark("present"))
    assert rows(meeting)[world.member_a2.pk][0] == Presence.PRESENT


def test_a_stale_edit_is_refused(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, days_ago=-3)
    day = clock.today() + timedelta(days=4)
    values = {
        "activities": [Activity.THEME_DAY, Activity.LECTURE],
        "topic": "改期",
        "starts_at": at(day),
        "ends_at": at(day, 15),
    }
    updated = update_meeting(by=world.secretary_a, meeting=meeting, version=meeting.version, **values)
    assert updated.topic == "改期" and updated.version == meeting.version + 1
    labels = MeetingActivity.objects.unrestricted().filter(meeting=meeting)
    assert {(a.activity, a.held_on) for a in labels} == {(Activity.THEME_DAY, day), (Activity.LECTURE, day)}
    with pytest.raises(StaleEdit):
        update_meeting(by=world.secretary_a, meeting=meeting, version=meeting.version, **(values | {"topic": "旧"}))
    assert Meeting.objects.unrestricted().get(pk=meeting.pk).topic == "改期"


def test_a_held_meeting_cannot_be_moved_into_the_future_and_people_are_the_orgs(world, clock):
    meeting = meeting_of(world.branch_a, world.secretary_a, held=True)
    day = clock.today() + timedelta(days=2)
    values = {"activities": [Activity.THEME_DAY], "topic": "x", "starts_at": at(day), "ends_at": at(day, 16)}
    with pytest.raises(ValidationError) as error:
        update_meeting(by=world.secretary_a, meeting=meeting, version=None, **values)
    assert error.value.message_dict["starts_at"] == [ERR_HELD_IN_FUTURE]
    with pytest.raises(ValidationError) as error:
        meeting_of(world.branch_a, world.admin, host=world.member_b)
    assert error.value.message_dict["host"] == [ERR_PERSON_NOT_IN_ORG.format(role="主持人")]


def test_review_flow(world, clock):
    meeting = submitted_meeting(world.branch_a, world.secretary_a)
    assert meeting.review_state == ReviewState.SUBMITTED
    # The branch never reviews its own record; the level above does.
    with pytest.raises(PermissionDenied):
        review_meeting(by=world.secretary_a, meeting=meeting, decision=REVIEW_PASS)
    with pytest.raises(ValidationError) as error:
        review_meeting(by=world.admin, meeting=meeting, decision=REVIEW_RETURN, comment="  ")
    assert error.value.message_dict["comment"] == [ERR_RETURN_COMMENT]
    # Under review, the branch cannot change the record.
    with pytest.raises(ValidationError) as error:
        record_meeting(by=world.secretary_a, meeting=meeting, minutes="改")
    assert error.value.messages == [ERR_SUBMITTED]
    returned = review_meeting(by=world.admin, meeting=meeting, decision=REVIEW_RETURN, comment="缺少决议事项")
    assert (returned.review_state, returned.review_comment, returned.reviewed_by) == (
        ReviewState.RETURNED,
        "缺少决议事项",
        world.admin,
    )
    corrected = record_meeting(by=world.secretary_a, meeting=meeting, minutes="学习了党章。", resolutions="一、……")
    assert corrected.review_state == ReviewState.RETURNED
    assert submit_for_review(by=world.secretary_a, meeting=meeting).review_state == ReviewState.SUBMITTED
    passed = review_meeting(by=world.admin, meeting=meeting, decision=REVIEW_PASS)
    assert passed.review_state == ReviewState.PASSED
    with pytest.raises(ValidationError) as error:
        record_meeting(by=world.secretary_a, meeting=meeting, minutes="再改")
    assert error.value.messages == [ERR_PASSED]
    with pytest.raises(ValidationError):
        set_attendance(by=world.secretary_a, meeting=meeting, member_id=world.member_a.pk, mark=Mark("present"))


def test_cancel_only_a_planned_meeting(world, clock):
    planned = meeting_of(world.branch_a, world.secretary_a, days_ago=-2)
    assert cancel_meeting(by=world.secretary_a, meeting=planned).status == MeetingStatus.CANCELLED
    held = meeting_of(world.branch_a, world.secretary_a, held=True)
    with pytest.raises(ValidationError):
        cancel_meeting(by=world.secretary_a, meeting=held)
    with pytest.raises(ValidationError):
        submit_for_review(by=world.secretary_a, meeting=planned)
