"""The orgs' part of demo data set S (see dangjian.core.demo): the tree, producer 10. Its plan (BRANCHES) also says
how many members each branch gets and how its committee stands, for members/demo.py."""

from dataclasses import dataclass
from datetime import date

from dangjian.core.demo import DemoContext, DemoSummary, demo_producer, demo_summary

from .choices import OrgKind
from .models import Organization

DEMO_COMMITTEE_CODE = "JGDW"

#: ctx.made keys: org code → Organization; branch code → its 党小组
MADE_ORGS = "orgs.orgs"
MADE_GROUPS = "orgs.groups"


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
GROUP_NAMES = ["第一党小组", "第二党小组", "第三党小组"]


def demo_committee() -> Organization | None:
    """The demo set's root, if it is loaded."""
    return Organization.objects.filter(code=DEMO_COMMITTEE_CODE).first()


def demo_orgs(ctx: DemoContext) -> dict[str, Organization]:
    """The orgs produce_tree made, by code."""
    return ctx.made[MADE_ORGS]


def demo_groups(ctx: DemoContext, branch_code: str) -> list[Organization]:
    return ctx.made[MADE_GROUPS][branch_code]


@demo_summary(order=10)
def summarize_orgs(summary: DemoSummary) -> None:
    """The set is there once its root is; it is named after it."""
    committee = demo_committee()
    if committee is None:
        return
    summary.present = True
    summary.title = committee.name
    orgs = Organization.objects.filter(path__startswith=committee.path)
    for kind in (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.GROUP):
        summary.counts[kind.label] = orgs.filter(kind=kind).count()


def _add_org(orgs: dict[str, Organization], parent: Organization | None, **fields) -> Organization:
    org = Organization(**fields)
    org.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        org = Organization.objects.add_root(instance=org)
    else:
        org = Organization.objects.add_child(parent, instance=org)  # also bumps parent.numchild in memory
    orgs[org.code] = org
    return org


@demo_producer(order=10)
def produce_tree(ctx: DemoContext) -> None:
    """The 机关党委, its two 党总支, twelve branches and their 党小组."""
    orgs: dict[str, Organization] = {}
    groups: dict[str, list[Organization]] = {}
    committee = _add_org(
        orgs,
        None,
        name=COMMITTEE_NAME,
        kind=OrgKind.COMMITTEE,
        code=DEMO_COMMITTEE_CODE,
        established_on=date(2010, 6, 28),
        remark="演示数据",
    )
    for code, name, established_on in GENERAL_BRANCHES:
        _add_org(orgs, committee, name=name, kind=OrgKind.GENERAL_BRANCH, code=code, established_on=established_on)
    for plan in BRANCHES:
        branch = _add_org(
            orgs,
            orgs[plan.parent],
            name=f"{plan.department}党支部",
            kind=OrgKind.BRANCH,
            code=plan.code,
            department=plan.department,
            established_on=date(ctx.rng.randint(2011, 2018), ctx.rng.randint(1, 12), ctx.rng.randint(1, 28)),
        )
        groups[plan.code] = [
            _add_org(orgs, branch, name=GROUP_NAMES[i], kind=OrgKind.GROUP, code=f"{plan.code}-{i + 1}")
            for i in range(plan.groups)
        ]
    ctx.made[MADE_ORGS] = orgs
    ctx.made[MADE_GROUPS] = groups
