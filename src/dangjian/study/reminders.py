"""待办 of 学习培训: for secretaries and committee staff, the members of their scope behind pace and the self-reports
waiting for their review; for a member, their own 学时 behind pace; and the 中心组 outcomes still open past their
转化 time limit. One COUNT (or one row) each, whatever the scope."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from . import rules, selectors

SOURCE = rules.REGULATION
PACE_SOURCE = f"{rules.REGULATION}；进度线：全年要求的{int(rules.PACE_SHARE * 100)}%（10月前按月均摊）"


def pace_relevant() -> bool:
    return clock.today().month >= rules.REMIND_FROM_MONTH


@reminder_producer
def study_reminders(user) -> list[Reminder]:
    if not user.is_authenticated:
        return []
    year = clock.today().year
    reminders = []
    if user.can(Capability.CHANGE):
        if pace_relevant():
            n = selectors.behind_count(user, year)
            if n:
                reminders.append(
                    Reminder(
                        level="warning",
                        title=f"{n}名党员{year}年学时进度落后",
                        url=f"{reverse('study:members')}?year={year}&behind=1",
                        source=PACE_SOURCE,
                    )
                )
        n = selectors.pending_reports(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="info",
                    title=f"{n}份自学学时申报待审核认定",
                    url=f"{reverse('study:reports')}?state=pending",
                    source=SOURCE,
                )
            )
    if user.can(Capability.CHANGE):
        n = selectors.overdue_outcomes(user).count()
        if n:
            reminders.append(
                Reminder(
                    level="warning",
                    title=f"{n}项中心组学习成果已过转化时限仍未转化",
                    url=f"{reverse('study:outcomes')}?state=open",
                    source="中心组学习成果转化（学以致用）",
                )
            )
    if pace_relevant():
        own = selectors.own_progress(user, year)
        if own is not None and own.behind:
            member_line, leader_line = selectors.lines(year)
            line = leader_line if own.leader else member_line
            reminders.append(
                Reminder(
                    level="warning",
                    title=f"您{year}年的学时进度落后：已完成{own.hours:.1f}学时，按进度应达到{line:.1f}学时",
                    detail=f"全年要求{own.required:.0f}学时",
                    url=reverse("study:mine"),
                    source=PACE_SOURCE,
                )
            )
    return reminders
