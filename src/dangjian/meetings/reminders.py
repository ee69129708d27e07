"""待办 from the stored flags (meetings.flags): a constant number of queries whatever the size of the user's scope.

Meeting- and org-level flags are one reminder each, up to PER_KIND_MAX of a kind (beyond, one reminder with the count
linking to the flags page); the six-month flags are grouped per org, one reminder with the count and a link."""

from django.db.models import Count
from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from .flags import LEVELS, SOURCES, flags_visible_to
from .models import Flag

#: Above this many flags of one kind, a single reminder with the count (an admin over 5,000 branches on the 20th).
PER_KIND_MAX = 10
#: At most this many orgs get their own six-month reminder; the rest are one reminder with the count.
ABSENT_ORGS_MAX = 10


def _level(kind: str) -> str:
    return LEVELS.get(kind, "warning")


def _list_url(kind: str, org_id: int | None = None) -> str:
    url = f"{reverse('meetings:flags')}?kind={kind}"
    return f"{url}&org={org_id}" if org_id else url


@reminder_producer
def meeting_flag_reminders(user) -> list[Reminder]:
    if not user.can(Capability.VIEW):
        return []
    flags = flags_visible_to(user)
    per_kind = dict(flags.values_list("kind").annotate(n=Count("id")).order_by())  # query 1
    reminders = []
    listed_kinds = [k for k, n in per_kind.items() if k != Flag.Kind.ABSENT_SIX_MONTHS and n <= PER_KIND_MAX]
    for kind, n in per_kind.items():
        if kind != Flag.Kind.ABSENT_SIX_MONTHS and n > PER_KIND_MAX:
            label = Flag.Kind(kind).label
            reminders.append(
                Reminder(
                    level=_level(kind),
                    title=f"组织生活提醒：{label}共{n}项",
                    url=_list_url(kind),
                    source=SOURCES.get(kind, ""),
                )
            )
    if listed_kinds:
        rows = flags.filter(kind__in=listed_kinds).values_list("kind", "level", "message", "org_id")  # query 2
        reminders += [
            Reminder(level=level, title=message, url=_list_url(kind, org_id), source=SOURCES.get(kind, ""))
            for kind, level, message, org_id in rows
        ]
    absent = per_kind.get(Flag.Kind.ABSENT_SIX_MONTHS, 0)
    if absent:
        kind = Flag.Kind.ABSENT_SIX_MONTHS
        by_org = list(
            flags.filter(kind=kind)
            .values_list("org_id", "org__name")
            .annotate(n=Count("id"))
            .order_by("org__path")[: ABSENT_ORGS_MAX + 1]
        )  # query 3
        if len(by_org) > ABSENT_ORGS_MAX:
            reminders.append(
                Reminder(
                    level=_level(kind),
                    title=f"共{absent}名党员连续6个月未参加组织生活，请核实",
                    url=_list_url(kind),
                    source=SOURCES[kind],
                )
            )
        else:
            reminders += [
                Reminder(
                    level=_level(kind),
                    title=f"{name}：{n}名党员连续6个月未参加组织生活，请核实",
                    url=_list_url(kind, org_id),
                    source=SOURCES[kind],
                )
                for org_id, name, n in by_org
            ]
    return reminders
