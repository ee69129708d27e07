"""The orgs' part of scale data set L (see dangjian.core.scale): the org tree, producer 10. Later producers read it
through scale_orgs(ctx) and scale_root(ctx)."""

import heapq
from dataclasses import dataclass, field
from datetime import date

from dangjian.core.scale import ScaleContext, ScaleSeedError, allocate, chinese_number, random_day, scale_producer

from .choices import OrgKind
from .models import Organization

#: Code of the set's root; its presence means the set is loaded.
SCALE_ROOT_CODE = "GW"
ROOT_NAME = "示范省直属机关工作委员会"

#: Shares of the org count by kind; groups (党小组) take what is left (~27%).
ORGAN_SHARE = 0.02
GENERAL_BRANCH_SHARE = 0.06
BRANCH_SHARE = 0.65
#: Members per org when --orgs is not given (100,000 members → 5,000 orgs).
MEMBERS_PER_ORG = 20
#: Every branch gets at least this many members (the head and two more), so its numbers look like a branch.
MIN_BRANCH_SIZE = 3
MIN_ORGS = 3

ERR_EXISTS = "规模测试数据（组织编码 {code}）已存在；请换一个空数据库，或先删除该组织树"
ERR_TOO_FEW_ORGS = f"组织数至少为 {MIN_ORGS}（工委、机关党委、党支部各一）"
ERR_TOO_FEW_MEMBERS = "党员数至少应为党支部数的 {n} 倍：{orgs} 个组织约含 {branches} 个党支部，需至少 {members} 名党员"

#: ctx.made key of the created orgs (root first, then in tree order)
MADE_ORGS = "orgs.orgs"


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


def scale_orgs(ctx: ScaleContext, kind: str | None = None) -> list[OrgRow]:
    """The orgs produce_orgs made (of one kind if given), root first, in tree order."""
    orgs: list[OrgRow] = ctx.made[MADE_ORGS]
    return orgs if kind is None else [o for o in orgs if o.kind == kind]


def scale_root(ctx: ScaleContext) -> OrgRow:
    return ctx.made[MADE_ORGS][0]


def default_orgs(members: int) -> int:
    return max(MIN_ORGS, round(members / MEMBERS_PER_ORG))


def _check(ctx: ScaleContext) -> None:
    """Refuse sizes the tree cannot have, and a second set; fills in the org count when none was asked for."""
    ctx.orgs_target = ctx.orgs_target or default_orgs(ctx.members_target)
    if ctx.orgs_target < MIN_ORGS:
        raise ScaleSeedError(ERR_TOO_FEW_ORGS)
    branches = org_counts(ctx.orgs_target)[OrgKind.BRANCH]
    if ctx.members_target < branches * MIN_BRANCH_SIZE:
        raise ScaleSeedError(
            ERR_TOO_FEW_MEMBERS.format(
                n=MIN_BRANCH_SIZE, orgs=ctx.orgs_target, branches=branches, members=branches * MIN_BRANCH_SIZE
            )
        )
    if Organization.objects.filter(code=SCALE_ROOT_CODE).exists():
        raise ScaleSeedError(ERR_EXISTS.format(code=SCALE_ROOT_CODE))


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
    _check(ctx)
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
    ctx.title = root.name
    ctx.made[MADE_ORGS] = [
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
        for (node, path, depth, parent, organ), pk in zip(rows, ids, strict=True)
    ]
