"""党员之声's part of demo data set S (see dangjian.core.demo): each part adds its producer in its section."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from dangjian.core.demo import DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.members.demo import demo_members
from dangjian.members.models import Member
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

from .choices import Channel, InquiryState, Satisfaction
from .models import HandOff, Inquiry, ServicePromise

# ── proposals

# ── commitments

# ── inquiries

#: The member persona: the first person of the demo's overdue chain, and of an item of their own still open.
INQUIRY_MEMBER_LOGIN = "dangyuan01"
ASKERS = ["赵先生", "钱女士", "孙先生", "李女士", "周先生", "吴女士"]
PHONES = ["13800001111", "13911112222", "13722223333", "", "13633334444", "15044445555"]
TOPICS = [
    ("咨询党员组织关系转接需要哪些材料", Channel.VISIT),
    ("询问本季度党费缴纳基数的核定办法", Channel.PHONE),
    ("反映办事大厅排队时间过长", Channel.ONLINE),
    ("来函询问困难党员帮扶申请流程", Channel.LETTER),
]


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _promise(org) -> ServicePromise | None:
    # A command: the demo's own promises (the commitments part may have made some before this one runs).
    return ServicePromise.objects.unrestricted().filter(org=org, active=True).order_by("id").first()


@demo_producer(order=96)
def produce_inquiries(ctx: DemoContext) -> None:
    """Per demo department a few requests: one closed with the asker's satisfaction, one open and on time, one
    handed on once; in 办公室 (the member persona's branch) a chain of two hand-offs whose last is overdue."""
    today = ctx.today
    orgs = demo_orgs(ctx)
    members = demo_members(ctx)
    codes = [plan.code for plan in BRANCHES]
    persona = ctx.users.get(INQUIRY_MEMBER_LOGIN)
    own = Member.objects.unrestricted().filter(user=persona).first() if persona else None  # a command: the set
    n = 0
    for index, code in enumerate(codes):
        org = orgs[code]
        people = members[code]
        if len(people) < 2:
            continue
        first, second = (own, people[1]) if own is not None and own.org_id == org.pk else (people[0], people[1])
        promise = _promise(org)
        limit = promise.time_limit_days if promise else 5
        for k, (content, channel) in enumerate(TOPICS[:3]):
            asked_day = today - timedelta(days=2 + 3 * k + index % 3)
            n += 1
            inquiry = Inquiry.objects.create(
                org=org,
                first_person=first,
                asker=ASKERS[n % len(ASKERS)],
                asker_phone=PHONES[n % len(PHONES)],
                channel=channel,
                content=content,
                asked_at=_at(asked_day, 9 + k),
                promise=promise,
                due_on=asked_day + timedelta(days=limit),
                holder=first,
                holder_org=org,
            )
            if k == 2:  # handed on once to a colleague, then closed
                HandOff.objects.create(
                    inquiry=inquiry,
                    from_member=first,
                    to_member=second,
                    to_org=org,
                    at=_at(asked_day, 14),
                    due_on=inquiry.due_on,
                    note="该事项由其具体经办，请协助答复",
                )
                inquiry.holder = second
            if k in (0, 2):
                inquiry.state = InquiryState.CLOSED
                inquiry.closed_at = min(_at(asked_day + timedelta(days=1), 16), timezone.now())
                inquiry.result = "已当面/电话答复，并告知办理流程"
                inquiry.satisfaction = [Satisfaction.SATISFIED, Satisfaction.BASIC][k // 2]
            inquiry.save()
    # The overdue chain: 办公室 → 人事处 → 财务处, the last hand-off past its limit.
    office, personnel, finance = orgs[codes[0]], orgs[codes[1]], orgs[codes[2]]
    starter = own or members[codes[0]][0]
    middle, last = members[codes[1]][0], members[codes[2]][0]
    asked_day = today - timedelta(days=12)
    inquiry = Inquiry.objects.create(
        org=office,
        first_person=starter,
        asker="郑先生",
        asker_phone="13955556666",
        channel=Channel.PHONE,
        content="来电询问退休党员组织关系转回社区的办理时限",
        asked_at=_at(asked_day, 10),
        due_on=asked_day + timedelta(days=5),
        holder=last,
        holder_org=finance,
    )
    HandOff.objects.create(
        inquiry=inquiry,
        from_member=starter,
        to_member=middle,
        to_org=personnel,
        at=_at(asked_day, 15),
        due_on=asked_day + timedelta(days=5),
        note="涉及人事档案，转人事处办理",
    )
    HandOff.objects.create(
        inquiry=inquiry,
        from_member=middle,
        to_member=last,
        to_org=finance,
        at=_at(asked_day + timedelta(days=2), 11),
        due_on=today - timedelta(days=3),
        note="涉及党费结算，转财务处办理",
    )
    Inquiry.objects.unrestricted().filter(pk=inquiry.pk).update(due_on=today - timedelta(days=3))


@demo_summary(order=96)
def summarize_inquiries(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    # A command: the set.
    summary.counts["首问登记"] = Inquiry.objects.unrestricted().filter(org__path__startswith=committee.path).count()


# ── surveys

# ── consultations
