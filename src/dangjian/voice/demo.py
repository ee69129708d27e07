"""党员之声's part of demo data set S (core.demo), producer 96 (after study's 95): each part adds its own in its
section."""

from datetime import timedelta

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.scale import reset_sequence
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from .models import Proposal, ProposalEvent
from .rules import State
from .scale import PAST, THIS_YEAR, ProposalWriter, _day_in, _pick

# ── proposals: every branch's few a year (ProposalWriter), and on top the member persona's in every state

MEMBER_LOGIN = "dangyuan01"
#: The persona's proposals: (state, days ago submitted, topic, late) — one 承办中 past its deadline, handled by
#: the persona's own branch (shuji01 sees it in 待办), one replied waiting for the persona's rating.
PERSONA = [
    (State.SUBMITTED, 2, 0, False),
    (State.ACCEPTED, 20, 1, False),
    (State.ASSIGNED, 60, 2, True),
    (State.ASSIGNED, 15, 3, False),
    (State.REPLIED, 50, 4, False),
    (State.CLOSED, 120, 5, False),
    (State.REJECTED, 40, 6, False),
    (State.MERGED, 10, 7, False),
]


@demo_producer(order=96)
def produce_proposals(ctx: DemoContext) -> None:
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    branch_ids = [orgs[plan.code].pk for plan in BRANCHES]
    admin = ctx.users.get(ADMIN_USERNAME)
    writer = ProposalWriter(rng=ctx.rng, today=today, by=admin.pk if admin else None)
    for plan in BRANCHES:
        org = orgs[plan.code]
        people = members[plan.code]
        for year in (today.year - 1, today.year):
            for _ in range(2):
                state = _pick(ctx.rng, THIS_YEAR if year == today.year else PAST)
                writer.add(
                    org=org.pk,
                    proposer=people[ctx.rng.randrange(len(people))].pk,
                    handler=branch_ids[ctx.rng.randrange(len(branch_ids))],
                    submitted=_day_in(ctx.rng, year, today),
                    state=state,
                )
    persona = ctx.users.get(MEMBER_LOGIN)
    # a command writing the set: the persona's own record, wherever the accounts producer linked it
    own = Member.objects.unrestricted().filter(user=persona).first() if persona else None
    if own is not None:
        home = own.org_id
        for state, days, topic, late in PERSONA:
            handler = home if late or state == State.REPLIED else orgs[BRANCHES[2].code].pk
            writer.add(
                org=home,
                proposer=own.pk,
                handler=handler,
                submitted=today - timedelta(days=days),
                state=state,
                topic=topic,
                deadline_days=20,
                late=late,
            )
    writer.flush()
    for model in (Proposal, ProposalEvent):
        reset_sequence(model)


@demo_summary(order=96)
def summarize_proposals(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    # a command: the set's count
    summary.counts["党员提案"] = Proposal.objects.unrestricted().filter(org__path__startswith=committee.path).count()


# ── commitments

# ── inquiries

# ── surveys

# ── consultations
