"""待办 of 发展党员: overdue steps per branch, 考察 records due, and 预备期 ending within rules.PROBATION_REMIND_DAYS
days (the roster's 预备党员 without a record included), each linking to the due list filtered. A constant number of
grouped queries whatever the scope: up to BRANCHES_MAX branches get their own reminder, beyond one with the count."""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member

from . import rules, selectors
from .exits import overdue_cases
from .models import Applicant

SOURCE = rules.RULES
#: Beyond this many branches with overdue steps, one reminder with the count.
BRANCHES_MAX = 10


def _due_url(kind: str, org_id: int | None = None) -> str:
    url = f"{reverse('development:due')}?kind={kind}"
    return f"{url}&org={org_id}" if org_id else url


def overdue_by_branch(user) -> list[tuple[int, str, int]]:
    """(org id, name, records) of the branches whose records have a step past its time limit."""
    today = clock.today()
    records = Applicant.objects.visible_to(user).filter(state__in=selectors.OPEN_STATES, due_on__lt=today)
    return list(records.values_list("org_id", "org__name").annotate(n=Count("id")).order_by("org__path"))


def probation_ending(user) -> int:
    """预备党员 whose 预备期 ends within PROBATION_REMIND_DAYS days or has ended without a 转正 discussion: records
    and the roster's 预备党员 without one (one COUNT each)."""
    soon = clock.today() + timedelta(days=rules.PROBATION_REMIND_DAYS)
    records = Applicant.objects.visible_to(user).filter(selectors.record_due_q("probation", clock.today()))
    members = Member.objects.visible_to(user).filter(
        category=Category.PROBATIONARY,
        status=Status.ACTIVE,
        development__isnull=True,
        joined_on__lte=selectors.joined_on_bound(soon),
    )
    return records.count() + members.count()


@reminder_producer
def development_reminders(user) -> list[Reminder]:
    if not user.can(Capability.VIEW):
        return []
    reminders = []
    overdue = overdue_by_branch(user)
    if len(overdue) > BRANCHES_MAX:
        total = sum(n for _pk, _name, n in overdue)
        title = f"发展党员：{len(overdue)}个党支部共{total}人的步骤已超过规定期限"
        reminders.append(Reminder(level="danger", title=title, url=_due_url("overdue"), source=SOURCE))
    else:
        reminders += [
            Reminder(
                level="danger",
                title=f"{name}：{n}名发展对象的步骤已超过规定期限",
                url=_due_url("overdue", pk),
                source=SOURCE,
            )
            for pk, name, n in overdue
        ]
    soon = clock.today() + timedelta(days=rules.DUE_WITHIN_DAYS)
    reviews = Applicant.objects.visible_to(user).filter(state__in=selectors.OPEN_STATES, review_due_on__lte=soon)
    n = reviews.count()
    if n:
        title = f"发展党员：{n}人的半年考察记录{rules.DUE_WITHIN_DAYS}天内到期或已逾期"
        reminders.append(Reminder(level="warning", title=title, url=_due_url("review"), source=f"{SOURCE}第十二条"))
    n = probation_ending(user)
    if n:
        title = f"{n}名预备党员的预备期{rules.PROBATION_REMIND_DAYS}天内期满或已满，请及时讨论转正"
        source = f"{rules.PARTY_CONSTITUTION}第七条"
        reminders.append(Reminder(level="warning", title=title, url=_due_url("probation"), source=source))
    return reminders


# --- 出口: open 限期改正 cases whose deadline has passed (a person decides what follows: 改正, 劝退 …) ---
CASE_SOURCE = "党章第九条"
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
        return [Reminder(level="warning", title=f"{count}名不合格党员的改正期限已过", url=url, source=CASE_SOURCE)]
    return [
        Reminder(
            level="warning",
            title=f"{case.member.name}：改正期限（{case.deadline:%Y-%m-%d}）已过，请作出处置决定",
            url=reverse("development:case", args=[case.pk]),
            source=CASE_SOURCE,
        )
        for case in overdue
    ]
