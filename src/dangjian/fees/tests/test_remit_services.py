"""上缴: record_remittance and reverse_remittance, every refusal writing nothing; the branch's page and its xlsx."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.fees import rules
from dangjian.fees.models import Remittance
from dangjian.fees.remittances import record_remittance, reverse_remittance

from .remit_world import line, remittance_of, xlsx_rows

pytestmark = pytest.mark.django_db


def _record(world, clock, **kwargs):
    this = rules.month_first(clock.today())
    args = {
        "by": world.secretary_a,
        "org": world.branch_a,
        "month": this,
        "amount_fen": 12_345,
        "remitted_on": clock.today(),
        "reference": "ZZ-001",
        "submission_key": uuid.uuid4(),
    } | kwargs
    return record_remittance(**args)


def test_record_and_a_double_submit_is_one_row(world, clock):
    key = uuid.uuid4()
    first = _record(world, clock, submission_key=key)
    again = _record(world, clock, submission_key=key, amount_fen=99)
    assert first.pk == again.pk and Remittance.objects.count() == 1
    assert (first.amount_fen, first.recorded_by, first.reference) == (12_345, world.secretary_a, "ZZ-001")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": -5}, "amount_fen"),
        ({"amount_fen": 10**10}, "amount_fen"),
        ({"reference": "x" * 101}, "reference"),
    ],
)
def test_refusals_write_nothing(world, clock, change, field):
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, **change)
    assert field in refused.value.message_dict
    assert Remittance.objects.count() == 0


def test_dates_refused(world, clock, tomorrow):
    this = rules.month_first(clock.today())
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, remitted_on=tomorrow)
    assert "不能晚于今天" in refused.value.message_dict["remitted_on"][0]
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, month=rules.add_months(this, 1))
    assert refused.value.message_dict["month"] == ["所属月份不能晚于本月"]
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, month=date(1999, 12, 1), remitted_on=date(2000, 1, 5))
    assert "month" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, month=this, remitted_on=this - timedelta(days=1))
    assert "remitted_on" in refused.value.message_dict
    assert Remittance.objects.count() == 0


def test_only_a_branch_and_only_with_change(world, clock):
    with pytest.raises(PermissionDenied):
        _record(world, clock, by=world.secretary_b)
    with pytest.raises(PermissionDenied):
        _record(world, clock, by=world.inspector)
    with pytest.raises(PermissionDenied):
        _record(world, clock, by=world.member_user_a)
    with pytest.raises(ValidationError) as refused:
        _record(world, clock, by=world.admin, org=world.general)
    assert "org" in refused.value.message_dict
    assert Remittance.objects.count() == 0


def test_reverse_once_with_a_reason(world, clock):
    original = _record(world, clock)
    with pytest.raises(ValidationError):
        reverse_remittance(by=world.secretary_a, remittance=original, reason="  ")
    with pytest.raises(PermissionDenied):
        reverse_remittance(by=world.secretary_b, remittance=original, reason="错")
    assert Remittance.objects.count() == 1
    reversal = reverse_remittance(by=world.secretary_a, remittance=original, reason="金额登记错误")
    assert (reversal.amount_fen, reversal.reverses, reversal.reason) == (-12_345, original, "金额登记错误")
    assert reversal.month == original.month and reversal.org == original.org
    with pytest.raises(ValidationError):
        reverse_remittance(by=world.secretary_a, remittance=original, reason="再次")
    with pytest.raises(ValidationError):
        reverse_remittance(by=world.secretary_a, remittance=reversal, reason="冲正的冲正")
    assert Remittance.objects.count() == 2
    original.refresh_from_db()
    assert original.amount_fen == 12_345  # never updated


def test_page_prefills_open_amount_and_records(world, clock, client_for):
    last = rules.add_months(rules.month_first(clock.today()), -1)
    line(world.member_a, last, paid=9000)
    line(world.member_a2, last, paid=4000)
    remittance_of(world.branch_a, month=last, amount_fen=3000, remitted_on=clock.today())
    client = client_for(world.secretary_a)
    url = f"{reverse('fees:remit')}?org={world.branch_a.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["amount_fen"] == "100.00"  # 130.00 collected − 30.00 remitted
    key = str(uuid.uuid4())
    data = {
        "month": f"{last:%Y-%m}",
        "amount_fen": "100.00",
        "remitted_on": clock.today().isoformat(),
        "reference": "",
        "submission_key": key,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the double submit
    assert Remittance.objects.filter(org=world.branch_a, month=last).count() == 2
    refused = client.post(url, data | {"amount_fen": "1.001", "submission_key": str(uuid.uuid4())})
    assert refused.status_code == 400 and "最多两位小数" in refused.content.decode()
    assert Remittance.objects.count() == 2
    # the inspector sees the list, without the form; a POST is 404
    inspector = client_for(world.inspector)
    assert inspector.get(url).context["form"] is None
    assert inspector.post(url, data | {"submission_key": str(uuid.uuid4())}).status_code == 404


def test_reverse_page_and_export(world, clock, client_for):
    original = remittance_of(world.branch_a, amount_fen=5000)
    client = client_for(world.secretary_a)
    url = reverse("fees:remit_reverse", args=[original.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "重复登记"}).status_code == 302
    assert Remittance.objects.get(reverses=original).amount_fen == -5000
    listing = client.get(f"{reverse('fees:remit')}?org={world.branch_a.pk}").content.decode()
    assert "已冲正" in listing and "冲正：重复登记" in listing
    response = client.get(f"{reverse('fees:remit_export')}?org={world.branch_a.pk}")
    rows = xlsx_rows(response)
    assert rows[0][:3] == ["党支部", "所属月份", "金额（元）"]
    assert sorted(r[2] for r in rows[1:]) == [-50.0, 50.0]
    assert {r[0] for r in rows[1:]} == {"办公室党支部"}
