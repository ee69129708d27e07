"""Writes of 中心组学习: the members' 研讨发言 at a session and its outcomes (调研成果 …) with their 转化, so that
学以致用 can be checked. Allowed on a session of any kind (a branch's 专题研讨 may produce a measure too); the pages
lead with 中心组学习. Speakers and owners are the session's invitees (those who took part in the study).
`overdue_outcomes` is the reminders' read."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.validators import future_message
from dangjian.meetings import services as meetings
from dangjian.meetings.choices import MeetingStatus

from .choices import OutcomeKind, OutcomeState
from .models import Outcome, Session, Speech

ERR_SCOPE = "您无权登记该学习场次的研讨发言或成果"
ERR_CANCELLED = "该学习场次的会议已取消，不能登记研讨发言或成果"
ERR_SPEAKER = "发言人须为本次学习的参加人员"
ERR_OWNER = "责任人须为本次学习的参加人员"
ERR_CONTENT_LONG = "发言要点最多 {limit} 个字（现有 {length} 个）"
ERR_RESULT_LONG = "转化成效最多 {limit} 个字（现有 {length} 个）"
ERR_REQUIRED = "请填写此项"
ERR_KIND = "请选择成果类型"
ERR_STATE = "请选择转化情况"
ERR_DUE_BEFORE = "转化时限不能早于学习日期（{day}）"
ERR_DONE_DATE = "标记为已转化时请填写转化完成日期"
ERR_DONE_RESULT = "标记为已转化时请填写转化成效"
ERR_DONE_BEFORE = "转化完成日期不能早于学习日期（{day}）"

CONTENT_MAX = 20000
RESULT_MAX = 5000


def _locked_session(by, session: Session) -> Session:
    """The session under a lock, if the user may change its org; its meeting not cancelled."""
    if not by.can(Capability.CHANGE, session.org.path):
        raise PermissionDenied(ERR_SCOPE)
    locked = (
        Session.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("meeting", "org")
        .filter(pk=session.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    if locked.meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(ERR_CANCELLED)
    return locked


def _required(**values: str) -> dict:
    return {name: ERR_REQUIRED for name, value in values.items() if not (value or "").strip()}


def _too_long(errors: dict, name: str, value: str, limit: int, message: str) -> None:
    if len(value or "") > limit:
        errors.setdefault(name, message.format(limit=limit, length=len(value)))


# --- 研讨发言 ---------------------------------------------------------------------------------------------------


@transaction.atomic
def add_speech(*, by, session: Session, member, title: str, content: str) -> Speech:
    """A member's 研讨发言 at the session: the member must be one of its invitees."""
    locked = _locked_session(by, session)
    errors = _required(title=title, content=content)
    _too_long(errors, "content", content, CONTENT_MAX, ERR_CONTENT_LONG)
    if member is None or member.pk not in set(meetings.meeting_invitee_ids(locked.meeting)):
        errors["member"] = ERR_SPEAKER
    if errors:
        raise ValidationError(errors)
    speech = Speech(session=locked, member=member, title=title.strip(), content=content.strip())
    speech.full_clean()
    speech.save()
    return speech


@transaction.atomic
def delete_speech(*, by, speech: Speech) -> int:
    """Remove a speech recorded by mistake; returns its session's id."""
    locked = (
        Speech.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("session__org")
        .filter(pk=speech.pk)
        .first()
    )
    if locked is None or not by.can(Capability.CHANGE, locked.session.org.path):
        raise PermissionDenied(ERR_SCOPE)
    session_id = locked.session_id
    locked.delete()
    return session_id


# --- 成果与转化 -------------------------------------------------------------------------------------------------


def _check_outcome(session: Session, *, title: str, kind: str, owner, due_on: date | None, errors: dict) -> None:
    errors.update(_required(title=title))
    if kind not in OutcomeKind.values:
        errors["kind"] = ERR_KIND
    if owner is None or owner.pk not in set(meetings.meeting_invitee_ids(session.meeting)):
        errors["owner"] = ERR_OWNER
    if due_on is not None and due_on < session.held_on:
        errors["due_on"] = ERR_DUE_BEFORE.format(day=session.held_on.isoformat())


@transaction.atomic
def add_outcome(*, by, session: Session, title: str, kind: str, owner, due_on: date | None = None) -> Outcome:
    """An outcome of the session (转化中), with the member who answers for turning it into practice and by when."""
    locked = _locked_session(by, session)
    errors: dict = {}
    _check_outcome(locked, title=title, kind=kind, owner=owner, due_on=due_on, errors=errors)
    if errors:
        raise ValidationError(errors)
    outcome = Outcome(session=locked, title=title.strip(), kind=kind, owner=owner, due_on=due_on)
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def update_outcome(
    *,
    by,
    outcome: Outcome,
    version: int | None,
    title: str,
    kind: str,
    owner,
    due_on: date | None,
    state: str,
    done_on: date | None = None,
    result: str = "",
) -> Outcome:
    """Edit an outcome and record its 转化: 已转化 needs the day it was done (a fact: not in the future, not before
    the session) and what it achieved. Back to 转化中 clears the day."""
    locked = (
        Outcome.objects.changeable_by(by)
        .select_for_update(of=("self",))
        .select_related("session__meeting", "session__org")
        .filter(pk=outcome.pk)
        .first()
    )
    if locked is None or not by.can(Capability.CHANGE, locked.session.org.path):
        raise PermissionDenied(ERR_SCOPE)
    check_version(locked, version)
    session = locked.session
    errors: dict = {}
    _check_outcome(session, title=title, kind=kind, owner=owner, due_on=due_on, errors=errors)
    result = (result or "").strip()
    _too_long(errors, "result", result, RESULT_MAX, ERR_RESULT_LONG)
    if state not in OutcomeState.values:
        errors["state"] = ERR_STATE
    elif state == OutcomeState.DONE:
        if done_on is None:
            errors["done_on"] = ERR_DONE_DATE
        elif done_on > clock.today():
            errors["done_on"] = future_message()
        elif done_on < session.held_on:
            errors["done_on"] = ERR_DONE_BEFORE.format(day=session.held_on.isoformat())
        if not result:
            errors.setdefault("result", ERR_DONE_RESULT)
    else:
        done_on = None
    if errors:
        raise ValidationError(errors)
    locked.title, locked.kind, locked.owner, locked.due_on = title.strip(), kind, owner, due_on
    locked.state, locked.done_on, locked.result = state, done_on, result
    locked.full_clean()
    locked.save()
    return locked


def overdue_outcomes(user, today: date | None = None) -> QuerySet[Outcome]:
    """The outcomes the user sees still 转化中 past their 转化时限 (for reminders): oldest deadline first."""
    today = today or clock.today()
    return (
        Outcome.objects.visible_to(user)
        .filter(state=OutcomeState.OPEN, due_on__lt=today)
        .select_related("session__org", "owner")
        .order_by("due_on", "id")
    )
