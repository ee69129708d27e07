"""The member forms after issue 11: 所在党小组 follows 所在党支部 (the group options endpoint, labelled groups, a group
of another branch refused), every fact's date refused after today beside its field, and plain messages."""

import html
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.forms import EMPTY_OPTIONAL, ERR_TOO_LONG
from dangjian.core.validators import future_message
from dangjian.members.choices import Status, TransferKind
from dangjian.members.forms import MemberForm
from dangjian.members.models import ERR_GROUP_NOT_IN_BRANCH, Member, StatusChange, Transfer
from dangjian.members.tests.factories import member_form_data
from dangjian.members.tests.test_views_members import assert_refused, db_state, field_errors, member_post
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="(\d*)"[^>]*>(.*?)</option>')


def options(text: str) -> list[tuple[str, str]]:
    return [(value, html.unescape(label)) for value, label in OPTION.findall(text)]


def group_select(text: str) -> str:
    return re.search(r'<select name="group".*?</select>', text, re.S).group(0)


@pytest.fixture
def groups(world):
    """Branch B gets its own 第一党小组 (as many branches have), and branch A a second group."""
    return {
        "a2": OrgFactory(name="第二党小组", kind=OrgKind.GROUP, code="A-2", parent=world.branch_a),
        "b1": OrgFactory(name="第一党小组", kind=OrgKind.GROUP, code="B-1", parent=world.branch_b),
    }


# ── the group options endpoint ─────────────────────────────────────────────


def test_the_options_are_the_branchs_groups_named_with_it(world, groups, client_for):
    url = reverse("members:group_options")
    response = client_for(world.admin).get(url, {"org": world.branch_a.pk})
    assert response.status_code == 200
    assert options(response.content.decode()) == [
        ("", EMPTY_OPTIONAL),
        (str(world.group_a.pk), "第一党小组（办公室党支部）"),
        (str(groups["a2"].pk), "第二党小组（办公室党支部）"),
    ]
    text = client_for(world.admin).get(url, {"org": world.branch_b.pk}).content.decode()
    assert options(text) == [("", EMPTY_OPTIONAL), (str(groups["b1"].pk), "第一党小组（财务处党支部）")]
    assert 'name="group"' in text and 'id="id_group"' in text  # replaces the form's select as it is


def test_no_branch_gives_no_group(world, client_for):
    response = client_for(world.admin).get(reverse("members:group_options"), {"org": ""})
    assert options(response.content.decode()) == [("", EMPTY_OPTIONAL)]


@pytest.mark.parametrize("org", ["branch_b", "group_a", "general", "x1", "999999"])
def test_a_branch_out_of_scope_or_not_a_branch_is_404(world, client_for, org):
    value = getattr(world, org).pk if hasattr(world, org) else org
    response = client_for(world.secretary_a).get(reverse("members:group_options"), {"org": value})
    assert response.status_code == 404


def test_a_dissolved_branchs_groups_are_not_offered(world, groups, client_for):
    Organization.objects.unrestricted().filter(pk=groups["a2"].pk).update(dissolved_on=date(2025, 1, 1))
    text = client_for(world.secretary_a).get(reverse("members:group_options"), {"org": world.branch_a.pk})
    assert [label for _, label in options(text.content.decode())] == [EMPTY_OPTIONAL, "第一党小组（办公室党支部）"]


# ── the member form ─────────────────────────────────────────────────────────


def test_the_org_select_reloads_the_group_select(world, client_for):
    text = client_for(world.admin).get(reverse("members:create")).content.decode()
    org = re.search(r'<select name="org"[^>]*>', text).group(0)
    assert f'hx-get="{reverse("members:group_options")}"' in org
    assert 'hx-target="#id_group"' in org and 'hx-swap="outerHTML"' in org and 'hx-trigger="change"' in org
    assert options(group_select(text)) == [("", EMPTY_OPTIONAL)]  # no branch chosen yet: no group


def test_the_edit_form_lists_only_the_members_branchs_groups(world, groups, client_for):
    text = client_for(world.admin).get(reverse("members:edit", args=[world.member_a.pk])).content.decode()
    labels = [label for _, label in options(group_select(text))]
    assert labels == [EMPTY_OPTIONAL, "第一党小组（办公室党支部）", "第二党小组（办公室党支部）"]
    assert "财务处" not in group_select(text)


def test_a_new_member_for_a_branch_lists_its_groups(world, groups, client_for):
    url = reverse("members:create") + f"?org={world.branch_b.pk}"
    text = client_for(world.admin).get(url).content.decode()
    assert [label for _, label in options(group_select(text))] == [EMPTY_OPTIONAL, "第一党小组（财务处党支部）"]


def test_a_group_of_another_branch_is_refused_beside_the_group(world, groups, client_for):
    before = db_state()
    data = member_post(world, org=world.branch_a.pk, group=groups["b1"].pk)
    response = client_for(world.admin).post(reverse("members:create"), data)
    assert_refused(response, before, "group", ERR_GROUP_NOT_IN_BRANCH)
    data = member_form_data(world.member_a, group=groups["b1"].pk)
    response = client_for(world.admin).post(reverse("members:edit", args=[world.member_a.pk]), data)
    assert_refused(response, before, "group", ERR_GROUP_NOT_IN_BRANCH)


def test_moving_to_another_branch_with_its_group_is_accepted(world, groups, client_for):
    data = member_form_data(world.member_a, org=world.branch_b.pk, group=groups["b1"].pk)
    response = client_for(world.admin).post(reverse("members:edit", args=[world.member_a.pk]), data)
    assert response.status_code == 302
    member = Member.objects.unrestricted().get(pk=world.member_a.pk)
    assert (member.org_id, member.group_id) == (world.branch_b.pk, groups["b1"].pk)


def test_the_form_alone_checks_the_group_against_the_branch(world, groups):
    orgs = Organization.objects.unrestricted()
    form = MemberForm(member_form_data(world.member_a, group=groups["b1"].pk), instance=world.member_a, orgs=orgs)
    assert not form.is_valid() and form.errors["group"] == [ERR_GROUP_NOT_IN_BRANCH]


# ── plain messages ──────────────────────────────────────────────────────────


def test_a_too_long_name_says_how_long_it_may_be(world, client_for):
    before = db_state()
    response = client_for(world.admin).post(reverse("members:create"), member_post(world, name="张" * 51))
    assert_refused(response, before, "name", ERR_TOO_LONG.format(limit=50, length=51))
    assert "最多 50 个字" in response.content.decode() and "确保" not in response.content.decode()


def test_every_error_stands_beside_its_field(world, client_for):
    """Several errors at once: each under its own field, nothing at the top."""
    data = member_post(world, name="", phone="12345", joined_on="2024-13-01")
    response = client_for(world.admin).post(reverse("members:create"), data)
    assert response.status_code == 400
    assert field_errors(response, "name") and field_errors(response, "phone") and field_errors(response, "joined_on")
    assert 'class="alert alert-danger"' not in response.content.decode()


# ── a fact's date is never after today ──────────────────────────────────────

ROSTER_DATES = ["birth_date", "joined_on", "full_member_on", "work_started_on"]


@pytest.mark.parametrize("field", ROSTER_DATES)
def test_the_member_form_refuses_tomorrow_for_each_date(world, client_for, tomorrow, field):
    before = db_state()
    data = member_form_data(world.member_a, **{field: tomorrow.isoformat()})
    response = client_for(world.admin).post(reverse("members:edit", args=[world.member_a.pk]), data)
    assert_refused(response, before, field, future_message())


@pytest.mark.parametrize("field", ROSTER_DATES)
def test_the_model_refuses_tomorrow_for_each_date(world, tomorrow, field):
    member = Member.objects.unrestricted().get(pk=world.member_a.pk)
    setattr(member, field, tomorrow)
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert future_message() in error.value.message_dict[field]


def test_the_models_refuse_a_status_change_or_transfer_dated_tomorrow(world, tomorrow):
    member = Member.objects.unrestricted().get(pk=world.member_a.pk)
    member.status, member.status_changed_on = Status.DECEASED, tomorrow
    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert error.value.message_dict == {"status_changed_on": [future_message()]}
    change = StatusChange(
        member=member,
        from_status="active",
        to_status="deceased",
        changed_on=tomorrow,
        reason="x",
        changed_by=world.admin,
    )
    with pytest.raises(ValidationError) as error:
        change.full_clean()
    assert error.value.message_dict == {"changed_on": [future_message()]}
    transfer = Transfer(
        member=member, kind=TransferKind.OUT, transferred_on=tomorrow, external_org="x", handled_by=world.admin
    )
    with pytest.raises(ValidationError) as error:
        transfer.full_clean()
    assert error.value.message_dict == {"transferred_on": [future_message()]}


def test_today_is_accepted(world, client_for, clock):
    data = member_form_data(world.member_a, work_started_on=clock.today().isoformat())
    response = client_for(world.admin).post(reverse("members:edit", args=[world.member_a.pk]), data)
    assert response.status_code == 302
    assert Member.objects.unrestricted().get(pk=world.member_a.pk).work_started_on == clock.today()


def test_the_date_pickers_stop_at_today(world, client_for, clock):
    clock.set(date(2028, 2, 29))
    client = client_for(world.admin)
    for url in (
        reverse("members:edit", args=[world.member_a.pk]),
        reverse("members:status", args=[world.member_a.pk]),
        reverse("members:transfer_out", args=[world.member_a.pk]),
        reverse("members:move", args=[world.member_a.pk]),
    ):
        tags = re.findall(r'<input type="date"[^>]*>', client.get(url).content.decode())
        assert tags and all('max="2028-02-29"' in tag for tag in tags), url
