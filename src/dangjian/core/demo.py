"""Demo data set S (DESIGN.md "Scale targets"): 1 机关党委, 2 党总支, 12 党支部, 300 members, demo accounts.

Deterministic for a given `seed` and `today`, so screenshots, manuals and tests see the same people. The set
deliberately contains the DOMAIN.md §1 situations the 待办 list reports (a branch with only 2 full members,
a term about to expire, one expired, one more than a year overdue) and some member history (转出, 转入,
去世, 停止党籍, 系统内调整), so a fresh `make run` shows every page with something on it.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from dangjian.core.datagen import (
    BRANCH_SEATS,
    COMMITTEE_SEATS,
    DEPUTY,
    GENERAL_BRANCH_SEATS,
    HEAD,
    STAFF,
    PeopleGenerator,
    branch_seat_count,
    deputies_for,
)
from dangjian.core.lib.dates import age_on
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member
from dangjian.members.services import (
    fill_pinyin,
    member_change_status,
    member_move,
    member_transfer_in,
    member_transfer_out,
    member_update,
)
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization

DEMO_COMMITTEE_CODE = "JGDW"
#: One password for every demo account, printed by `seed_demo`; it passes the project's password validators.
DEMO_PASSWORD = "Demo#2026dj"

ERR_USERNAME_TAKEN = "用户名 {names} 已被占用，无法创建演示账号；请换一个空数据库后再载入演示数据"
ERR_FUTURE_TODAY = "演示数据的基准日期不能晚于今天"


class DemoSeedError(Exception):
    """The demo cannot be loaded into this database (the message is for the user, in Chinese)."""


# --- The organisation plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchPlan:
    code: str
    department: str
    size: int  # members on the roster (all statuses)
    parent: str  # code of the committee or general branch above
    head_title: str  # 处长 or 主任 (the deputy is 副处长 / 副主任)
    groups: int = 0
    #: "" a term in mid-course; "expiring" within 2 months; "expired" ~4 months ago; "overdue" over a year ago
    term: str = ""
    #: members of this branch that are 预备党员 (None: drawn at random with the rest of the set)
    probationary: int | None = None


COMMITTEE_NAME = "示范局机关党委"
GENERAL_BRANCHES = [("ZZ01", "机关第一党总支", date(2017, 3, 16)), ("ZZ02", "机关第二党总支", date(2017, 3, 16))]
BRANCHES = [
    BranchPlan("ZB01", "办公室", 32, "ZZ01", "主任", groups=2),
    BranchPlan("ZB02", "人事处", 22, "ZZ01", "处长", term="expiring"),
    BranchPlan("ZB03", "财务处", 18, "ZZ01", "处长"),
    BranchPlan("ZB04", "政策法规处", 15, "ZZ02", "处长"),
    BranchPlan("ZB05", "信息中心", 45, "ZZ02", "主任", groups=3),
    BranchPlan("ZB06", "行政审批处", 30, "ZZ02", "处长", groups=2),
    BranchPlan("ZB07", "规划发展处", 40, DEMO_COMMITTEE_CODE, "处长", groups=3),
    BranchPlan("ZB08", "监督检查处", 36, DEMO_COMMITTEE_CODE, "处长", groups=2, term="expired"),
    BranchPlan("ZB09", "科技与标准处", 28, DEMO_COMMITTEE_CODE, "处长", groups=2),
    BranchPlan("ZB10", "机关服务中心", 25, DEMO_COMMITTEE_CODE, "主任", term="overdue"),
    BranchPlan("ZB11", "离退休干部处", 6, DEMO_COMMITTEE_CODE, "处长", probationary=0),
    # §1: fewer than 3 full members (支部条例 第五条) — 2 full and 1 probationary.
    BranchPlan("ZB12", "档案室", 3, DEMO_COMMITTEE_CODE, "主任", probationary=1),
]
#: Share of 预备党员 over the whole set (~8%).
PROBATIONARY_SHARE = 0.08
GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组"]

# --- Accounts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountPlan:
    username: str
    role: str
    org_code: str
    #: which member the login belongs to: (org code, committee role) of a current seat, or "member" for a
    #: plain member of org_code
    person: tuple[str, str]


ACCOUNTS = [
    AccountPlan("admin", Role.COMMITTEE_ADMIN, DEMO_COMMITTEE_CODE, (DEMO_COMMITTEE_CODE, CommitteeRole.ORGANIZATION)),
    AccountPlan("shuji01", Role.SECRETARY, "ZB01", ("ZB01", CommitteeRole.SECRETARY)),
    AccountPlan("shuji02", Role.SECRETARY, "ZB02", ("ZB02", CommitteeRole.SECRETARY)),
    AccountPlan("zhiwei01", Role.COMMITTEE_MEMBER, "ZB01", ("ZB01", CommitteeRole.ORGANIZATION)),
    AccountPlan("jijian", Role.INSPECTOR, DEMO_COMMITTEE_CODE, (DEMO_COMMITTEE_CODE, CommitteeRole.DISCIPLINE)),
    AccountPlan("dangyuan01", Role.MEMBER, "ZB01", ("ZB01", "member")),
]
DEMO_USERNAMES = [a.username for a in ACCOUNTS]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str  # the role's label, e.g. 支部书记
    org: str


@dataclass(frozen=True)
class DemoResult:
    created: bool  # False: the demo was already there and nothing was written
    committee: Organization
    password: str
    accounts: list[DemoAccount]
    counts: dict[str, int]  # label (党支部, 在册党员 …) → number, over the demo committee's subtree


def demo_seed(*, seed: int = 2026, today: date | None = None) -> DemoResult:
    """Load data set S unless the demo committee exists already (then only report the accounts).

    `today` anchors every relative date (terms expiring, probation); it must not lie after the real date,
    since the roster refuses dates in the future.
    """
    today = today or date.today()
    if today > date.today():
        raise DemoSeedError(ERR_FUTURE_TODAY)
    committee = Organization.objects.filter(code=DEMO_COMMITTEE_CODE).first()
    created = committee is None
    if created:
        taken = list(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise DemoSeedError(ERR_USERNAME_TAKEN.format(names="、".join(sorted(taken))))
        with transaction.atomic(), disable_auditlog():
            committee = _Builder(random.Random(seed), today).build()
    return DemoResult(
        created=created,
        committee=committee,
        password=DEMO_PASSWORD,
        accounts=demo_accounts(),
        counts=_counts(committee),
    )


def demo_accounts() -> list[DemoAccount]:
    """The demo logins as they are in the database now (in plan order), one row per active grant."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    grants = RoleGrant.objects.active().filter(user__in=users.values()).select_related("org", "user")
    by_user: dict[str, list[RoleGrant]] = {}
    for grant in grants.order_by("org__path", "role"):
        by_user.setdefault(grant.user.username, []).append(grant)
    return [
        DemoAccount(username=name, full_name=users[name].full_name, role=g.get_role_display(), org=g.org.name)
        for name in DEMO_USERNAMES
        if name in users
        for g in by_user.get(name, [])
    ]


def _counts(committee: Organization) -> dict[str, int]:
    orgs = Organization.objects.filter(path__startswith=committee.path)
    members = Member.objects.filter(org__path__startswith=committee.path)
    return {
        OrgKind.GENERAL_BRANCH.label: orgs.filter(kind=OrgKind.GENERAL_BRANCH).count(),
        OrgKind.BRANCH.label: orgs.filter(kind=OrgKind.BRANCH).count(),
        OrgKind.GROUP.label: orgs.filter(kind=OrgKind.GROUP).count(),
        "党员": members.count(),
        "在册党员": members.filter(status=Status.ACTIVE).count(),
        "委员会届次": CommitteeTerm.objects.filter(org__path__startswith=committee.path).count(),
        "演示账号": User.objects.filter(username__in=DEMO_USERNAMES).count(),
    }


class _Builder:
    """Writes the set in dependency order: orgs, members, committees, accounts, then history."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.orgs: dict[str, Organization] = {}
        self.groups: dict[str, list[Organization]] = {}
        self.members: dict[str, list[Member]] = {}  # branch code → members, leaders first
        self.seats: dict[tuple[str, str], Member] = {}  # (org code, role) → current seat holder
        self.ever_seated: set[int] = set()  # pks of members on any term, current or previous
        self.people = PeopleGenerator(rng, today)

    def build(self) -> Organization:
        self.create_orgs()
        self.create_members()
        self.create_committees()
        admin = self.create_accounts()
        self.create_history(admin)
        return self.orgs[DEMO_COMMITTEE_CODE]

    # -- orgs

    def _add_org(self, parent: Organization | None, **fields) -> Organization:
        org = Organization(**fields)
        org.full_clean(exclude=["path", "depth", "numchild"])
        if parent is None:
            org = Organization.objects.add_root(instance=org)
        else:
            org = Organization.objects.add_child(parent, instance=org)  # also bumps parent.numchild in memory
        self.orgs[org.code] = org
        return org

    def create_orgs(self) -> None:
        committee = self._add_org(
            None,
            name=COMMITTEE_NAME,
            kind=OrgKind.COMMITTEE,
            code=DEMO_COMMITTEE_CODE,
            established_on=date(2010, 6, 28),
            remark="演示数据",
        )
        for code, name, established_on in GENERAL_BRANCHES:
            self._add_org(committee, name=name, kind=OrgKind.GENERAL_BRANCH, code=code, established_on=established_on)
        for plan in BRANCHES:
            branch = self._add_org(
                self.orgs[plan.parent],
                name=f"{plan.department}党支部",
                kind=OrgKind.BRANCH,
                code=plan.code,
                department=plan.department,
                established_on=date(self.rng.randint(2011, 2018), self.rng.randint(1, 12), self.rng.randint(1, 28)),
            )
            self.groups[plan.code] = [
                self._add_org(branch, name=GROUP_NAMES[i], kind=OrgKind.GROUP, code=f"{plan.code}-{i + 1}")
                for i in range(plan.groups)
            ]

    # -- members

    def _probationary_slots(self) -> set[tuple[str, int]]:
        """(branch code, index) of the 预备党员: fixed where the plan says so, the rest drawn among staff."""
        total = round(sum(p.size for p in BRANCHES) * PROBATIONARY_SHARE)
        fixed = {(p.code, p.size - 1 - i) for p in BRANCHES if p.probationary for i in range(p.probationary)}
        staff = [
            (p.code, i)
            for p in BRANCHES
            if p.probationary is None
            for i in range(1 + deputies_for(p.size), p.size)  # leaders are full members
        ]
        return fixed | set(self.rng.sample(staff, total - len(fixed)))

    def create_members(self) -> None:
        probationary = self._probationary_slots()
        batch: list[Member] = []
        for plan in BRANCHES:
            branch = self.orgs[plan.code]
            deputies = deputies_for(plan.size)
            people = []
            for i in range(plan.size):
                rank = HEAD if i == 0 else (DEPUTY if i <= deputies else STAFF)
                people.append(self._person(plan, branch, rank, (plan.code, i) in probationary))
            groups = self.groups[plan.code]
            if groups:
                order = people[:]
                self.rng.shuffle(order)
                for n, member in enumerate(order):
                    member.group = groups[n % len(groups)]
            for member in people:
                fill_pinyin(member)
                member.full_clean()
            self.members[plan.code] = people
            batch.extend(people)
        Member.objects.bulk_create(batch)

    def _person(self, plan: BranchPlan, branch: Organization, rank: str, probationary: bool) -> Member:
        fields = self.people.person(
            rank=rank, probationary=probationary, department=plan.department, head_title=plan.head_title
        )
        return Member(org=branch, **fields)

    # -- committees

    def _term_dates(self, kind: str, state: str) -> tuple[date, date]:
        years = relativedelta(years=org_rules.TERM_YEARS[kind])
        ends = {
            "expiring": self.today + timedelta(days=45),
            "expired": self.today - relativedelta(months=4),
            "overdue": self.today - relativedelta(months=15),
        }.get(state)
        if ends:
            return ends - years, ends
        # In mid-course: started 2 to 28 months ago, so it ends well after the 3-month reminder window.
        started = self.today - relativedelta(months=self.rng.randint(2, 28), days=self.rng.randint(0, 27))
        return started, started + years

    def _term(
        self,
        org: Organization,
        dates: tuple[date, date],
        roles: list[str],
        pool: list[Member],
        *,
        ended_on: date | None = None,
    ) -> list[CommitteeSeat]:
        """A term with one seat per role, filled from `pool` (senior people first) with members full by then."""
        started_on, ends_on = dates
        term = CommitteeTerm(org=org, started_on=started_on, ends_on=ends_on)
        term.full_clean()
        term.save()
        eligible = [m for m in pool if m.full_member_on and m.full_member_on <= started_on] or [
            m for m in pool if m.category == Category.FULL
        ]
        chosen: list[Member] = []
        for role in roles:
            left = [m for m in eligible if m not in chosen]
            if role == CommitteeRole.SECRETARY:
                member = left[0]
            elif role == CommitteeRole.YOUTH:
                member = max(left, key=lambda m: m.birth_date)
            elif role == CommitteeRole.DEPUTY_SECRETARY:
                member = self.rng.choice(left[:3])
            else:
                member = self.rng.choice(left)
            chosen.append(member)
        seats = [
            CommitteeSeat(term=term, member=m, role=r, started_on=started_on, ended_on=ended_on)
            for r, m in zip(roles, chosen, strict=True)
        ]
        for seat in seats:
            seat.full_clean()
        self.ever_seated.update(m.pk for m in chosen)
        return CommitteeSeat.objects.bulk_create(seats)

    def _org_committee(self, org: Organization, roles: list[str], pool: list[Member], state: str = "") -> None:
        started_on, ends_on = self._term_dates(org.kind, state)
        if not state:
            # The previous term, for the history on the org page; its members left office at the election.
            before = started_on - relativedelta(years=org_rules.TERM_YEARS[org.kind])
            if org.established_on and org.established_on <= before:
                self._term(org, (before, started_on), roles, self._reshuffle(pool), ended_on=started_on)
        for seat in self._term(org, (started_on, ends_on), roles, pool):
            self.seats[(org.code, seat.role)] = seat.member

    def _reshuffle(self, pool: list[Member]) -> list[Member]:
        """The pool as it stood for the previous election: half the time someone else led."""
        pool = pool[:]
        if len(pool) > 2 and self.rng.random() < 0.5:
            pool[0], pool[1] = pool[1], pool[0]
        head, rest = pool[:1], pool[1:]
        self.rng.shuffle(rest)
        return head + rest

    def create_committees(self) -> None:
        for plan in BRANCHES:
            people = self.members[plan.code]
            count = branch_seat_count(sum(m.category == Category.FULL for m in people))
            roles = BRANCH_SEATS[count] if count > 1 else [CommitteeRole.SECRETARY]
            self._org_committee(self.orgs[plan.code], roles, people, plan.term)
        for code, _, _ in GENERAL_BRANCHES:
            heads = [self.members[p.code][0] for p in BRANCHES if p.parent == code]
            others = [m for p in BRANCHES if p.parent == code for m in self.members[p.code][1:]]
            self.rng.shuffle(heads)
            self.rng.shuffle(others)
            self._org_committee(self.orgs[code], GENERAL_BRANCH_SEATS, heads + others)
        # 机关党委委员 come from every department but are not the officers of branches 1 and 2 (their logins
        # are separate demo accounts).
        taken = {m.pk for (code, _), m in self.seats.items() if code in ("ZB01", "ZB02")}
        heads = [self.members[p.code][0] for p in BRANCHES if p.size >= org_rules.MEMBERS_FOR_COMMITTEE]
        heads = sorted((m for m in heads if m.pk not in taken), key=lambda m: m.birth_date)
        others = [m for p in BRANCHES for m in self.members[p.code][1:] if m.pk not in taken]
        self.rng.shuffle(others)
        self._org_committee(self.orgs[DEMO_COMMITTEE_CODE], COMMITTEE_SEATS, heads[:2] + others + heads[2:])

    # -- accounts

    def create_accounts(self) -> User:
        password = make_password(DEMO_PASSWORD)  # hashed once: the slow part of creating users
        seat_holders = {m.pk for m in self.seats.values()}
        admin = None
        for plan in ACCOUNTS:
            org_code, seat = plan.person
            if seat == "member":
                member = next(
                    m
                    for m in self.members[org_code]
                    if m.category == Category.FULL and m.group_id and m.pk not in seat_holders and not m.user_id
                )
            else:
                member = self.seats[(org_code, seat)]
            user = User(username=plan.username, full_name=member.name)
            validate_password(DEMO_PASSWORD, user)
            user.password = password
            user.full_clean()
            user.save()
            member.user = user
            member.save(update_fields=["user", "updated_at"])
            grant = RoleGrant(user=user, role=plan.role, org=self.orgs[plan.org_code], granted_by=admin)
            grant.full_clean()
            grant.save()
            admin = admin or user
        return admin

    # -- history

    def create_history(self, admin: User) -> None:
        """Member history through the roster services, handled by the admin, dated in the past."""
        today = self.today
        quiet = {p.code for p in BRANCHES if p.size < org_rules.MEMBERS_FOR_COMMITTEE}
        protected = self.ever_seated | {m.pk for people in self.members.values() for m in people if m.user_id}
        # Members of long standing, so every event falls after they joined.
        settled = today - relativedelta(years=3)
        candidates = [
            m
            for p in BRANCHES
            if p.code not in quiet
            for m in self.members[p.code]
            if m.pk not in protected and m.full_member_on and m.full_member_on <= settled
        ]
        self.rng.shuffle(candidates)
        deceased = next(m for m in candidates if age_on(m.birth_date, today) >= 50)
        candidates.remove(deceased)
        retired = max(candidates, key=lambda m: age_on(m.birth_date, today))
        candidates.remove(retired)
        out, back, suspended = [*candidates[:3], retired], candidates[3], candidates[4]
        moved = next(m for m in self.members["ZB02"] if m.pk not in protected and m not in candidates[:5])

        destinations = [
            ("省发展和改革委员会机关党委", "工作调动"),
            ("市财政局机关党委", "工作调动"),
            ("国家税务总局示范市税务局机关党委", "考录至外单位"),
            ("示范市东城区和平里街道社区党委", "退休后转往居住地社区党组织"),
        ]
        for n, (member, (destination, reason)) in enumerate(zip(out, destinations, strict=True), start=1):
            day = today - timedelta(days=self.rng.randint(30, 540))
            member_transfer_out(
                acting_user=admin,
                member=member,
                transferred_on=day,
                destination=destination,
                letter_number=f"机关党委转〔{day.year}〕{n:02d}号",
                reason=reason,
            )
        away = today - relativedelta(years=2, months=1)
        member_transfer_out(
            acting_user=admin,
            member=back,
            transferred_on=away,
            destination="对口支援县县委组织部（挂职锻炼）",
            letter_number=f"机关党委转〔{away.year}〕{len(out) + 1:02d}号",
            reason="挂职锻炼2年",
        )
        returned = member_transfer_in(
            acting_user=admin,
            member=back,
            to_org=back.org,
            transferred_on=today - relativedelta(months=1),
            source="对口支援县县委组织部",
            letter_number=f"组转〔{today.year}〕118号",
        )
        member_change_status(
            acting_user=admin,
            member=deceased,
            to_status=Status.DECEASED,
            changed_on=today - timedelta(days=200),
            reason="因病医治无效去世",
        )
        member_change_status(
            acting_user=admin,
            member=suspended,
            to_status=Status.SUSPENDED,
            changed_on=today - timedelta(days=90),
            reason="与党组织失去联系6个月以上，经多方查找仍无音讯，经支部大会讨论停止党籍",
        )
        moved = member_move(
            acting_user=admin,
            member=moved,
            to_org=self.orgs["ZB05"],
            transferred_on=today - timedelta(days=100),
            reason="工作调动：由人事处调至信息中心",
        )
        # The services leave a moved or returning member outside any 党小组; the branch places them in one.
        for transfer in (returned, moved):
            if groups := self.groups[transfer.to_org.code]:
                member_update(acting_user=admin, member=transfer.member, group=self.rng.choice(groups))
