"""Lost updates (issue 10) on the org pages: an edit, move or dissolve made from an older version is refused."""

import re

import pytest
from django.urls import reverse

from dangjian.core.tests.form_pages import alert, hidden_version
from dangjian.orgs import services
from dangjian.orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_a_stale_org_edit_is_refused_with_the_changed_fields_and_keeps_the_input(world, client_for):
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    assert hidden_version(client_for(world.secretary_a).get(url)) == 1
    # The admin renames the branch in the meantime.
    response = client_for(world.admin).post(url, {"name": "综合办党支部", "code": "A", "version": 1})
    assert response.status_code == 302
    # The secretary saves the form they opened before, with a new department.
    mine = {"name": "办公室党支部", "code": "A", "department": "综合科", "version": 1}
    response = client_for(world.secretary_a).post(url, mine)
    assert response.status_code == 400
    assert re.fullmatch(
        rf"保存失败：在您打开此页面后，{world.admin}已于 \d\d:\d\d 修改了该党组织信息。"
        r"以下字段已变化：名称（现为 综合办党支部）、对应业务科室（现为 （空））。请核对后重新保存。",
        alert(response),
    ), alert(response)
    branch = Organization.objects.get(pk=world.branch_a.pk)
    assert (branch.name, branch.department) == ("综合办党支部", "")
    assert 'value="综合科"' in response.content.decode()
    assert hidden_version(response) == 2
    # Knowingly again, keeping the admin's name: saved.
    response = client_for(world.secretary_a).post(url, {**mine, "name": "综合办党支部", "version": 2})
    assert response.status_code == 302
    branch = Organization.objects.get(pk=world.branch_a.pk)
    assert (branch.name, branch.department, branch.version) == ("综合办党支部", "综合科", 3)


def test_an_edit_keeps_a_move_made_meanwhile(world):
    """The edit writes its own fields only: a stale instance does not put the org back where it was."""
    stale = Organization.objects.get(pk=world.branch_a.pk)
    services.org_move(acting_user=world.admin, org=world.branch_a, new_parent=world.committee, version=1)
    moved = Organization.objects.get(pk=world.branch_a.pk)
    assert moved.version == 2
    services.org_update(acting_user=world.admin, org=stale, version=2, department="综合科")
    branch = Organization.objects.get(pk=world.branch_a.pk)
    assert (branch.path, branch.department) == (moved.path, "综合科")
    assert Organization.objects.get_parent(branch) == world.committee


def test_a_stale_dissolve_is_refused(world, client_for):
    empty = Organization.objects.get(pk=world.group_a.pk)
    services.org_update(acting_user=world.admin, org=empty, version=1, remark="将撤销")
    response = client_for(world.admin).post(
        reverse("orgs:dissolve", args=[empty.pk]), {"dissolved_on": "2026-01-01", "version": 1}
    )
    assert response.status_code == 400
    assert "备注（现为 将撤销）" in alert(response)
    assert Organization.objects.get(pk=empty.pk).dissolved_on is None
