"""Scope cases of the meetings URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta

from django.utils import timezone

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case, everything
from dangjian.meetings.choices import Activity
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import create_meeting
from dangjian.meetings.signin import make_token

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}


# --- sign-in (meetings.signin) -----------------------------------------------------------------------------------


def open_meeting(world, org):
    """A theme day of `org` going on now (its sign-in window open), its members invited (member_a for branch A)."""
    now = timezone.now()
    return create_meeting(
        by=world.admin,
        org=org,
        activities=[Activity.THEME_DAY],
        topic="主题党日签到",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=1),
    )


def meeting_a(w):
    return [open_meeting(w, w.branch_a).pk], ""


def meeting_b(w):
    return [open_meeting(w, w.branch_b).pk], ""


def signin_body(w, args):
    return {"token": make_token(Meeting.objects.unrestricted().get(pk=args[0]))}


def attendance_of_member_a(w):
    meeting = open_meeting(w, w.branch_a)
    return [meeting.pk, Attendance.objects.unrestricted().get(meeting=meeting, member=w.member_a).pk], ""


def attendance_of_member_b(w):
    meeting = open_meeting(w, w.branch_b)
    return [meeting.pk, Attendance.objects.unrestricted().get(meeting=meeting, member=w.member_b).pk], ""


def create_body(w, args):
    start = timezone.localtime() + timedelta(days=3)
    return {
        "org": w.branch_a.pk,
        "activities": ["theme_day"],
        "topic": "接口计划的主题党日",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }


SIGNIN_MANAGERS_B = {"admin", "secretary_b"}

CASES |= {
    # Anyone who sees the meeting opens the page (a non-invitee reads why they cannot sign in); POST signs in.
    "meetings:signin": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=meeting_a, b=meeting_b),
    "meetings:signin_qr": Case(a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=meeting_a, b=meeting_b, post=False),
    "meetings:signin_rotate": Case(a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=meeting_a, b=meeting_b, get=False),
    "meetings:signin_sheet": Case(a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=meeting_a, b=meeting_b, post=False),
}

# Who sees branch A's meeting but is not invited: refused with the reason (422), not 404.
NOT_INVITED_A = A_SIDE - {"member_user_a"}

API_CASES |= {
    "api:meeting_list": ApiCase(a_ok=VIEWERS | {"member_user_a"}, a=everything(), also_post=True),
    "api:meeting_create": ApiCase(a_ok=CHANGE_A, method="post", body=create_body, ok_status=201),
    "api:meeting_detail": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=meeting_a, b=meeting_b),
    "api:meeting_attendance": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=meeting_a, b=meeting_b),
    "api:meeting_attendance_update": ApiCase(
        a_ok=CHANGE_A,
        b_ok=SIGNIN_MANAGERS_B,
        a=attendance_of_member_a,
        b=attendance_of_member_b,
        method="patch",
        body=lambda w, args: {"presence": "absent", "absence_reason": "leave", "absence_note": "出差"},
    ),
    "api:meeting_signin": ApiCase(
        a_ok={"member_user_a"},
        a=meeting_a,
        method="post",
        body=signin_body,
        refused={p: 422 for p in NOT_INVITED_A},
    ),
}
