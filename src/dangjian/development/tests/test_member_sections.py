"""The development module's sections on a member's page: 预备期 with 办理转正手续, 发展档案, 立案处置 — shown or
hidden per role and category."""

from datetime import timedelta

import pytest
from django.urls import reverse

from dangjian.core import clock as core_clock
from dangjian.development import exits, rules, services
from dangjian.development.choices import Origin, State
from dangjian.development.models import Applicant

from .dev_world import dev_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(world, clock):
    return dev_world(world)


def page(client_for, user, member) -> str:
    response = client_for(user).get(reverse("members:detail", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_probationary_member_shows_the_probation_and_the_start_button_to_change_holders(world, d, client_for):
    member = d.probationary
    text = page(client_for, world.secretary_a, member)
    ends = rules.probation_end(member.joined_on)
    assert 'data-testid="probation-section"' in text and f"预备期满：{ends:%Y-%m-%d}" in text
    assert f"还有{(ends - core_clock.today()).days}天" in text
    assert reverse("development:probation_start", args=[member.pk]) in text
    inspector = page(client_for, world.inspector, member)
    assert 'data-testid="probation-section"' in inspector and "probation-start" not in inspector
    assert "case-create" not in inspector
    full = page(client_for, world.secretary_a, world.member_a2)
    assert "probation-section" not in full and 'data-testid="case-create"' in full


def test_a_member_sees_none_of_it_on_their_own_page(world, d, client_for):
    text = page(client_for, world.member_user_a, world.member_a)
    assert "case-section" not in text and "probation-section" not in text


def test_starting_the_procedure_creates_the_roster_record_once_and_links_it(world, d, client_for):
    client = client_for(world.secretary_a)
    url = reverse("development:probation_start", args=[d.probationary.pk])
    response = client.post(url)
    record = Applicant.objects.unrestricted().get(member=d.probationary)
    assert record.origin == Origin.ROSTER and record.state == State.PROBATION
    assert response["Location"] == reverse("development:detail", args=[record.pk])
    assert client.post(url)["Location"] == response["Location"]
    assert Applicant.objects.unrestricted().count() == 1
    text = page(client_for, world.secretary_a, d.probationary)
    assert reverse("development:detail", args=[record.pk]) in text and "probation-start" not in text
    assert f"下一步：{record.get_next_step_display()}" in text


def test_a_full_member_cannot_start_it(world, d, client_for):
    response = client_for(world.secretary_a).post(reverse("development:probation_start", args=[world.member_a2.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("members:detail", args=[world.member_a2.pk])
    assert not Applicant.objects.unrestricted().exists()


def test_an_extension_moves_the_end(world, d, client_for):
    record = services.probation_record(by=world.secretary_a, member=d.probationary)
    Applicant.objects.unrestricted().filter(pk=record.pk).update(extended_months=6)
    text = page(client_for, world.secretary_a, d.probationary)
    assert f"预备期满：{rules.probation_end(d.probationary.joined_on, 6):%Y-%m-%d}（延长预备期6个月）" in text


def test_an_open_case_is_linked_instead_of_a_new_one(world, d, client_for):
    opened_on = core_clock.today() - timedelta(days=1)
    case = exits.open_case(by=world.secretary_a, member=world.member_a2, source="manual", opened_on=opened_on)
    text = page(client_for, world.secretary_a, world.member_a2)
    assert reverse("development:case", args=[case.pk]) in text and 'data-testid="case-create"' not in text
    assert reverse("development:case", args=[case.pk]) in page(client_for, world.inspector, world.member_a2)


def test_sections_run_a_constant_number_of_queries(world, d, client_for, django_assert_max_num_queries):
    from dangjian.members.sections import sections_for

    services.probation_record(by=world.secretary_a, member=d.probationary)
    # Every app's sections of the page: development's (3 at most) and study's (its two years, 2).
    with django_assert_max_num_queries(5):
        sections = sections_for(world.secretary_a, d.probationary)
    assert {s.testid for s in sections} >= {"probation-section", "case-section"}


def test_a_member_with_a_record_gets_its_link_whatever_the_state(world, d, client_for):
    from dangjian.members.models import Member

    record = services.probation_record(by=world.secretary_a, member=d.probationary)
    Member.objects.unrestricted().filter(pk=d.probationary.pk).update(category="full")
    Applicant.objects.unrestricted().filter(pk=record.pk).update(state=State.CONFIRMED)
    text = page(client_for, world.inspector, d.probationary)
    assert 'data-testid="dev-section"' in text and "档案状态：已转正" in text and "probation-section" not in text
    assert reverse("development:detail", args=[record.pk]) in text
    assert 'data-testid="dev-section"' not in page(client_for, world.secretary_b, world.member_b)
