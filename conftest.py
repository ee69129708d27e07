"""Shared personas (CONVENTIONS.md): a committee admin at the root, the secretary, a committee member and a
plain member of branch A, the secretary of branch B (the outsider), and an inspector over the whole tree."""

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from dangjian.core import clock as core_clock
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.tests.factories import OrgFactory

# No per-example deadline: CI's 2-core machine runs the suite beside other work, and a slow example is not a failure.
hypothesis_settings.register_profile("dangjian", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("dangjian")


@dataclass
class World:
    committee: Organization
    general: Organization
    branch_a: Organization
    group_a: Organization
    branch_b: Organization
    member_a: Member
    member_a2: Member
    member_b: Member
    term_a: CommitteeTerm
    seat_a: CommitteeSeat
    term_b: CommitteeTerm
    seat_b: CommitteeSeat
    admin: User
    secretary_a: User
    committee_member_a: User
    member_user_a: User
    secretary_b: User
    inspector: User

    def personas(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "secretary_a": self.secretary_a,
            "committee_member_a": self.committee_member_a,
            "member_user_a": self.member_user_a,
            "secretary_b": self.secretary_b,
            "inspector": self.inspector,
        }


def grant(user: User, role: str, org: Organization) -> User:
    RoleGrant.objects.create(user=user, role=role, org=org)
    return user


@pytest.fixture
def world(db) -> World:
    committee = OrgFactory(name="测试机关党委", kind=OrgKind.COMMITTEE, code="JG")
    general = OrgFactory(name="第一党总支", kind=OrgKind.GENERAL_BRANCH, code="ZZ1", parent=committee)
    branch_a = OrgFactory(name="办公室党支部", code="A", department="办公室", parent=general)
    group_a = OrgFactory(name="第一党小组", kind=OrgKind.GROUP, code="A-1", parent=branch_a)
    branch_b = OrgFactory(name="财务处党支部", code="B", department="财务处", parent=committee)
    member_user_a = UserFactory(username="member_a", full_name="王小明")
    # Fixed birth dates: a factory sequence would make ages depend on how many tests ran before.
    member_a = MemberFactory(
        name="王小明", org=branch_a, group=group_a, user=member_user_a, birth_date=date(1985, 3, 10)
    )
    member_a2 = MemberFactory(name="张宏伟", org=branch_a, birth_date=date(1978, 11, 2))
    member_b = MemberFactory(name="李秀英", org=branch_b, gender="F", birth_date=date(1982, 6, 15))
    term_a = CommitteeTerm.objects.create(org=branch_a, started_on=date(2025, 1, 10), ends_on=date(2028, 1, 10))
    term_b = CommitteeTerm.objects.create(org=branch_b, started_on=date(2025, 1, 10), ends_on=date(2028, 1, 10))
    seat = CommitteeRole.SECRETARY
    return World(
        committee=committee,
        general=general,
        branch_a=branch_a,
        group_a=group_a,
        branch_b=branch_b,
        member_a=member_a,
        member_a2=member_a2,
        member_b=member_b,
        term_a=term_a,
        seat_a=CommitteeSeat.objects.create(term=term_a, member=member_a2, role=seat, started_on=term_a.started_on),
        term_b=term_b,
        seat_b=CommitteeSeat.objects.create(term=term_b, member=member_b, role=seat, started_on=term_b.started_on),
        admin=grant(UserFactory(username="admin"), Role.COMMITTEE_ADMIN, committee),
        secretary_a=grant(UserFactory(username="secretary_a"), Role.SECRETARY, branch_a),
        committee_member_a=grant(UserFactory(username="cm_a"), Role.COMMITTEE_MEMBER, branch_a),
        member_user_a=grant(member_user_a, Role.MEMBER, branch_a),
        secretary_b=grant(UserFactory(username="secretary_b"), Role.SECRETARY, branch_b),
        inspector=grant(UserFactory(username="inspector"), Role.INSPECTOR, committee),
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last (after pytest-django's own ordering): once Playwright's event loop runs in this thread,
    Django hands the thread a second set of database connections (asgiref's Local keys them by "is a loop
    running"), and no other test should run on those. Among them the ones marked `slow` first: with one worker per
    core (pytest-xdist) the longest start while the others still have work to take."""
    items.sort(key=lambda item: (item.get_closest_marker("browser") is not None, "slow" not in item.keywords))


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploads and exports of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "files"


#: CI runs the whole suite with "today" moved to this date (YYYY-MM-DD), e.g. a leap day or 31 December.
TEST_TODAY_VAR = "DANGJIAN_TEST_TODAY"
MOVED_TODAY = date.fromisoformat(os.environ[TEST_TODAY_VAR]) if os.environ.get(TEST_TODAY_VAR) else None


class Clock:
    """A test's hand on core.clock (time-machine underneath): `set(day)` makes it that day in China; time flows on."""

    def __init__(self, machine) -> None:
        self._machine = machine

    def set(self, day: date, at: time = time(10)) -> date:
        """Move to `at` o'clock China time on `day`: mid-morning by default, so no test runs across midnight."""
        self._machine.move_to(datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=True)
        return day

    def today(self) -> date:
        return core_clock.today()


@pytest.fixture
def clock(time_machine) -> Clock:
    """The one way a test sets "today": already moved to DANGJIAN_TEST_TODAY when that is set."""
    hand = Clock(time_machine)
    if MOVED_TODAY:
        hand.set(MOVED_TODAY)
    return hand


@pytest.fixture
def tomorrow(clock) -> date:
    """The first day a "not in the future" rule refuses."""
    return clock.today() + timedelta(days=1)


@pytest.fixture(autouse=True)
def moved_clock(request) -> None:
    """With DANGJIAN_TEST_TODAY set every test runs on that day. Browser tests keep the real date: Chromium has its
    own clock and would drop the cookies a server a year behind it sets."""
    if MOVED_TODAY and request.node.get_closest_marker("browser") is None:
        request.getfixturevalue("clock")


@pytest.fixture
def client_for(client):
    """client_for(user) -> the test client logged in as that user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_get(client):
    """api_get(user, url, **params) -> the response to GET url with a bearer token of that user (one per user)."""
    from dangjian.core.services import token_create

    keys = {}

    def get(user, url, **params):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {keys[user.pk]}")

    return get
