"""The SQL path (meetings.compliance.compute) agrees with the pure rules (meetings.rules.branch_compliance) for every
branch and month, on random small trees and histories; its query count does not grow with the number of orgs."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.meetings import cells, compliance, rules
from dangjian.meetings.choices import Activity, MeetingStatus
from dangjian.meetings.models import ComplianceCell, Meeting, MeetingActivity
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db
CN = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 15)
MONTHS = rules.months_between((2025, 1), (2026, 3))
FIRST_DAY, LAST_DAY = date(2024, 11, 1), date(2026, 3, 15)
BRANCH_ACTIVITIES = [a for a in Activity.values if a != Activity.GROUP]


class Rollback(Exception):
    pass


@dataclass
class Base:
    root: Organization
    members: list
    admin: object


@pytest.fixture
def base(db) -> Base:
    root = OrgFactory(name="机关党委", kind=OrgKind.COMMITTEE)
    holder = OrgFactory(name="人员所在支部", parent=root)
    members = [MemberFactory(org=holder) for _ in range(4)]
    admin = UserFactory(username="cadmin")
    from dangjian.core.models import RoleGrant

    RoleGrant.objects.create(user=admin, role=Role.COMMITTEE_ADMIN, org=root)
    return Base(root, members, admin)


branch_spec = st.fixed_dictionaries(
    {
        "under": st.integers(0, 2),  # 0: the root, 1..: a 党总支
        "groups": st.integers(0, 2),
        "seats": st.integers(0, 4),  # current seats; 3+ is a committee
        "secretary": st.booleans(),
        "founded": st.one_of(st.none(), st.dates(date(2024, 6, 1), TODAY)),
    }
)
meeting_spec = st.fixed_dictionaries(
    {
        "org": st.integers(0, 40),  # an index into the tree's orgs (modulo)
        "day": st.dates(FIRST_DAY, LAST_DAY),
        "activities": st.sets(st.sampled_from(BRANCH_ACTIVITIES), min_size=1, max_size=3),
        "held": st.integers(0, 4).map(bool),  # mostly held
        "lecturer": st.integers(-1, 3),
    }
)


def build(base: Base, generals: int, specs: list[dict], meetings: list[dict]):
    root = Organization.objects.get(pk=base.root.pk)
    parents = [root] + [OrgFactory(kind=OrgKind.GENERAL_BRANCH, parent=root) for _ in range(generals)]
    branches: list[rules.Branch] = []
    orgs: list[Organization] = list(parents)
    for spec in specs:
        branch = OrgFactory(parent=parents[spec["under"] % len(parents)], established_on=spec["founded"])
        groups = [OrgFactory(kind=OrgKind.GROUP, parent=branch) for _ in range(spec["groups"])]
        orgs += [branch, *groups]
        secretary = None
        if spec["seats"]:
            term = CommitteeTerm.objects.create(org=branch, started_on=date(2024, 1, 1), ends_on=date(2027, 1, 1))
            for i in range(spec["seats"]):
                role = CommitteeRole.SECRETARY if i == 0 and spec["secretary"] else CommitteeRole.MEMBER
                CommitteeSeat.objects.create(term=term, member=base.members[i], role=role, started_on=term.started_on)
            # A seat that ended: never counted.
            CommitteeSeat.objects.create(
                term=term,
                member=base.members[3],
                role=CommitteeRole.MEMBER,
                started_on=term.started_on,
                ended_on=date(2024, 6, 1),
            ) if spec["seats"] < 4 else None
            secretary = base.members[0].pk if spec["secretary"] else None
        branch.refresh_from_db()
        branches.append(
            rules.Branch(
                pk=branch.pk,
                path=branch.path,
                has_committee=spec["seats"] >= rules.COMMITTEE_MIN_SEATS,
                groups=tuple(sorted(g.path for g in groups)),
                secretary=secretary,
                established_on=spec["founded"],
            )
        )
    paths = {o.pk: Organization.objects.get(pk=o.pk).path for o in orgs}
    history: list[rules.HeldActivity] = []
    for m in meetings:
        org = orgs[m["org"] % len(orgs)]
        activities = {Activity.GROUP} if org.kind == OrgKind.GROUP else m["activities"]
        lecturer = base.members[m["lecturer"]] if m["lecturer"] >= 0 else None
        starts = datetime.combine(m["day"], time(14), tzinfo=CN)
        meeting = Meeting.objects.create(
            org=org,
            topic="学习",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            status=MeetingStatus.HELD if m["held"] else MeetingStatus.PLANNED,
            lecturer=lecturer,
        )
        MeetingActivity.objects.bulk_create(
            MeetingActivity(meeting=meeting, activity=a, org=org, held_on=m["day"], held=m["held"]) for a in activities
        )
        if m["held"]:
            history += [
                rules.HeldActivity(paths[org.pk], a, m["day"], lecturer.pk if lecturer else None) for a in activities
            ]
    return branches, history


def cells_by_branch(expected: dict) -> dict:
    """The stored cells of the branches of `expected`: per branch, per (month, activity) the counts and missing."""
    found: dict = {pk: {} for pk in expected}
    rows = ComplianceCell.objects.filter(org_id__in=list(expected), month__in=[cells.first_day(m) for m in MONTHS])
    for c in rows:
        key = (rules.month_of(c.month), c.activity)
        found[c.org_id][key] = (rules.CellCounts(c.required, c.met, c.missed, c.due), c.missing)
    return found


def expected_cells(expected: dict) -> dict:
    """What the pure rules give for the same: a row for every month (activity ""), one per obligation."""
    result: dict = {}
    for pk, items in expected.items():
        result[pk] = {}
        for month in MONTHS:
            shown = [o for o in items if o.last == month]
            missing = ",".join(o.activity for o in shown if o.state == rules.MISSED)
            result[pk][(month, "")] = (rules.cell_counts(shown), missing)
            for o in shown:
                code = o.activity if o.state == rules.MISSED else ""
                result[pk][(month, o.activity)] = (rules.cell_counts([o]), code)
    return result


def test_the_sql_path_equals_the_rules(base, clock):
    clock.set(TODAY)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        generals=st.integers(0, 2),
        specs=st.lists(branch_spec, min_size=1, max_size=4),
        meetings=st.lists(meeting_spec, max_size=25),
        per_year=st.sampled_from([4, 2, 1]),
        pick=st.integers(0, 3),
    )
    def check(generals, specs, meetings, per_year, pick):
        try:
            with transaction.atomic():
                branches, history = build(base, generals, specs, meetings)
                with settings_override(per_year):
                    done = compliance.compute(fetched_by=base.admin, roots=[base.root], months=MONTHS)
                    expected = {
                        b.pk: rules.branch_compliance(
                            b, history, months=MONTHS, today=TODAY, lectures_per_year=per_year
                        )
                        for b in branches
                    }
                    got = {pk: items for pk, items in done.obligations.items() if pk in expected}
                    assert got == expected
                    # From one branch as the root: its ancestors' meetings still count for it.
                    one = branches[pick % len(branches)]
                    alone = compliance.compute(
                        fetched_by=base.admin, roots=[Organization.objects.get(pk=one.pk)], months=MONTHS
                    )
                    assert alone.obligations == {one.pk: expected[one.pk]}
                    # The materialised cells (meetings.cells), written by refresh_cells, hold the same.
                    cells.refresh_cells(today=TODAY)
                    assert cells_by_branch(expected) == expected_cells(expected)
                    for activity in (None, Activity.THEME_DAY):
                        kwargs = {"fetched_by": base.admin, "root": base.root, "months": MONTHS, "activity": activity}
                        assert compliance.compliance_overview(**kwargs) == compliance.compliance_overview_live(**kwargs)
                    assert compliance.obligations_panel(fetched_by=base.admin) == compliance.obligations_panel_live(
                        fetched_by=base.admin
                    )
                raise Rollback
        except Rollback:
            pass

    check()


class settings_override:
    def __init__(self, per_year):
        from django.test import override_settings

        self.inner = override_settings(MEETING_LECTURES_PER_YEAR=per_year)

    def __enter__(self):
        self.inner.enable()

    def __exit__(self, *exc):
        self.inner.disable()


@pytest.mark.parametrize("n", [2, 12])
def test_queries_do_not_grow_with_the_orgs(base, clock, n, django_assert_max_num_queries):
    clock.set(TODAY)
    specs = [{"under": i, "groups": 1, "seats": 3, "secretary": True, "founded": None} for i in range(n)]
    meetings = [
        {"org": i, "day": date(2025, 1 + i % 12, 3), "activities": {Activity.THEME_DAY}, "held": True, "lecturer": 0}
        for i in range(3 * n)
    ]
    build(base, 1, specs, meetings)
    cells.refresh_cells()
    with django_assert_max_num_queries(8):
        overview = compliance.compliance_overview(fetched_by=base.admin, root=base.root, months=MONTHS)
    assert overview.branches == n + 1  # and the members' branch
    with django_assert_max_num_queries(6):
        live = compliance.compliance_overview_live(fetched_by=base.admin, root=base.root, months=MONTHS)
    assert overview == live
    with django_assert_max_num_queries(6):
        compliance.org_compliance(fetched_by=base.admin, org=base.root, period=compliance.parse_period("2025"))
    with django_assert_max_num_queries(7):
        compliance.obligations_panel(fetched_by=base.admin)
