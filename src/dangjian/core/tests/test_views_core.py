"""The page shell (navigation by role, scope switcher, Chinese dates), reminders, grants and the audit page."""

from datetime import date, datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dangjian.core import reminders
from dangjian.core.models import RoleGrant
from dangjian.core.reminders import Reminder, reminder_producer, reminders_for
from dangjian.core.roles import Role
from dangjian.core.services import ERR_GRANT_OUT_OF_SCOPE, ERR_REVOKE_SELF, grant_create
from dangjian.core.shell import ACTIVE_GRANT_SESSION_KEY
from dangjian.core.templatetags.dangjian import cn_date
from dangjian.core.tests.factories import UserFactory
from dangjian.members.services import member_update
from dangjian.members.tests.factories import member_form_data

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    return [item.label for item in response.context["nav_items"]]


def test_navigation_shows_only_what_the_role_may_use(world, client_for):
    assert nav_labels(client_for(world.admin).get("/")) == [
        "首页",
        "组织机构",
        "党员花名册",
        "党员统计",
        "组织生活",
        "党费",
        "发展党员",
        "学习培训",
        "党员之声",
        "账号与权限",
        "审计日志",
        "系统状态",
    ]
    # A secretary manages the logins and lower roles of their branch (core.roles.GRANTABLE).
    secretary_nav = [
        "首页",
        "组织机构",
        "党员花名册",
        "党员统计",
        "组织生活",
        "党费",
        "发展党员",
        "学习培训",
        "党员之声",
        "账号与权限",
    ]
    assert nav_labels(client_for(world.secretary_a).get("/")) == secretary_nav
    inspector_nav = [
        "首页",
        "组织机构",
        "党员花名册",
        "党员统计",
        "组织生活",
        "党费",
        "发展党员",
        "学习培训",
        "党员之声",
        "审计日志",
    ]
    assert nav_labels(client_for(world.inspector).get("/")) == inspector_nav
    assert nav_labels(client_for(world.member_user_a).get("/")) == ["首页"]


def test_member_home_links_to_own_record(world, client_for):
    response = client_for(world.member_user_a).get("/")
    assert reverse("members:detail", args=[world.member_a.pk]) in response.content.decode()


def test_scope_switcher_lists_grants_and_switches(world, client_for):
    RoleGrant.objects.create(user=world.secretary_a, role=Role.INSPECTOR, org=world.branch_b)
    client = client_for(world.secretary_a)
    page = client.get("/").content.decode()
    assert "切换工作范围" in page
    assert "财务处党支部 · 纪检/监督" in page
    second = RoleGrant.objects.get(user=world.secretary_a, role=Role.INSPECTOR)
    response = client.post(reverse("core:scope_switch"), {"grant": second.pk})
    assert response.status_code == 302
    assert client.session[ACTIVE_GRANT_SESSION_KEY] == second.pk
    assert client.get("/").context["active_grant"] == second


def test_scope_switcher_refuses_someone_elses_grant(world, client_for):
    client = client_for(world.secretary_a)
    response = client.post(reverse("core:scope_switch"), {"grant": world.secretary_b.grants[0].pk})
    assert response.status_code == 404
    assert ACTIVE_GRANT_SESSION_KEY not in client.session


def test_single_grant_shows_scope_without_switcher(world, client_for):
    page = client_for(world.secretary_b).get("/").content.decode()
    assert "财务处党支部 · 支部书记" in page
    assert "切换工作范围" not in page


def test_chinese_dates():
    assert cn_date(date(2026, 11, 29)) == "2026年11月29日"
    assert cn_date(datetime(2026, 1, 5, 8, 30)) == "2026年1月5日 08:30"
    assert cn_date(None) == ""


def test_reminders_registry_collects_producers_sorted_by_level(world, monkeypatch):
    monkeypatch.setattr(reminders, "_producers", [])

    @reminder_producer
    def low(user):
        return [Reminder(level="info", title="乙")]

    @reminder_producer
    def high(user):
        return [Reminder(level="danger", title="甲")] if user == world.admin else []

    assert [r.title for r in reminders_for(world.admin)] == ["甲", "乙"]
    assert [r.title for r in reminders_for(world.secretary_b)] == ["乙"]


def test_grant_page_creates_account_and_grant(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("core:grants"),
        {"username": "new_secretary", "full_name": "赵新", "role": Role.SECRETARY, "org": world.branch_b.pk},
        follow=True,
    )
    assert "初始密码" in response.content.decode()
    grant = RoleGrant.objects.get(user__username="new_secretary")
    assert (grant.role, grant.org, grant.granted_by) == (Role.SECRETARY, world.branch_b, world.admin)
    assert grant.user.has_usable_password()


def test_grant_page_refuses_duplicate_with_message(world, client_for):
    client = client_for(world.admin)
    response = client.post(
        reverse("core:grants"),
        {"username": "secretary_a", "full_name": "", "role": Role.SECRETARY, "org": world.branch_a.pk},
    )
    assert "该用户在此组织已有相同角色" in response.content.decode()
    assert RoleGrant.objects.filter(user=world.secretary_a, role=Role.SECRETARY).count() == 1


def test_subtree_admin_cannot_grant_outside_subtree(world, client_for):
    sub_admin = UserFactory(username="sub_admin")
    RoleGrant.objects.create(user=sub_admin, role=Role.COMMITTEE_ADMIN, org=world.general)
    client = client_for(sub_admin)
    response = client.post(
        reverse("core:grants"), {"username": "x1", "full_name": "", "role": Role.SECRETARY, "org": world.branch_b.pk}
    )
    assert response.status_code == 200
    assert "org" in response.context["form"].errors  # branch B is not among the choices
    assert not RoleGrant.objects.filter(user__username="x1").exists()
    with pytest.raises(PermissionDenied, match=ERR_GRANT_OUT_OF_SCOPE):
        grant_create(acting_user=sub_admin, username="x1", full_name="", role=Role.SECRETARY, org=world.branch_b)
    assert not RoleGrant.objects.filter(user__username="x1").exists()


def test_revoke_keeps_the_grant_row_and_ends_access(world, client_for):
    grant = world.secretary_b.grants[0]
    response = client_for(world.admin).post(reverse("core:grant_revoke", args=[grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    fresh = type(world.secretary_b).objects.get(pk=world.secretary_b.pk)
    assert fresh.grants == []


def test_admin_cannot_revoke_own_admin_grant(world, client_for):
    client = client_for(world.admin)
    response = client.post(reverse("core:grant_revoke", args=[world.admin.grants[0].pk]), follow=True)
    assert ERR_REVOKE_SELF in response.content.decode()
    assert RoleGrant.objects.get(pk=world.admin.grants[0].pk).revoked_at is None


def test_audit_page_shows_actor_ip_and_changed_fields_in_scope(world, client_for):
    client = client_for(world.secretary_a)
    client.post(
        reverse("members:edit", args=[world.member_a.pk]),
        member_form_data(world.member_a, position="副主任科员"),
        REMOTE_ADDR="10.1.2.3",
    )
    entry = LogEntry.objects.get_for_object(world.member_a).latest("timestamp")
    assert entry.actor == world.secretary_a
    assert entry.remote_addr == "10.1.2.3"
    assert "position" in entry.changes_dict

    page = client_for(world.admin).get(reverse("core:audit")).content.decode()
    assert "副主任科员" in page and "10.1.2.3" in page


def test_audit_page_is_scoped_to_the_admins_subtree(world, client_for):
    member_update(acting_user=world.admin, member=world.member_b, position="处长助理")
    sub_admin = UserFactory(username="sub_admin")
    RoleGrant.objects.create(user=sub_admin, role=Role.COMMITTEE_ADMIN, org=world.general)
    page = client_for(sub_admin).get(reverse("core:audit")).content.decode()
    assert "处长助理" not in page  # branch B is outside the general branch
    assert "处长助理" in client_for(world.admin).get(reverse("core:audit")).content.decode()


@pytest.mark.parametrize(
    ("url_name", "active"),
    [
        ("members:list", "党员花名册"),
        ("members:stats", "党员统计"),
        ("orgs:tree", "组织机构"),
        ("core:audit", "审计日志"),
    ],
)
def test_one_navigation_item_is_active(world, client_for, url_name, active):
    response = client_for(world.admin).get(reverse(url_name))
    assert response.context["nav_active"].label == active
    assert response.content.decode().count('class="nav-link active"') == 1
