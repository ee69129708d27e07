"""The members' part of scale data set L (see dangjian.core.scale), on the org tree of orgs/scale.py: the roster
(20), the committees it staffs (30), the logins of their officers (40), the roster's history (50), and last the
statistics derived from it all (900). Later producers read the roster through scale_members(ctx)."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password

from dangjian.core.datagen import DEPUTY, HEAD, STAFF, deputies_for, head_title_for
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.scale import ADMIN_USERNAME, SCALE_PASSWORD, ScaleContext, scale_producer
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.datagen import BRANCH_SEATS, COMMITTEE_SEATS, GENERAL_BRANCH_SEATS, branch_seat_count
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm
from dangjian.orgs.scale import OrgRow, scale_orgs, scale_root

from . import rules
from .choices import Category, ExitKind, Status, TransferKind
from .datagen import MemberGenerator
from .models import Member, StatusChange, Transfer
from .services import fill_pinyin
from .stats import refresh_snapshots

INSPECTOR_USERNAME = "gw_jijian"

#: Chance that a staff member (not a head or deputy) is a 预备党员: ~8% of everyone, as in the demo set.
PROBATIONARY_SHARE = 0.085
#: What happened to staff full members within the set's years, by cumulative chance (the rest: nothing).
MOVED = "moved"  # 系统内调整 into their present branch; still in register
FATES = [
    (0.030, Status.TRANSFERRED_OUT),
    (0.035, Status.DECEASED),
    (0.037, Status.SUSPENDED),
    (0.038, Status.EXPELLED),
    (0.048, MOVED),
]
DESTINATIONS = [
    ("中央和国家机关某部委机关党委", "工作调动"),
    ("示范市直属机关工作委员会", "工作调动"),
    ("示范市某区街道社区党委", "退休后转往居住地社区党组织"),
    ("某中央企业省分公司党委", "辞职后到企业工作"),
    ("示范大学党委", "调入高校工作"),
    ("外省省直机关工委", "随配偶调动"),
]
REASONS = {
    Status.DECEASED: "因病医治无效去世",
    Status.SUSPENDED: "与党组织失去联系6个月以上，经支部大会讨论停止党籍",
    Status.EXPELLED: "经支部大会讨论、上级党组织批准，予以出党处理",
}


#: ctx.made keys: the roster; (term id, role) → member id of the current seats; org id → its current term's id
MADE_MEMBERS = "members.members"
MADE_CURRENT_SEATS = "members.current_seats"
MADE_CURRENT_TERMS = "members.current_terms"


@dataclass(slots=True)
class MemberRow:
    """A created member, compact (100,000 of them stay in memory for the later producers)."""

    id: int
    org_id: int
    group_id: int | None
    name: str
    birth_date: date
    category: str
    full_member_on: date | None
    status: str
    rank: str  # datagen.HEAD, DEPUTY or STAFF within the branch


def scale_members(ctx: ScaleContext) -> list[MemberRow]:
    """The members produce_members made, branch by branch."""
    return ctx.made[MADE_MEMBERS]


def members_by_org(ctx: ScaleContext) -> dict[int, list[MemberRow]]:
    """Members by branch id, in creation order (the head, deputies, then staff)."""
    by_org: dict[int, list[MemberRow]] = defaultdict(list)
    for member in scale_members(ctx):
        by_org[member.org_id].append(member)
    return by_org


def _pinyin(cache: dict[str, tuple[str, str, str]], name: str) -> tuple[str, str, str]:
    """(full pinyin, initials, other readings) exactly as the roster stores them, computed once per distinct name."""
    if name not in cache:
        probe = Member(name=name)
        fill_pinyin(probe)
        cache[name] = (probe.name_pinyin, probe.name_initials, probe.name_pinyin_alt)
    return cache[name]


@scale_producer(order=20)
def produce_members(ctx: ScaleContext) -> None:
    """Every branch's planned number of members: its head, deputies, then staff, in 党小组 round-robin where the
    branch has them; ID numbers unique against the whole roster; some staff already transferred out, deceased,
    suspended, expelled or moved in from another branch of the organ (their history comes from produce_history)."""
    rng, today = ctx.rng, ctx.today
    people = MemberGenerator(rng, today, unique_names=False)
    people.id_numbers.update(Member.objects.values_list("id_number", flat=True))
    people.phones.update(Member.objects.values_list("phone", flat=True))
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    groups: dict[int, list[int]] = defaultdict(list)
    for org in scale_orgs(ctx, OrgKind.GROUP):
        groups[org.parent_id].append(org.id)
    organ_branches: dict[int, list[int]] = defaultdict(list)
    for branch in branches:
        organ_branches[branch.organ_id].append(branch.id)
    pinyin: dict[str, tuple[str, str, str]] = {}
    ranks: list[str] = []
    fates: list[tuple[str, date, int | None, str] | None] = []  # what, day, from org, exit kind
    earliest = today - relativedelta(years=ctx.years)

    def fate(full_member_on: date | None, branch_id: int, organ_id: int) -> tuple[str, date, int | None, str] | None:
        draw = rng.random()
        what = next((what for limit, what in FATES if draw < limit), None)
        if what is None or full_member_on is None:
            return None
        day = today - timedelta(days=rng.randint(10, max(11, (today - earliest).days)))
        if day <= full_member_on:
            return None
        if what == MOVED:
            others = [b for b in organ_branches[organ_id] if b != branch_id]
            return (MOVED, day, rng.choice(others), "") if others else None
        return (what, day, None, rng.choice(ExitKind.values) if what == Status.EXPELLED else "")

    def generate():
        for branch in branches:
            size, deputies = branch.planned_size, deputies_for(branch.planned_size)
            head_title = head_title_for(branch.department)
            branch_groups = groups[branch.id]
            places = list(range(size))
            if branch_groups:
                rng.shuffle(places)
            for i in range(size):
                rank = HEAD if i == 0 else (DEPUTY if i <= deputies else STAFF)
                probationary = rank == STAFF and rng.random() < PROBATIONARY_SHARE
                fields = people.person(
                    rank=rank, probationary=probationary, department=branch.department, head_title=head_title
                )
                what = fate(fields["full_member_on"], branch.id, branch.organ_id) if rank == STAFF else None
                status = Status.ACTIVE if what is None or what[0] == MOVED else what[0]
                ranks.append(rank)
                fates.append(what)
                name_pinyin, name_initials, name_pinyin_alt = _pinyin(pinyin, fields["name"])
                yield Member(
                    **fields,
                    name_pinyin=name_pinyin,
                    name_initials=name_initials,
                    name_pinyin_alt=name_pinyin_alt,
                    org_id=branch.id,
                    group_id=branch_groups[places[i] % len(branch_groups)] if branch_groups else None,
                    status=status,
                    exit_kind=what[3] if what else "",
                    status_changed_on=what[1] if status != Status.ACTIVE else None,
                )

    def row(m: Member) -> MemberRow:
        return MemberRow(
            id=m.pk,
            org_id=m.org_id,
            group_id=m.group_id,
            name=m.name,
            birth_date=m.birth_date,
            category=m.category,
            full_member_on=m.full_member_on,
            status=m.status,
            rank="",
        )

    total = sum(b.planned_size for b in branches)
    members = ctx.bulk_create(Member, generate(), label="党员", total=total, keep=row)
    for member, rank in zip(members, ranks, strict=True):
        member.rank = rank
    ctx.made[MADE_MEMBERS] = members
    ctx.made["members.fates"] = [(m, what) for m, what in zip(members, fates, strict=True) if what]


def _term_dates(rng: random.Random, kind: str, today: date) -> tuple[date, date]:
    """The current term: most in mid-course, some expiring, expired, or over a year overdue (the 待办 list)."""
    years = relativedelta(years=org_rules.TERM_YEARS[kind])
    draw = rng.random()
    if draw < 0.05:
        ends = today + timedelta(days=rng.randint(5, 85))
    elif draw < 0.11:
        ends = today - timedelta(days=rng.randint(5, 330))
    elif draw < 0.14:
        ends = today - timedelta(days=rng.randint(400, 800))
    else:
        started = today - timedelta(days=rng.randint(30, 365 * org_rules.TERM_YEARS[kind] - 120))
        return started, started + years
    return ends - years, ends


@scale_producer(order=30)
def produce_committees(ctx: ScaleContext) -> None:
    """A current term for every branch, 党总支 and 机关党委 (and the root), most with the previous one too; seats
    go to full members in register, the branch's head as secretary."""
    rng, today = ctx.rng, ctx.today
    by_org = members_by_org(ctx)
    branches_under: dict[int, list[OrgRow]] = defaultdict(list)  # general branch / organ / root id → branches
    root = scale_root(ctx)
    parents = {o.id: o for o in scale_orgs(ctx)}
    for org in scale_orgs(ctx, OrgKind.BRANCH):
        parent = parents[org.parent_id]
        branches_under[parent.id].append(org)
        if parent.kind == OrgKind.GENERAL_BRANCH:
            branches_under[parent.parent_id].append(org)
        branches_under[root.id].append(org)

    plans: list[tuple[CommitteeTerm, list[tuple[str, MemberRow]], date | None]] = []

    def add_term(org: OrgRow, roles: list[str], pool: list[MemberRow], started: date, ends: date, ended_on=None):
        """Seats for `roles` from the front of `pool`: members full by the election, else any full member."""
        chosen = [m for m in pool if m.full_member_on and m.full_member_on <= started][: len(roles)]
        if len(chosen) < len(roles):
            taken = {m.id for m in chosen}
            chosen += [m for m in pool if m.category == Category.FULL and m.id not in taken][: len(roles) - len(chosen)]
        if chosen:
            term = CommitteeTerm(org_id=org.id, started_on=started, ends_on=ends)
            plans.append((term, list(zip(roles, chosen, strict=False)), ended_on))

    def org_terms(org: OrgRow, roles: list[str], current_pool: list[MemberRow], previous_pool: list[MemberRow]):
        started, ends = _term_dates(rng, org.kind, today)
        before = started - relativedelta(years=org_rules.TERM_YEARS[org.kind])
        if org.established_on and org.established_on <= before and rng.random() < 0.8:
            add_term(org, roles, previous_pool, before, started, ended_on=started)
        add_term(org, roles, current_pool, started, ends)

    for org in scale_orgs(ctx, OrgKind.BRANCH):
        people = [m for m in by_org[org.id] if m.status == Status.ACTIVE]
        count = branch_seat_count(sum(m.category == Category.FULL for m in people))
        roles = BRANCH_SEATS[count] if count > 1 else [CommitteeRole.SECRETARY]
        # Head first (the secretary), then the deputies, then the others in random order.
        leaders = [m for m in people if m.rank != STAFF]
        staff = [m for m in people if m.rank == STAFF]
        rng.shuffle(staff)
        previous = leaders[1:2] + leaders[:1] + leaders[2:] if rng.random() < 0.5 else leaders[:]
        org_terms(org, roles, leaders + staff, previous + rng.sample(staff, len(staff)))

    for org in scale_orgs(ctx):
        if org.kind not in (OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE):
            continue
        under = branches_under[org.id]
        heads = [m for b in under for m in by_org[b.id][:1] if m.status == Status.ACTIVE]
        others = [m for b in rng.sample(under, min(len(under), 12)) for m in by_org[b.id][1:4]]
        others = [m for m in others if m.status == Status.ACTIVE]
        rng.shuffle(heads)
        rng.shuffle(others)
        roles = GENERAL_BRANCH_SEATS if org.kind == OrgKind.GENERAL_BRANCH else COMMITTEE_SEATS
        pool = heads[:2] + others[:4] + heads[2:] + others[4:]
        org_terms(org, roles, pool, heads[2:] + others[4:] + heads[:2])

    terms = ctx.bulk_create(CommitteeTerm, (t for t, _, _ in plans), label="委员会届次", total=len(plans))
    seats = (
        CommitteeSeat(term_id=term.pk, member_id=m.id, role=role, started_on=term.started_on, ended_on=ended_on)
        for term, (_, chosen, ended_on) in zip(terms, plans, strict=True)
        for role, m in chosen
    )
    total = sum(len(chosen) for _, chosen, _ in plans)
    current = ctx.bulk_create(
        CommitteeSeat,
        seats,
        label="委员会委员",
        total=total,
        keep=lambda s: (s.term_id, s.role, s.member_id, s.ended_on),
    )
    ctx.made[MADE_CURRENT_SEATS] = {
        (term_id, role): member_id for term_id, role, member_id, ended_on in current if ended_on is None
    }
    ctx.made[MADE_CURRENT_TERMS] = {
        t.org_id: t.pk for t, (_, _, ended_on) in zip(terms, plans, strict=True) if ended_on is None
    }


@scale_producer(order=40)
def produce_accounts(ctx: ScaleContext) -> None:
    """Logins with role grants, one password: gw_admin (机关党委管理员 at the root), gw_jijian (纪检 at the root),
    gw_admin_001 … for each 机关党委 and gw_shuji_0001 … for each branch's secretary, each tied to their member
    record when that person has no login yet."""
    seats: dict[tuple[int, str], int] = ctx.made[MADE_CURRENT_SEATS]
    terms: dict[int, int] = ctx.made[MADE_CURRENT_TERMS]
    names = {m.id: m.name for m in scale_members(ctx)}
    root = scale_root(ctx)

    def holder(org: OrgRow, role: str) -> int | None:
        term = terms.get(org.id)
        return seats.get((term, role)) if term else None

    plans: list[tuple[str, str, OrgRow, int | None]] = [
        (ADMIN_USERNAME, Role.COMMITTEE_ADMIN, root, holder(root, CommitteeRole.ORGANIZATION)),
        (INSPECTOR_USERNAME, Role.INSPECTOR, root, holder(root, CommitteeRole.DISCIPLINE)),
    ]
    organs = [o for o in scale_orgs(ctx, OrgKind.COMMITTEE) if o.depth == 2]
    for n, organ in enumerate(organs, start=1):
        plans.append((f"gw_admin_{n:03d}", Role.COMMITTEE_ADMIN, organ, holder(organ, CommitteeRole.ORGANIZATION)))
    for n, branch in enumerate(scale_orgs(ctx, OrgKind.BRANCH), start=1):
        plans.append((f"gw_shuji_{n:04d}", Role.SECRETARY, branch, holder(branch, CommitteeRole.SECRETARY)))

    password = make_password(SCALE_PASSWORD)  # hashed once: the slow part of creating users
    linked: dict[int, str] = {}  # member id → username
    users = (
        User(username=username, full_name=names.get(member_id, ""), password=password)
        for username, _, _, member_id in plans
    )
    created = ctx.bulk_create(User, users, label="登录账号", total=len(plans), keep=lambda u: (u.username, u.pk))
    ctx.users.update(created)
    admin_id = ctx.users[ADMIN_USERNAME]
    grants = (
        RoleGrant(user_id=ctx.users[username], role=role, org_id=org.id, granted_by_id=admin_id)
        for username, role, org, _ in plans
    )
    ctx.bulk_create(RoleGrant, grants, label="角色授权", total=len(plans))
    for username, _, _, member_id in plans:
        if member_id and member_id not in linked:
            linked[member_id] = username
    links = [Member(pk=member_id, user_id=ctx.users[username]) for member_id, username in linked.items()]
    Member.objects.bulk_update(links, ["user"], batch_size=1000)


@scale_producer(order=50)
def produce_history(ctx: ScaleContext) -> None:
    """The status changes and transfers behind the statuses produce_members gave, handled by the root's admin."""
    admin_id = ctx.users.get(ADMIN_USERNAME)
    changes: list[StatusChange] = []
    transfers: list[Transfer] = []
    for n, (member, (what, day, from_org_id, exit_kind)) in enumerate(ctx.made.pop("members.fates", []), start=1):
        if what == MOVED:
            transfers.append(
                Transfer(
                    member_id=member.id,
                    kind=TransferKind.INTERNAL,
                    transferred_on=day,
                    from_org_id=from_org_id,
                    to_org_id=member.org_id,
                    reason="工作调动",
                    handled_by_id=admin_id,
                )
            )
            continue
        reason = REASONS.get(what, "")
        if what == Status.TRANSFERRED_OUT:
            destination, why = DESTINATIONS[n % len(DESTINATIONS)]
            transfers.append(
                Transfer(
                    member_id=member.id,
                    kind=TransferKind.OUT,
                    transferred_on=day,
                    from_org_id=member.org_id,
                    external_org=destination,
                    letter_number=f"省直机关工委转〔{day.year}〕{n:05d}号",
                    letter_valid_until=day + relativedelta(months=rules.TRANSFER_LETTER_VALID_MONTHS),
                    reason=why,
                    handled_by_id=admin_id,
                )
            )
            reason = f"组织关系转出至{destination}"
        changes.append(
            StatusChange(
                member_id=member.id,
                from_status=Status.ACTIVE,
                to_status=what,
                exit_kind=exit_kind,
                changed_on=day,
                reason=reason,
                changed_by_id=admin_id,
            )
        )
    ctx.bulk_create(Transfer, transfers, label="组织关系转接", total=len(transfers))
    ctx.bulk_create(StatusChange, changes, label="党籍状态变更", total=len(changes))


#: Audit entries per member when the set's size is not given (1,000,000 at L).
AUDIT_ENTRIES_PER_MEMBER = 10
#: The most audit entries a set may have (the producer writes them in one transaction).
AUDIT_ENTRIES_MAX = 5_000_000
ERR_AUDIT_ENTRIES = "审计日志条数应在 0 到 5000000 之间"
#: Entries COPYed (PostgreSQL) or inserted per batch.
AUDIT_BATCH = 20_000


def _audit_rows(ctx: ScaleContext, total: int):
    """See _audit_row_stream; reads what the rows need first (on PostgreSQL the rows are made while the connection is
    in COPY mode, where a query would wait on the connection's lock for ever)."""
    from datetime import datetime, time

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from .choices import Education

    start = timezone.make_aware(datetime.combine(ctx.today - timedelta(days=365), time(8)))
    setup = {
        "member_ct": ContentType.objects.get_for_model(Member).pk,
        "user_ct": ContentType.objects.get_for_model(User).pk,
        "paths": {o.id: o.path for o in scale_orgs(ctx)},
        "members": scale_members(ctx),
        "actors": list(ctx.users.values()) or [None],
        "admin_id": ctx.users.get(ADMIN_USERNAME),
        "educations": [e.value for e in Education],
        "start": start,
        "step": timedelta(days=365) / max(total, 1),
    }
    return _audit_row_stream(ctx.rng, total, **setup)


def _audit_row_stream(rng, total, *, member_ct, user_ct, paths, members, actors, admin_id, educations, start, step):
    """Rows of auditlog_logentry as tuples, oldest first over the last year: member edits (a choice, a position, a
    masked phone), new members, logins, failed logins and exports, filed under each member's org path."""
    from dangjian.core.audit import EVENT_LOGIN, EVENT_LOGIN_FAILED
    from dangjian.core.lib.idcard import mask

    root_path = min(paths.values(), key=len, default="")
    for n in range(total):
        member = members[rng.randrange(len(members))] if members else None
        org_path = paths.get(member.org_id, "") if member else ""
        at = start + step * n
        ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        roll = rng.random()
        actor = actors[rng.randrange(len(actors))]
        if roll < 0.80 and member:  # an edit
            pick = rng.random()
            if pick < 0.4:
                changes = {"education": rng.sample(educations, 2)}
            elif pick < 0.7:
                changes = {"position": [f"科员{rng.randrange(100)}", f"副科长{rng.randrange(100)}"]}
            else:
                changes = {"phone": [mask(f"139{rng.randrange(10**8):08d}"), mask(f"138{rng.randrange(10**8):08d}")]}
            changes["version"] = [str(n % 7 + 1), str(n % 7 + 2)]
            row = (member_ct, str(member.id), member.id, member.name, 1, changes, actor, org_path)
        elif roll < 0.90 and member:  # a new member
            row = (
                member_ct,
                str(member.id),
                member.id,
                member.name,
                0,
                {"name": ["None", member.name]},
                actor,
                org_path,
            )
        elif roll < 0.97 and actor is not None:  # a login
            row = (user_ct, str(actor), actor, "登录", 3, None, actor, org_path, EVENT_LOGIN)
        elif roll < 0.99 or member is None:  # a failed login of an unknown name: filed at the root
            row = (user_ct, "", None, "gw_unknown", 3, None, None, root_path, EVENT_LOGIN_FAILED)
        else:  # a roster export
            data = {"rows": rng.randrange(1, 5000), "filters": {}, "masked": False, "org_path": org_path}
            yield (member_ct, "", None, "花名册导出", 3, None, admin_id, at, ip, data)
            continue
        ct, pk, obj_id, repr_, action, changes, actor_id, path, *event = row
        data = {"org_path": path, **({"event": event[0]} if event else {})}
        yield (ct, pk, obj_id, repr_, action, changes, actor_id, at, ip, data)


@scale_producer(order=60)
def produce_audit_log(ctx: ScaleContext) -> None:
    """The audit log of a year's work (ten entries per member at L: 1,000,000), COPYed on PostgreSQL."""
    import json

    from auditlog.models import LogEntry
    from django.db import connection

    total = ctx.audit_entries if ctx.audit_entries is not None else AUDIT_ENTRIES_PER_MEMBER * ctx.members_target
    if not 0 <= total <= AUDIT_ENTRIES_MAX:
        from dangjian.core.scale import ScaleSeedError

        raise ScaleSeedError(ERR_AUDIT_ENTRIES)
    label = "审计日志"
    ctx.report(label, 0, total)
    rows = _audit_rows(ctx, total)
    done = 0
    if connection.vendor == "postgresql":
        columns = (
            "content_type_id, object_pk, object_id, object_repr, action, changes, actor_id, timestamp, remote_addr,"
            " additional_data, changes_text"
        )
        with connection.cursor() as cursor, cursor.copy(f"COPY auditlog_logentry ({columns}) FROM STDIN") as copy:
            for ct, pk, obj_id, repr_, action, changes, actor_id, at, ip, data in rows:
                changes_json = json.dumps(changes, ensure_ascii=False) if changes is not None else None
                copy.write_row((ct, pk, obj_id, repr_, action, changes_json, actor_id, at, ip, json.dumps(data), ""))
                done += 1
                if done % AUDIT_BATCH == 0:
                    ctx.report(label, done, total)
    else:
        batch = []
        for ct, pk, obj_id, repr_, action, changes, actor_id, at, ip, data in rows:
            batch.append(
                LogEntry(
                    content_type_id=ct,
                    object_pk=pk,
                    object_id=obj_id,
                    object_repr=repr_,
                    action=action,
                    changes=changes,
                    actor_id=actor_id,
                    timestamp=at,
                    remote_addr=ip,
                    additional_data=data,
                )
            )
            if len(batch) >= AUDIT_BATCH:
                done += len(LogEntry.objects.bulk_create(batch))
                batch.clear()
                ctx.report(label, done, total)
        done += len(LogEntry.objects.bulk_create(batch))
    ctx.report(label, done, total)
    ctx.counts[label] = ctx.counts.get(label, 0) + done


@scale_producer(order=900)
def produce_stats_snapshots(ctx: ScaleContext) -> None:
    """Derived figures last, after every module's records: the precomputed statistics of the big scopes (the whole
    set at L), so its statistics page is fast from the start rather than after the task worker's first run."""
    if targets := refresh_snapshots(today=ctx.today):
        ctx.counts["预先计算统计的组织"] = len(targets)
