"""The org forms after issue 11: a fact's date is never after today (founded, dissolved, a term's start, a seat's start
and end; a term's planned end may lie ahead), by the service and by the form; seats listed 书记, 副书记, 委员."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.validators import future_message
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs import services
from dangjian.orgs.choices import ROLE_RANK, CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.tests.factories import OrgFactory
from dangjian.orgs.tests.test_views_orgs import assert_refused, db_state

pytestmark = pytest.mark.django_db


def refused(call) -> dict[str, list[str]]:
    before = db_state()
    with pytest.raises(ValidationError) as error:
        call()
    assert db_state() == before
    return error.value.message_dict


# ── services ────────────────────────────────────────────────────────────────


def test_an_org_founded_tomorrow_is_refused(world, tomorrow):
    new = {"name": "新党支部", "kind": OrgKind.BRANCH, "code": "N", "established_on": tomorrow}
    errors = refused(lambda: services.org_create(acting_user=world.admin, parent=world.committee, **new))
    assert errors == {"established_on": [future_message()]}
    edit = {"established_on": tomorrow}
    errors = refused(lambda: services.org_update(acting_user=world.admin, org=world.branch_a, **edit))
    assert errors == {"established_on": [future_message()]}


def test_an_org_founded_today_is_accepted(world, clock):
    org = services.org_update(acting_user=world.admin, org=world.branch_a, established_on=clock.today())
    assert Organization.objects.unrestricted().get(pk=org.pk).established_on == clock.today()


def test_an_org_cannot_be_dissolved_tomorrow(world, tomorrow, clock):
    empty = OrgFactory(name="空党支部", code="E", parent=world.committee)
    errors = refused(lambda: services.org_dissolve(acting_user=world.admin, org=empty, dissolved_on=tomorrow))
    assert errors == {"dissolved_on": [future_message()]}
    services.org_dissolve(acting_user=world.admin, org=empty, dissolved_on=clock.today())


def test_a_term_cannot_start_tomorrow_but_its_end_lies_ahead(world, tomorrow, clock):
    errors = refused(lambda: services.term_create(acting_user=world.admin, org=world.branch_b, started_on=tomorrow))
    assert errors == {"started_on": [future_message()]}
    term = services.term_create(acting_user=world.admin, org=world.branch_b, started_on=clock.today())
    assert term.ends_on > clock.today()  # planned by the rules: 3 years on


def test_a_seat_cannot_start_or_end_tomorrow(world, tomorrow, clock):
    member = MemberFactory(org=world.branch_a)
    add = {"term": world.term_a, "member": member, "role": CommitteeRole.ORGANIZATION}
    errors = refused(lambda: services.seat_add(acting_user=world.admin, started_on=tomorrow, **add))
    assert errors == {"started_on": [future_message()]}
    errors = refused(lambda: services.seat_end(acting_user=world.admin, seat=world.seat_a, ended_on=tomorrow))
    assert errors == {"ended_on": [future_message()]}
    services.seat_end(acting_user=world.admin, seat=world.seat_a, ended_on=clock.today())


def test_the_models_refuse_future_facts_on_their_own(world, tomorrow):
    """full_clean, whoever calls it (the admin, a later service)."""
    world.branch_a.established_on = tomorrow
    with pytest.raises(ValidationError) as error:
        world.branch_a.full_clean()
    assert error.value.message_dict == {"established_on": [future_message()]}
    term = CommitteeTerm(org=world.branch_b, started_on=tomorrow, ends_on=date(tomorrow.year + 3, 1, 1))
    with pytest.raises(ValidationError) as error:
        term.full_clean()
    assert error.value.message_dict == {"started_on": [future_message()]}
    seat = CommitteeSeat(term=world.term_a, member=world.member_a, role="member", started_on=date(2025, 2, 1))
    seat.ended_on = tomorrow
    with pytest.raises(ValidationError) as error:
        seat.full_clean()
    assert error.value.message_dict == {"ended_on": [future_message()]}


# ── forms ───────────────────────────────────────────────────────────────────


FORMS = {
    "create": (lambda w: (reverse("orgs:create") + f"?parent={w.committee.pk}", {"kind": "branch", "code": "N"})),
    "edit": (lambda w: (reverse("orgs:edit", args=[w.branch_a.pk]), {"code": "A", "version": 1})),
    "dissolve": (lambda w: (reverse("orgs:dissolve", args=[w.group_a.pk]), {"version": 1})),
    "term": (lambda w: (reverse("orgs:term_create", args=[w.branch_b.pk]), {})),
    "seat_add": (lambda w: (reverse("orgs:seat_add", args=[w.term_a.pk]), {"role": "member", "member": w.member_a.pk})),
    "seat_end": (lambda w: (reverse("orgs:seat_end", args=[w.seat_a.pk]), {})),
}
FIELDS = {
    "create": "established_on",
    "edit": "established_on",
    "dissolve": "dissolved_on",
    "term": "started_on",
    "seat_add": "started_on",
    "seat_end": "ended_on",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_refuses_tomorrow_beside_the_field(world, client_for, tomorrow, form):
    url, data = FORMS[form](world)
    field = FIELDS[form]
    data = {"name": "新名称", **data, field: tomorrow.isoformat()}
    assert_refused(client_for(world.admin), url, data, {field: [future_message()]})


def test_a_terms_planned_end_may_be_after_today(world, client_for, clock):
    url = reverse("orgs:term_create", args=[world.branch_b.pk])
    end = date(clock.today().year + 3, 1, 1)
    response = client_for(world.admin).post(url, {"started_on": clock.today().isoformat(), "ends_on": end.isoformat()})
    assert response.status_code == 302
    assert CommitteeTerm.objects.filter(org=world.branch_b).order_by("-started_on").first().ends_on == end


# ── seats in the order of their roles ───────────────────────────────────────


def test_roles_rank_in_their_declared_order():
    assert list(ROLE_RANK) == [
        CommitteeRole.SECRETARY,
        CommitteeRole.DEPUTY_SECRETARY,
        CommitteeRole.ORGANIZATION,
        CommitteeRole.PUBLICITY,
        CommitteeRole.DISCIPLINE,
        CommitteeRole.YOUTH,
        CommitteeRole.CONFIDENTIALITY,
        CommitteeRole.MEMBER,
    ]


def test_the_org_page_lists_the_secretary_first_and_plain_members_last(world, client_for):
    # Added in an order that is neither the roles' nor the alphabet's (deputy_secretary < member < secretary).
    for role in (CommitteeRole.MEMBER, CommitteeRole.DEPUTY_SECRETARY, CommitteeRole.ORGANIZATION):
        member = MemberFactory(org=world.branch_a)
        CommitteeSeat.objects.create(term=world.term_a, member=member, role=role, started_on=date(2025, 2, 1))
    response = client_for(world.secretary_a).get(reverse("orgs:detail", args=[world.branch_a.pk]))
    roles = re.findall(r"<span>(\w+)：<a ", response.content.decode())
    assert roles == ["书记", "副书记", "组织委员", "委员"]
    seats = CommitteeSeat.objects.unrestricted().filter(term=world.term_a).in_role_order()
    assert [s.role for s in seats] == ["secretary", "deputy_secretary", "organization", "member"]
