"""The development reminders and the home panel: overdue steps per branch, 考察 due, 预备期 ending (roster
预备党员 included), scoped, in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.development import reminders, rules, services
from dangjian.development.models import Applicant
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.tests.factories import OrgFactory

from .dev_world import new_applicant, person

pytestmark = pytest.mark.django_db


def _overdue(world, n):
    applicant = new_applicant(world, n)
    Applicant.objects.unrestricted().filter(pk=applicant.pk).update(due_on=None, review_due_on=None)
    return applicant


def titles(user):
    return {r.title: r for r in reminders.development_reminders(user)}


def test_overdue_steps_are_reminded_per_branch_to_whoever_sees_them(world, clock):
    new_applicant(world, 1)  # applied 3 years ago: its 谈话 (a month after) is overdue
    found = titles(world.secretary_a)
    reminder = found["办公室党支部：1名发展对象的步骤已超过规定期限"]
    assert reminder.level == "danger"
    assert reminder.url == f"{reverse('development:due')}?kind=overdue&org={world.branch_a.pk}"
    assert titles(world.secretary_b) == {}
    assert reminders.development_reminders(world.member_user_a) == []


def test_reviews_due_and_probation_ending_are_reminded(world, clock):
    applicant = _overdue(world, 1)
    Applicant.objects.unrestricted().filter(pk=applicant.pk).update(review_due_on=clock.today() + timedelta(days=5))
    MemberFactory(
        name="预备乙",
        org=world.branch_a,
        category="probationary",
        joined_on=clock.today() - timedelta(days=360),
        full_member_on=None,
    )
    found = titles(world.secretary_a)
    assert "发展党员：1人的半年考察记录30天内到期或已逾期" in found
    title = f"1名预备党员的预备期{rules.PROBATION_REMIND_DAYS}天内期满或已满，请及时讨论转正"
    assert found[title].url == f"{reverse('development:due')}?kind=probation"
    assert not any("预备期" in t for t in titles(world.secretary_b))


def test_many_branches_make_one_reminder_and_the_queries_stay_constant(world, clock):
    new_applicant(world, 1)
    reminders.development_reminders(world.admin)  # the user's grants are read once, then kept
    with CaptureQueriesContext(connection) as few:
        reminders.development_reminders(world.admin)
    for n in range(2, 2 + reminders.BRANCHES_MAX + 1):
        branch = OrgFactory(name=f"支部{n}", code=f"X{n}", parent=world.committee)
        services.create_applicant(
            by=world.admin, org=branch, applied_on=clock.today() - timedelta(days=400), **person(n)
        )
    with CaptureQueriesContext(connection) as many:
        found = titles(world.admin)
    assert len(many) == len(few)
    assert (
        f"发展党员：{reminders.BRANCHES_MAX + 2}个党支部共{reminders.BRANCHES_MAX + 2}人的步骤已超过规定期限" in found
    )


def test_the_home_panel_is_for_those_who_change_records(world, clock, client_for):
    new_applicant(world, 1)
    page = client_for(world.secretary_a).get(reverse("core:home")).content.decode()
    assert 'data-testid="development-panel"' in page
    assert 'data-testid="development-panel-overdue">1<' in page
    assert reverse("development:funnel") in page
    for user in (world.inspector, world.member_user_a):
        assert 'data-testid="development-panel"' not in client_for(user).get(reverse("core:home")).content.decode()
