"""Uploaded spreadsheets checked before any parser sees them: what the file says about itself, read cheaply.

A .xlsx/.xlsm/.ods is a zip: its directory (member count, the sizes each member declares once inflated, each
member's compression ratio) is read without inflating anything; then the first bytes of each XML part (inflated with
a bounded read) are searched for a DTD (`<!DOCTYPE`, `<!ENTITY`: no spreadsheet needs one), and each worksheet's
`<dimension ref="A1:N20001"/>` is read, so a sheet that declares a million rows is refused before a parser allocates
them. A legacy .xls (OLE) is bounded by its size; a .xlsx that is an OLE file is an encrypted workbook.

What a file may declare falsely (a zip member's size, an absent dimension) is caught afterwards, by the parse's own
limits (workbooks.py: a child process with memory and time limits, and the sheet's real extent checked before any
row is handed over). Framework-free: the child process runs it without Django. Messages are Chinese: they reach the
user as they are.
"""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

ERR_FILE_TOO_BIG = "文件大小为 {size}，超过导入上限（{limit}），请拆分后分批导入"
ERR_NOT_ZIP = (
    "文件扩展名为“{suffix}”，但内容不是 Excel 工作簿（可能是改了扩展名的其他文件），"
    "请在 Excel 中另存为 .xlsx 后重新导入"
)
ERR_NOT_SPREADSHEET = "文件扩展名为“{suffix}”，但内容不是 Excel 或 ODS 表格，请在 Excel 中另存为 .xlsx 后重新导入"
ERR_ENCRYPTED = "该工作簿设置了打开密码（已加密），无法读取；请在 Excel 中取消密码保护后重新导入"
ERR_BROKEN_ZIP = "工作簿已损坏（压缩包结构无法读取），请在 Excel 中打开并另存为 .xlsx 后重新导入"
ERR_TOO_MANY_PARTS = "工作簿包含 {count:,} 个内部文件，超过导入上限（{limit:,} 个），疑似异常文件，未导入"
ERR_UNCOMPRESSED = "工作簿解压后共 {size}，超过导入上限（{limit}）；请删除多余的工作表、图片等内容，或拆分后分批导入"
ERR_RATIO = "工作簿内部文件“{name}”的压缩比为 {ratio:,.0f} 倍，超过导入上限（{limit:,} 倍），疑似“压缩炸弹”，未导入"
ERR_DTD = (
    "工作簿内部文件“{name}”含有 DTD/实体声明（<!DOCTYPE 或 <!ENTITY），正常的表格文件不含这类内容，出于安全考虑未导入"
)
ERR_XML_PROLOG = "工作簿内部文件“{name}”的开头不是正常的表格内容，出于安全考虑未导入"
ERR_DECLARED_RANGE = (
    "文件声明的表格范围为 {rows:,} 行 × {columns:,} 列（工作表“{name}”），超过导入上限（{max_rows:,} 行 × "
    "{max_columns:,} 列）；请删除表格中多余的行列（或把数据复制到新的工作簿）后重新导入"
)
ERR_REAL_RANGE = (
    "表格范围为 {rows:,} 行 × {columns:,} 列，超过导入上限（{max_rows:,} 行 × {max_columns:,} 列）；"
    "请删除多余的行列，或拆分后分批导入"
)

ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".ods"})
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A member this small cannot be a bomb whatever its ratio (a sheet of empty styled cells compresses very well).
RATIO_MIN_BYTES = 1 * MB
#: The bytes of an XML part read (inflated) for its DTD and its dimension: the prolog and the sheet's first elements.
PROLOG_BYTES = 64 * 1024
_DIMENSION = re.compile(r'<(?:\w+:)?dimension\s+ref\s*=\s*["\']([A-Za-z]{0,3}\d*)(?::([A-Za-z]{0,3}\d*))?["\']')
_CELL = re.compile(r"([A-Za-z]{0,3})(\d*)")
_ELEMENT = re.compile(r"<[A-Za-z_]")


class FileRefused(Exception):
    """The file is not imported; the message (Chinese) says why and what limit it broke."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    """What an imported file may be. The defaults fit the biggest real roster with room to spare (a 100,000-row
    roster of 18 columns written by xlsxwriter is an 11 MB file holding a 78 MB sheet)."""

    max_file_bytes: int = 50 * MB
    max_rows: int = 200_000
    max_columns: int = 200
    max_uncompressed_bytes: int = 512 * MB
    max_compression_ratio: int = 100
    max_zip_members: int = 1000
    parse_memory_mb: int = 2048
    parse_seconds: float = 120.0


def size_text(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB else f"{size / 1024:,.1f} KB"


def kind_of(path: str | Path) -> str:
    """ "zip", "ole" or "other", by the file's first bytes (not by its name)."""
    with open(path, "rb") as data:
        magic = data.read(8)
    if magic.startswith(ZIP_MAGIC) or magic.startswith(b"PK\x05\x06"):
        return "zip"
    if magic == OLE_MAGIC:
        return "ole"
    return "other"


def check_size(path: str | Path, limits: Limits) -> int:
    size = Path(path).stat().st_size
    if size > limits.max_file_bytes:
        raise FileRefused(ERR_FILE_TOO_BIG.format(size=size_text(size), limit=size_text(limits.max_file_bytes)))
    return size


def check_spreadsheet(path: str | Path, suffix: str, limits: Limits) -> None:
    """Refuse (FileRefused) a spreadsheet file that is not what its suffix says, too big, or that declares more
    than the limits allow. Reads the zip directory and at most PROLOG_BYTES of each XML part."""
    check_size(path, limits)
    kind = kind_of(path)
    if suffix in ZIP_SUFFIXES:
        if kind == "ole":
            raise FileRefused(ERR_ENCRYPTED)  # Excel stores a password-protected workbook as an OLE container
        if kind != "zip":
            raise FileRefused(ERR_NOT_ZIP.format(suffix=suffix))
        _check_zip(path, limits)
    elif kind == "zip":  # an .xlsx named .xls: the parser reads it by content, so it is checked as one
        _check_zip(path, limits)
    elif kind != "ole":
        raise FileRefused(ERR_NOT_SPREADSHEET.format(suffix=suffix))


def _check_zip(path: str | Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limits.max_zip_members:
                raise FileRefused(ERR_TOO_MANY_PARTS.format(count=len(members), limit=limits.max_zip_members))
            total = sum(member.file_size for member in members)
            if total > limits.max_uncompressed_bytes:
                raise FileRefused(
                    ERR_UNCOMPRESSED.format(size=size_text(total), limit=size_text(limits.max_uncompressed_bytes))
                )
            for member in members:
                if member.file_size >= RATIO_MIN_BYTES:
                    ratio = member.file_size / max(member.compress_size, 1)
                    if ratio > limits.max_compression_ratio:
                        raise FileRefused(
                            ERR_RATIO.format(name=member.filename, ratio=ratio, limit=limits.max_compression_ratio)
                        )
            for member in members:
                name = member.filename.lower()
                if member.is_dir() or not name.endswith((".xml", ".rels", ".vml")):
                    continue
                prolog = _prolog(archive, member)
                if "worksheets/" in name:
                    _check_dimension(prolog, member.filename.rsplit("/", 1)[-1].removesuffix(".xml"), limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        raise FileRefused(ERR_BROKEN_ZIP) from None
    except OSError:  # a member's data cut short, a CRC error
        raise FileRefused(ERR_BROKEN_ZIP) from None


def _prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> str:
    """The part's first PROLOG_BYTES, decoded; FileRefused if they hold a DTD or no element at all."""
    with archive.open(member) as data:
        head = data.read(PROLOG_BYTES)  # inflates at most this much (plus one buffer)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8", errors="ignore")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise FileRefused(ERR_DTD.format(name=member.filename))
    if head.strip() and not _ELEMENT.search(text):
        raise FileRefused(ERR_XML_PROLOG.format(name=member.filename))
    return text


def column_number(letters: str) -> int:
    """A1-style column letters to a 1-based number (A → 1, XFD → 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _check_dimension(prolog: str, sheet: str, limits: Limits) -> None:
    match = _DIMENSION.search(prolog)
    if match is None:
        return  # optional: the real extent is checked after the parse
    rows = columns = 0
    for ref in match.groups():
        if ref:
            cell = _CELL.fullmatch(ref)
            if cell is not None:
                columns = max(columns, column_number(cell[1]) if cell[1] else 0)
                rows = max(rows, int(cell[2]) if cell[2] else 0)
    check_extent(rows, columns, limits, declared_in=sheet)


def check_extent(rows: int, columns: int, limits: Limits, *, declared_in: str | None = None) -> None:
    """A sheet reaching down to row `rows` and across to column `columns`, declared or real."""
    if rows > limits.max_rows or columns > limits.max_columns:
        template = ERR_REAL_RANGE if declared_in is None else ERR_DECLARED_RANGE
        raise FileRefused(
            template.format(
                rows=rows,
                columns=columns,
                name=declared_in,
                max_rows=limits.max_rows,
                max_columns=limits.max_columns,
            )
        )
