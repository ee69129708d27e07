"""The members' part of demo data set S (members/demo.py): valid people, committees and the §1 warnings on
purpose, history, one login per role."""

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.auth.password_validation import validate_password

from dangjian.core import clock as core_clock
from dangjian.core.demo import DEMO_PASSWORD, demo_seed
from dangjian.core.lib import idcard
from dangjian.core.models import RoleGrant, User
from dangjian.core.reminders import reminders_for
from dangjian.core.roles import Role
from dangjian.members import rules as member_rules
from dangjian.members.choices import Category, Gender, Status, TransferKind
from dangjian.members.demo import DEMO_USERNAMES
from dangjian.members.models import Member, StatusChange, Transfer
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.demo import DEMO_COMMITTEE_CODE
from dangjian.orgs.models import CommitteeSeat, Organization
from dangjian.orgs.selectors import current_terms, org_tree, org_warnings


@pytest.fixture
def demo(db):
    return demo_seed(today=core_clock.today())


def admin() -> User:
    return User.objects.get(username="admin")


def test_the_roster_fills_the_tree(demo):
    committee = Organization.objects.get(code=DEMO_COMMITTEE_CODE)
    for group in Organization.objects.filter(path__startswith=committee.path, kind=OrgKind.GROUP):
        assert Member.objects.filter(group=group).exists()
    accepted = Member.objects.filter(development__origin="pipeline").count()  # development/demo.py's 17 (审批)
    assert Member.objects.count() == 300 + accepted == demo.counts["党员"]
    assert Member.objects.filter(status=Status.ACTIVE).count() == demo.counts["在册党员"]


def test_every_member_is_valid_and_consistent(demo):
    # The roster's own (those accepted through development/demo.py have their own dates: an extended 预备期 …)
    members = list(Member.objects.exclude(development__origin="pipeline").select_related("org", "group"))
    for member in members:
        member.full_clean()  # ID checksum, birth date and gender agree with the number, join age, category dates
        card = idcard.parse(member.id_number)
        assert (card.birth_date, card.is_male) == (member.birth_date, member.gender == Gender.MALE)
        assert 2 <= len(member.name) <= 3
        assert member.name_pinyin and member.name_initials
        assert 3000 <= member.fee_base <= 15000
        assert member.joined_on >= member.birth_date + relativedelta(years=member_rules.MIN_JOIN_AGE)
        if member.category == Category.FULL:
            assert member.full_member_on == member.joined_on + relativedelta(years=1)
        else:
            assert member.full_member_on is None
            assert member.joined_on > core_clock.today() - relativedelta(years=1)
        if member.status == Status.ACTIVE and member.org.numchild:
            assert member.group is not None, f"{member} is in a branch with groups but in none"
    assert len({m.id_number for m in members}) == len(members)
    assert len({m.phone for m in members}) == len(members)
    assert all(len(m.phone) == 11 and m.phone[0] == "1" and m.phone[1] in "3456789" for m in members)
    probationary = sum(m.category == Category.PROBATIONARY for m in members)
    assert 0.06 * len(members) <= probationary <= 0.10 * len(members)
    assert sum(m.ethnicity == "汉族" for m in members) > 0.85 * len(members)
    assert len({m.ethnicity for m in members}) > 2


def test_branch_sizes_and_committees_follow_section_1(demo):
    branches = [o for o in org_tree(fetched_by=admin()) if o.kind == OrgKind.BRANCH]
    terms = current_terms([b.pk for b in branches])
    sizes = sorted(b.counts.total for b in branches)
    assert sizes[-1] <= 50 and sum(8 <= n <= 45 for n in sizes) >= 10
    for branch in branches:
        seats = CommitteeSeat.objects.filter(term=terms[branch.pk], ended_on__isnull=True)
        roles = sorted(seats.values_list("role", flat=True))
        assert roles.count(CommitteeRole.SECRETARY) == 1
        if branch.counts.full >= org_rules.MEMBERS_FOR_COMMITTEE:
            assert org_rules.COMMITTEE_SIZE_NORMAL[0] <= len(roles) <= org_rules.COMMITTEE_SIZE_NORMAL[1]
            assert {CommitteeRole.ORGANIZATION, CommitteeRole.PUBLICITY} <= set(roles)
        else:
            assert roles == [CommitteeRole.SECRETARY]
        for seat in seats.select_related("member"):
            assert seat.member.status == Status.ACTIVE and seat.member.category == Category.FULL
            assert seat.member.org_id == branch.pk
    for org in Organization.objects.exclude(kind=OrgKind.GROUP):
        for term in org.terms.all():
            assert term.ends_on == term.started_on + relativedelta(years=org_rules.TERM_YEARS[org.kind])


def test_the_section_1_warnings_appear(demo):
    found = {(w.org.code, w.level) for w in org_warnings(org_tree(fetched_by=admin()), today=core_clock.today())}
    assert {("ZB12", "warning"), ("ZB02", "info"), ("ZB08", "warning"), ("ZB10", "danger")} <= found
    # Only the planted ones: the rest of the demo is in order.
    assert {code for code, _ in found} == {"ZB12", "ZB02", "ZB08", "ZB10"}
    titles = [r.title for r in reminders_for(admin())]
    assert any(t.startswith("档案室党支部") for t in titles)
    assert any(t.startswith("机关服务中心党支部") for t in titles)
    shuji02 = User.objects.get(username="shuji02")
    assert any(r.title.startswith("人事处党支部") for r in reminders_for(shuji02))


def test_members_have_history(demo):
    changes = StatusChange.objects.all()
    assert changes.filter(to_status=Status.DECEASED).count() == 1
    assert changes.filter(to_status=Status.SUSPENDED).count() == 1
    assert Member.objects.filter(status=Status.TRANSFERRED_OUT).count() >= 3
    assert Transfer.objects.filter(kind=TransferKind.OUT).count() >= 4
    assert Transfer.objects.filter(kind=TransferKind.IN).count() == 1
    moved = Transfer.objects.get(kind=TransferKind.INTERNAL)
    assert moved.member.org == moved.to_org != moved.from_org
    # transfers lane: one letter near expiry (a 待办), one awaiting its receipt, the rest received, the move closed.
    assert moved.receipt_on == moved.transferred_on and moved.letter_number
    awaiting = Transfer.objects.filter(kind=TransferKind.OUT, receipt_on__isnull=True)
    assert awaiting.count() == 2
    assert any("介绍信将在" in r.title for r in reminders_for(admin()))
    assert not any("已过有效期" in r.title for r in reminders_for(admin()))
    for change in changes.select_related("member"):
        assert change.member.joined_on < change.changed_on <= core_clock.today()
        assert change.changed_by == admin()


def test_every_role_has_a_demo_login(demo):
    users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert users.count() == len(DEMO_USERNAMES)
    assert not users.filter(is_superuser=True).exists()
    grants = RoleGrant.objects.active().filter(user__in=users)
    assert set(grants.values_list("role", flat=True)) == set(Role.values)
    for user in users:
        assert user.check_password(DEMO_PASSWORD)
        validate_password(DEMO_PASSWORD, user)
        assert user.full_name
    member_user = User.objects.get(username="dangyuan01")
    assert member_user.member.org.code == "ZB01"
    assert member_user.full_name == member_user.member.name
    assert list(member_user.role_grants.values_list("role", "org__code")) == [(Role.MEMBER, "ZB01")]
    secretary = User.objects.get(username="shuji01")
    assert secretary.member.committee_seats.filter(role=CommitteeRole.SECRETARY, ended_on__isnull=True).exists()
    assert {a.username for a in demo.accounts} == set(DEMO_USERNAMES)
