"""Two-step login (两步验证): committee admins and superusers confirm each login with a six-digit code from an
authenticator app (TOTP, RFC 6238), as DESIGN.md's login-safety line asks for 等保 2.0.

django-otp keeps the devices and checks the codes (the time window, no code used twice, a growing wait after each
wrong code); this module decides who needs one, enrols a device, and records enrolment and reset in the audit log.
A user holds at most one device: an unconfirmed one while enrolling, then a confirmed one.
"""

import logging
from base64 import b32encode
from datetime import datetime

import segno
from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import may_manage
from .audit import audit_event, top_path
from .models import User
from .roles import Role

log = logging.getLogger(__name__)

DEVICE_NAME = "身份验证器"
AUDIT_ENROLLED = "绑定身份验证器"
AUDIT_RESET = "重置两步验证"

ERR_WRONG_CODE = "验证码不正确或已过期，请输入身份验证器中当前显示的6位数字。"
ERR_WAIT = "验证码错误次数过多，请在 {seconds} 秒后再试。"
ERR_RESET_OUT_OF_SCOPE = "只能重置您有权分配角色的范围内账号的两步验证。"
ERR_RESET_SELF = "不能重置自己的两步验证；身份验证器丢失时，请联系上级管理员重置。"


def required_for(user: User) -> bool:
    """Whether this login must be confirmed with a code: committee admins and superusers, when the setting is on."""
    if not settings.SECOND_FACTOR_FOR_ADMINS or not user.is_authenticated:
        return False
    return user.is_superuser or Role.COMMITTEE_ADMIN in user.roles


def pending(user) -> bool:
    """Signed in with the password, yet still to type a code (django-otp's OTPMiddleware adds is_verified)."""
    return required_for(user) and not (hasattr(user, "is_verified") and user.is_verified())


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled: the same key on every visit until a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// link as an inline SVG QR code, for the authenticator app to scan."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for apps that cannot scan (the same secret as in the QR code)."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def check_code(request, device: TOTPDevice, code: str) -> str | None:
    """Verify `code` against the device; on success mark the session as verified (and confirm an enrolling
    device). Returns None, or the Chinese reason it was refused."""
    with transaction.atomic():
        # Locked, so two requests cannot both spend the same code (django-otp refuses a code it has seen).
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, wait = device.verify_is_allowed()
        if not allowed:
            return ERR_WAIT.format(seconds=_seconds_until(wait["locked_until"]))
        if not device.verify_token(code.strip()):
            log.warning(
                "wrong two-step code for user %s (%s in a row)", device.user_id, device.throttling_failure_count
            )
            return ERR_WRONG_CODE
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _audit(request.user, subject=request.user, action=AUDIT_ENROLLED)
    otp_login(request, device)
    return None


@transaction.atomic
def reset(*, acting_user: User, user: User) -> int:
    """Remove the user's device (a lost or replaced phone): their next login enrols a new one. Only someone who
    may manage every one of the user's grants may, and never for themselves. Returns the devices removed."""
    if user.pk == acting_user.pk:
        raise PermissionDenied(ERR_RESET_SELF)
    # core.accounts' rule: the acting user manages every one of the user's grants (role and org).
    if not acting_user.is_superuser and not may_manage(acting_user, user):
        raise PermissionDenied(ERR_RESET_OUT_OF_SCOPE)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if removed:
        _audit(acting_user, subject=user, action=AUDIT_RESET)
    return removed


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - timezone.now()).total_seconds() + 0.999))


def _audit(actor: User, *, subject: User, action: str) -> LogEntry:
    """One entry on the user, placed at their highest grant so the audit page scopes it like the grant itself
    (the key itself is never logged)."""
    return audit_event(
        actor=actor,
        target=subject,
        object_repr=f"{subject}（{subject.username}）：{action}",
        action=LogEntry.Action.UPDATE,
        org_path=top_path(subject),
        data={"event": action},
    )
