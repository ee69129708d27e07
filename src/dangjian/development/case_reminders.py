"""待办 of the 出口: open 限期改正 cases whose deadline has passed (a person decides what follows: 改正, 劝退 …).
Registered with core.reminders when imported (development/reminders.py imports it at merge)."""

from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from .exits import overdue_cases

SOURCE = "党章第九条"
#: Named one by one up to this many; beyond, one line with the count.
CASES_MAX = 5


@reminder_producer
def case_reminders(user) -> list[Reminder]:
    if not user.can(Capability.CHANGE):
        return []
    overdue = list(overdue_cases(user).select_related("member").order_by("deadline", "id")[: CASES_MAX + 1])
    if len(overdue) > CASES_MAX:
        count = overdue_cases(user).count()
        url = reverse("development:cases") + "?state=open&sort=deadline"
        return [Reminder(level="warning", title=f"{count}名不合格党员的改正期限已过", url=url, source=SOURCE)]
    return [
        Reminder(
            level="warning",
            title=f"{case.member.name}：改正期限（{case.deadline:%Y-%m-%d}）已过，请作出处置决定",
            url=reverse("development:case", args=[case.pk]),
            source=SOURCE,
        )
        for case in overdue
    ]
