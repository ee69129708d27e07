"""`dangjian import-members`: summary line, every error printed and exit status 1, --dry-run, --org, --update,
--errors."""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from dangjian.core.lib import workbooks
from dangjian.members.importer import ERROR_COLUMN
from dangjian.members.importer.reading import ERR_FILE_TYPE
from dangjian.members.importer.rows import ERR_REQUIRED
from dangjian.members.models import ERR_ID_DUPLICATE, Member
from dangjian.members.validators import ERR_PHONE

from .test_importer_support import HEADERS, good_row, write_xlsx

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import-members", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_and_prints_one_summary_line(world, tmp_path):
    rows = [good_row(), good_row(所在党支部="B")]
    out, _ = run(write_xlsx(tmp_path / "花名册.xlsx", rows))
    assert out.startswith("导入完成：共2行，新增2名党员，更新0名党员（用时")
    assert out.count("\n") == 1
    assert Member.objects.filter(id_number__in=[r["公民身份号码"] for r in rows]).count() == 2
    assert LogEntry.objects.latest("timestamp").actor is None


def test_bad_rows_are_all_printed_and_the_command_fails(world, tmp_path):
    rows = [good_row(), good_row(联系电话="1"), good_row(公民身份号码="1", 姓名="")]
    before = Member.objects.count()
    with pytest.raises(CommandError) as error:
        out, _ = run(write_xlsx(tmp_path / "bad.xlsx", rows))
    assert str(error.value) == "未导入任何数据：2行有错误（共3行），请按错误原因修改后重新导入"
    assert Member.objects.count() == before


def test_the_error_lines_and_the_error_report(world, tmp_path):
    b = world.member_b
    rows = [
        good_row(),
        good_row(联系电话="1"),
        good_row(公民身份号码=b.id_number, 姓名="", 性别="女", birth=b.birth_date),
    ]
    out = StringIO()
    report = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError):
        call_command("import-members", str(write_xlsx(tmp_path / "bad.xlsx", rows)), f"--errors={report}", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        f"第3行 联系电话：{ERR_PHONE}",
        f"第4行 姓名：{ERR_REQUIRED}",
        f"第4行 公民身份号码：{ERR_ID_DUPLICATE}",
    ]
    assert lines[3] == f"错误报告已写入 {report}"
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert sheet[0][len(HEADERS)] == ERROR_COLUMN and sheet[2][len(HEADERS)] == f"联系电话：{ERR_PHONE}"


def test_a_dry_run_writes_nothing(world, tmp_path):
    before = Member.objects.count(), LogEntry.objects.count()
    out, _ = run(write_xlsx(tmp_path / "花名册.xlsx", [good_row()]), "--dry-run")
    assert out.startswith("检查通过（未写入）：共1行，导入将新增1名党员，更新0名党员")
    assert (Member.objects.count(), LogEntry.objects.count()) == before


def test_org_by_code_takes_rows_without_a_branch(world, tmp_path):
    row = good_row(所在党支部="")
    run(write_xlsx(tmp_path / "花名册.xlsx", [row]), "--org", "a")
    assert Member.objects.get(id_number=row["公民身份号码"]).org == world.branch_a
    with pytest.raises(CommandError) as error:
        run(write_xlsx(tmp_path / "花名册.xlsx", [good_row()]), "--org", "NOPE")
    assert str(error.value) == "没有组织编码为“NOPE”的组织"
    with pytest.raises(CommandError) as error:
        run(write_xlsx(tmp_path / "花名册.xlsx", [good_row()]), "--org", "A-1")
    assert str(error.value) == "请选择党支部或其上级组织作为导入范围"


def test_update(world, tmp_path):
    row = good_row()
    path = write_xlsx(tmp_path / "花名册.xlsx", [row])
    run(path)
    row["工作岗位/职务"] = "处长"
    path = write_xlsx(tmp_path / "花名册.xlsx", [row])
    with pytest.raises(CommandError):
        run(path)
    out, _ = run(path, "--update")
    assert out.startswith("导入完成：共1行，新增0名党员，更新1名党员")
    assert Member.objects.get(id_number=row["公民身份号码"]).position == "处长"


def test_missing_file_and_missing_columns(world, tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "nope.xlsx")
    assert str(error.value) == f"找不到文件：{tmp_path / 'nope.xlsx'}"
    headers = [h for h in HEADERS if h != "入党日期"]
    with pytest.raises(CommandError) as error:
        run(write_xlsx(tmp_path / "c.xlsx", [good_row()], headers=headers))
    assert str(error.value) == "未导入任何数据：缺少必填列 入党日期"
    path = tmp_path / "花名册.txt"
    path.write_text("x")
    with pytest.raises(CommandError) as error:
        run(path)
    assert str(error.value) == f"未导入任何数据：{ERR_FILE_TYPE.format(suffix='.txt')}"


# ---- the file parsed while Django starts (dangjian.__main__.read_ahead) ----------------------------------------


def test_every_option_taking_a_value_is_known_to_the_read_ahead():
    """Else `--errors OUT.xlsx` (say) could be taken for the FILE to parse ahead."""
    from dangjian.__main__ import READ_AHEAD

    parser = load_command_class("dangjian.members", "import-members").create_parser("dangjian", "import-members")
    taking_a_value = {s for a in parser._actions if a.option_strings and a.nargs != 0 for s in a.option_strings}
    assert taking_a_value - {"-h", "--help"} <= READ_AHEAD["import-members"]


def test_the_command_line_file_is_parsed_ahead_and_taken_by_the_import(world, tmp_path, monkeypatch):
    from dangjian import __main__ as main

    path = write_xlsx(tmp_path / "花名册.xlsx", [good_row()])
    other = write_xlsx(tmp_path / "errors.xlsx", [good_row()])
    main.read_ahead(["import-members", "--errors", str(other), "--org", "ZB01", str(path), "--dry-run"])
    assert workbooks.take(other) is None  # an option's value is not parsed ahead
    main.read_ahead(["import-members", str(path)])
    taken = []
    original = workbooks.take
    monkeypatch.setattr(workbooks, "take", lambda *a, **k: taken.append(found := original(*a, **k)) or found)
    out, _ = run(path)
    assert out.startswith("导入完成：共1行，新增1名党员")
    assert taken and taken[0] is not None  # the import used the sheet parsed ahead
    assert workbooks.take(path) is None  # handed over once, not kept


# ---- the command line's own process (run_from_argv: tuned for the import, left without teardown) ---------------


def dangjian(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DANGJIAN_PRODUCTION"}}
    env |= {"DJANGO_SETTINGS_MODULE": "dangjian.settings", "DATABASE_URL": f"sqlite:///{cwd / 'db.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "dangjian", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )


def test_the_command_line_exits_0_with_its_output_or_non_zero_with_the_errors(tmp_path):
    """Its process leaves without the interpreter's teardown after a good import: the summary must still be printed,
    the transaction committed, the status 0; a failed import ends as usual, with status 1."""
    assert dangjian("migrate", "--noinput", "-v", "0", cwd=tmp_path).returncode == 0
    make_branch = "from dangjian.orgs.tests.factories import OrgFactory; OrgFactory(name='办公室党支部', code='A')"
    assert dangjian("shell", "-c", make_branch, cwd=tmp_path).returncode == 0
    row = good_row()

    done = dangjian("import-members", str(write_xlsx(tmp_path / "good.xlsx", [row])), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("导入完成：共1行，新增1名党员，更新0名党员（用时")
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db:
        written = db.execute("SELECT count(*) FROM members_member WHERE id_number = ?", [row["公民身份号码"]])
        assert written.fetchone() == (1,)

    failed = dangjian("import-members", str(write_xlsx(tmp_path / "bad.xlsx", [good_row(联系电话="1")])), cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stdout == f"第2行 联系电话：{ERR_PHONE}\n"
    assert failed.stderr.strip() == "CommandError: 未导入任何数据：1行有错误（共1行），请按错误原因修改后重新导入"


def test_the_command_says_which_optional_columns_the_file_lacked(world, tmp_path):
    headers = ["姓名", "公民身份号码", "人员类别", "入党日期", "转正日期", "所在党支部", "联系电话"]
    out, _ = run(write_xlsx(tmp_path / "花名册.xlsx", [good_row()], headers=headers))
    first, second = out.strip().splitlines()[-2:]
    assert first.startswith("导入完成：共1行，新增1名党员")
    assert second.startswith("文件未提供：性别、民族、出生日期、学历、所在党小组、工作岗位/职务、党费基数(月)、籍贯")
