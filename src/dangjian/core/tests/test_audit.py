"""audit_event: hand-made entries (what auditlog's signals do not see), filed where the audit page scopes them."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from dangjian.core.audit import audit_event, top_path
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db


def test_an_event_about_one_object_names_it(world):
    entry = audit_event(
        actor=world.admin,
        target=world.secretary_a,
        object_repr="重置两步验证",
        action=LogEntry.Action.UPDATE,
        org_path=top_path(world.secretary_a),
        data={"event": "reset"},
    )
    entry.refresh_from_db()
    assert (entry.content_type.model_class(), entry.object_pk, entry.object_id) == (
        User,
        str(world.secretary_a.pk),
        world.secretary_a.pk,
    )
    assert entry.additional_data == {"event": "reset", "org_path": world.branch_a.path}
    assert entry.actor == world.admin


def test_an_event_about_many_rows_names_their_model(world):
    entry = audit_event(
        actor=world.secretary_a, target=Member, object_repr="花名册导出", action=LogEntry.Action.ACCESS, org_path=""
    )
    entry.refresh_from_db()
    assert (entry.content_type.model_class(), entry.object_pk, entry.object_id) == (Member, "", None)
    assert entry.additional_data == {"org_path": ""}


def test_the_audit_page_scopes_an_event_by_its_org_path(world, client_for):
    for path, label in ((world.branch_a.path, "甲支部的事件"), (world.branch_b.path, "乙支部的事件")):
        audit_event(actor=world.admin, target=Member, object_repr=label, action=LogEntry.Action.ACCESS, org_path=path)
    branch_admin = User.objects.create(username="branch_a_admin")
    RoleGrant.objects.create(user=branch_admin, role=Role.COMMITTEE_ADMIN, org=world.branch_a)
    page = client_for(branch_admin).get(reverse("core:audit")).content.decode()
    assert "甲支部的事件" in page and "乙支部的事件" not in page


def test_top_path_is_the_highest_view_scope(world):
    assert top_path(world.admin) == world.committee.path
    assert top_path(world.secretary_b) == world.branch_b.path
    assert top_path(User.objects.create(username="nobody")) == ""
