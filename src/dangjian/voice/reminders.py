"""待办 of 党员之声 (core.reminders): each part adds its producers in its section. One COUNT each."""

from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

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

# ── inquiries

# ── surveys

# ── consultations
