"""The members' part of scale data set L (see dangjian.core.scale): the roster, then its history."""

from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from dangjian.core.datagen import DEPUTY, HEAD, STAFF, PeopleGenerator, deputies_for, head_title_for
from dangjian.core.scale import ADMIN_USERNAME, MemberRow, ScaleContext, scale_producer
from dangjian.orgs.choices import OrgKind

from . import rules
from .choices import ExitKind, Status, TransferKind
from .models import Member, StatusChange, Transfer
from .services import fill_pinyin
from .stats import refresh_snapshots

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


def _pinyin(cache: dict[str, tuple[str, str]], name: str) -> tuple[str, str]:
    """(full pinyin, initials) exactly as the roster stores them, computed once per distinct name."""
    if name not in cache:
        probe = Member(name=name)
        fill_pinyin(probe)
        cache[name] = (probe.name_pinyin, probe.name_initials)
    return cache[name]


@scale_producer(order=20)
def produce_members(ctx: ScaleContext) -> None:
    """Every branch's planned number of members: its head, deputies, then staff, in 党小组 round-robin where the
    branch has them; ID numbers unique against the whole roster; some staff already transferred out, deceased,
    suspended, expelled or moved in from another branch of the organ (their history comes from produce_history)."""
    rng, today = ctx.rng, ctx.today
    people = PeopleGenerator(rng, today, unique_names=False)
    people.id_numbers.update(Member.objects.values_list("id_number", flat=True))
    people.phones.update(Member.objects.values_list("phone", flat=True))
    branches = ctx.orgs_of_kind(OrgKind.BRANCH)
    groups: dict[int, list[int]] = defaultdict(list)
    for org in ctx.orgs_of_kind(OrgKind.GROUP):
        groups[org.parent_id].append(org.id)
    organ_branches: dict[int, list[int]] = defaultdict(list)
    for branch in branches:
        organ_branches[branch.organ_id].append(branch.id)
    pinyin: dict[str, tuple[str, str]] = {}
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
                name_pinyin, name_initials = _pinyin(pinyin, fields["name"])
                yield Member(
                    **fields,
                    name_pinyin=name_pinyin,
                    name_initials=name_initials,
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
    ctx.members = ctx.bulk_create(Member, generate(), label="党员", total=total, keep=row)
    for member, rank in zip(ctx.members, ranks, strict=True):
        member.rank = rank
    ctx.extra["members.fates"] = [(m, what) for m, what in zip(ctx.members, fates, strict=True) if what]


@scale_producer(order=50)
def produce_history(ctx: ScaleContext) -> None:
    """The status changes and transfers behind the statuses produce_members gave, handled by the root's admin."""
    admin_id = ctx.users.get(ADMIN_USERNAME)
    changes: list[StatusChange] = []
    transfers: list[Transfer] = []
    for n, (member, (what, day, from_org_id, exit_kind)) in enumerate(ctx.extra.pop("members.fates", []), start=1):
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


@scale_producer(order=900)
def produce_stats_snapshots(ctx: ScaleContext) -> None:
    """Derived figures last, after every module's records: the precomputed statistics of the big scopes (the whole
    set at L), so its statistics page is fast from the start rather than after the task worker's first run."""
    if targets := refresh_snapshots(today=ctx.today):
        ctx.counts["预先计算统计的组织"] = len(targets)
