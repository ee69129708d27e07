"""Reading a roster file as numbered rows of cell values.

.xlsx, legacy .xls and .ods go through python-calamine (dates arrive as date/datetime, numbers as float); .csv is
read in UTF-8 (with or without BOM) or, failing that, the Chinese encoding charset-normalizer names (GBK files are
read as GB18030, its superset). Row numbers are the ones the user sees in Excel (1-based, title rows included).
"""

import codecs
import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from python_calamine import CalamineError

from dangjian.core.lib import workbooks

from .headers import HEADER_SCAN_ROWS, HeaderMapping, find_header

ERR_FILE_TYPE = "不支持的文件类型“{suffix}”，请上传 Excel（.xlsx、.xlsm、.xls）、.ods 或 .csv 文件"
ERR_UNREADABLE = "无法读取该文件，请确认它是未加密的 Excel 文件（.xlsx、.xls）或 CSV 文件"
ERR_ENCODING = "无法识别该 CSV 文件的文字编码，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入"

SPREADSHEET_SUFFIXES = workbooks.SPREADSHEET_SUFFIXES
CSV_SUFFIXES = frozenset({".csv"})
#: What open_sheet reads: the upload form accepts exactly these.
READABLE_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
#: Bytes looked at to detect a CSV file's encoding and delimiter.
SAMPLE_BYTES = 64 * 1024
#: Chinese encodings a CSV file may come in besides UTF-8 (GB18030 reads GBK and GB2312 files too).
CSV_ENCODINGS = ["gb18030", "big5"]

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
    """The roster sheet of a file: its header mapping and the rows below it. Raises FileReadError.

    `meanwhile` is called while a spreadsheet is parsed: python-calamine parses a whole sheet at once, in Rust,
    letting other Python threads run, so the caller's set-up takes no time of its own."""
    suffix = check_suffix(filename or str(path))
    if suffix in CSV_SUFFIXES:
        if meanwhile is not None:
            meanwhile()
        with _open_csv(Path(path)) as sheet:
            yield sheet
    else:
        with _open_workbook(Path(path), meanwhile) as sheet:
            yield sheet


# ---- spreadsheets ----------------------------------------------------------------------------------------------


@contextmanager
def _open_workbook(path: Path, meanwhile: Callable[[], object] | None) -> Iterator[Sheet]:
    """The first visible worksheet with a roster header (a template's instructions sheet may come first)."""
    loading = workbooks.take(path) or workbooks.load_in_background(path)  # parsed ahead by the command line?
    if meanwhile is not None:
        meanwhile()
    try:
        book, indexes, first = loading.result()
    except (CalamineError, OSError, ValueError):
        raise FileReadError(ERR_UNREADABLE) from None
    try:
        fallback: Sheet | None = None
        for index in indexes:
            try:
                sheet = first if index == indexes[0] else book.get_sheet_by_index(index)
            except (CalamineError, ValueError):
                raise FileReadError(ERR_UNREADABLE) from None
            if sheet.end is None:  # an empty sheet
                continue
            # calamine yields rows from the sheet's first row and columns from its first used column.
            rows = enumerate(sheet.iter_rows(), start=1)
            header, head, below = _split(rows)
            found = Sheet(header=header, head=head, rows=below, last_row=sheet.end[0] + 1, first_column=sheet.start[1])
            if header.missing_columns == [] or fallback is None:
                fallback = found
            if not header.missing_columns:
                break
        if fallback is None:
            fallback = Sheet(header=HeaderMapping(0, [], []), head=[], rows=iter(()), last_row=0)
        yield fallback
    finally:
        book.close()


# ---- CSV -------------------------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig when the file starts with a BOM; utf-8 when the sample decodes as UTF-8; else the Chinese encoding
    charset-normalizer finds most likely (GB18030 when it has no opinion)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
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


@contextmanager
def _open_csv(path: Path) -> Iterator[Sheet]:
    try:
        with path.open("rb") as data:
            sample = data.read(SAMPLE_BYTES)
        encoding = detect_encoding(sample)
        text = path.open(encoding=encoding, newline="", errors="strict")
    except OSError:
        raise FileReadError(ERR_UNREADABLE) from None
    with text:
        reader = csv.reader(text, delimiter=_delimiter(sample.decode(encoding, errors="ignore")))

        def rows() -> Iterator[Row]:
            try:
                # Numbered by record, as Excel numbers the rows when it opens the file.
                yield from enumerate(reader, start=1)
            except UnicodeDecodeError:
                raise FileReadError(ERR_ENCODING) from None
            except csv.Error:
                raise FileReadError(ERR_UNREADABLE) from None

        header, head, below = _split(rows())
        yield Sheet(header=header, head=head, rows=below, last_row=_count_lines(path))
