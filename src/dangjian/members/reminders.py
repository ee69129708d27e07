"""待办 of 组织关系转接: letters out of the system without their 回执, expiring within
rules.TRANSFER_LETTER_REMIND_DAYS days (warning) or already past their last valid day (danger, the transfer not
confirmed). One aggregate query whatever the scope; each links to the transfers list filtered the same way."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from . import rules, transfers

SOURCE = "组织关系介绍信有效期（DOMAIN.md §2）"


@reminder_producer
def transfer_letter_reminders(user) -> list[Reminder]:
    if not user.can(Capability.CHANGE):
        return []
    counts = transfers.reminder_counts(user, clock.today())
    url = reverse("members:transfers")
    reminders = []
    if counts["expired"]:
        reminders.append(
            Reminder(
                level="danger",
                title=f"{counts['expired']}封组织关系介绍信已过有效期仍未收到回执",
                detail="请联系接收党组织核实转接情况",
                url=f"{url}?state=expired",
                source=SOURCE,
            )
        )
    if counts["expiring"]:
        reminders.append(
            Reminder(
                level="warning",
                title=f"{counts['expiring']}封组织关系介绍信将在{rules.TRANSFER_LETTER_REMIND_DAYS}天内到期，尚未收到回执",
                url=f"{url}?state=expiring",
                source=SOURCE,
            )
        )
    return reminders
