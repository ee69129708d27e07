"""The yearly 核定 as a bulk upload: the branch's sheet, the preview (every change, every bad row with its number and
reason), all or nothing on confirm, and files refused before any parser sees them."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.fees import check, ledger
from dangjian.fees.bases import set_base
from dangjian.fees.choices import BaseSource, FeeKind
from dangjian.fees.models import FeeBase, LedgerLine
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 15)
MAY = date(2026, 5, 1)


@pytest.fixture
def may(clock, world):
    clock.set(TODAY)
    ledger.seed_roster_bases()
    ledger.generate_month(MAY)
    return TODAY


def download(client, org) -> list[list]:
    response = client.get(reverse("fees:check_download"), {"org": org.pk})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


def xlsx(rows: list[list]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def upload(client, org, content: bytes, name="核定.xlsx"):
    return client.post(reverse("fees:check") + f"?org={org.pk}", {"sheet": SimpleUploadedFile(name, content)})


def fill(rows, name, **cells) -> None:
    """Set the new columns of `name`'s row: kind (a label), base, fixed, month, approved, reason."""
    columns = {
        "kind": check.N_KIND,
        "base": check.N_BASE,
        "fixed": check.N_FIXED,
        "month": check.N_MONTH,
        "approved": check.N_APPROVED,
        "reason": check.N_REASON,
    }
    row = next(r for r in rows if r[check.C_NAME] == name)
    for key, value in cells.items():
        row[columns[key]] = value


def test_the_sheet_lists_the_branch_with_current_values(world, may, client_for):
    rows = download(client_for(world.secretary_a), world.branch_a)
    assert rows[0] == check.HEADERS
    body = {r[check.C_NAME]: r for r in rows[1:]}
    assert set(body) == {"王小明", "张宏伟"}
    row = body["王小明"]
    assert int(row[check.C_ID]) == world.member_a.pk
    assert (row[check.C_KIND], row[check.C_BASE], row[check.N_KIND], row[check.N_MONTH]) == (
        "在职",
        "6000.00",
        "在职",
        "2026-05",
    )


def test_in_december_the_sheet_proposes_next_january(clock):
    assert check.default_month(date(2026, 12, 3)) == date(2027, 1, 1)
    assert check.default_month(date(2027, 1, 20)) == date(2027, 1, 1)


def test_a_good_sheet_previews_then_writes_every_change(world, may, client_for):
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    fill(rows, "王小明", base="12,000.50")
    fill(rows, "张宏伟", kind="农民", fixed=0.5)
    response = upload(client, world.branch_a, xlsx(rows))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.problems == []
    assert [(c.name, c.old_text, c.new_text) for c in plan.changes] == [
        ("王小明", "在职 6000.00 元（待核定）", "在职 12000.50 元"),
        ("张宏伟", "在职 6000.00 元（待核定）", "农民 0.50 元"),
    ]
    assert not FeeBase.objects.filter(source=BaseSource.CHECK).exists()  # a preview writes nothing
    done = client.post(
        reverse("fees:check_confirm") + f"?org={world.branch_a.pk}", {"token": response.context["token"]}
    )
    assert done.status_code == 302
    assert "已更新 2 人" in client.get(done["Location"]).content.decode()
    written = {b.member_id: b for b in FeeBase.objects.filter(source=BaseSource.CHECK, effective_month=MAY)}
    assert (written[world.member_a.pk].base_fen, written[world.member_a2.pk].fixed_fen) == (1_200_050, 50)
    assert written[world.member_a.pk].recorded_by == world.secretary_a
    assert LedgerLine.objects.get(member=world.member_a, month=MAY).due_fen == 24_001
    # confirming twice writes nothing more: the plan is gone
    again = client.post(reverse("fees:check_confirm") + f"?org={world.branch_a.pk}", {"token": "x"})
    assert again.status_code == 302 and FeeBase.objects.filter(source=BaseSource.CHECK).count() == 2


def test_unchanged_rows_are_not_written(world, may, client_for):
    set_base(by=world.admin, member=world.member_a2, kind=FeeKind.STUDENT, effective_month=MAY)
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    fill(rows, "张宏伟", kind="学生")  # as it is
    fill(rows, "王小明", base="6000")  # the roster's base confirmed: 待核定 no more
    plan = upload(client, world.branch_a, xlsx(rows)).context["plan"]
    assert [c.name for c in plan.changes] == ["王小明"] and plan.unchanged == 1


def test_one_bad_row_writes_nothing_and_every_bad_row_is_reported(world, may, client_for):
    for _ in range(3):
        MemberFactory(org=world.branch_a)
    ledger.seed_roster_bases()
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    names = [r[check.C_NAME] for r in rows[1:]]
    fill(rows, names[0], base="8000", month="2027-03")  # the far future
    fill(rows, names[1], kind="", base="7000")  # a base without a kind
    fill(rows, names[2], base="-5")
    fill(rows, names[3], kind="农民", fixed="3")
    fill(rows, names[4], kind="经批准免交")  # no approval
    rows.append([999_999, "某人", "", "", "", "", "在职", "5000", "", "2026-05", "", ""])
    response = upload(client, world.branch_a, xlsx(rows))
    assert response.status_code == 400
    problems = {p.row: p.message for p in response.context["plan"].problems}
    assert set(problems) == {2, 3, 4, 5, 6, 7}
    assert problems[2] == "起始月份最晚为下月（2026年6月）"
    assert problems[3] == check.ERR_NO_KIND
    assert "不能为负数" in problems[4]
    assert "0.2 元至 1 元" in problems[5]
    assert "批准日期和理由" in problems[6]
    assert "不是本组织可维护的在册党员" in problems[7]
    text = response.content.decode()
    assert "第 4 行" in text and "确认写入" not in text
    assert client.session.get("fees_check_plan") is None
    forged = client.post(reverse("fees:check_confirm") + f"?org={world.branch_a.pk}", {"token": ""})
    assert forged.status_code == 302
    assert not FeeBase.objects.filter(source=BaseSource.CHECK).exists()


def test_one_bad_row_a_base_without_a_kind_writes_nothing(world, may, client_for):
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    fill(rows, "王小明", kind="", base="7000")
    fill(rows, "张宏伟", base="7000")  # good
    response = upload(client, world.branch_a, xlsx(rows))
    assert [(p.row, p.message) for p in response.context["plan"].problems] == [(2, check.ERR_NO_KIND)]
    assert [c.name for c in response.context["plan"].changes] == ["张宏伟"]  # listed, not offered
    assert "确认写入" not in response.content.decode()
    assert client.session.get("fees_check_plan") is None
    assert not FeeBase.objects.filter(source=BaseSource.CHECK).exists()


def test_an_outsider_member_or_a_changed_name_is_refused(world, may, client_for):
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    rows.append([world.member_b.pk, "李秀英", "", "", "", "", "在职", "5000", "", "2026-05", "", ""])
    fill(rows, "王小明", base="7000")
    rows[1][check.C_NAME] = "别人"
    problems = upload(client, world.branch_a, xlsx(rows)).context["plan"].problems
    assert "姓名“别人”与编号不符" in problems[0].message
    assert problems[1].row == len(rows) and "不是本组织可维护的在册党员" in problems[1].message


def test_a_base_changed_after_the_preview_refuses_the_whole_sheet(world, may, client_for):
    client = client_for(world.secretary_a)
    rows = download(client, world.branch_a)
    fill(rows, "王小明", base="7000")
    fill(rows, "张宏伟", base="8000")
    response = upload(client, world.branch_a, xlsx(rows))
    set_base(by=world.admin, member=world.member_a2, kind=FeeKind.RETIRED, base_fen=300_000, effective_month=MAY)
    done = client.post(
        reverse("fees:check_confirm") + f"?org={world.branch_a.pk}", {"token": response.context["token"]}
    )
    assert done.status_code == 400
    assert "预览之后已被修改" in done.content.decode()
    assert not FeeBase.objects.filter(source=BaseSource.CHECK).exists()  # 王小明's row rolled back too


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("name,base\n王小明,6000\n".encode(), "核定.xlsx", "不是"),  # a CSV renamed: refused by its first bytes
        (b"PK\x03\x04garbage", "核定.xlsx", "损坏"),
        (b"x", "核定.csv", "请上传 .xlsx 文件"),
    ],
)
def test_files_refused_before_parsing(world, may, client_for, content, name, message):
    response = upload(client_for(world.secretary_a), world.branch_a, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_file_too_big_or_too_long_is_refused(world, may, client_for, settings):
    client = client_for(world.secretary_a)
    big = upload(client, world.branch_a, b"PK\x03\x04" + b"0" * check.MAX_FILE_BYTES)
    assert big.status_code == 400 and "超过 5 MB" in big.content.decode()
    rows = [check.HEADERS] + [[1, "某", "", "", "", "", "", "", "", "", "", ""]] * (check.MAX_ROWS + 1)
    long = upload(client, world.branch_a, xlsx(rows))
    assert long.status_code == 400 and "20,001" in long.content.decode()


def test_a_sheet_with_other_headers_is_refused(world, may, client_for):
    response = upload(client_for(world.secretary_a), world.branch_a, xlsx([["姓名", "基数"], ["王小明", 6000]]))
    assert response.status_code == 400 and "表头与核定表不符" in response.content.decode()


def test_an_outsider_secretary_gets_404_and_the_inspector_too(world, may, client_for):
    for user in (world.secretary_b, world.inspector):
        client = client_for(user)
        assert client.get(reverse("fees:check"), {"org": world.branch_a.pk}).status_code == 404
        assert client.get(reverse("fees:check_download"), {"org": world.branch_a.pk}).status_code == 404
    rows = download(client_for(world.secretary_b), world.branch_b)
    assert [r[check.C_NAME] for r in rows[1:]] == ["李秀英"]
    # secretary_b's sheet carrying a member of branch A: refused as not theirs, without saying more
    rows.append([world.member_a.pk, "王小明", "", "", "", "", "在职", "9000", "", "2026-05", "", ""])
    problems = upload(client_for(world.secretary_b), world.branch_b, xlsx(rows)).context["plan"].problems
    assert [p.row for p in problems] == [3] and "不是本组织可维护的在册党员" in problems[0].message
