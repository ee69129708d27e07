"""Scale data set L (DESIGN.md "Scale targets"): one 工委 over some 100 机关党委, 5,000 organisations and 100,000
members, written in bulk and deterministic for a seed and a day. `dangjian seed-scale` runs it.

The set is made by *producers*, functions registered with ``@scale_producer(order=…)`` and run in order inside one
transaction, each receiving the ScaleContext with what the earlier ones made: the org tree (10, here), members (20,
members/scale.py), committees (30) and logins (40, here), member history (50, members/scale.py), and last the figures
derived from them all (900: the precomputed statistics, members/scale.py). A later module adds
its own records (meetings, fees …) with a producer in its own ``<app>/scale.py``; those modules are found the way
``admin.py`` modules are. Each producer draws from its own random stream, so adding one never changes the others.
"""

import heapq
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.module_loading import autodiscover_modules

from dangjian.core.datagen import BRANCH_SEATS, COMMITTEE_SEATS, GENERAL_BRANCH_SEATS, STAFF, branch_seat_count
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.members.choices import Category, Status
from dangjian.members.models import Member
from dangjian.orgs import rules as org_rules
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization

#: Code of the set's root; its presence means the set is loaded.
SCALE_ROOT_CODE = "GW"
ROOT_NAME = "示范省直属机关工作委员会"
#: One password for every generated login (the set is for benchmarks and load tests, never production).
SCALE_PASSWORD = "Scale#2026dj"
ADMIN_USERNAME = "gw_admin"
INSPECTOR_USERNAME = "gw_jijian"
#: Rows per INSERT.
BATCH_SIZE = 5000

#: Shares of the org count by kind; groups (党小组) take what is left (~27%).
ORGAN_SHARE = 0.02
GENERAL_BRANCH_SHARE = 0.06
BRANCH_SHARE = 0.65
#: Members per org when --orgs is not given (100,000 members → 5,000 orgs).
MEMBERS_PER_ORG = 20
#: Every branch gets at least this many members (the head and two more), so its numbers look like a branch.
MIN_BRANCH_SIZE = 3
MIN_ORGS = 3

ERR_PRODUCTION = "生产环境（DANGJIAN_PRODUCTION=1）不能生成规模测试数据"
ERR_EXISTS = "规模测试数据（组织编码 {code}）已存在；请换一个空数据库，或先删除该组织树"
ERR_TOO_FEW_ORGS = f"组织数至少为 {MIN_ORGS}（工委、机关党委、党支部各一）"
ERR_TOO_FEW_MEMBERS = "党员数至少应为党支部数的 {n} 倍：{orgs} 个组织约含 {branches} 个党支部，需至少 {members} 名党员"
ERR_YEARS = "年数应在 1 到 10 之间"
ERR_FUTURE_TODAY = "基准日期不能晚于今天"


class ScaleSeedError(Exception):
    """The set cannot be generated here (the message is for the user, in Chinese)."""


# --- What producers share ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrgRow:
    """A created org, as later producers need it (no model instances kept for 5,000 orgs)."""

    id: int
    path: str
    depth: int
    kind: str
    code: str
    name: str
    department: str
    established_on: date | None
    parent_id: int | None
    organ_id: int | None  # the 机关党委 above (itself for one; None for the root)
    planned_size: int  # members planned for a branch (0 for other kinds)


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


@dataclass
class ScaleContext:
    """Passed to every producer: the parameters, a random stream of its own, what earlier producers made."""

    seed: int
    members_target: int
    orgs_target: int
    years: int
    today: date
    report: Callable[[str, int, int], None] = lambda label, done, total: None
    rng: random.Random = field(default_factory=random.Random)
    orgs: list[OrgRow] = field(default_factory=list)
    members: list[MemberRow] = field(default_factory=list)
    #: username → user id of the generated logins (ADMIN_USERNAME handles the generated history)
    users: dict[str, int] = field(default_factory=dict)
    #: free room for producers to pass things on (key them by app: "meetings.…")
    extra: dict = field(default_factory=dict)
    #: rows written, by label (the summary line)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def root(self) -> OrgRow:
        return self.orgs[0]

    def orgs_of_kind(self, kind: str) -> list[OrgRow]:
        return [o for o in self.orgs if o.kind == kind]

    def members_by_org(self) -> dict[int, list[MemberRow]]:
        """Members by branch id, in creation order (the head, deputies, then staff)."""
        by_org: dict[int, list[MemberRow]] = defaultdict(list)
        for member in self.members:
            by_org[member.org_id].append(member)
        return by_org

    def bulk_create(self, model, objs: Iterable, *, label: str, total: int, keep: Callable | None = None) -> list:
        """Insert `objs` in batches, reporting progress under `label`; returns keep(obj) for each (or the objects).
        Objects are handed over one batch at a time, so a generator keeps memory flat."""
        kept: list = []
        batch: list = []
        done = 0

        def flush() -> None:
            nonlocal done
            created = model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            kept.extend(map(keep, created) if keep else created)
            done += len(created)
            batch.clear()
            self.report(label, done, total)

        self.report(label, 0, total)
        for obj in objs:
            batch.append(obj)
            if len(batch) >= BATCH_SIZE:
                flush()
        if batch:
            flush()
        self.counts[label] = self.counts.get(label, 0) + done
        return kept


# --- The registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleProducer:
    name: str  # module.function: also seeds the producer's random stream
    order: int
    func: Callable[[ScaleContext], None]


_producers: dict[str, ScaleProducer] = {}


def scale_producer(*, order: int):
    """Register a function(ctx) that writes its part of the set, after those with a lower `order`."""

    def register(func: Callable[[ScaleContext], None]):
        name = f"{func.__module__}.{func.__qualname__}"
        _producers[name] = ScaleProducer(name=name, order=order, func=func)
        return func

    return register


def scale_producers() -> list[ScaleProducer]:
    """Every registered producer (after importing each installed app's `scale` module), in run order."""
    autodiscover_modules("scale")
    return sorted(_producers.values(), key=lambda p: (p.order, p.name))


# --- Running it --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleResult:
    root: Organization
    counts: dict[str, int]
    seconds: dict[str, float]  # producer name → time taken
    elapsed: float


def default_orgs(members: int) -> int:
    return max(MIN_ORGS, round(members / MEMBERS_PER_ORG))


def scale_seed(
    *,
    members: int = 100_000,
    orgs: int | None = None,
    years: int = 3,
    seed: int = 2026,
    today: date | None = None,
    report: Callable[[str, int, int], None] | None = None,
) -> ScaleResult:
    """Generate the scale set under a new root (code SCALE_ROOT_CODE) in one transaction.

    `years` is how far back generated records reach (member history here; meetings, fees … in later modules).
    `report(label, done, total)` is called as each part progresses.
    """
    if settings.PRODUCTION:
        raise ScaleSeedError(ERR_PRODUCTION)
    today = today or date.today()
    if today > date.today():
        raise ScaleSeedError(ERR_FUTURE_TODAY)
    orgs = orgs or default_orgs(members)
    if orgs < MIN_ORGS:
        raise ScaleSeedError(ERR_TOO_FEW_ORGS)
    counts = org_counts(orgs)
    if members < counts[OrgKind.BRANCH] * MIN_BRANCH_SIZE:
        raise ScaleSeedError(
            ERR_TOO_FEW_MEMBERS.format(
                n=MIN_BRANCH_SIZE,
                orgs=orgs,
                branches=counts[OrgKind.BRANCH],
                members=counts[OrgKind.BRANCH] * MIN_BRANCH_SIZE,
            )
        )
    if not 1 <= years <= 10:
        raise ScaleSeedError(ERR_YEARS)
    if Organization.objects.filter(code=SCALE_ROOT_CODE).exists():
        raise ScaleSeedError(ERR_EXISTS.format(code=SCALE_ROOT_CODE))

    ctx = ScaleContext(seed=seed, members_target=members, orgs_target=orgs, years=years, today=today)
    if report is not None:
        ctx.report = report
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), disable_auditlog():
        for producer in scale_producers():
            ctx.rng = random.Random(f"{seed}:{producer.name}")
            begin = time.perf_counter()
            producer.func(ctx)
            seconds[producer.name] = time.perf_counter() - begin
    if connection.vendor == "postgresql":
        # Fresh statistics, so the first queries on the new rows get sensible plans (autovacuum comes later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ScaleResult(
        root=Organization.objects.get(code=SCALE_ROOT_CODE),
        counts=ctx.counts,
        seconds=seconds,
        elapsed=time.perf_counter() - started,
    )


# --- Helpers for producers ---------------------------------------------------------------------------------


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into len(weights) whole parts proportional to the weights, each at least `minimum`
    (largest remainder; deterministic)."""
    parts = [minimum] * len(weights)
    left = total - minimum * len(weights)
    if left <= 0 or not weights:
        return parts
    scale = left / sum(weights)
    shares = [w * scale for w in weights]
    for i, share in enumerate(shares):
        parts[i] += int(share)
    remainder = left - sum(int(s) for s in shares)
    by_fraction = sorted(range(len(shares)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_fraction[:remainder]:
        parts[i] += 1
    return parts


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99; beyond, digits)."""
    digits = "零一二三四五六七八九"
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + "十" if tens else "") + (digits[ones] if ones else "")


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


# --- Producer 10: the org tree ------------------------------------------------------------------------------

#: Provincial organs (省直机关); each has a 机关党委 in the tree.
ORGANS = [
    "省委办公厅", "省人大常委会办公厅", "省政府办公厅", "省政协办公厅", "省纪委监委机关", "省委组织部", "省委宣传部",
    "省委统战部", "省委政法委", "省委政策研究室", "省委网信办", "省委编办", "省委党校", "省档案馆",
    "省发展和改革委员会", "省教育厅", "省科学技术厅", "省工业和信息化厅", "省民族宗教事务委员会", "省公安厅",
    "省民政厅", "省司法厅", "省财政厅", "省人力资源和社会保障厅", "省自然资源厅", "省生态环境厅",
    "省住房和城乡建设厅", "省交通运输厅", "省水利厅", "省农业农村厅", "省商务厅", "省文化和旅游厅",
    "省卫生健康委员会", "省退役军人事务厅", "省应急管理厅", "省审计厅", "省外事办公室", "省国资委",
    "省市场监督管理局", "省广播电视局", "省体育局", "省统计局", "省医疗保障局", "省地方金融管理局", "省乡村振兴局",
    "省机关事务管理局", "省信访局", "省粮食和物资储备局", "省能源局", "省监狱管理局", "省林业局", "省药品监督管理局",
    "省知识产权局", "省人民防空办公室", "省政务服务管理局", "省数据局", "省社会科学院", "省农业科学院", "省科学院",
    "省总工会", "团省委", "省妇联", "省科协", "省文联", "省作协", "省侨联", "省残联", "省红十字会", "省贸促会",
    "省供销合作社", "省高级人民法院", "省人民检察院", "省税务局", "省气象局", "省通信管理局", "省地震局",
    "省邮政管理局", "省烟草专卖局", "省消防救援总队", "省高速公路管理局", "省地质勘查局", "省测绘地理信息局",
    "省招生考试院", "省疾病预防控制中心", "省公共资源交易中心", "省住房公积金管理中心", "省社会保险事业局",
    "省经济信息中心", "省广播电视台", "省日报社", "省出版集团", "省图书馆", "省博物馆", "省人民医院", "省中医院",
    "省儿童医院", "省肿瘤医院", "省第一人民医院", "省国际经济技术交流中心", "省对口支援办公室",
]  # fmt: skip
#: 处室 and 直属单位 of an organ; a branch is set up in each (big ones get a second, third … branch).
DEPARTMENTS = [
    "办公室", "人事处", "财务处", "政策法规处", "综合规划处", "发展改革处", "监督检查处", "科技与标准处",
    "行政审批处", "信息中心", "机关服务中心", "离退休干部处", "档案室", "宣传教育处", "对外合作处", "统计分析处",
    "督查室", "研究室", "机关党委办公室", "安全保卫处", "执法监督处", "应急管理处", "产业发展处", "运行监测处",
    "项目管理处", "资金管理处", "内部审计处", "培训中心", "信访处", "后勤服务中心", "数据中心", "研究中心",
    "宣传中心", "事务中心", "评审中心", "监测站", "研究院", "法制处", "机要室", "纪检监察室",
]  # fmt: skip
GROUP_NAMES = [f"第{chinese_number(i)}党小组" for i in range(1, 31)]


def org_counts(orgs: int) -> dict[str, int]:
    """How many orgs of each kind make `orgs`: one root, ~2% 机关党委, ~6% 党总支, ~65% 党支部, the rest 党小组."""
    organs = max(1, round(orgs * ORGAN_SHARE))
    branches = max(organs, round(orgs * BRANCH_SHARE))
    generals = round(orgs * GENERAL_BRANCH_SHARE)
    groups = orgs - 1 - organs - branches - generals
    if groups < 0:
        generals = max(0, generals + groups)
        groups = orgs - 1 - organs - branches - generals
    if groups < 0:
        branches += groups
        groups = 0
    return {
        OrgKind.COMMITTEE: 1 + organs,
        OrgKind.GENERAL_BRANCH: generals,
        OrgKind.BRANCH: branches,
        OrgKind.GROUP: groups,
    }


@dataclass
class _Node:
    kind: str
    code: str
    name: str
    established_on: date | None
    department: str = ""
    size: int = 0
    children: list["_Node"] = field(default_factory=list)


def _plan_tree(ctx: ScaleContext) -> _Node:
    """The tree as plain nodes: organs of lognormal size, 党总支 in the bigger ones, branches of lognormal size,
    党小组 in the bigger branches."""
    rng, today = ctx.rng, ctx.today
    counts = org_counts(ctx.orgs_target)
    n_organs = counts[OrgKind.COMMITTEE] - 1
    n_branches, n_generals, n_groups = counts[OrgKind.BRANCH], counts[OrgKind.GENERAL_BRANCH], counts[OrgKind.GROUP]

    root = _Node(OrgKind.COMMITTEE, SCALE_ROOT_CODE, ROOT_NAME, date(today.year - 25, 7, 1))
    branches_per_organ = allocate(n_branches, [rng.lognormvariate(0, 0.8) for _ in range(n_organs)], minimum=1)

    # 党总支 go to the organs with the most branches per 党总支, each keeping at least 3 branches; any that fit
    # nowhere become 党小组 (only in tiny sets).
    generals_per_organ = [0] * n_organs
    heap = [(-b, i) for i, b in enumerate(branches_per_organ) if b >= 3]
    heapq.heapify(heap)
    placed = 0
    while placed < n_generals and heap:
        _, i = heapq.heappop(heap)
        generals_per_organ[i] += 1
        placed += 1
        if branches_per_organ[i] >= 3 * (generals_per_organ[i] + 1):
            heapq.heappush(heap, (-branches_per_organ[i] / (generals_per_organ[i] + 1), i))
    n_groups += n_generals - placed

    sizes = allocate(
        ctx.members_target, [rng.lognormvariate(0, 0.7) for _ in range(n_branches)], minimum=MIN_BRANCH_SIZE
    )
    branches: list[_Node] = []
    for o in range(n_organs):
        organ_name = ORGANS[o % len(ORGANS)] + ("" if o < len(ORGANS) else f"（{o // len(ORGANS) + 1}）")
        organ_code = f"{SCALE_ROOT_CODE}{o + 1:03d}"
        organ_founded = date(rng.randint(today.year - 24, today.year - 12), rng.randint(1, 12), rng.randint(1, 28))
        organ = _Node(OrgKind.COMMITTEE, organ_code, f"{organ_name}机关党委", organ_founded)
        root.children.append(organ)
        generals = [
            _Node(
                OrgKind.GENERAL_BRANCH,
                f"{organ_code}-Z{g + 1:02d}",
                f"机关第{chinese_number(g + 1)}党总支",
                random_day(rng, organ_founded, date(today.year - 6, 12, 31)),
            )
            for g in range(generals_per_organ[o])
        ]
        organ.children.extend(generals)
        for b in range(branches_per_organ[o]):
            department = DEPARTMENTS[b % len(DEPARTMENTS)]
            round_ = b // len(DEPARTMENTS) + 1
            name = f"{department}党支部" if round_ == 1 else f"{department}第{chinese_number(round_)}党支部"
            # Every 党总支 gets two branches first; then a third of the rest sit under one.
            if b < 2 * len(generals):
                parent = generals[b % len(generals)]
            elif generals and rng.random() < 0.35:
                parent = rng.choice(generals)
            else:
                parent = organ
            start = parent.established_on or organ_founded
            branch = _Node(
                OrgKind.BRANCH,
                f"{organ_code}-B{b + 1:03d}",
                name,
                random_day(rng, start, date(today.year - 4, 12, 31)),
                department=department,
                size=sizes[len(branches)],
            )
            parent.children.append(branch)
            branches.append(branch)

    # 党小组: 2–3 in each branch of 12 or more members, biggest first; then one more each while any are left.
    by_size = sorted(branches, key=lambda b: -b.size)
    left = n_groups
    for branch in by_size:
        if left == 0 or branch.size < 12:
            break
        k = min(left, rng.randint(2, 3))
        _add_groups(branch, k)
        left -= k
    while left:
        for branch in by_size:
            if left == 0:
                break
            _add_groups(branch, 1)
            left -= 1
    return root


def _add_groups(branch: _Node, k: int) -> None:
    for _ in range(k):
        n = len(branch.children) + 1
        name = GROUP_NAMES[n - 1] if n <= len(GROUP_NAMES) else f"第{n}党小组"
        branch.children.append(_Node(OrgKind.GROUP, f"{branch.code}-{n}", name, branch.established_on))


@scale_producer(order=10)
def produce_orgs(ctx: ScaleContext) -> None:
    """The org tree, inserted in bulk with treebeard's materialised paths computed here (add_child per node would
    read and update the parent 5,000 times)."""
    root = _plan_tree(ctx)
    last_root = Organization.objects.get_last_root_node()
    root_step = Organization._str2int(last_root.path[: Organization.steplen]) + 1 if last_root else 1

    rows: list[tuple[_Node, str, int, int | None, int | None]] = []  # node, path, depth, parent index, organ index

    def walk(node: _Node, path: str, depth: int, parent: int | None, organ: int | None) -> None:
        index = len(rows)
        if node.kind == OrgKind.COMMITTEE and depth == 2:
            organ = index
        rows.append((node, path, depth, parent, organ))
        for step, child in enumerate(node.children, start=1):
            walk(child, Organization._get_path(path, depth + 1, step), depth + 1, index, organ)

    walk(root, Organization._get_path("", 1, root_step), 1, None, None)

    objs = (
        Organization(
            path=path,
            depth=depth,
            numchild=len(node.children),
            name=node.name,
            kind=node.kind,
            code=node.code,
            department=node.department,
            established_on=node.established_on,
            remark="规模测试数据" if depth == 1 else "",
        )
        for node, path, depth, _, _ in rows
    )
    ids = ctx.bulk_create(Organization, objs, label="党组织", total=len(rows), keep=lambda o: o.pk)
    for (node, path, depth, parent, organ), pk in zip(rows, ids, strict=True):
        ctx.orgs.append(
            OrgRow(
                id=pk,
                path=path,
                depth=depth,
                kind=node.kind,
                code=node.code,
                name=node.name,
                department=node.department,
                established_on=node.established_on,
                parent_id=ids[parent] if parent is not None else None,
                organ_id=ids[organ] if organ is not None else None,
                planned_size=node.size,
            )
        )


# --- Producer 30: committees and their terms ----------------------------------------------------------------


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
    by_org = ctx.members_by_org()
    branches_under: dict[int, list[OrgRow]] = defaultdict(list)  # general branch / organ / root id → branches
    parents = {o.id: o for o in ctx.orgs}
    for org in ctx.orgs_of_kind(OrgKind.BRANCH):
        parent = parents[org.parent_id]
        branches_under[parent.id].append(org)
        if parent.kind == OrgKind.GENERAL_BRANCH:
            branches_under[parent.parent_id].append(org)
        branches_under[ctx.root.id].append(org)

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

    for org in ctx.orgs_of_kind(OrgKind.BRANCH):
        people = [m for m in by_org[org.id] if m.status == Status.ACTIVE]
        count = branch_seat_count(sum(m.category == Category.FULL for m in people))
        roles = BRANCH_SEATS[count] if count > 1 else [CommitteeRole.SECRETARY]
        # Head first (the secretary), then the deputies, then the others in random order.
        leaders = [m for m in people if m.rank != STAFF]
        staff = [m for m in people if m.rank == STAFF]
        rng.shuffle(staff)
        previous = leaders[1:2] + leaders[:1] + leaders[2:] if rng.random() < 0.5 else leaders[:]
        org_terms(org, roles, leaders + staff, previous + rng.sample(staff, len(staff)))

    for org in ctx.orgs:
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
    ctx.extra["core.current_seats"] = {
        (term_id, role): member_id for term_id, role, member_id, ended_on in current if ended_on is None
    }
    ctx.extra["core.current_terms"] = {
        t.org_id: t.pk for t, (_, _, ended_on) in zip(terms, plans, strict=True) if ended_on is None
    }


# --- Producer 40: logins -------------------------------------------------------------------------------------


@scale_producer(order=40)
def produce_accounts(ctx: ScaleContext) -> None:
    """Logins with role grants, one password: gw_admin (机关党委管理员 at the root), gw_jijian (纪检 at the root),
    gw_admin_001 … for each 机关党委 and gw_shuji_0001 … for each branch's secretary, each tied to their member
    record when that person has no login yet."""
    seats: dict[tuple[int, str], int] = ctx.extra["core.current_seats"]
    terms: dict[int, int] = ctx.extra["core.current_terms"]
    names = {m.id: m.name for m in ctx.members}

    def holder(org: OrgRow, role: str) -> int | None:
        term = terms.get(org.id)
        return seats.get((term, role)) if term else None

    plans: list[tuple[str, str, OrgRow, int | None]] = [
        (ADMIN_USERNAME, Role.COMMITTEE_ADMIN, ctx.root, holder(ctx.root, CommitteeRole.ORGANIZATION)),
        (INSPECTOR_USERNAME, Role.INSPECTOR, ctx.root, holder(ctx.root, CommitteeRole.DISCIPLINE)),
    ]
    organs = [o for o in ctx.orgs_of_kind(OrgKind.COMMITTEE) if o.depth == 2]
    for n, organ in enumerate(organs, start=1):
        plans.append((f"gw_admin_{n:03d}", Role.COMMITTEE_ADMIN, organ, holder(organ, CommitteeRole.ORGANIZATION)))
    for n, branch in enumerate(ctx.orgs_of_kind(OrgKind.BRANCH), start=1):
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
