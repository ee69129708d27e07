"""党员之声's part of demo data set S (dangjian.core.demo): each part adds its producer in its section."""

from datetime import date

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, demo_producer
from dangjian.members.demo import demo_members
from dangjian.orgs.demo import BRANCHES, demo_orgs

from .choices import CommitmentGrade, Phase
from .commitments import phase_opens
from .models import Commitment, Fulfilment, ServicePromise

# ── proposals

# ── commitments
#: Branch code → the login that keeps its commitments (the committee admin's otherwise: None).
COMMITMENT_KEEPERS = {"ZB01": "shuji01", "ZB02": "shuji02"}
#: Every this many members one has published no commitment this year (未承诺 shows).
UNCOMMITTED_EVERY = 6
PROMISE_ITEMS = [
    ("来访来电咨询答复", 1, "当场答复；不能当场答复的一个工作日内答复"),
    ("业务证明材料开具", 3, "材料齐全的当场办结，其余三个工作日内办结"),
    ("政策文件解读", 5, "五个工作日内书面答复，并告知承办人联系方式"),
]
COMMITMENT_TEXTS = [
    ("带头学习党的创新理论，在本职岗位上当好表率", "全年参加集中学习不少于12次，撰写学习体会2篇"),
    ("提高办事效率，热情服务来访群众", "经办事项按期办结率100%，群众满意率95%以上"),
    ("积极参加志愿服务，联系服务群众", "全年参加志愿服务不少于4次"),
    ("严守纪律规矩，廉洁自律", "全年无违规违纪问题，按时足额交纳党费"),
]
GRADES = [CommitmentGrade.EXCELLENT, CommitmentGrade.GOOD, CommitmentGrade.GOOD, CommitmentGrade.FAIR]


def _published(year: int, today: date) -> date:
    return min(date(year, 1, 15), today)


@demo_producer(order=96)
def produce_commitments(ctx: DemoContext) -> None:
    """Last year's commitments of every member of the demo branches, all 践诺 recorded and graded; this year's of
    most members (every UNCOMMITTED_EVERY-th none), 践诺 as far as the year has gone (some members lag), graded once
    the year-end 践诺 is in (about half); 办公室's own commitment; three service promises per department."""
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    admin = ctx.users.get(ADMIN_USERNAME)
    rows, phases = [], []
    for code, branch_members in members.items():
        org = orgs.get(code)
        if org is None:
            continue
        keeper = ctx.users.get(COMMITMENT_KEEPERS.get(code, ""), admin)
        for n, member in enumerate(branch_members):
            content, measures = COMMITMENT_TEXTS[n % len(COMMITMENT_TEXTS)]
            last = Commitment(
                org=org, member=member, year=today.year - 1, content=content, measures=measures,
                published_on=date(today.year - 1, 1, 15), grade=GRADES[n % len(GRADES)], grade_note="较好地履行了承诺",
                graded_on=date(today.year - 1, 12, 28), graded_by=keeper, created_by_id=member.user_id,
            )  # fmt: skip
            rows.append((last, [Phase.MID, Phase.END], date(today.year - 1, 12, 20)))
            if n % UNCOMMITTED_EVERY == UNCOMMITTED_EVERY - 1:
                continue
            this = Commitment(
                org=org, member=member, year=today.year, content=content, measures=measures,
                published_on=_published(today.year, today), created_by_id=member.user_id,
            )  # fmt: skip
            done = [p for p in (Phase.MID, Phase.END) if today >= phase_opens(p, today.year) and n % 4 != 1]
            if Phase.END in done and n % 2 == 0:
                this.grade, this.grade_note, this.graded_on, this.graded_by = GRADES[n % 4], "", today, keeper
            rows.append((this, done, today))
        if code == "ZB01":
            own = Commitment(
                org=org, member=None, year=today.year, content="建设让党放心、让群众满意的模范机关",
                measures="年度党建考核“好”等次；群众满意率95%以上", published_on=_published(today.year, today),
                created_by=keeper,
            )  # fmt: skip
            rows.append((own, [p for p in (Phase.MID,) if today >= phase_opens(p, today.year)], today))
    Commitment.objects.bulk_create([c for c, _, _ in rows])
    for c, done, on in rows:
        for phase in done:
            text = f"{Phase(phase).label}：按承诺推进，{c.measures[:30]}"
            phases.append(
                Fulfilment(commitment=c, phase=phase, done=text, recorded_on=on, recorded_by_id=c.created_by_id)
            )
    Fulfilment.objects.bulk_create(phases)
    promises = []
    for plan in BRANCHES:
        org = orgs.get(plan.code)
        if org is None:
            continue
        for item, days, standard in PROMISE_ITEMS:
            promises.append(
                ServicePromise(org=org, item=item, time_limit_days=days, standard=standard, created_by=admin)
            )
    ServicePromise.objects.bulk_create(promises)


# ── inquiries

# ── surveys

# ── consultations
