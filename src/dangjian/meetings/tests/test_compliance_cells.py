"""The materialised compliance cells (meetings.cells): a meeting write updates the cells of the branches it counts
for in its own transaction; reads fill missing cells and recompute those a month end made stale; the nightly task
and the demo and scale producers leave cells; the cells agree with the live computation."""

from datetime import date, timedelta

import pytest

from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.meetings import cells, compliance, rules, tasks
from dangjian.meetings.choices import Activity
from dangjian.meetings.models import ComplianceCell
from dangjian.meetings.services import create_meeting, sync_activities
from dangjian.meetings.tests.helpers import local
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 15)


@pytest.fixture
def tree(db):
    root = OrgFactory(name="机关党委", kind=OrgKind.COMMITTEE)
    general = OrgFactory(name="第一党总支", kind=OrgKind.GENERAL_BRANCH, parent=root)
    b1 = OrgFactory(name="第一支部", parent=general)
    b2 = OrgFactory(name="第二支部", parent=general)
    b3 = OrgFactory(name="第三支部", parent=root)
    group = OrgFactory(name="第一小组", kind=OrgKind.GROUP, parent=b1)
    admin = UserFactory(username="cells_admin")
    RoleGrant.objects.create(user=admin, role=Role.COMMITTEE_ADMIN, org=root)
    return {"root": root, "general": general, "b1": b1, "b2": b2, "b3": b3, "group": group, "admin": admin}


def cell(org, month, activity=""):
    return ComplianceCell.objects.get(org=org, month=date(*month, 1), activity=activity)


def held(tree, org, day, activities):
    on = local(day)
    return create_meeting(
        by=tree["admin"],
        org=org,
        activities=activities,
        topic="学习",
        starts_at=on,
        ends_at=on + timedelta(hours=1),
        held=True,
    )


def test_a_recorded_meeting_updates_its_branch_at_once(tree, clock):
    clock.set(TODAY)
    cells.refresh_cells()
    assert cell(tree["b1"], (2026, 3), Activity.THEME_DAY).due == 1
    assert cell(tree["b1"], (2026, 3), Activity.ASSEMBLY).due == 1  # the quarter's, shown in its last month
    untouched = cell(tree["b3"], (2026, 3)).computed_at
    held(tree, tree["b1"], date(2026, 3, 3), [Activity.THEME_DAY])
    held(tree, tree["b1"], date(2026, 2, 10), [Activity.ASSEMBLY])
    assert cell(tree["b1"], (2026, 3), Activity.THEME_DAY).met == 1
    assert cell(tree["b1"], (2026, 3), Activity.ASSEMBLY).met == 1
    assert cell(tree["b2"], (2026, 3), Activity.THEME_DAY).due == 1  # another branch's meeting: not its own
    assert cell(tree["b3"], (2026, 3)).computed_at == untouched  # nor recomputed
    # A 党小组's 党小组会 counts for its branch.
    held(tree, tree["group"], date(2026, 3, 5), [Activity.GROUP])
    assert cell(tree["b1"], (2026, 3), Activity.GROUP).met == 1


def test_a_general_branch_meeting_updates_the_branches_below(tree, clock):
    clock.set(TODAY)
    cells.refresh_cells()
    meeting = held(tree, tree["general"], date(2026, 3, 4), [Activity.THEME_DAY])
    for branch in (tree["b1"], tree["b2"]):
        assert cell(branch, (2026, 3), Activity.THEME_DAY).met == 1
    assert cell(tree["b3"], (2026, 3), Activity.THEME_DAY).met == 0
    # Moved to another org (what the services' writes do through sync_activities): both sides follow.
    meeting.org = tree["b3"]
    meeting.save()
    sync_activities(meeting, [Activity.THEME_DAY])
    assert cell(tree["b1"], (2026, 3), Activity.THEME_DAY).met == 0
    assert cell(tree["b3"], (2026, 3), Activity.THEME_DAY).met == 1


def test_reads_fill_missing_cells_and_equal_the_live_path(tree, clock):
    clock.set(TODAY)
    held(tree, tree["b1"], date(2026, 1, 3), [Activity.THEME_DAY])
    ComplianceCell.objects.all().delete()  # a fresh install: nobody refreshed
    months = compliance.last_months(TODAY, 12)
    kwargs = {"fetched_by": tree["admin"], "months": months}
    assert compliance.compliance_overview(**kwargs) == compliance.compliance_overview_live(**kwargs)
    assert ComplianceCell.objects.filter(org=tree["b3"], activity="").count() == 12
    assert compliance.obligations_panel(fetched_by=tree["admin"]) == compliance.obligations_panel_live(
        fetched_by=tree["admin"]
    )


def test_a_month_end_turns_due_into_missed_at_the_next_read(tree, clock):
    clock.set(TODAY)
    cells.refresh_cells()
    assert cell(tree["b3"], (2026, 3)).due > 0
    clock.set(date(2026, 4, 2))
    months = compliance.last_months(date(2026, 4, 2), 12)
    kwargs = {"fetched_by": tree["admin"], "months": months}
    overview = compliance.compliance_overview(**kwargs)
    assert overview == compliance.compliance_overview_live(**kwargs)
    march = cell(tree["b3"], (2026, 3))
    assert march.due == 0 and march.missed > 0 and march.as_of == date(2026, 4, 1)
    assert Activity.THEME_DAY in march.missing.split(",")


def test_a_new_branch_gets_its_cells_at_the_next_read(tree, clock):
    clock.set(TODAY)
    cells.refresh_cells()
    late = OrgFactory(name="新支部", parent=tree["root"])
    months = compliance.last_months(TODAY, 3)
    overview = compliance.compliance_overview(fetched_by=tree["admin"], months=months)
    assert overview.branches == 4
    assert ComplianceCell.objects.filter(org=late, activity="").count() == 3


def test_the_nightly_task_recomputes_every_branch(tree, clock):
    clock.set(TODAY)
    held(tree, tree["b2"], date(2026, 3, 3), [Activity.THEME_DAY])
    ComplianceCell.objects.all().delete()
    tasks.refresh_compliance_cells.call_local()
    months = cells.default_months(TODAY)
    assert ComplianceCell.objects.filter(activity="").count() == 3 * len(months)
    assert cell(tree["b2"], (2026, 3), Activity.THEME_DAY).met == 1
    assert rules.month_of(min(ComplianceCell.objects.values_list("month", flat=True))) == (2024, 4)
    assert rules.month_of(max(ComplianceCell.objects.values_list("month", flat=True))) == (2026, 12)


def test_a_meeting_written_while_the_nightly_refresh_runs_is_not_lost(tree, clock, monkeypatch):
    """The refresh reads every branch, a meeting is recorded (its own cells written), then the refresh writes what it
    read before: the branches of meetings written meanwhile are recomputed once more."""
    clock.set(TODAY)
    compute = compliance.compute
    calls = []

    def compute_then_a_write(**kwargs):
        result = compute(**kwargs)
        calls.append(kwargs["roots"])
        if len(calls) == 1:
            held(tree, tree["b2"], date(2026, 3, 3), [Activity.THEME_DAY])  # its own refresh is the second call
        return result

    monkeypatch.setattr(compliance, "compute", compute_then_a_write)
    tasks.refresh_compliance_cells.call_local()
    assert cell(tree["b2"], (2026, 3), Activity.THEME_DAY).met == 1
    assert [r.pk for r in calls[-1]] == [tree["b2"].pk]  # the catch-up: that branch alone


def test_a_dissolved_branch_loses_its_cells_at_the_refresh(tree, clock):
    clock.set(TODAY)
    cells.refresh_cells()
    tree["b3"].dissolved_on = TODAY
    tree["b3"].save()
    cells.refresh_cells()
    assert not ComplianceCell.objects.filter(org=tree["b3"]).exists()
