"""待办 of 党员之声 (issue 16): each part adds its producers in its section. One COUNT each, whatever the scope."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from . import commitments, inquiries
from .choices import Phase

# ── proposals: the reviewer's 待审查, the handler's overdue and due-soon, the proposer's replies to rate

PROPOSAL_SOURCE = "党员提案制度"


@reminder_producer
def proposal_reminders(user) -> list:
    from . import proposals

    if not user.is_authenticated:
        return []
    reminders = []
    url = reverse("voice:proposals")
    if user.can(Capability.CHANGE):
        n = proposals.waiting_review(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="info", title=f"{n}件党员提案待审查", url=f"{url}?state=submitted", source=PROPOSAL_SOURCE
                )
            )
        n = proposals.overdue_handled(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="danger",
                    title=f"{n}件承办的党员提案已超过办理时限",
                    url=f"{url}?overdue=1",
                    source=PROPOSAL_SOURCE,
                )
            )
        n = proposals.due_soon_handled(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="warning",
                    title=f"{n}件承办的党员提案将在{proposals.DUE_SOON_DAYS}天内到期",
                    url=f"{url}?state=assigned&sort=deadline",
                    source=PROPOSAL_SOURCE,
                )
            )
    n = proposals.waiting_rating(user).count()
    if n:
        reminders.append(
            Reminder(
                level="info",
                title=f"您有{n}件提案已答复，待您评价",
                url=reverse("voice:my_proposals"),
                source=PROPOSAL_SOURCE,
            )
        )
    return reminders


# ── commitments
COMMITMENT_SOURCE = "承诺践诺：年初承诺、年中和年终践诺、党组织评诺"


@reminder_producer
def commitment_reminders(user) -> list[Reminder]:
    """Staff: members of their scope without this year's commitment, commitments whose open 践诺 is missing, 评诺
    pending. A member: their own commitment missing, or a 践诺 due."""
    if not user.is_authenticated:
        return []
    today = clock.today()
    year = today.year
    url = reverse("voice:commitments")
    out = []
    if user.can(Capability.CHANGE):
        if today.month >= commitments.COMMIT_REMIND_FROM_MONTH:
            n = commitments.uncommitted_count(user, year)
            if n:
                title = f"{n}名党员尚未发布{year}年承诺"
                out.append(
                    Reminder(level="info", title=title, url=f"{url}?year={year}&state=none", source=COMMITMENT_SOURCE)
                )
        n = commitments.missing_phase_count(user, year, today)
        if n:
            title = f"{n}项{year}年承诺未按时登记践诺"
            out.append(Reminder(level="warning", title=title, url=f"{url}?year={year}", source=COMMITMENT_SOURCE))
        n = commitments.pending_grade_count(user)
        if n:
            title = f"{n}项承诺已年终践诺，待评诺"
            out.append(Reminder(level="info", title=title, url=f"{url}?state=end", source=COMMITMENT_SOURCE))
    if getattr(user, "member", None) is not None:
        own = commitments.own_commitment(user, year)
        mine = reverse("voice:my_commitment")
        if own is None:
            out.append(Reminder(level="info", title=f"您尚未发布{year}年承诺", url=mine, source=COMMITMENT_SOURCE))
        elif (due := commitments.due_phase(own, today)) is not None:
            title = f"请登记{year}年承诺的{Phase(due).label}"
            out.append(Reminder(level="warning", title=title, url=mine, source=COMMITMENT_SOURCE))
    return out


# ── consultations


@reminder_producer
def problem_reminders(user) -> list[Reminder]:
    """Staff: the overdue problems of the orgs they may change; an owner: their problems due within 7 days or
    overdue."""
    from . import problems

    if not user.is_authenticated:
        return []
    reminders = []
    if user.can(Capability.CHANGE):
        n = problems.overdue_in_scope(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="danger",
                    title=f"{n}个问题已过整改时限仍未整改完成",
                    url=f"{reverse('voice:problems')}?overdue=1",
                    source="问题清单整改时限",
                )
            )
    n = problems.my_due(user).count()
    if n:
        reminders.append(
            Reminder(
                level="warning",
                title=f"您负责整改的问题中有{n}个将在{problems.DUE_SOON_DAYS}天内到期或已逾期",
                url=reverse("voice:problems"),
                source="问题清单整改时限",
            )
        )
    return reminders


# ── inquiries

INQUIRY_SOURCE = f"首问负责制：按服务承诺时限办结（无对应承诺的默认{inquiries.DEFAULT_LIMIT_DAYS}天）"


@reminder_producer
def inquiry_reminders(user) -> list[Reminder]:
    """Overdue 首问 items I hold; for staff, overdue items held in their CHANGE scope."""
    if not user.is_authenticated:
        return []
    reminders = []
    n = inquiries.overdue_held_count(user)
    if n:
        reminders.append(
            Reminder(
                level="danger",
                title=f"您经办的{n}项首问事项已超过办结时限",
                url=reverse("voice:my_inquiries"),
                source=INQUIRY_SOURCE,
            )
        )
    if user.can(Capability.CHANGE):
        n = inquiries.overdue_in_scope_count(user)
        if n:
            reminders.append(
                Reminder(
                    level="warning",
                    title=f"{n}项首问事项超过办结时限仍未办结",
                    url=f"{reverse('voice:inquiries')}?overdue=1",
                    source=INQUIRY_SOURCE,
                )
            )
    return reminders


# ── surveys


@reminder_producer
def survey_reminders(user) -> list:
    """Surveys waiting for the user's answer (as a member, or for an org they keep); those closing within 3 days as
    a warning of their own."""
    from . import surveys

    if not user.is_authenticated:
        return []
    waiting = surveys.waiting_for(user)
    if not waiting:
        return []
    soon = [w for w in waiting if w.closing_soon]
    url = reverse("voice:my_surveys")
    reminders = []
    if soon:
        reminders.append(
            Reminder(
                level="warning",
                title=f"{len(soon)}份问卷将在{surveys.CLOSING_SOON_DAYS}天内截止，尚未填写",
                detail="、".join(w.survey.title for w in soon[:3]),
                url=url,
                source="问卷调查",
            )
        )
    if len(waiting) > len(soon):
        reminders.append(
            Reminder(level="info", title=f"{len(waiting) - len(soon)}份问卷待填写", url=url, source="问卷调查")
        )
    return reminders
