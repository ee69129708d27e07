"""meetings.signin: tokens, codes, the window, refusals (each writing nothing), replay, rotation, open_for."""

from datetime import time, timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.meetings import signin
from dangjian.meetings.choices import Activity, MeetingStatus, Presence, SignedBy
from dangjian.meetings.models import Attendance, Meeting
from dangjian.members.tests.factories import MemberFactory

from .signin_fixtures import meeting_at

pytestmark = pytest.mark.django_db


def own_row(world, meeting) -> Attendance:
    return Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a)


def rows(meeting) -> list[tuple]:
    return list(
        Attendance.objects.unrestricted()
        .filter(meeting=meeting)
        .order_by("pk")
        .values_list("presence", "signed_in_at", "signed_by", "updated_at")
    )


def refused(world, meeting, message, **credentials) -> None:
    before = rows(meeting)
    with pytest.raises(ValidationError) as error:
        signin.sign_in(user=world.member_user_a, meeting=meeting, **credentials)
    assert error.value.messages == [message]
    assert rows(meeting) == before


def test_a_fresh_token_signs_the_member_in_once(world, clock):
    meeting = meeting_at(world, clock)
    token = signin.make_token(meeting)
    result = signin.sign_in(user=world.member_user_a, meeting=meeting, token=token)
    assert not result.already and result.message == signin.MSG_DONE
    row = own_row(world, meeting)
    assert (row.presence, row.signed_by) == (Presence.PRESENT, SignedBy.SELF)
    assert row.signed_in_at is not None
    other = Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a2)
    assert other.presence == Presence.UNKNOWN  # only the member's own row

    before = rows(meeting)
    clock.set(clock.today(), time(14, 40))
    again = signin.sign_in(user=world.member_user_a, meeting=meeting, token=signin.make_token(meeting))
    assert again.already
    assert again.message == f"您已于 {timezone_hhmm(row.signed_in_at)} 签到"
    assert rows(meeting) == before  # the replay wrote nothing
    # The photo of an old QR code, or a link gone stale, is answered as calmly once signed in.
    for stale in (token, "garbage"):
        assert signin.sign_in(user=world.member_user_a, meeting=meeting, token=stale).already
    assert rows(meeting) == before


def timezone_hhmm(value) -> str:
    return f"{timezone.localtime(value):%H:%M}"


def test_forged_and_tampered_tokens(world, clock):
    meeting = meeting_at(world, clock)
    refused(world, meeting, signin.ERR_FORGED, token="not-a-token")
    token = signin.make_token(meeting)
    refused(world, meeting, signin.ERR_FORGED, token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    # Signed with another salt (a token of some other feature) is no sign-in token.
    refused(world, meeting, signin.ERR_FORGED, token=signing.dumps([meeting.pk, "x"], salt="other"))


def test_a_token_of_another_meeting(world, clock):
    meeting = meeting_at(world, clock)
    other = meeting_at(world, clock, start=time(14, 30))
    refused(world, meeting, signin.ERR_OTHER_MEETING, token=signin.make_token(other))


def test_a_token_expires(world, clock, settings):
    settings.MEETING_SIGNIN_TOKEN_SECONDS = 120
    meeting = meeting_at(world, clock)
    token = signin.make_token(meeting)
    clock.set(clock.today(), time(14, 7, 30))  # 150 s later
    refused(world, meeting, signin.ERR_EXPIRED, token=token)
    # the one shown now works
    assert not signin.sign_in(user=world.member_user_a, meeting=meeting, token=signin.make_token(meeting)).already


@pytest.mark.parametrize(
    ("now", "open_"),
    [(time(13, 29), False), (time(13, 31), True), (time(16, 29), True), (time(16, 31), False)],
)
def test_the_window_is_half_an_hour_either_side(world, clock, now, open_):
    meeting = meeting_at(world, clock)  # 14:00–16:00
    clock.set(clock.today(), now)
    token = signin.make_token(meeting)
    if open_:
        assert not signin.sign_in(user=world.member_user_a, meeting=meeting, token=token).already
    else:
        start, end = signin.window_text(meeting)
        assert end.endswith("16:30") and start.endswith("13:30")
        refused(world, meeting, signin.ERR_WINDOW.format(start=start, end=end), token=token)


def test_the_window_follows_the_settings(world, clock, settings):
    settings.MEETING_SIGNIN_EARLY_MINUTES = 10
    meeting = meeting_at(world, clock)
    clock.set(clock.today(), time(13, 45))
    assert not signin.window_open(meeting)
    clock.set(clock.today(), time(13, 51))
    assert signin.window_open(meeting)


def test_not_invited(world, clock):
    meeting = meeting_at(world, clock)
    # A member of branch A with a login who is not among this meeting's invitees.
    outsider = UserFactory(username="latecomer")
    MemberFactory(name="赵新来", org=world.branch_a, user=outsider)
    RoleGrant.objects.create(user=outsider, role=Role.MEMBER, org=world.branch_a)
    before = rows(meeting)
    with pytest.raises(ValidationError) as error:
        signin.sign_in(user=outsider, meeting=meeting, token=signin.make_token(meeting))
    assert error.value.messages == [signin.ERR_NOT_INVITED]
    # The secretary (no member record) is no invitee either.
    with pytest.raises(ValidationError) as error:
        signin.sign_in(user=world.secretary_a, meeting=meeting, token=signin.make_token(meeting))
    assert error.value.messages == [signin.ERR_NOT_INVITED]
    assert rows(meeting) == before


def test_a_cancelled_meeting(world, clock):
    meeting = meeting_at(world, clock)
    Meeting.objects.unrestricted().filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED)
    meeting.refresh_from_db()
    refused(world, meeting, signin.ERR_CANCELLED, token=signin.make_token(meeting))


def test_no_credential(world, clock):
    meeting = meeting_at(world, clock)
    refused(world, meeting, signin.ERR_NO_CREDENTIAL)


def test_the_code_on_the_projector_signs_in_and_a_wrong_or_old_one_does_not(world, clock):
    meeting = meeting_at(world, clock)
    code = signin.current_code(meeting)
    assert len(code) == 6 and code.isdigit()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    refused(world, meeting, signin.ERR_CODE, code=wrong)
    refused(world, meeting, signin.ERR_CODE, code="12ab56")
    clock.set(clock.today(), time(14, 9))  # four minutes later: the code shown then has expired
    refused(world, meeting, signin.ERR_CODE, code=code)
    fresh = signin.current_code(meeting)
    clock.set(clock.today(), time(14, 9, 40))  # a code read a little while ago still works
    assert not signin.sign_in(user=world.member_user_a, meeting=meeting, code=fresh).already


def test_rotating_the_secret_invalidates_earlier_tokens_and_codes(world, clock):
    meeting = meeting_at(world, clock)
    token, code = signin.make_token(meeting), signin.current_code(meeting)
    meeting = signin.rotate_secret(by=world.secretary_a, meeting=meeting)
    refused(world, meeting, signin.ERR_ROTATED, token=token)
    if code != signin.current_code(meeting):  # a one-in-a-million coincidence would make the old code the new
        refused(world, meeting, signin.ERR_CODE, code=code)
    assert not signin.sign_in(user=world.member_user_a, meeting=meeting, token=signin.make_token(meeting)).already


def test_only_those_who_run_the_meeting_rotate(world, clock):
    meeting = meeting_at(world, clock)
    secret = meeting.signin_secret
    for user in (world.member_user_a, world.inspector):
        with pytest.raises(PermissionDenied):
            signin.rotate_secret(by=user, meeting=meeting)
    with pytest.raises(PermissionDenied):
        signin.rotate_secret(by=world.secretary_b, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.signin_secret == secret


def test_the_recorder_runs_the_sign_in(world, clock):
    meeting = meeting_at(world, clock, recorder=world.member_a)
    assert signin.may_manage(world.member_user_a, meeting)
    assert signin.manageable_meeting(world.member_user_a, meeting.pk) == meeting
    plain = meeting_at(world, clock, start=time(14, 30))
    assert not signin.may_manage(world.member_user_a, plain)
    with pytest.raises(Meeting.DoesNotExist):
        signin.manageable_meeting(world.member_user_a, plain.pk)


def test_open_for_lists_open_unsigned_invitations_in_one_query(world, clock, django_assert_num_queries):
    meeting = meeting_at(world, clock)
    later = meeting_at(world, clock, start=time(18))  # window opens at 17:30
    other_branch = meeting_at(world, clock, org=world.branch_b)
    cancelled = meeting_at(world, clock)
    Meeting.objects.unrestricted().filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED)
    signed = meeting_at(world, clock)
    signin.sign_in(user=world.member_user_a, meeting=signed, token=signin.make_token(signed))
    with django_assert_num_queries(1):
        found = signin.open_for(world.member_user_a)
    assert found == [meeting]
    assert later not in found and other_branch not in found
    for _ in range(3):
        meeting_at(world, clock)
    with django_assert_num_queries(1):
        assert len(signin.open_for(world.member_user_a)) == 4
    assert signin.open_for(world.secretary_a) == []  # no member record: invited nowhere
    clock.set(clock.today(), time(17, 40))
    assert signin.open_for(world.member_user_a) == [later]


def test_a_member_invited_by_a_general_branch_signs_in(world, clock):
    """A 党总支's 党员大会 invites its branches' members: member_a signs in there too."""
    meeting = meeting_at(world, clock, org=world.general, activities=[Activity.ASSEMBLY])
    assert signin.open_for(world.member_user_a) == [meeting]
    assert not signin.sign_in(user=world.member_user_a, meeting=meeting, token=signin.make_token(meeting)).already
    assert signin.open_for(world.member_user_a) == []


def test_token_lifetime_is_a_setting(world, clock, settings):
    settings.MEETING_SIGNIN_TOKEN_SECONDS = 600
    meeting = meeting_at(world, clock)
    token = signin.make_token(meeting)
    clock.set(clock.today(), time(14, 13))
    assert not signin.sign_in(user=world.member_user_a, meeting=meeting, token=token).already
    assert timedelta(seconds=signin.token_seconds()) == timedelta(minutes=10)
