"""DOMAIN.md §1 warnings as 待办 for everyone who oversees orgs."""

from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from .selectors import org_tree, org_warnings


@reminder_producer
def org_structure_reminders(user):
    if not user.can(Capability.VIEW):
        return []
    return [
        Reminder(
            level=w.level,
            title=f"{w.org.name}：{w.message}",
            detail=w.message,
            url=reverse("orgs:detail", args=[w.org.pk]),
            source=w.source,
        )
        for w in org_warnings(org_tree(fetched_by=user))
    ]
