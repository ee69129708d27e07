"""Hostile roster files, built in a few milliseconds by the tests that need them (no tests in this module; nothing
here is committed as a binary).

`raw_xlsx` writes the smallest workbook python-calamine reads, around a worksheet XML the test chooses: a dimension
that declares a million rows, cells far apart without a dimension, a DTD. `zip_bomb` writes a workbook whose sheet is
megabytes of one repeated byte, streamed into the zip (never held in memory).
"""

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(cells: list[str], *, dimension: str | None = None, prolog: str = "") -> str:
    """A worksheet of the given cells (`cell(...)`), one row per cell, in order."""
    rows = "".join(f'<row r="{"".join(ch for ch in c.split(chr(34))[1] if ch.isdigit())}">{c}</row>' for c in cells)
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = SHEET_OPEN + head + f"<sheetData>{rows}</sheetData></worksheet>"
    if prolog:  # e.g. a DOCTYPE, between the XML declaration and the root element
        declaration, rest = xml.split("?>", 1)
        xml = declaration + "?>" + prolog + rest
    return xml


def raw_xlsx(path: Path, sheet: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def dimension_bomb(path: Path, far: str) -> Path:
    """One header cell at A1 and one cell at `far` (XFD1048576: 512 GB to a parser that believes the sheet), with
    the dimension declared as Excel would."""
    return raw_xlsx(path, sheet_xml([cell("A1", "姓名"), cell(far, "x")], dimension=f"A1:{far}"))


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A workbook whose sheet XML is `megabytes` MB, nearly all of it one repeated byte (inside a text cell), streamed
    into the zip at the highest compression: a few KB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(f'{SHEET_OPEN}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'.encode())
            block = b" " * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
            member.write(b"</t></is></c></row></sheetData></worksheet>")
    return path


XXE_PROLOG = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xxe_xlsx(path: Path) -> Path:
    """A sheet that declares an external entity and uses it in a cell (XXE: the file's contents in the roster)."""
    return raw_xlsx(path, sheet_xml([cell("A1", "&xxe;")], prolog=XXE_PROLOG))
