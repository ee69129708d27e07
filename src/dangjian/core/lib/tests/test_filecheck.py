"""The boundary check of spreadsheet files and the parsing child process, without Django."""

import zipfile

import pytest

from dangjian.core.lib import filecheck, workbooks
from dangjian.core.lib.filecheck import FileRefused, Limits, check_spreadsheet, column_number

SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="{ref}"/><sheetData/></worksheet>'
)


def book(path, members: dict[str, str]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def refused(path, suffix=".xlsx", limits: Limits | None = None) -> str:
    with pytest.raises(FileRefused) as error:
        check_spreadsheet(path, suffix, limits or Limits())
    return error.value.message


def test_column_letters():
    assert [column_number(c) for c in ("A", "Z", "AA", "AX", "GR", "XFD")] == [1, 26, 27, 50, 200, 16384]


@pytest.mark.parametrize(
    ("ref", "rows", "columns"), [("A1:XFD1048576", 1_048_576, 16_384), ("B2:AX1048576", 1_048_576, 50)]
)
def test_a_declared_dimension_over_the_limits_is_refused(tmp_path, ref, rows, columns):
    path = book(tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": SHEET.format(ref=ref)})
    assert refused(path) == filecheck.ERR_DECLARED_RANGE.format(
        rows=rows, columns=columns, name="sheet1", max_rows=200_000, max_columns=200
    )


@pytest.mark.parametrize("ref", ["A1:N200000", "A1:GR2", "A1", "N20001"])
def test_a_dimension_within_the_limits_passes(tmp_path, ref):
    check_spreadsheet(book(tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": SHEET.format(ref=ref)}), ".xlsx", Limits())


def test_sizes_ratio_and_member_count(tmp_path):
    big = book(tmp_path / "big.xlsx", {"a.xml": "<a>" + "x" * 3_000_000 + "</a>"})
    assert "压缩比" in refused(big)
    assert refused(big, limits=Limits(max_compression_ratio=10**6, max_uncompressed_bytes=2 * filecheck.MB)).startswith(
        "工作簿解压后共 2.9 MB，超过导入上限（2.0 MB）"
    )
    many = book(tmp_path / "many.xlsx", {f"m{i}.txt": "" for i in range(11)})
    assert refused(many, limits=Limits(max_zip_members=10)).startswith("工作簿包含 11 个内部文件")
    assert refused(many, limits=Limits(max_file_bytes=10)).startswith("文件大小为")


def test_a_dtd_is_refused_in_any_xml_part_also_in_utf16(tmp_path):
    doctype = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'
    assert "DTD" in refused(book(tmp_path / "a.xlsx", {"xl/styles.xml": doctype}))
    path = tmp_path / "c.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", doctype.encode("utf-16"))  # with its BOM
    assert "DTD" in refused(path)


def test_what_the_content_is_not_what_the_name_says(tmp_path):
    text = tmp_path / "a.xlsx"
    text.write_text("姓名,性别\n", encoding="utf-8")
    assert refused(text) == filecheck.ERR_NOT_ZIP.format(suffix=".xlsx")
    assert refused(text, ".xls") == filecheck.ERR_NOT_SPREADSHEET.format(suffix=".xls")
    ole = tmp_path / "b.xlsx"
    ole.write_bytes(filecheck.OLE_MAGIC + bytes(100))
    assert refused(ole) == filecheck.ERR_ENCRYPTED
    check_spreadsheet(ole, ".xls", Limits())  # a legacy workbook: bounded by its size only
    broken = tmp_path / "c.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(50))
    assert refused(broken) == filecheck.ERR_BROKEN_ZIP


def test_the_child_refuses_and_ends(tmp_path):
    path = book(tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": SHEET.format(ref="A1:XFD1048576")})
    with workbooks.SheetProcess(path, Limits()) as child, pytest.raises(FileRefused) as error:
        child.open()
    assert error.value.message.startswith("文件声明的表格范围为 1,048,576 行 × 16,384 列")
    assert child._proc.returncode is not None


def test_take_hands_over_only_with_the_same_limits(tmp_path):
    path = book(tmp_path / "b.xlsx", {"xl/worksheets/sheet1.xml": SHEET.format(ref="A1")})
    workbooks.read_ahead(path)
    assert workbooks.take(path, Limits(max_rows=10)) is None  # other limits: the child is ended, not used
    workbooks.read_ahead(path)
    taken = workbooks.take(path, Limits())
    assert taken is not None
    taken.close()
    assert workbooks.take(path, Limits()) is None
