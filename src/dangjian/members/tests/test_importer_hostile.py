"""Hostile files (issue 10): each is one failed import job with a Chinese message naming the limit, nothing is
written, and the job mechanism serves the next import as before. The files are built here (hostile_files.py)."""

import codecs
import os
from pathlib import Path

import pytest
from django.core.files import File

from dangjian.core.jobs import job_start
from dangjian.core.lib import filecheck, workbooks
from dangjian.core.models import Job
from dangjian.members.importer import import_members
from dangjian.members.importer.jobs import IMPORT_KIND
from dangjian.members.importer.reading import (
    ERR_CSV_COLUMNS,
    ERR_CSV_ROWS,
    ERR_ENCODING,
    FileReadError,
    open_sheet,
)
from dangjian.members.importer.report import MSG_FILE
from dangjian.members.models import Member

from . import hostile_files as hostile
from .test_importer_support import HEADERS, good_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run_job(user, path: Path, capture, filename: str | None = None) -> Job:
    with capture(execute=True), path.open("rb") as upload:
        job = job_start(
            acting_user=user,
            kind=IMPORT_KIND,
            title="导入党员花名册",
            params={"org_id": None, "update": False, "dry_run": False, "filename": filename or path.name},
            input_file=File(upload, name=path.name),
        )
    job.refresh_from_db()
    return job


def assert_refused_then_served(world, tmp_path, capture, path: Path, message: str) -> None:
    """The hostile file: a failed job with the message, no member written; then a good file imports as ever."""
    before = Member.objects.count()
    job = run_job(world.admin, path, capture)
    assert job.status == Job.Status.FAILED
    assert job.message == MSG_FILE.format(message=message)
    assert job.result["ok"] is False and job.result["refused"] is True and job.result["created"] == 0
    assert Member.objects.count() == before
    row = good_row()
    good = run_job(world.admin, write_xlsx(tmp_path / "good.xlsx", [row]), capture)
    assert good.status == Job.Status.SUCCEEDED and good.message.startswith("导入完成：共1行，新增1名党员")
    assert Member.objects.filter(id_number=row["公民身份号码"]).exists()


def declared(rows: int, columns: int, limits: filecheck.Limits | None = None) -> str:
    limits = limits or filecheck.Limits()
    return filecheck.ERR_DECLARED_RANGE.format(
        rows=rows, columns=columns, name="sheet1", max_rows=limits.max_rows, max_columns=limits.max_columns
    )


# ---- declared and real ranges ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("far", "columns"), [("XFD1048576", 16384), ("AX1048576", 50)])
def test_a_dimension_bomb_is_refused_before_parsing(world, tmp_path, django_capture_on_commit_callbacks, far, columns):
    """A 1.6 KB file whose sheet declares A1:XFD1048576 asked python-calamine for 512 GB and killed the worker."""
    path = hostile.dimension_bomb(tmp_path / "bomb.xlsx", far)
    assert path.stat().st_size < 4096
    assert "1,048,576 行" in declared(1_048_576, columns)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, declared(1_048_576, columns))


def test_a_sheet_of_5000_columns_is_refused(world, tmp_path, django_capture_on_commit_callbacks):
    import xlsxwriter

    path = tmp_path / "wide.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    sheet.write(1, 4999, "x")
    book.close()
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, declared(2, 5000))


def test_a_declared_300000_rows_are_refused_at_the_default_limit(world, tmp_path, django_capture_on_commit_callbacks):
    path = hostile.raw_xlsx(
        tmp_path / "long.xlsx", hostile.sheet_xml([hostile.cell("A1", "姓名")], dimension="A1:N300000")
    )
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, declared(300_000, 14))


def test_a_real_extent_over_the_limit_is_refused_without_a_dimension(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    """No <dimension> to read: the child checks the parsed sheet's extent before handing over any row."""
    settings.IMPORT_MAX_ROWS = 50
    path = hostile.raw_xlsx(
        tmp_path / "far.xlsx", hostile.sheet_xml([hostile.cell("A1", "姓名"), hostile.cell("C51", "x")])
    )
    message = filecheck.ERR_REAL_RANGE.format(rows=51, columns=3, max_rows=50, max_columns=200)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_rows_over_a_lowered_limit_are_refused(world, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "six.xlsx", [good_row() for _ in range(5)])  # the header and 5 rows: 6
    message = declared(6, len(HEADERS), filecheck.Limits(max_rows=5))  # as xlsxwriter declares it
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


# ---- zip bombs, XXE, what a file is ------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_compression_ratio(world, tmp_path, django_capture_on_commit_callbacks):
    path = hostile.zip_bomb(tmp_path / "bomb.xlsx", megabytes=3)
    assert path.stat().st_size < 20_000
    with pytest.raises(FileReadError) as error, open_sheet(path):
        pass
    assert "压缩比" in error.value.message and "超过导入上限（100 倍）" in error.value.message
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, error.value.message)


def test_a_zip_bomb_is_refused_by_its_inflated_size(world, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 2
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10_000  # so the size, not the ratio, refuses it
    path = hostile.zip_bomb(tmp_path / "bomb.xlsx", megabytes=3)
    with pytest.raises(FileReadError) as error, open_sheet(path):
        pass
    assert error.value.message.startswith("工作簿解压后共 3.0 MB，超过导入上限（2.0 MB）")
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, error.value.message)


def test_an_xml_entity_declaration_is_refused(world, tmp_path, django_capture_on_commit_callbacks):
    path = hostile.xxe_xlsx(tmp_path / "xxe.xlsx")
    message = filecheck.ERR_DTD.format(name="xl/worksheets/sheet1.xml")
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_an_xlsx_that_is_not_a_zip_has_its_own_message(world, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "roster.csv", [good_row()], encoding="utf-8-sig").rename(tmp_path / "roster.xlsx")
    message = filecheck.ERR_NOT_ZIP.format(suffix=".xlsx")
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_an_encrypted_xlsx_keeps_a_clear_message(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(filecheck.OLE_MAGIC + bytes(504))  # Excel writes a password-protected workbook as OLE
    with pytest.raises(FileReadError) as error, open_sheet(path):
        pass
    assert error.value.message == filecheck.ERR_ENCRYPTED


def test_a_file_over_the_size_limit_is_refused_by_the_command_line_too(world, tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 300_000)  # 1.2 MB
    report = import_members(acting_user=None, path=path)
    assert report.refused and report.errors[0].message == filecheck.ERR_FILE_TOO_BIG.format(
        size="1.1 MB", limit="1.0 MB"
    )


# ---- the parse's own limits: memory and time, in the child ------------------------------------------------------


def test_a_parse_over_the_memory_limit_fails_the_job_not_the_worker(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    """Two cells far apart and no dimension: the parser makes the whole rectangle (60,000 × 14 cells), more than the
    1 MB allowed here. The child dies; the parent (this process) reports it and carries on."""
    settings.IMPORT_PARSE_MEMORY_MB = 1
    path = hostile.raw_xlsx(
        tmp_path / "sparse.xlsx", hostile.sheet_xml([hostile.cell("A1", "姓名"), hostile.cell("N60000", "x")])
    )
    message = workbooks.ERR_PARSE_MEMORY.format(limit=1)
    before = Member.objects.count()
    job = run_job(world.admin, path, django_capture_on_commit_callbacks)
    assert (job.status, job.message) == (Job.Status.FAILED, MSG_FILE.format(message=message))
    assert Member.objects.count() == before
    settings.IMPORT_PARSE_MEMORY_MB = 2048
    good = run_job(world.admin, write_xlsx(tmp_path / "good.xlsx", [good_row()]), django_capture_on_commit_callbacks)
    assert good.status == Job.Status.SUCCEEDED


def test_a_parse_over_the_time_limit_fails_the_job_and_the_child_is_gone(
    world, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_PARSE_SECONDS = 0.001  # no child answers that fast
    path = write_xlsx(tmp_path / "slow.xlsx", [good_row()])
    message = workbooks.ERR_PARSE_TIMEOUT.format(limit=0.001)
    before = Member.objects.count()
    children = _children()
    job = run_job(world.admin, path, django_capture_on_commit_callbacks)
    assert (job.status, job.message) == (Job.Status.FAILED, MSG_FILE.format(message=message))
    assert Member.objects.count() == before
    assert _children() == children  # killed and reaped
    settings.IMPORT_PARSE_SECONDS = 120
    good = run_job(world.admin, write_xlsx(tmp_path / "good.xlsx", [good_row()]), django_capture_on_commit_callbacks)
    assert good.status == Job.Status.SUCCEEDED


def _children() -> set[int]:
    """This process's child processes (zombies included)."""
    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = task / "children"
        if children.exists():
            found |= {int(pid) for pid in children.read_text().split()}
    return found


# ---- CSV: encodings, rows, columns ------------------------------------------------------------------------------


def test_a_utf16_tab_separated_file_is_read(world, tmp_path, django_capture_on_commit_callbacks):
    """Excel's "Unicode text": UTF-16 with its BOM, tab-separated."""
    row = good_row()
    path = tmp_path / "unicode.csv"
    lines = ["\t".join(HEADERS), "\t".join(str(row[h]) for h in HEADERS)]
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le"))
    job = run_job(world.admin, path, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.message.startswith("导入完成：共1行，新增1名党员")
    assert Member.objects.get(id_number=row["公民身份号码"]).name == "赵海燕"


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary\xff\xfe\x00" * 100, b"PK\x03\x04" + bytes(300)])
def test_a_binary_file_named_csv_gets_the_encoding_message(
    world, tmp_path, django_capture_on_commit_callbacks, content
):
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, ERR_ENCODING)


def test_a_csv_of_5000_columns_is_refused(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(HEADERS) + "," * (5000 - len(HEADERS)) + "\n", encoding="utf-8")
    message = ERR_CSV_COLUMNS.format(row=1, columns=5000, limit=200)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_a_csv_of_300001_rows_is_refused_at_the_default_limit(world, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "long.csv"
    path.write_bytes(b"a\n" * 300_001)
    message = ERR_CSV_ROWS.format(rows=300_001, limit=200_000)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_csv_rows_over_a_lowered_limit_are_refused(world, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_ROWS = 3
    path = write_csv(
        tmp_path / "four.csv", [good_row() for _ in range(3)], encoding="utf-8-sig"
    )  # the header and 3 rows
    message = ERR_CSV_ROWS.format(rows=4, limit=3)
    assert_refused_then_served(world, tmp_path, django_capture_on_commit_callbacks, path, message)


def test_the_command_line_refuses_a_bomb_parsed_ahead(world, tmp_path):
    """`dangjian import-members FILE` starts the child before Django starts: the same check, the same message."""
    from django.core.management import CommandError, call_command

    from dangjian import __main__ as main

    path = hostile.dimension_bomb(tmp_path / "bomb.xlsx", "XFD1048576")
    main.read_ahead(["import-members", str(path)])
    with pytest.raises(CommandError) as error:
        call_command("import-members", str(path))
    assert str(error.value) == MSG_FILE.format(message=declared(1_048_576, 16_384))
    assert workbooks.take(path) is None  # taken (and ended) by the import
