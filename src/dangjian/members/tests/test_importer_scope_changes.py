"""The importer's scope when it changes under an import: checked again inside the writing transaction (a grant
revoked or a branch moved while the file is being read), and checked afresh when a preview is confirmed."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import Job, RoleGrant
from dangjian.core.roles import Capability, Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.importer import RowError, import_members, services
from dangjian.members.importer.jobs import IMPORT_KIND
from dangjian.members.models import Member
from dangjian.orgs.services import org_move

from .test_import_views import row, upload
from .test_importer_support import good_row, write_xlsx

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int]:
    return Member.objects.count(), LogEntry.objects.count()


@pytest.fixture
def general_secretary(world):
    """The secretary of the 党总支 over branch A (branch B is outside their scope)."""
    user = UserFactory(username="general_secretary")
    RoleGrant.objects.create(user=user, role=Role.SECRETARY, org=world.general)
    return user


def test_a_grant_revoked_while_the_import_runs_writes_nothing(world, tmp_path):
    """The user was loaded with their grants before an admin revoked the one the file needs (a job loads its user
    once): the rows pass the check against those grants, the scope read again before the commit refuses."""
    user = world.secretary_a
    assert user.can(Capability.CHANGE, world.branch_a.path)  # the grants as loaded when the import started
    RoleGrant.objects.filter(user=user).update(revoked_at=timezone.now())
    before = counts()
    report = import_members(acting_user=user, path=write_xlsx(tmp_path / "r.xlsx", [good_row()]))
    assert report.errors == [RowError(0, "", services.ERR_SCOPE_CHANGED)]
    assert (report.created, report.updated, counts()) == (0, 0, before)


@pytest.mark.parametrize("update", [False, True])
def test_a_branch_moved_out_of_the_scope_while_the_import_runs_writes_nothing(
    world, tmp_path, general_secretary, update
):
    moved = []

    def move_branch_a_away(done: int, total: int, phase: str = "") -> None:
        """Progress is reported on the importing thread after each batch, between the check and the commit."""
        if not moved:
            moved.append(org_move(acting_user=world.admin, org=world.branch_a, new_parent=world.committee))

    a = world.member_a
    known = {"公民身份号码": a.id_number, "birth": a.birth_date, "入党日期": a.joined_on, "转正日期": a.full_member_on}
    rows = [good_row(), good_row(联系电话="13700000000", **known)] if update else [good_row()]
    before = counts()
    report = import_members(
        acting_user=general_secretary,
        path=write_xlsx(tmp_path / "m.xlsx", rows),
        update=update,
        progress=move_branch_a_away,
    )
    assert moved, "the branch was not moved during the import"
    assert report.errors == [RowError(0, "", services.ERR_SCOPE_CHANGED)]
    assert (report.created, report.updated, counts()) == (0, 0, before)
    a.refresh_from_db()
    assert a.phone != "13700000000"


def test_the_same_import_goes_through_when_nothing_changes(world, tmp_path, general_secretary):
    """The control for the two above: the same user, file and progress reporting, and the rows are written."""
    before = counts()
    report = import_members(
        acting_user=general_secretary, path=write_xlsx(tmp_path / "m.xlsx", [good_row()]), progress=lambda *a: None
    )
    assert report.ok, report.errors
    assert counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("change", ["grant_revoked", "branch_moved"])
def test_a_preview_confirmed_after_the_scope_changed_writes_nothing(
    world, client_for, tmp_path, general_secretary, change, django_capture_on_commit_callbacks
):
    client = client_for(general_secretary)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, tmp_path, [row("赵海燕", branch="办公室党支部")])
    preview = Job.objects.get(kind=IMPORT_KIND)
    assert preview.result["ok"] is True
    if change == "grant_revoked":
        RoleGrant.objects.filter(user=general_secretary).update(revoked_at=timezone.now())
    else:
        org_move(acting_user=world.admin, org=world.branch_a, new_parent=world.committee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    if change == "grant_revoked":
        assert response.status_code == 404  # no grant left: the import pages are not theirs any more
    else:
        run = Job.objects.exclude(pk=preview.pk).get(kind=IMPORT_KIND)
        assert run.result["ok"] is False
        assert [(e["row"], e["column"]) for e in run.result["errors"]] == [(2, "所在党支部")]
    assert not Member.objects.filter(name="赵海燕").exists()
