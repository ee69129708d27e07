"""Logins for the people on the roster: one member's, a branch's, the username rules; and the login following the
member off the register (转出, 停止党籍, 出党, 去世), across a move, and back."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.accounts import AUDIT_CREATED, AUDIT_DEACTIVATED, account_password_reset
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.members.accounts import (
    ERR_HAS_LOGIN,
    ERR_NO_RIGHT,
    ERR_ORG_OUT_OF_SCOPE,
    member_login_create,
    member_logins_create,
    unique_username,
    username_base,
)
from dangjian.members.choices import ExitKind, Status
from dangjian.members.models import Member
from dangjian.members.services import (
    member_change_status,
    member_move,
    member_transfer_in,
    member_transfer_out,
)
from dangjian.members.tests.factories import MemberFactory


def active_grants(user: User) -> list[tuple[str, int]]:
    return sorted(RoleGrant.objects.filter(user=user, revoked_at__isnull=True).values_list("role", "org_id"))


# --- username rules -------------------------------------------------------------------------------------------


def test_username_rules(world, settings):
    member = world.member_a2  # 张宏伟
    assert username_base(member) == "zhanghongwei"
    settings.ACCOUNT_USERNAME_RULE = "id_tail"
    assert username_base(member) == f"zhw{member.id_number[-4:].lower()}"


def test_a_clash_takes_the_next_free_number(world):
    User.objects.create(username="zhanghongwei")
    User.objects.create(username="ZhangHongwei2")  # case does not tell names apart
    assert unique_username("zhanghongwei") == "zhanghongwei3"
    assert unique_username("zhanghongwei", {"zhanghongwei3"}) == "zhanghongwei4"


# --- one member -----------------------------------------------------------------------------------------------


def test_a_secretary_creates_a_login_for_a_member_of_their_branch(world):
    credential = member_login_create(acting_user=world.secretary_a, member=world.member_a2)
    member = Member.objects.unrestricted().get(pk=world.member_a2.pk)  # to read the link it now holds
    user = member.user
    assert (credential.username, credential.name) == ("zhanghongwei", "张宏伟") == (user.username, user.full_name)
    assert user.check_password(credential.password) and user.must_change_password and user.is_active
    assert active_grants(user) == [(Role.MEMBER, world.branch_a.pk)]
    entry = LogEntry.objects.get(additional_data__event=AUDIT_CREATED)
    assert (entry.actor, entry.object_pk, entry.additional_data["org_path"]) == (
        world.secretary_a,
        str(user.pk),
        world.branch_a.path,
    )
    every_entry = str(list(LogEntry.objects.values_list("changes", "additional_data", "object_repr")))
    assert credential.password not in every_entry


def test_logins_are_refused_outside_the_branch_and_for_lower_roles(world):
    for actor in (world.secretary_b, world.committee_member_a, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied, match=ERR_NO_RIGHT):
            member_login_create(acting_user=actor, member=world.member_a2)
    with pytest.raises(PermissionDenied, match=ERR_ORG_OUT_OF_SCOPE):
        member_logins_create(acting_user=world.secretary_b, org=world.branch_a)
    assert User.objects.count() == 6  # the personas only
    with pytest.raises(ValidationError, match=ERR_HAS_LOGIN.format(username="member_a")):
        member_login_create(acting_user=world.secretary_a, member=world.member_a)


def test_a_branch_at_once_for_those_without_a_login(world):
    extra = MemberFactory(name="王小明", org=world.branch_a, group=world.group_a)  # the same name as member_a
    gone = MemberFactory(name="赵离", org=world.branch_a, status=Status.DECEASED, status_changed_on=date(2024, 1, 1))
    credentials = member_logins_create(acting_user=world.secretary_a, org=world.branch_a)
    assert sorted(c.username for c in credentials) == ["wangxiaoming", "zhanghongwei"]
    assert {c.name for c in credentials} == {"王小明", "张宏伟"}
    linked = Member.objects.unrestricted().filter(pk__in=[extra.pk, world.member_a2.pk, gone.pk])
    assert {m.pk: m.user_id is not None for m in linked} == {extra.pk: True, world.member_a2.pk: True, gone.pk: False}
    assert len({c.password for c in credentials}) == 2
    assert member_logins_create(acting_user=world.secretary_a, org=world.branch_a) == []  # nobody left


def test_the_member_page_offers_the_button_to_those_with_the_right(world, client_for):
    url = reverse("members:detail", args=[world.member_a2.pk])
    assert 'data-testid="create-login"' in client_for(world.secretary_a).get(url).content.decode()
    assert 'data-testid="create-login"' not in client_for(world.committee_member_a).get(url).content.decode()
    response = client_for(world.secretary_a).post(reverse("members:login_create", args=[world.member_a2.pk]))
    assert response.status_code == 200
    assert response.context["credentials"][0].username == "zhanghongwei"
    page = client_for(world.secretary_a).get(url).content.decode()
    assert "登录账号：zhanghongwei" in page and 'data-testid="create-login"' not in page


def test_the_branch_page_previews_then_creates(world, client_for):
    client = client_for(world.secretary_a)
    preview = client.get(reverse("members:logins"), {"org": world.branch_a.pk})
    assert [m.name for m in preview.context["pending"]] == ["张宏伟"]
    done = client.post(reverse("members:logins"), {"org": world.branch_a.pk})
    assert [c.username for c in done.context["credentials"]] == ["zhanghongwei"]
    assert client_for(world.secretary_b).get(reverse("members:logins"), {"org": world.branch_a.pk}).status_code == 404


# --- exits ----------------------------------------------------------------------------------------------------


def assert_closed(world, user: User) -> None:
    user.refresh_from_db()
    assert not user.is_active
    assert active_grants(user) == []
    entry = LogEntry.objects.get(additional_data__event=AUDIT_DEACTIVATED)
    assert entry.actor == world.secretary_a and entry.additional_data["org_path"] == world.branch_a.path


def test_transfer_out_closes_the_login(world):
    member_transfer_out(
        acting_user=world.secretary_a,
        member=world.member_a,
        transferred_on=date(2025, 11, 30),
        destination="某市财政局机关党委",
    )
    assert_closed(world, world.member_user_a)


@pytest.mark.parametrize(
    ("status", "exit_kind"),
    [(Status.EXPELLED, ExitKind.EXPELLED), (Status.DECEASED, ""), (Status.SUSPENDED, "")],
)
def test_leaving_the_register_closes_the_login(world, status, exit_kind):
    # A grant beyond the branch goes too: someone off the register keeps no role anywhere.
    RoleGrant.objects.create(user=world.member_user_a, role=Role.INSPECTOR, org=world.branch_b)
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=status,
        exit_kind=exit_kind,
        changed_on=date(2025, 3, 1),
        reason="支部大会决议",
    )
    assert_closed(world, world.member_user_a)


def test_a_closed_login_cannot_sign_in(world, client):
    member_change_status(
        acting_user=world.secretary_a,
        member=world.member_a,
        to_status=Status.DECEASED,
        changed_on=date(2025, 3, 1),
        reason="病故",
    )
    response = client.post(reverse("login"), {"username": "member_a", "password": "Dangjian#2026"})
    assert response.status_code == 200  # the login form again, not a redirect in


def test_a_move_takes_the_member_grant_along(world):
    member_move(acting_user=world.admin, member=world.member_a, to_org=world.branch_b, transferred_on=date(2025, 6, 1))
    assert active_grants(world.member_user_a) == [(Role.MEMBER, world.branch_b.pk)]
    assert User.objects.get(pk=world.member_user_a.pk).is_active


def test_back_on_the_register_the_grant_returns_and_a_reset_reopens_the_login(world):
    member_transfer_out(
        acting_user=world.secretary_a,
        member=world.member_a,
        transferred_on=date(2025, 11, 30),
        destination="某市财政局机关党委",
    )
    member_transfer_in(
        acting_user=world.admin,
        member=world.member_a,
        to_org=world.branch_b,
        transferred_on=date(2025, 12, 20),
        source="某市财政局机关党委",
    )
    user = User.objects.get(pk=world.member_user_a.pk)
    assert active_grants(user) == [(Role.MEMBER, world.branch_b.pk)]
    assert not user.is_active  # the old password is not trusted again by itself
    credential = account_password_reset(acting_user=world.secretary_b, user=user)
    user.refresh_from_db()
    assert user.is_active and user.must_change_password and user.check_password(credential.password)


def test_a_member_with_a_login_sees_only_their_own_record(world, client):
    credential = member_login_create(acting_user=world.secretary_a, member=world.member_a2)
    assert client.post(reverse("login"), {"username": credential.username, "password": credential.password})[
        "Location"
    ] == reverse("core:home")
    assert client.get(reverse("core:home"))["Location"] == reverse("password_change")
    new = "Hongqi#Piaopiao9"
    client.post(
        reverse("password_change"),
        {"old_password": credential.password, "new_password1": new, "new_password2": new},
    )
    assert client.get(reverse("members:detail", args=[world.member_a2.pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[world.member_a.pk])).status_code == 404
    assert client.get(reverse("members:list")).status_code == 404  # a member has no roster, only their record
