"""The members' part of demo data set S (see dangjian.core.demo), on the tree of orgs/demo.py: the roster (20), the
committees it staffs (30), the demo logins of their officers (40) and the roster's history (50), the last through
the roster services so it reads like work done in the system."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from dangjian.core.datagen import DEPUTY, HEAD, STAFF, deputies_for
from dangjian.core.demo import ADMIN_USERNAME, DEMO_PASSWORD, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.lib.dates import age_on
from dangjian.core.lib.periods import add_months
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole
from dangjian.orgs.datagen import BRANCH_SEATS, COMMITTEE_SEATS, GENERAL_BRANCH_SEATS, branch_seat_count
from dangjian.orgs.demo import (
    BRANCHES,
    DEMO_COMMITTEE_CODE,
    GENERAL_BRANCHES,
    BranchPlan,
    demo_committee,
    demo_groups,
    demo_orgs,
)
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization

from . import rules
from .choices import Category, Status
from .datagen import MemberGenerator
from .models import Member
from .services import (
    fill_pinyin,
    member_change_status,
    member_move,
    member_transfer_in,
    member_transfer_out,
    member_update,
)
from .transfers import record_receipt

#: Share of 预备党员 over the whole set (~8%).
PROBATIONARY_SHARE = 0.08


@dataclass(frozen=True)
class AccountPlan:
    username: str
    role: str
    org_code: str
    #: which member the login belongs to: (org code, committee role) of a current seat, or "member" for a
    #: plain member of org_code
    person: tuple[str, str]


#: The first is the admin (core.demo.ADMIN_USERNAME), who handles the history.
ACCOUNTS = [
    AccountPlan(
        ADMIN_USERNAME, Role.COMMITTEE_ADMIN, DEMO_COMMITTEE_CODE, (DEMO_COMMITTEE_CODE, CommitteeRole.ORGANIZATION)
    ),
    AccountPlan("shuji01", Role.SECRETARY, "ZB01", ("ZB01", CommitteeRole.SECRETARY)),
    AccountPlan("shuji02", Role.SECRETARY, "ZB02", ("ZB02", CommitteeRole.SECRETARY)),
    AccountPlan("zhiwei01", Role.COMMITTEE_MEMBER, "ZB01", ("ZB01", CommitteeRole.ORGANIZATION)),
    AccountPlan("jijian", Role.INSPECTOR, DEMO_COMMITTEE_CODE, (DEMO_COMMITTEE_CODE, CommitteeRole.DISCIPLINE)),
    AccountPlan("dangyuan01", Role.MEMBER, "ZB01", ("ZB01", "member")),
]
DEMO_USERNAMES = [a.username for a in ACCOUNTS]

#: ctx.made keys: branch code → members, leaders first; (org code, role) → current seat holder; pks of members
#: on any term, current or previous
MADE_MEMBERS = "members.members"
MADE_SEATS = "members.seats"
MADE_EVER_SEATED = "members.ever_seated"


def demo_members(ctx: DemoContext) -> dict[str, list[Member]]:
    """The members produce_members made, by branch code, leaders first."""
    return ctx.made[MADE_MEMBERS]


def _seats(ctx: DemoContext) -> dict[tuple[str, str], Member]:
    return ctx.made[MADE_SEATS]


def _ever_seated(ctx: DemoContext) -> set[int]:
    return ctx.made[MADE_EVER_SEATED]


@demo_summary(order=20)
def summarize_members(summary: DemoSummary) -> None:
    summary.usernames.extend(DEMO_USERNAMES)
    committee = demo_committee()
    if committee is None:
        return
    members = Member.objects.filter(org__path__startswith=committee.path)
    summary.counts["党员"] = members.count()
    summary.counts["在册党员"] = members.filter(status=Status.ACTIVE).count()
    summary.counts["委员会届次"] = CommitteeTerm.objects.filter(org__path__startswith=committee.path).count()


def _probationary_slots(ctx: DemoContext) -> set[tuple[str, int]]:
    """(branch code, index) of the 预备党员: fixed where the plan says so, the rest drawn among staff."""
    total = round(sum(p.size for p in BRANCHES) * PROBATIONARY_SHARE)
    fixed = {(p.code, p.size - 1 - i) for p in BRANCHES if p.probationary for i in range(p.probationary)}
    staff = [
        (p.code, i)
        for p in BRANCHES
        if p.probationary is None
        for i in range(1 + deputies_for(p.size), p.size)  # leaders are full members
    ]
    return fixed | set(ctx.rng.sample(staff, total - len(fixed)))


@demo_producer(order=20)
def produce_members(ctx: DemoContext) -> None:
    """Each branch's planned members: head, deputies, then staff, spread over its 党小组."""
    ctx.made[MADE_MEMBERS] = {}
    people_generator = MemberGenerator(ctx.rng, ctx.today)
    probationary = _probationary_slots(ctx)
    batch: list[Member] = []
    for plan in BRANCHES:
        branch = demo_orgs(ctx)[plan.code]
        deputies = deputies_for(plan.size)
        people = []
        for i in range(plan.size):
            rank = HEAD if i == 0 else (DEPUTY if i <= deputies else STAFF)
            people.append(_person(people_generator, plan, branch, rank, (plan.code, i) in probationary))
        groups = demo_groups(ctx, plan.code)
        if groups:
            order = people[:]
            ctx.rng.shuffle(order)
            for n, member in enumerate(order):
                member.group = groups[n % len(groups)]
        for member in people:
            fill_pinyin(member)
            member.full_clean()
        demo_members(ctx)[plan.code] = people
        batch.extend(people)
    Member.objects.bulk_create(batch)


def _person(people: MemberGenerator, plan: BranchPlan, branch: Organization, rank: str, probationary: bool) -> Member:
    fields = people.person(rank=rank, probationary=probationary, department=plan.department, head_title=plan.head_title)
    return Member(org=branch, **fields)


def _term_dates(ctx: DemoContext, kind: str, state: str) -> tuple[date, date]:
    years = relativedelta(years=org_rules.TERM_YEARS[kind])
    ends = {
        "expiring": ctx.today + timedelta(days=45),
        "expired": ctx.today - relativedelta(months=4),
        "overdue": ctx.today - relativedelta(months=15),
    }.get(state)
    if ends:
        return ends - years, ends
    # In mid-course: started 2 to 28 months ago, so it ends well after the 3-month reminder window.
    started = ctx.today - relativedelta(months=ctx.rng.randint(2, 28), days=ctx.rng.randint(0, 27))
    return started, started + years


def _term(
    ctx: DemoContext,
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
            member = ctx.rng.choice(left[:3])
        else:
            member = ctx.rng.choice(left)
        chosen.append(member)
    seats = [
        CommitteeSeat(term=term, member=m, role=r, started_on=started_on, ended_on=ended_on)
        for r, m in zip(roles, chosen, strict=True)
    ]
    for seat in seats:
        seat.full_clean()
    _ever_seated(ctx).update(m.pk for m in chosen)
    return CommitteeSeat.objects.bulk_create(seats)


def _org_committee(ctx: DemoContext, org: Organization, roles: list[str], pool: list[Member], state: str = "") -> None:
    started_on, ends_on = _term_dates(ctx, org.kind, state)
    if not state:
        # The previous term, for the history on the org page; its members left office at the election.
        before = started_on - relativedelta(years=org_rules.TERM_YEARS[org.kind])
        if org.established_on and org.established_on <= before:
            _term(ctx, org, (before, started_on), roles, _reshuffle(ctx, pool), ended_on=started_on)
    for seat in _term(ctx, org, (started_on, ends_on), roles, pool):
        _seats(ctx)[(org.code, seat.role)] = seat.member


def _reshuffle(ctx: DemoContext, pool: list[Member]) -> list[Member]:
    """The pool as it stood for the previous election: half the time someone else led."""
    pool = pool[:]
    if len(pool) > 2 and ctx.rng.random() < 0.5:
        pool[0], pool[1] = pool[1], pool[0]
    head, rest = pool[:1], pool[1:]
    ctx.rng.shuffle(rest)
    return head + rest


@demo_producer(order=30)
def produce_committees(ctx: DemoContext) -> None:
    """A current term (and mostly the previous one) for every branch, 党总支 and the 机关党委."""
    ctx.made[MADE_SEATS] = {}
    ctx.made[MADE_EVER_SEATED] = set()
    for plan in BRANCHES:
        people = demo_members(ctx)[plan.code]
        count = branch_seat_count(sum(m.category == Category.FULL for m in people))
        roles = BRANCH_SEATS[count] if count > 1 else [CommitteeRole.SECRETARY]
        _org_committee(ctx, demo_orgs(ctx)[plan.code], roles, people, plan.term)
    for code, _, _ in GENERAL_BRANCHES:
        heads = [demo_members(ctx)[p.code][0] for p in BRANCHES if p.parent == code]
        others = [m for p in BRANCHES if p.parent == code for m in demo_members(ctx)[p.code][1:]]
        ctx.rng.shuffle(heads)
        ctx.rng.shuffle(others)
        _org_committee(ctx, demo_orgs(ctx)[code], GENERAL_BRANCH_SEATS, heads + others)
    # 机关党委委员 come from every department but are not the officers of branches 1 and 2 (their logins
    # are separate demo accounts).
    taken = {m.pk for (code, _), m in _seats(ctx).items() if code in ("ZB01", "ZB02")}
    heads = [demo_members(ctx)[p.code][0] for p in BRANCHES if p.size >= org_rules.MEMBERS_FOR_COMMITTEE]
    heads = sorted((m for m in heads if m.pk not in taken), key=lambda m: m.birth_date)
    others = [m for p in BRANCHES for m in demo_members(ctx)[p.code][1:] if m.pk not in taken]
    ctx.rng.shuffle(others)
    _org_committee(ctx, demo_orgs(ctx)[DEMO_COMMITTEE_CODE], COMMITTEE_SEATS, heads[:2] + others + heads[2:])


@demo_producer(order=40)
def produce_accounts(ctx: DemoContext) -> None:
    """The demo logins, each tied to the member who holds the seat its role stands for."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the slow part of creating users
    seat_holders = {m.pk for m in _seats(ctx).values()}
    for plan in ACCOUNTS:
        org_code, seat = plan.person
        if seat == "member":
            member = next(
                m
                for m in demo_members(ctx)[org_code]
                if m.category == Category.FULL and m.group_id and m.pk not in seat_holders and not m.user_id
            )
        else:
            member = _seats(ctx)[(org_code, seat)]
        user = User(username=plan.username, full_name=member.name)
        validate_password(DEMO_PASSWORD, user)
        user.password = password
        user.full_clean()
        user.save()
        member.user = user
        member.save(update_fields=["user", "updated_at"])
        admin = ctx.users.get(ADMIN_USERNAME)  # the first account: its own grant names no granter
        grant = RoleGrant(user=user, role=plan.role, org=demo_orgs(ctx)[plan.org_code], granted_by=admin)
        grant.full_clean()
        grant.save()
        ctx.users[plan.username] = user


@demo_producer(order=50)
def produce_history(ctx: DemoContext) -> None:
    """Member history through the roster services, handled by the admin, dated in the past."""
    admin = ctx.users[ADMIN_USERNAME]
    today = ctx.today
    quiet = {p.code for p in BRANCHES if p.size < org_rules.MEMBERS_FOR_COMMITTEE}
    protected = _ever_seated(ctx) | {m.pk for people in demo_members(ctx).values() for m in people if m.user_id}
    # Members of long standing, so every event falls after they joined.
    settled = today - relativedelta(years=3)
    candidates = [
        m
        for p in BRANCHES
        if p.code not in quiet
        for m in demo_members(ctx)[p.code]
        if m.pk not in protected and m.full_member_on and m.full_member_on <= settled
    ]
    ctx.rng.shuffle(candidates)
    deceased = next(m for m in candidates if age_on(m.birth_date, today) >= 50)
    candidates.remove(deceased)
    retired = max(candidates, key=lambda m: age_on(m.birth_date, today))
    candidates.remove(retired)
    out, back, suspended = [*candidates[:3], retired], candidates[3], candidates[4]
    moved = next(m for m in demo_members(ctx)["ZB02"] if m.pk not in protected and m not in candidates[:5])

    destinations = [
        ("省发展和改革委员会机关党委", "工作调动"),
        ("市财政局机关党委", "工作调动"),
        ("国家税务总局示范市税务局机关党委", "考录至外单位"),
        ("示范市东城区和平里街道社区党委", "退休后转往居住地社区党组织"),
    ]
    # The letters are numbered by the system (members.transfers). The first two await their 回执: one near the end
    # of its validity (a 待办 warning), one issued lately; the older ones have theirs recorded.
    near_expiry = add_months(today, -rules.TRANSFER_LETTER_VALID_MONTHS) + timedelta(days=10)
    for n, (member, (destination, reason)) in enumerate(zip(out, destinations, strict=True), start=1):
        day = today - timedelta(days=ctx.rng.randint(30, 540))
        day = {1: near_expiry, 2: today - timedelta(days=20)}.get(n, day)
        letter = member_transfer_out(
            acting_user=admin,
            member=member,
            transferred_on=day,
            destination=destination,
            destination_contact="组织科 联系电话 010-6655" + f"{n:04d}",
            reason=reason,
        )
        if n > 2:
            record_receipt(acting_user=admin, transfer=letter, received_on=day + timedelta(days=21), note="回执已寄回")
    away = today - relativedelta(years=2, months=1)
    away_letter = member_transfer_out(
        acting_user=admin,
        member=back,
        transferred_on=away,
        destination="对口支援县县委组织部（挂职锻炼）",
        letter_number=f"机关党委转〔{away.year}〕{len(out) + 1:02d}号",
        reason="挂职锻炼2年",
    )
    record_receipt(acting_user=admin, transfer=away_letter, received_on=away + timedelta(days=14), note="回执已寄回")
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
        to_org=demo_orgs(ctx)["ZB05"],
        transferred_on=today - timedelta(days=100),
        reason="工作调动：由人事处调至信息中心",
    )
    # The services leave a moved or returning member outside any 党小组; the branch places them in one.
    for transfer in (returned, moved):
        if groups := demo_groups(ctx, transfer.to_org.code):
            member_update(acting_user=admin, member=transfer.member, group=ctx.rng.choice(groups))
