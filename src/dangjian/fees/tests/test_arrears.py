"""Arrears: the stored six-month flags (set-based, equal to the pure rule, never a status change), shown on the
organisational-life flags page with their reason; the 待办 of members in arrears and branches not remitting."""

from datetime import date

import pytest
from django.urls import reverse

from dangjian.core.reminders import reminders_for
from dangjian.fees import arrears, rules, tasks
from dangjian.fees.choices import FeeKind
from dangjian.fees.models import ArrearsFlag, FeeBase, LedgerLine
from dangjian.fees.reminders import fee_reminders
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.members.tests.factories import MemberFactory

from .remit_world import line, pay, remittance_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(clock):
    first, end = arrears.flag_window(clock.today())
    return list(rules.months_between(first, rules.add_months(end, -1)))


@pytest.fixture
def history(world, window):
    """member_a: six months unpaid; member_a2: paid the fourth; member_b: unpaid but exempt by approval."""
    for month in window:
        line(world.member_a, month)
        line(world.member_a2, month, paid=9000 if month == window[3] else 0)
        line(world.member_b, month)
    FeeBase.objects.create(
        member=world.member_b,
        kind=FeeKind.EXEMPT,
        effective_month=window[-1],
        approved_on=window[-1],
        reason="低保，经支部批准免交",
    )
    short = MemberFactory(org=world.branch_a, name="赵新")
    for month in window[1:]:  # five months only: not flagged
        line(short, month)
    return window


def test_six_unpaid_months_flagged_one_paid_not_exempt_not(world, history, clock):
    tasks.refresh_arrears_flags.call_local()  # the nightly task
    flag = ArrearsFlag.objects.get(review=True)
    assert (flag.member, flag.org, flag.months) == (world.member_a, world.branch_a, 6)
    assert "连续6个月未交纳党费" in flag.message and flag.message.startswith("王小明：")
    assert Member.objects.get(pk=world.member_a.pk).status == Status.ACTIVE  # never a status change
    # in arrears (≥ 3 past months owed), not for review: paid one month; exempt; five months only
    owing = dict(ArrearsFlag.objects.filter(review=False).values_list("member__name", "months"))
    assert owing == {"张宏伟": 5, "李秀英": 6, "赵新": 5}
    assert arrears.refresh_arrears_flags() == 1 and ArrearsFlag.objects.count() == 4  # replaced, not added


def test_the_query_follows_the_pure_rule(world, history, clock):
    flagged = {pk for pk, _org, _name in arrears.flagged_members(clock.today())}
    for member in Member.objects.all():
        owed = {
            m: due - paid
            for m, due, paid in LedgerLine.objects.filter(member=member).values_list("month", "due_fen", "paid_fen")
        }
        exempt = FeeBase.objects.filter(member=member, kind=FeeKind.EXEMPT).exists()
        assert (member.pk in flagged) == arrears.is_flagged(today=clock.today(), owed_by_month=owed, exempt=exempt)


def test_flags_page_shows_the_fee_flag_with_its_reason(world, history, clock, client_for):
    paid_on = date(history[0].year, history[0].month, 1)
    earlier = line(world.member_a, rules.add_months(history[0], -1), paid=0)
    pay(earlier, 9000, paid_on=paid_on)
    arrears.refresh_arrears_flags()
    client = client_for(world.secretary_a)
    page = client.get(reverse("meetings:flags")).content.decode()
    assert 'value="fee_arrears"' in page  # in the kind filter
    reason = f"连续6个月未交纳党费，最近一次交纳：{paid_on.year}年{paid_on.month}月{paid_on.day}日"
    assert reason in page
    only = client.get(reverse("meetings:flags"), {"kind": "fee_arrears"})
    assert only.status_code == 200
    assert [f.member for f in only.context["rows"]] == [world.member_a] and reason in only.content.decode()
    assert client.get(reverse("meetings:flags"), {"kind": "fee_arrears", "org": world.branch_b.pk}).status_code == 404
    outsider = client_for(world.secretary_b).get(reverse("meetings:flags"), {"kind": "fee_arrears"})
    assert outsider.context["rows"] == [] and "王小明" not in outsider.content.decode()
    client = client_for(world.secretary_a)
    # paid since the night's run: left out at once
    pay(LedgerLine.objects.get(member=world.member_a, month=history[-1]), 9000)
    assert client.get(reverse("meetings:flags"), {"kind": "fee_arrears"}).context["rows"] == []


def test_reminders_for_the_secretary_and_rolled_up_for_the_committee(
    world, window, clock, django_assert_max_num_queries
):
    for month in window[-3:]:
        line(world.member_a, month)
        line(world.member_a2, month)
        line(world.member_b, month)
    this = rules.month_first(clock.today())
    arrears.refresh_arrears_flags()
    mine = [r.title for r in fee_reminders(world.secretary_a)]
    assert "办公室党支部：2名党员欠交党费3个月以上" in mine
    assert not any("财务处" in t for t in mine)
    with django_assert_max_num_queries(6):
        titles = [r.title for r in fee_reminders(world.admin)]
    assert "测试机关党委：3名党员欠交党费3个月以上（涉及2个党支部）" in titles
    assert not any("未上缴" in t for t in titles)  # nothing collected, nothing to remit
    # branch B collects in the last two months and remits nothing since: reminded; branch A remitted: not
    pay(LedgerLine.objects.get(member=world.member_b, month=window[-1]), 9000)
    pay(LedgerLine.objects.get(member=world.member_a, month=window[-1]), 9000)
    remittance_of(world.branch_a, month=window[-1], amount_fen=9000, remitted_on=clock.today())
    titles = [r.title for r in reminders_for(world.admin)]
    assert "财务处党支部：近2个月未上缴党费" in titles and "办公室党支部：近2个月未上缴党费" not in titles
    assert this > window[-1]
