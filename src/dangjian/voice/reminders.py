"""待办 of 党员之声 (core.reminders): each part adds its producers in its section. One COUNT each."""

from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from . import inquiries

# ── proposals

# ── commitments

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

# ── consultations
