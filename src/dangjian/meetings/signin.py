"""Sign-in on a phone (issue 12): the projector shows a QR code of a short-lived signed link (and a 6-digit code for
typing), a logged-in invitee who opens it within the meeting's window is marked present, signed in by themself.

Tokens: `django.core.signing` (a TimestampSigner under the hood) over (meeting pk, a key derived from the meeting's
`signin_secret`), expiring after MEETING_SIGNIN_TOKEN_SECONDS; the projector asks for a new one every
QR_REFRESH_SECONDS, so a photo of the code sent home is useless a couple of minutes later. Rotating the secret
(`rotate_secret`) invalidates every token and code issued before. Codes: an HMAC of the secret and the current
30-second step, accepted for the same lifetime as a token."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.core.roles import Capability

from .choices import MeetingStatus, Presence, SignedBy
from .models import Attendance, Meeting
from .signals import send_attendance_changed

SALT = "dangjian.meetings.signin"
#: The projector page fetches a new QR code (and code) this often; a code is valid for one step of this length.
QR_REFRESH_SECONDS = 30
CODE_DIGITS = 6

ERR_FORGED = "签到链接无效"
ERR_OTHER_MEETING = "该签到二维码不属于本次会议，请扫描本会场的二维码"
ERR_EXPIRED = "签到二维码已过期，请重新扫描会场二维码"
ERR_ROTATED = "签到二维码已重置，请重新扫描会场二维码"
ERR_WINDOW = "不在签到时间内（签到时间：{start} 至 {end}）"
ERR_NOT_INVITED = "您不在本次会议的应到人员中"
ERR_CANCELLED = "本次会议已取消，无需签到"
ERR_NO_CREDENTIAL = "请扫描会场二维码，或输入大屏上显示的6位签到码"
ERR_CODE = "签到码不正确或已过期，请核对大屏上显示的6位签到码"
MSG_ALREADY = "您已于 {time} 签到"
MSG_DONE = "签到成功"

ERR_NOT_YOURS = "您无权登记本次会议的出席情况"


def token_seconds() -> int:
    return int(getattr(settings, "MEETING_SIGNIN_TOKEN_SECONDS", 120))


def early_minutes() -> int:
    return int(getattr(settings, "MEETING_SIGNIN_EARLY_MINUTES", 30))


def grace_minutes() -> int:
    return int(getattr(settings, "MEETING_SIGNIN_GRACE_MINUTES", 30))


# --- the window -------------------------------------------------------------------------------------------------


def window(meeting: Meeting) -> tuple[datetime, datetime]:
    """From MEETING_SIGNIN_EARLY_MINUTES before the start to MEETING_SIGNIN_GRACE_MINUTES after the end."""
    return (
        meeting.starts_at - timedelta(minutes=early_minutes()),
        meeting.ends_at + timedelta(minutes=grace_minutes()),
    )


def window_open(meeting: Meeting, now: datetime | None = None) -> bool:
    start, end = window(meeting)
    now = now or timezone.now()
    return meeting.status != MeetingStatus.CANCELLED and start <= now <= end


def window_text(meeting: Meeting) -> tuple[str, str]:
    start, end = (timezone.localtime(t) for t in window(meeting))
    end_format = "%H:%M" if start.date() == end.date() else "%m月%d日 %H:%M"
    return f"{start:%m月%d日 %H:%M}", f"{end:{end_format}}"


# --- tokens and codes -------------------------------------------------------------------------------------------


def _key(meeting: Meeting) -> str:
    """A value derived from the secret (the secret itself never leaves the server, even signed)."""
    return hmac.new(meeting.signin_secret.encode(), b"signin-token", hashlib.sha256).hexdigest()[:16]


def make_token(meeting: Meeting) -> str:
    return signing.dumps([meeting.pk, _key(meeting)], salt=SALT)


def check_token(meeting: Meeting, token: str) -> None:
    """Raise ValidationError with the reason a token does not sign the user in to `meeting`."""
    try:
        pk, key = signing.loads(token, salt=SALT, max_age=token_seconds())
    except signing.SignatureExpired:
        raise ValidationError(ERR_EXPIRED, code="expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ValidationError(ERR_FORGED, code="forged") from None
    if pk != meeting.pk:
        raise ValidationError(ERR_OTHER_MEETING, code="other_meeting")
    if not hmac.compare_digest(str(key), _key(meeting)):
        raise ValidationError(ERR_ROTATED, code="rotated")


def _step(now: datetime) -> int:
    return int(now.timestamp()) // QR_REFRESH_SECONDS


def _code_for(meeting: Meeting, step: int) -> str:
    digest = hmac.new(meeting.signin_secret.encode(), f"signin-code:{step}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def current_code(meeting: Meeting) -> str:
    return _code_for(meeting, _step(timezone.now()))


def check_code(meeting: Meeting, code: str) -> None:
    """A code of the current step or of the steps a token would still be valid for."""
    code = (code or "").strip()
    now = _step(timezone.now())
    steps = range(now, now - token_seconds() // QR_REFRESH_SECONDS - 1, -1)
    if not (len(code) == CODE_DIGITS and code.isdigit()):
        raise ValidationError(ERR_CODE, code="code")
    if not any(hmac.compare_digest(code, _code_for(meeting, step)) for step in steps):
        raise ValidationError(ERR_CODE, code="code")


# --- who may do what --------------------------------------------------------------------------------------------


def may_manage(user, meeting: Meeting) -> bool:
    """Who runs the sign-in (projector, reset, sheet): whoever may change the holding org's records, or the
    meeting's recorder. In memory: the grants are loaded once per request; `recorder` must be fetched."""
    if user.can(Capability.CHANGE, meeting.org.path):
        return True
    return meeting.recorder_id is not None and meeting.recorder.user_id == user.pk


def manageable_meeting(user, pk: int) -> Meeting:
    """The meeting if the user may run its sign-in; DoesNotExist otherwise (out of scope as for none)."""
    meeting = Meeting.objects.visible_to(user).select_related("org", "recorder", "host").get(pk=pk)
    if not may_manage(user, meeting):
        raise Meeting.DoesNotExist
    return meeting


def own_attendance(user, meeting: Meeting) -> Attendance | None:
    """The user's own invitation to `meeting` (their member's row), or None."""
    return Attendance.objects.visible_to(user).filter(meeting=meeting, member__user=user).first()


# --- the sign-in ------------------------------------------------------------------------------------------------


@dataclass
class SigninResult:
    attendance: Attendance
    already: bool  # signed in before: nothing was written

    @property
    def message(self) -> str:
        if self.already:
            return MSG_ALREADY.format(time=f"{timezone.localtime(self.attendance.signed_in_at):%H:%M}")
        return MSG_DONE


def check_can_sign_in(user, meeting: Meeting) -> Attendance:
    """What does not depend on the token: the meeting not cancelled, the user invited, and (unless already signed
    in, which is answered calmly whatever the link) now within the window."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(ERR_CANCELLED, code="cancelled")
    attendance = own_attendance(user, meeting)
    if attendance is None:
        raise ValidationError(ERR_NOT_INVITED, code="not_invited")
    if attendance.signed_in_at is None and not window_open(meeting):
        start, end = window_text(meeting)
        raise ValidationError(ERR_WINDOW.format(start=start, end=end), code="window")
    return attendance


@transaction.atomic
def sign_in(*, user, meeting: Meeting, token: str = "", code: str = "") -> SigninResult:
    """Sign the user in to `meeting` as themself, with a token from the QR link or a typed code. Already signed in:
    the earlier time, nothing written, whatever the link (a replayed or old one). Refusals are ValidationErrors
    with the reason in Chinese; nothing is written then."""
    attendance = check_can_sign_in(user, meeting)
    if attendance.signed_in_at is not None:
        return SigninResult(attendance, already=True)
    if token:
        check_token(meeting, token)
    elif code:
        check_code(meeting, code)
    else:
        raise ValidationError(ERR_NO_CREDENTIAL, code="missing")
    # Locked, then re-read: two taps at once write one sign-in.
    attendance = Attendance.objects.visible_to(user).select_for_update(of=("self",)).get(pk=attendance.pk)
    if attendance.signed_in_at is not None:
        return SigninResult(attendance, already=True)
    attendance.presence = Presence.PRESENT
    attendance.absence_reason = ""
    attendance.absence_note = ""
    attendance.signed_in_at = timezone.now()
    attendance.signed_by = SignedBy.SELF
    fields = ["presence", "absence_reason", "absence_note", "signed_in_at", "signed_by", "updated_at"]
    attendance.save(update_fields=fields)
    send_attendance_changed(meeting)
    return SigninResult(attendance, already=False)


@transaction.atomic
def rotate_secret(*, by, meeting: Meeting) -> Meeting:
    """重置二维码: a new secret, so every link and code shown before stops working."""
    try:
        checked = manageable_meeting(by, meeting.pk)
    except Meeting.DoesNotExist:
        raise PermissionDenied(ERR_NOT_YOURS) from None
    locked = Meeting.objects.unrestricted().select_for_update(of=("self",)).get(pk=checked.pk)  # checked above
    locked.signin_secret = secrets.token_urlsafe(32)
    locked.save(update_fields=["signin_secret", "updated_at"])
    return locked


def open_for(user) -> list[Meeting]:
    """Meetings the user may sign in to now (the home page's button): not cancelled, the window open, the user's
    member invited and not yet signed in. One query."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    rows = (
        Attendance.objects.visible_to(user)
        .filter(
            member__user=user,
            signed_in_at__isnull=True,
            meeting__starts_at__lte=now + timedelta(minutes=early_minutes()),
            meeting__ends_at__gte=now - timedelta(minutes=grace_minutes()),
        )
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id")
    )
    return [row.meeting for row in rows]
