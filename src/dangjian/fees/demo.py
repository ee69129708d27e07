"""The fees' part of demo data set S (see dangjian.core.demo), producer 80, after meetings: a year of bases, the
ledger, payments and remittances for the 12 branches, so every fees page shows something to every demo persona.

Written by the scale set's Writer (fees/scale.py); on top of it, deterministically: 离退休干部处's members are
retired, everyone pays as drawn but nobody stops paying except two members of 办公室 (shuji01's branch; never the
member persona dangyuan01) and one of 信息中心, who paid nothing for the last four months, and 机关服务中心 has
not remitted its last three months (a branch in arrears); every other branch is up to date."""

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.members.choices import Status
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from .choices import FeeKind
from .models import LedgerLine, Payment, Remittance
from .scale import TABLES, Writer, fast_writes, months_of

#: Branch code → members (after the first three: the leaders) who stopped paying this many months ago.
ARREARS = {"ZB01": (2, 4), "ZB05": (1, 4)}
#: The branch in arrears with its remittances, and by how many months.
BEHIND = ("ZB10", 3)
RETIRED_BRANCH = "ZB11"
PERSONA = "dangyuan01"


@demo_producer(order=80)
def produce_fees(ctx: DemoContext) -> None:
    members = demo_members(ctx)
    people = [m for plan in BRANCHES for m in members[plan.code]]
    ids = [m.pk for m in people]
    kinds = {m.pk: FeeKind.EMPLOYED for m in people}
    kinds |= {m.pk: FeeKind.RETIRED for m in members[RETIRED_BRANCH]}
    months = months_of(ctx.today, 1)
    writer = Writer(rng=ctx.rng, today=ctx.today, months=months, recorded_by=ctx.users[ADMIN_USERNAME].pk, counts={})
    writer.bases(ids, kinds=kinds)
    persona = ctx.users.get(PERSONA)
    for profile in writer.profiles.values():
        profile.stopped = None
    # Statuses and logins after the history and accounts producers.
    fresh = {
        pk: (status, user_id)
        for pk, status, user_id in Member.objects.filter(pk__in=ids).values_list("pk", "status", "user_id")
    }
    for code, (count, months_ago) in ARREARS.items():
        # Staff in register without a login (not the persona), the same ones whatever the draw.
        staff = [m for m in members[code][3:] if fresh[m.pk] == (Status.ACTIVE, None)]
        for member in staff[:count]:
            writer.profiles[member.pk].stopped = months[-months_ago]
    if persona is not None and hasattr(persona, "member"):
        profile = writer.profiles.get(persona.member.pk)
        if profile is not None:
            profile.period, profile.delay_days, profile.stopped = 1, 5, None
    orgs = demo_orgs(ctx)
    branch_ids = [orgs[plan.code].pk for plan in BRANCHES]
    with fast_writes(TABLES):
        writer.ledger()
        writer.payments(ids)
        writer.remittances(branch_ids, behind={orgs[BEHIND[0]].pk: BEHIND[1]})


@demo_summary(order=80)
def summarize_fees(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    lines = LedgerLine.objects.unrestricted().filter(org__path__startswith=committee.path)  # a command: the set
    summary.counts["党费台账"] = lines.count()
    summary.counts["党费缴纳"] = Payment.objects.unrestricted().filter(org__path__startswith=committee.path).count()
    summary.counts["党费上缴"] = Remittance.objects.unrestricted().filter(org__path__startswith=committee.path).count()
