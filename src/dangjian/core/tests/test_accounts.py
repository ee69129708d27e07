"""账号与权限: who may grant which role, reset a password, unlock an account; the forced change of an initial or
temporary password; the audit entries (never a password)."""

import json

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.core import accounts
from dangjian.core.accounts import (
    AUDIT_PASSWORD_RESET,
    AUDIT_UNLOCKED,
    ERR_NOT_LOCKED,
    ERR_USER_OUT_OF_SCOPE,
    ERR_USER_SELF,
    account_password_reset,
    account_unlock,
    new_password,
)
from dangjian.core.forms import ERR_SAME_PASSWORD, GrantForm
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role, grantable_roles
from dangjian.core.services import ERR_REVOKE_NOT_GRANTABLE, ERR_ROLE_NOT_GRANTABLE, grant_create, grant_revoke
from dangjian.core.tests.factories import UserFactory

PASSWORD = "Dangjian#2026"  # UserFactory's


def lock(user: User) -> None:
    """What django-axes leaves after AXES_FAILURE_LIMIT wrong passwords from one address."""
    AccessAttempt.objects.create(
        username=user.username,
        ip_address="10.0.0.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/login/",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )


# --- which roles ----------------------------------------------------------------------------------------------


def test_grantable_roles_never_above_ones_own(world):
    assert grantable_roles(world.secretary_a, world.branch_a.path) == [Role.MEMBER, Role.COMMITTEE_MEMBER]
    assert grantable_roles(world.secretary_a, world.group_a.path) == [Role.MEMBER, Role.COMMITTEE_MEMBER]
    assert grantable_roles(world.secretary_a, world.branch_b.path) == []
    assert grantable_roles(world.committee_member_a, world.branch_a.path) == []
    assert grantable_roles(world.inspector, world.branch_a.path) == []
    assert grantable_roles(world.member_user_a, world.branch_a.path) == []
    assert grantable_roles(world.admin, world.branch_b.path) == [
        Role.MEMBER,
        Role.COMMITTEE_MEMBER,
        Role.SECRETARY,
        Role.INSPECTOR,
        Role.COMMITTEE_ADMIN,
    ]


def test_the_grant_form_offers_only_grantable_roles_and_defaults_to_member(world, client_for):
    form = client_for(world.secretary_a).get(reverse("core:grants")).context["form"]
    assert [value for value, _ in form.fields["role"].choices] == [Role.MEMBER, Role.COMMITTEE_MEMBER]
    assert form.fields["role"].initial == Role.MEMBER
    admin_form = client_for(world.admin).get(reverse("core:grants")).context["form"]
    assert admin_form.fields["role"].initial == Role.MEMBER
    assert len(admin_form.fields["role"].choices) == 5
    assert isinstance(admin_form, GrantForm)


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.COMMITTEE_ADMIN, Role.INSPECTOR])
def test_a_secretary_cannot_grant_a_role_at_or_above_their_own(world, role):
    with pytest.raises(PermissionDenied, match=ERR_ROLE_NOT_GRANTABLE.format(role=Role(role).label)):
        grant_create(acting_user=world.secretary_a, username="x1", full_name="某某", role=role, org=world.branch_a)
    assert not User.objects.filter(username="x1").exists()


def test_a_secretary_grants_committee_member_in_their_branch_with_a_forced_change(world):
    grant, password = grant_create(
        acting_user=world.secretary_a, username="wei", full_name="魏某", role=Role.COMMITTEE_MEMBER, org=world.group_a
    )
    assert (grant.role, grant.org, grant.granted_by) == (Role.COMMITTEE_MEMBER, world.group_a, world.secretary_a)
    assert grant.user.check_password(password) and grant.user.must_change_password
    with pytest.raises(PermissionDenied):
        grant_create(acting_user=world.secretary_a, username="wei", full_name="", role=Role.MEMBER, org=world.branch_b)


def test_a_secretary_revokes_lower_roles_only(world):
    grant_revoke(acting_user=world.secretary_a, grant=world.committee_member_a.grants[0])
    assert world.committee_member_a.role_grants.get().revoked_at is not None
    other_secretary = UserFactory(username="co_secretary")
    grant = RoleGrant.objects.create(user=other_secretary, role=Role.SECRETARY, org=world.branch_a)
    with pytest.raises(PermissionDenied, match=ERR_REVOKE_NOT_GRANTABLE.format(role="支部书记")):
        grant_revoke(acting_user=world.secretary_a, grant=grant)
    with pytest.raises(PermissionDenied):
        grant_revoke(acting_user=world.secretary_b, grant=world.member_user_a.grants[0])
    assert RoleGrant.objects.filter(user=world.member_user_a, revoked_at__isnull=True).exists()


def test_the_revoke_button_is_404_for_a_grant_one_could_not_give(world, client_for):
    response = client_for(world.secretary_a).post(reverse("core:grant_revoke", args=[world.secretary_a.grants[0].pk]))
    assert response.status_code == 404
    assert world.secretary_a.role_grants.get().revoked_at is None


# --- whose accounts -------------------------------------------------------------------------------------------


def test_managed_users_are_those_whose_every_grant_one_manages(world):
    managed = set(accounts.managed_users(world.secretary_a))
    assert managed == {world.committee_member_a, world.member_user_a}
    assert set(accounts.managed_users(world.secretary_b)) == set()
    # One grant beyond branch A: no longer secretary A's to manage.
    RoleGrant.objects.create(user=world.member_user_a, role=Role.MEMBER, org=world.branch_b)
    assert set(accounts.managed_users(world.secretary_a)) == {world.committee_member_a}
    admin_managed = set(accounts.managed_users(world.admin))
    assert world.admin not in admin_managed and world.secretary_b in admin_managed


def test_password_reset_gives_a_temporary_password_to_change(world):
    world.member_user_a.is_active = False
    world.member_user_a.save()
    lock(world.member_user_a)
    credential = account_password_reset(acting_user=world.secretary_a, user=world.member_user_a)
    user = User.objects.get(pk=world.member_user_a.pk)
    assert credential.username == "member_a"
    assert user.check_password(credential.password) and not user.check_password(PASSWORD)
    assert user.must_change_password and user.is_active
    assert not AccessAttempt.objects.exists()  # and unlocked


def test_a_secretary_cannot_reset_or_unlock_outside_their_branch(world):
    lock(world.member_user_a)
    for action in (account_password_reset, account_unlock):
        with pytest.raises(PermissionDenied, match=ERR_USER_OUT_OF_SCOPE):
            action(acting_user=world.secretary_b, user=world.member_user_a)
        with pytest.raises(PermissionDenied, match=ERR_USER_OUT_OF_SCOPE):
            action(acting_user=world.secretary_a, user=world.admin)  # above them
        with pytest.raises(PermissionDenied, match=ERR_USER_SELF):
            action(acting_user=world.secretary_a, user=world.secretary_a)
        with pytest.raises(PermissionDenied, match=ERR_USER_OUT_OF_SCOPE):
            action(acting_user=world.committee_member_a, user=world.member_user_a)  # no right to manage at all
    assert User.objects.get(pk=world.member_user_a.pk).check_password(PASSWORD)
    assert AccessAttempt.objects.count() == 1
    assert not LogEntry.objects.filter(additional_data__event__in=[AUDIT_PASSWORD_RESET, AUDIT_UNLOCKED]).exists()


def test_unlock_lifts_the_lockout_and_is_audited(world, client, client_for):
    lock(world.member_user_a)
    page = client_for(world.secretary_a).get(reverse("core:grants")).content.decode()
    assert 'data-testid="locked"' in page and reverse("core:unlock", args=[world.member_user_a.pk]) in page
    response = client_for(world.secretary_a).post(reverse("core:unlock", args=[world.member_user_a.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = LogEntry.objects.get(additional_data__event=AUDIT_UNLOCKED)
    assert (entry.actor, entry.object_pk) == (world.secretary_a, str(world.member_user_a.pk))
    assert entry.additional_data["org_path"] == world.branch_a.path  # secretary A's audit scope
    with pytest.raises(ValidationError, match=ERR_NOT_LOCKED):
        account_unlock(acting_user=world.secretary_a, user=world.member_user_a)
    client.logout()
    assert client.post(reverse("login"), {"username": "member_a", "password": PASSWORD}).status_code == 302


def test_reset_page_shows_the_password_once_and_the_log_never(world, client_for):
    response = client_for(world.secretary_a).post(reverse("core:password_reset", args=[world.member_user_a.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = response.context["credentials"][0].password
    assert password in response.content.decode()
    assert User.objects.get(pk=world.member_user_a.pk).check_password(password)
    entry = LogEntry.objects.get(additional_data__event=AUDIT_PASSWORD_RESET)
    assert entry.actor == world.secretary_a
    every_entry = json.dumps(list(LogEntry.objects.values("changes", "additional_data", "object_repr")))
    assert password not in every_entry
    # Nor in the session (a database row) or a message cookie: only the blob's one-time number is kept.
    assert password not in json.dumps(dict(response.wsgi_request.session.items()))
    assert password not in str(response.cookies)


def test_the_accounts_page_searches_and_shows_only_the_scope(world, client_for):
    client = client_for(world.secretary_b)
    page = client.get(reverse("core:grants")).content.decode()
    assert "secretary_b" in page and "member_a" not in page
    found = client_for(world.admin).get(reverse("core:grants"), {"q": "王小"})
    assert [row.user for row in found.context["rows"]] == [world.member_user_a]


def test_new_password_passes_the_validators(db):
    for _ in range(50):
        password = new_password()
        validate_password(password, User(username="wangxiaoming", full_name="王小明"))
        assert len(password) == accounts.PASSWORD_LENGTH
        assert not set(password) & set("0O1lI")


# --- forced change --------------------------------------------------------------------------------------------


def test_a_user_with_a_temporary_password_reaches_only_the_change_page(world, client_for):
    world.member_user_a.must_change_password = True
    world.member_user_a.save()
    client = client_for(world.member_user_a)
    for url in (reverse("core:home"), reverse("members:detail", args=[world.member_a.pk]), reverse("core:tokens")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change"), url
    htmx = client.get(reverse("core:home"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "请先设置自己的新密码" in page.content.decode()
    same = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert ERR_SAME_PASSWORD in same.content.decode()
    assert User.objects.get(pk=world.member_user_a.pk).must_change_password
    new = "Hongqi#Piaopiao9"
    done = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert not User.objects.get(pk=world.member_user_a.pk).must_change_password
    assert client.get(reverse("members:detail", args=[world.member_a.pk])).status_code == 200


def test_logout_stays_open_with_a_temporary_password(world, client_for):
    world.member_user_a.must_change_password = True
    world.member_user_a.save()
    client = client_for(world.member_user_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_the_lockout_page_says_who_unlocks(db, client):
    user = UserFactory(username="locked_one")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    text = response.content.decode()
    assert "本支部书记或机关党委管理员解锁" in text and "账号与权限" in text
