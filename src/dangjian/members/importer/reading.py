"""Reading a roster file as numbered rows of cell values.

.xlsx, legacy .xls and .ods go through python-calamine (dates arrive as date/datetime, numbers as float), in a child
process that checks the file first and parses it within memory and time limits (core/lib/filecheck.py, workbooks.py);
.csv is read here, in UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text", tab-separated) or,
failing those, the Chinese encoding charset-normalizer names (GBK files are read as GB18030, its superset), its rows,
columns and line lengths bounded as it is read. The limits are settings (IMPORT_*). Row numbers are the ones the user
sees in Excel (1-based, title rows included).
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from django.conf import settings

from dangjian.core.lib import filecheck, workbooks
from dangjian.core.lib.filecheck import FileRefused, Limits

from .headers import HEADER_SCAN_ROWS, HeaderMapping, find_header

ERR_FILE_TYPE = "不支持的文件类型“{suffix}”，请上传 Excel（.xlsx、.xlsm、.xls）、.ods 或 .csv 文件"
ERR_UNREADABLE = workbooks.ERR_UNREADABLE
ERR_ENCODING = "无法识别该 CSV 文件的文字编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入"
ERR_CSV_BROKEN = (
    "无法按 CSV 格式读取该文件（内容不是逗号或制表符分隔的表格，或单元格内容过长），"
    "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入"
)
ERR_CSV_ROWS = "文件共有 {rows:,} 行，超过导入上限（{limit:,} 行），请拆分后分批导入"
ERR_CSV_COLUMNS = "第{row}行有 {columns:,} 列，超过导入上限（{limit:,} 列），请删除多余的列后重新导入"
ERR_CSV_LINE = "第{row}行超过 {limit:,} 个字符，不是正常的花名册内容，未导入"

SPREADSHEET_SUFFIXES = workbooks.SPREADSHEET_SUFFIXES
CSV_SUFFIXES = frozenset({".csv"})
#: What open_sheet reads: the upload form accepts exactly these.
READABLE_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
#: Bytes looked at to detect a CSV file's encoding and delimiter.
SAMPLE_BYTES = 64 * 1024
#: Chinese encodings a CSV file may come in besides UTF-8 (GB18030 reads GBK and GB2312 files too).
CSV_ENCODINGS = ["gb18030", "big5"]
#: A CSV line longer than this is refused before the csv module splits it (a roster's row is a few hundred).
MAX_LINE_CHARS = 1_000_000

Row = tuple[int, list]  # (1-based row number, cell values)


class FileReadError(Exception):
    """The file cannot be read as a roster at all; the message is Chinese and shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    header: HeaderMapping
    head: list[Row]  # the rows above the header and the header row itself
    rows: Iterator[Row]  # the rows below the header
    last_row: int  # number of the sheet's last row (progress; a CSV's is its line count, an estimate)
    first_column: int = 0  # 0-based column of the first cell of each row (calamine trims empty columns on the left)


def import_limits() -> Limits:
    """The limits an imported file must keep (settings IMPORT_*)."""
    return Limits(
        max_file_bytes=settings.IMPORT_MAX_FILE_MB * filecheck.MB,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_MB * filecheck.MB,
        max_compression_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
        parse_memory_mb=settings.IMPORT_PARSE_MEMORY_MB,
        parse_seconds=settings.IMPORT_PARSE_SECONDS,
    )


def check_suffix(name: str) -> str:
    """The file's suffix, lower-cased; FileReadError (ERR_FILE_TYPE) for one that cannot be read."""
    suffix = Path(name).suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise FileReadError(ERR_FILE_TYPE.format(suffix=suffix or "无扩展名"))
    return suffix


def _split(rows: Iterator[Row]) -> tuple[HeaderMapping, list[Row], Iterator[Row]]:
    """Read ahead to the header; hand back the mapping, the rows down to the header and the rows after it."""
    head: list[Row] = []
    for row in rows:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    header = find_header(head)

    def below() -> Iterator[Row]:
        yield from (row for row in head if row[0] > header.row_number)
        yield from rows

    return header, [row for row in head if row[0] <= header.row_number], below()


@contextmanager
def open_sheet(
    path: str | Path, filename: str | None = None, *, meanwhile: Callable[[], object] | None = None
) -> Iterator[Sheet]:
    """The roster sheet of a file: its header mapping and the rows below it. Raises FileReadError, also while its
    rows are read (a limit broken further down the file).

    `meanwhile` is called while a spreadsheet is checked and parsed, in a child process, so the caller's set-up
    takes no time of its own."""
    suffix = check_suffix(filename or str(path))
    limits = import_limits()
    if suffix in CSV_SUFFIXES:
        if meanwhile is not None:
            meanwhile()
        with _open_csv(Path(path), limits) as sheet:
            yield sheet
    else:
        with _open_workbook(Path(path), meanwhile, limits) as sheet:
            yield sheet


# ---- spreadsheets ----------------------------------------------------------------------------------------------


@contextmanager
def _open_workbook(path: Path, meanwhile: Callable[[], object] | None, limits: Limits) -> Iterator[Sheet]:
    """The first visible worksheet with a roster header (a template's instructions sheet may come first), parsed in a
    child process (core/lib/workbooks.py) that checks the file first; its rows arrive as they are read."""
    child = workbooks.take(path, limits, head=HEADER_SCAN_ROWS)  # started by the command line before Django?
    if child is None:
        child = workbooks.SheetProcess(path, limits, head=HEADER_SCAN_ROWS)
    with child:
        if meanwhile is not None:
            meanwhile()  # while the child checks and parses
        try:
            fallback: tuple[int, Sheet] | None = None
            current = 0
            for position in range(child.open()):
                current = position
                found = _worksheet(child, child.first_sheet() if position == 0 else child.sheet(position))
                if found is None:  # an empty sheet
                    continue
                if not found.header.missing_columns or fallback is None:
                    fallback = (position, found)
                if not found.header.missing_columns:
                    break
            if fallback is None:
                sheet = Sheet(header=HeaderMapping(0, [], []), head=[], rows=iter(()), last_row=0)
            elif fallback[0] != current:  # no sheet has every column: the first one's rows, asked for again
                sheet = _worksheet(child, child.sheet(fallback[0]))
            else:
                sheet = fallback[1]
        except FileRefused as refused:
            raise FileReadError(refused.message) from None
        yield sheet


def _worksheet(child: workbooks.SheetProcess, message: tuple) -> Sheet | None:
    _, start, end, head = message
    if end is None:
        return None

    def rows() -> Iterator[Row]:
        # calamine yields rows from the sheet's first row and columns from its first used column.
        yield from enumerate(head, start=1)
        if len(head) == HEADER_SCAN_ROWS:  # more below
            try:
                yield from enumerate(child.rest(), start=len(head) + 1)
            except FileRefused as refused:
                raise FileReadError(refused.message) from None

    header, above, below = _split(rows())
    return Sheet(header=header, head=above, rows=below, last_row=end[0] + 1, first_column=start[1])


# ---- CSV -------------------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """utf-16 when the file starts with its BOM (Excel's "Unicode text"); utf-8-sig with the UTF-8 BOM; utf-8 when the
    sample decodes as UTF-8; else the Chinese encoding charset-normalizer finds most likely (GB18030 when it has no
    opinion). FileReadError (ERR_ENCODING) for a binary file (NUL bytes: no text encoding but UTF-16 has them)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in sample:
        raise FileReadError(ERR_ENCODING)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    best = from_bytes(sample, cp_isolation=CSV_ENCODINGS).best()
    return best.encoding if best is not None else CSV_ENCODINGS[0]


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _delimiter(sample: str) -> str:
    """Comma, unless the sample has more tabs or semicolons (Excel's "Unicode text" and some locales' CSV)."""
    return max(",\t;", key=sample.count)


def _bounded_lines(text: Iterator[str]) -> Iterator[str]:
    """The file's lines, refusing one too long to be a roster's (before the csv module splits it into fields)."""
    for number, line in enumerate(text, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise FileReadError(ERR_CSV_LINE.format(row=number, limit=MAX_LINE_CHARS))
        yield line


@contextmanager
def _open_csv(path: Path, limits: Limits) -> Iterator[Sheet]:
    try:
        filecheck.check_size(path, limits)
        with path.open("rb") as data:
            sample = data.read(SAMPLE_BYTES)
        encoding = detect_encoding(sample)
        delimiter = _delimiter(sample.decode(encoding, errors="ignore"))
        lines = _count_lines(path)
        if lines > limits.max_rows:  # a line count over-counts rows with line breaks in a cell: count them
            records = _count_records(path, encoding, delimiter)
            if records > limits.max_rows:
                raise FileReadError(ERR_CSV_ROWS.format(rows=records, limit=limits.max_rows))
        text = path.open(encoding=encoding, newline="", errors="strict")
    except filecheck.FileRefused as refused:
        raise FileReadError(refused.message) from None
    except OSError:
        raise FileReadError(ERR_UNREADABLE) from None
    with text:
        reader = csv.reader(_bounded_lines(text), delimiter=delimiter)

        def rows() -> Iterator[Row]:
            try:
                # Numbered by record, as Excel numbers the rows when it opens the file.
                for number, cells in enumerate(reader, start=1):
                    if len(cells) > limits.max_columns:
                        raise FileReadError(
                            ERR_CSV_COLUMNS.format(row=number, columns=len(cells), limit=limits.max_columns)
                        )
                    if number > limits.max_rows:
                        raise FileReadError(ERR_CSV_ROWS.format(rows=number, limit=limits.max_rows))
                    yield number, cells
            except UnicodeDecodeError:
                raise FileReadError(ERR_ENCODING) from None
            except csv.Error:
                raise FileReadError(ERR_CSV_BROKEN) from None

        header, head, below = _split(rows())
        yield Sheet(header=header, head=head, rows=below, last_row=lines)


def _count_records(path: Path, encoding: str, delimiter: str) -> int:
    try:
        with path.open(encoding=encoding, newline="", errors="strict") as text:
            return sum(1 for _ in csv.reader(_bounded_lines(text), delimiter=delimiter))
    except UnicodeDecodeError:
        raise FileReadError(ERR_ENCODING) from None
    except csv.Error:
        raise FileReadError(ERR_CSV_BROKEN) from None
