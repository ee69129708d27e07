"""Scope cases of the meetings URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta

from django.utils import timezone

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, VIEWERS, ApiCase, Case, everything, obj
from dangjian.meetings.choices import Activity
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import create_meeting
from dangjian.meetings.signin import make_token

from .factories import meeting_of, submitted_meeting
from .parts_world import part

CHANGE_B = {"admin", "secretary_b"}


def meeting_a(w, **kwargs):
    return ([meeting_of(w.branch_a, w.secretary_a, **kwargs).pk], "")


def meeting_b(w, **kwargs):
    return ([meeting_of(w.branch_b, w.secretary_b, **kwargs).pk], "")


CASES: dict[str, Case] = {
    # records
    "meetings:list": Case(a_ok=VIEWERS, post=False),
    "meetings:export": Case(a_ok=VIEWERS, get=False),
    "meetings:create": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    # A member sees the meetings they are invited to (member_a is invited to branch A's).
    "meetings:detail": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=meeting_a, b=meeting_b, post=False),
    "meetings:edit": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=meeting_a, b=meeting_b),
    "meetings:record": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=meeting_a, b=meeting_b),
    "meetings:attendance": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=meeting_a, b=meeting_b, get=False),
    "meetings:cancel": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=meeting_a, b=meeting_b, get=False),
    "meetings:submit": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: meeting_a(w, held=True),
        b=lambda w: meeting_b(w, held=True),
        get=False,
    ),
    # The level above reviews: for branch A (under 第一党总支) and branch B (under the committee), the admin only.
    "meetings:review": Case(
        a_ok={"admin"},
        b_ok={"admin"},
        a=lambda w: ([submitted_meeting(w.branch_a, w.secretary_a).pk], ""),
        b=lambda w: ([submitted_meeting(w.branch_b, w.secretary_b).pk], ""),
    ),
}

# parts: attachments, 组织生活会, 民主评议, .docx, talks. A plain member of A sees the meetings they are invited to.


def _parts_case(name: str, target: str, *, change: bool, **kwargs) -> Case:
    return Case(
        a_ok=CHANGE_A if change else A_SIDE,
        b_ok=CHANGE_B if change else B_SIDE,
        a=part(target, "a"),
        b=part(target, "b"),
        **kwargs,
    )


def _org_year(attr: str):
    def target(w):
        from .parts_world import parts_of  # noqa: PLC0415

        meeting = parts_of(w, attr)["meeting"]
        org = w.branch_a if attr == "a" else w.branch_b
        return [org.pk], f"?year={meeting.starts_at.year}"

    return target


CASES |= {
    "meetings:attachment_upload": _parts_case("upload", "meeting", change=True),
    # Downloads: GET only (post=False keeps them out of the form-page walk).
    "meetings:attachment_download": _parts_case("download", "attachment", change=False, post=False),
    "meetings:attachment_delete": _parts_case("delete", "attachment", change=True, get=False),
    "meetings:life_item_create": _parts_case("life", "meeting", change=True),
    "meetings:life_item_edit": _parts_case("life", "life_item", change=True),
    "meetings:life_item_delete": _parts_case("life", "life_item", change=True, get=False),
    "meetings:rectification_create": _parts_case("rect", "meeting", change=True),
    "meetings:rectification_edit": _parts_case("rect", "rectification", change=True),
    "meetings:rectification_delete": _parts_case("rect", "rectification", change=True, get=False),
    "meetings:appraisal": _parts_case("appraisal", "meeting", change=True),
    "meetings:docx": _parts_case("docx", "meeting", change=False, post=False),
    "meetings:year_docx": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_org_year("a"), b=_org_year("b"), post=False),
    # Everyone has a talk list: their scope's talks, a plain member their own.
    "meetings:talk_list": Case(a_ok=set(PERSONAS), post=False),
    "meetings:talk_create": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "meetings:talk_edit": _parts_case("talk", "talk", change=True),
}

CASES |= {
    # compliance: secretary B sees branch A nowhere; a member holds no VIEW (404 for the whole module).
    "meetings:compliance": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "meetings:compliance_export": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "meetings:compliance_org": Case(
        a_ok=VIEWERS - {"secretary_b"}, b_ok=B_SIDE, a=obj("branch_a"), b=obj("branch_b"), post=False
    ),
}

API_CASES: dict[str, ApiCase] = {
    "api:meeting_compliance": ApiCase(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}&period={w.branch_a.created_at.year}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}&period={w.branch_b.created_at.year}"),
    ),
}


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


def open_meeting_a(w):
    return [open_meeting(w, w.branch_a).pk], ""


def open_meeting_b(w):
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
    "meetings:signin": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=open_meeting_a, b=open_meeting_b),
    "meetings:signin_qr": Case(a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=open_meeting_a, b=open_meeting_b, post=False),
    "meetings:signin_rotate": Case(
        a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=open_meeting_a, b=open_meeting_b, get=False
    ),
    "meetings:signin_sheet": Case(
        a_ok=CHANGE_A, b_ok=SIGNIN_MANAGERS_B, a=open_meeting_a, b=open_meeting_b, post=False
    ),
}

# Who sees branch A's meeting but is not invited: refused with the reason (422), not 404.
NOT_INVITED_A = A_SIDE - {"member_user_a"}

API_CASES |= {
    "api:meeting_list": ApiCase(a_ok=VIEWERS | {"member_user_a"}, a=everything(), also_post=True),
    "api:meeting_create": ApiCase(a_ok=CHANGE_A, method="post", body=create_body, ok_status=201),
    "api:meeting_detail": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=open_meeting_a, b=open_meeting_b),
    "api:meeting_attendance": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=open_meeting_a, b=open_meeting_b),
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
        a=open_meeting_a,
        method="post",
        body=signin_body,
        refused={p: 422 for p in NOT_INVITED_A},
    ),
}


# --- workbench: calendar, flags ------------------------------------------------------------------------------------

_A_VIEWERS = {"admin", "secretary_a", "committee_member_a", "inspector"}

CASES |= {
    # the calendar is everyone's (a member sees the meetings they are invited to; ?org= their branch)
    "meetings:calendar": Case(
        a_ok=A_SIDE,
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}&month=2026-03"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "meetings:flags": Case(
        a_ok=_A_VIEWERS,
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}&kind=absent_six_months"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    # Recomputes the whole tree's flags: committee staff (who maintain a top of the tree) may ask; others get 404.
    "meetings:flags_refresh": Case(a_ok={"admin"}, get=False),
}
