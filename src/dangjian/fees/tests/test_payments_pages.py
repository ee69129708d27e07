"""The payment pages: one member's payment, a branch's month at once (constant queries), the list with reversal and
export, the xlsx import (preview with every error by row, all-or-nothing confirm); outsiders get 404."""

import io
import re
import uuid

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.fees import ledger, rules
from dangjian.fees.choices import FeeKind
from dangjian.fees.models import LedgerLine, Payment, PaymentMonth
from dangjian.fees.payment_import import IMPORT_MAX_ROWS
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
DUE = rules.monthly_due(FeeKind.EMPLOYED, 600_000)  # 90.00


@pytest.fixture
def this_month(world, clock):
    ledger.seed_roster_bases()
    month = rules.month_first(clock.today())
    ledger.generate_month(month)
    return month


def rows():
    return (Payment.objects.count(), PaymentMonth.objects.count(), sorted(LedgerLine.objects.values_list("paid_fen")))


def key_of(response) -> str:
    return re.search(r'name="submission_key" value="([0-9a-f-]+)"', response.content.decode())[1]


# ── one member ──


def test_pay_page_prefills_the_owed_months_and_records(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    url = reverse("fees:pay") + f"?member={world.member_a.pk}"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "王小明" in text and 'value="90.00"' in text and "（预交）" in text
    response = client.post(
        url,
        {
            "months": [this_month.isoformat()],
            "amount_fen": "90",
            "extra_fen": "10.5",
            "paid_on": clock.today().isoformat(),
            "method": "transfer",
            "reference": "TX123",
            "submission_key": key_of(page),
        },
    )
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount_fen, payment.extra_fen, payment.reference) == (DUE, 1050, "TX123")
    assert LedgerLine.objects.get(member=world.member_a, month=this_month).paid_fen == DUE


def test_pay_page_warns_beyond_six_months_but_records(world, this_month, clock, client_for):
    old = rules.add_months(this_month, -(rules.BACKFILL_WARN_MONTHS + 2))
    ledger.generate_month(old)
    client = client_for(world.secretary_a)
    url = reverse("fees:pay") + f"?member={world.member_a.pk}"
    page = client.get(url)
    assert "补交超过6个月，请核实" in page.content.decode()
    response = client.post(
        url,
        {
            "months": [old.isoformat()],
            "amount_fen": "90.00",
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "submission_key": key_of(page),
        },
        follow=True,
    )
    assert "补交超过6个月，请核实" in response.content.decode()
    assert LedgerLine.objects.get(member=world.member_a, month=old).paid_fen == DUE


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-5", "金额不能为负数"), ("0", "金额须大于 0 元"), ("99999999", "金额不能超过"), ("1.234", "最多两位小数")],
)
def test_pay_page_refuses_bad_amounts_beside_the_field(world, this_month, clock, client_for, amount, message):
    client = client_for(world.secretary_a)
    url = reverse("fees:pay") + f"?member={world.member_a.pk}"
    before = rows()
    response = client.post(
        url,
        {
            "months": [this_month.isoformat()],
            "amount_fen": amount,
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "submission_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert rows() == before


def test_pay_page_is_404_outside_the_scope(world, this_month, client_for):
    url = reverse("fees:pay") + f"?member={world.member_a.pk}"
    assert client_for(world.secretary_b).get(url).status_code == 404
    assert client_for(world.secretary_b).post(url, {}).status_code == 404
    assert client_for(world.secretary_a).get(reverse("fees:pay") + "?member=abc").status_code == 404


# ── a branch's month ──


def month_url(world, month):
    return reverse("fees:pay_month") + f"?org={world.branch_a.pk}&month={month:%Y-%m}"


def test_bulk_month_page_records_the_ticked_members(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    page = client.get(month_url(world, this_month))
    assert page.status_code == 200
    text = page.content.decode()
    assert "王小明" in text and "张宏伟" in text and "李秀英" not in text
    data = {
        "paid_on": clock.today().isoformat(),
        "method": "cash",
        "submission_key": key_of(page),
        f"paid-{world.member_a.pk}": "on",
        f"paid-{world.member_a2.pk}": "on",
        f"amount-{world.member_a2.pk}": "50",
    }
    response = client.post(month_url(world, this_month), data)
    assert response.status_code == 302
    paid = dict(LedgerLine.objects.filter(month=this_month).values_list("member", "paid_fen"))
    assert paid[world.member_a.pk] == DUE and paid[world.member_a2.pk] == 5000
    # The same page submitted again writes nothing more.
    assert client.post(month_url(world, this_month), data).status_code in (302, 400)
    assert Payment.objects.count() == 2


def test_bulk_month_page_refuses_one_bad_row_and_writes_nothing(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    page = client.get(month_url(world, this_month))
    before = rows()
    response = client.post(
        month_url(world, this_month),
        {
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "submission_key": key_of(page),
            f"paid-{world.member_a.pk}": "on",
            f"paid-{world.member_a2.pk}": "on",
            f"amount-{world.member_a2.pk}": "900",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "未登记任何缴费" in text and "超过所选月份应交合计" in text
    assert rows() == before


def test_bulk_month_page_queries_do_not_grow_with_the_branch(
    world, this_month, client_for, django_assert_max_num_queries
):
    client = client_for(world.secretary_a)
    url = month_url(world, this_month)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    first = len(few.captured_queries)
    for _ in range(15):
        MemberFactory(org=world.branch_a)
    ledger.seed_roster_bases()
    ledger.generate_month(this_month)
    with django_assert_max_num_queries(first):
        page = client.get(url)
    assert page.content.decode().count("data-member=") == 17


def test_bulk_month_page_is_404_outside_the_scope(world, this_month, client_for):
    assert client_for(world.secretary_b).get(month_url(world, this_month)).status_code == 404
    assert client_for(world.inspector).get(month_url(world, this_month)).status_code == 404


# ── the list, reversal, export ──


def _paid(world, this_month, clock, client):
    page = client.get(reverse("fees:pay") + f"?member={world.member_a.pk}")
    client.post(
        reverse("fees:pay") + f"?member={world.member_a.pk}",
        {
            "months": [this_month.isoformat()],
            "amount_fen": "90",
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "receipt_no": "NO.7",
            "submission_key": key_of(page),
        },
    )
    return Payment.objects.get()


def test_list_reverse_and_export(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    payment = _paid(world, this_month, clock, client)
    listing = client.get(reverse("fees:payments") + f"?org={world.branch_a.pk}&month={this_month:%Y-%m}")
    text = listing.content.decode()
    assert "王小明" in text and "NO.7" in text and reverse("fees:payment_reverse", args=[payment.pk]) in text
    url = reverse("fees:payment_reverse", args=[payment.pk])
    before = rows()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400 and "请填写此项" in refused.content.decode()
    assert rows() == before
    assert client.post(url, {"reason": "金额登记错误"}).status_code == 302
    reversal = Payment.objects.get(reverses=payment)
    assert reversal.amount_fen == -DUE and reversal.reason == "金额登记错误"
    assert LedgerLine.objects.get(member=world.member_a, month=this_month).paid_fen == 0
    again = client.post(url, {"reason": "再来一次"})
    assert again.status_code == 400 and "已冲正" in again.content.decode()
    export = client.get(reverse("fees:payments_export") + f"?org={world.branch_a.pk}&month={this_month:%Y-%m}")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(export.streaming_content)))
    values = book.get_sheet_by_index(0).to_python()
    assert values[0][:5] == ["交纳日期", "党员", "收缴党支部", "所交月份", "金额（元）"]
    assert sorted(row[4] for row in values[1:]) == ["-90.00", "90.00"]
    assert client_for(world.secretary_b).get(url).status_code == 404


def test_list_queries_do_not_grow_with_the_page(world, this_month, clock, client_for, django_assert_max_num_queries):
    client = client_for(world.secretary_a)
    _paid(world, this_month, clock, client)
    url = reverse("fees:payments") + f"?org={world.branch_a.pk}&month={this_month:%Y-%m}"
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    first = len(few.captured_queries)  # before the next request resets the log
    page = client.get(reverse("fees:pay") + f"?member={world.member_a2.pk}")
    client.post(
        reverse("fees:pay") + f"?member={world.member_a2.pk}",
        {
            "months": [this_month.isoformat()],
            "amount_fen": "90",
            "paid_on": clock.today().isoformat(),
            "method": "cash",
            "submission_key": key_of(page),
        },
    )
    with django_assert_max_num_queries(first):
        assert client.get(url).content.decode().count("data-payment=") == 2


# ── import ──


def sheet(rows_: list[list], name="pay.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    ws = book.add_worksheet()
    for number, row in enumerate(rows_):
        ws.write_row(number, 0, row)
    book.close()
    return SimpleUploadedFile(name, out.getvalue())


HEADER = ["姓名", "月份", "金额", "交纳方式", "收据编号", "交纳日期"]


def import_url(world):
    return reverse("fees:pay_import") + f"?org={world.branch_a.pk}"


def test_import_preview_then_confirm(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    today = clock.today().isoformat()
    upload = sheet(
        [
            HEADER,
            ["王小明", f"{this_month:%Y-%m}", 90, "现金", "R1", today],
            ["张宏伟", f"{this_month:%Y-%m}", "45.5", "银行转账", "", today],
        ]
    )
    preview = client.post(import_url(world), {"file": upload})
    assert preview.status_code == 200
    assert rows()[0] == 0  # the preview writes nothing
    token = re.search(r'name="preview" value="([^"]+)"', preview.content.decode())[1]
    done = client.post(import_url(world), {"preview": token})
    assert done.status_code == 302
    paid = dict(LedgerLine.objects.filter(month=this_month).values_list("member", "paid_fen"))
    assert paid[world.member_a.pk] == DUE and paid[world.member_a2.pk] == 4550
    # The confirm sent twice: nothing written twice.
    client.post(import_url(world), {"preview": token})
    assert Payment.objects.count() == 2
    # A preview altered on the way, or another branch's: refused, nothing written.
    tampered = client.post(import_url(world), {"preview": token[:-2] + "xx"})
    assert tampered.status_code == 400 and "预览已过期或无效" in tampered.content.decode()
    other = reverse("fees:pay_import") + f"?org={world.group_a.pk}"
    assert "预览已过期或无效" in client.post(other, {"preview": token}).content.decode()
    assert Payment.objects.count() == 2


def test_import_with_one_bad_row_writes_no_row(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    today = clock.today().isoformat()
    upload = sheet(
        [
            HEADER,
            ["王小明", f"{this_month:%Y-%m}", 90, "现金", "R1", today],
            ["李秀英", f"{this_month:%Y-%m}", 90, "现金", "R2", today],  # branch B's: not in this branch
            ["张宏伟", f"{this_month:%Y-%m}", "-3", "支票", "", "明天"],
        ]
    )
    before = rows()
    response = client.post(import_url(world), {"file": upload})
    assert response.status_code == 400
    text = response.content.decode()
    assert "第 3 行" in text and "本党支部没有名为" in text
    assert "第 4 行" in text and "交纳方式应为" in text and "交纳日期应为" in text
    assert "第 2 行" not in text and "未导入任何数据" in text
    assert rows() == before


def test_import_refuses_what_is_not_an_xlsx_and_too_many_rows(world, this_month, clock, client_for):
    client = client_for(world.secretary_a)
    fake = SimpleUploadedFile("pay.xlsx", b"<html>not a workbook</html>")
    response = client.post(import_url(world), {"file": fake})
    assert response.status_code == 400 and "文件内容不是 Excel" in response.content.decode()
    csv = SimpleUploadedFile("pay.csv", b"a,b")
    assert "请上传 Excel 文件" in client.post(import_url(world), {"file": csv}).content.decode()
    today = clock.today().isoformat()
    many = sheet([HEADER] + [["王小明", f"{this_month:%Y-%m}", 1, "现金", "", today]] * (IMPORT_MAX_ROWS + 1))
    response = client.post(import_url(world), {"file": many})
    assert response.status_code == 400 and "行" in response.content.decode()
    assert rows()[0] == 0


def test_import_is_404_outside_the_scope(world, client_for):
    assert client_for(world.secretary_b).get(import_url(world)).status_code == 404
