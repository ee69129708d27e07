"""Spreadsheets parsed on a thread, and parsed ahead: python-calamine parses a whole worksheet at once, in Rust,
letting other Python threads run meanwhile.

`dangjian import-members FILE` starts parsing FILE before Django starts, so the two take the time of the longer one,
not of both; the importer then `take`s the parsed sheet. Framework-free: it runs before Django is set up.
"""

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})

Loaded = tuple[CalamineWorkbook, list[int], CalamineSheet]  # the book, its worksheets' indexes, the first parsed

_ahead: dict[tuple[str, int, int], Future] = {}
_lock = threading.Lock()


def worksheet_indexes(book: CalamineWorkbook) -> list[int]:
    """The visible worksheets' indexes (no chart sheets), in the book's order."""
    return [
        index
        for index, meta in enumerate(book.sheets_metadata)
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ]


def load_first(path: str | Path) -> Loaded:
    """Open the book and parse its first visible worksheet (the whole sheet, into memory)."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        indexes = worksheet_indexes(book) or [0]
        return book, indexes, book.get_sheet_by_index(indexes[0])
    except BaseException:
        book.close()
        raise


def load_in_background(path: str | Path) -> Future:
    """A future of load_first(path), on a thread of its own; its exceptions come out of .result()."""
    future: Future = Future()

    def load() -> None:
        try:
            future.set_result(load_first(path))
        except BaseException as error:  # handed to whoever asks for the result
            future.set_exception(error)

    threading.Thread(target=load, name="workbook-read", daemon=False).start()
    return future


def _key(path: str | Path) -> tuple[str, int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns


def read_ahead(path: str | Path) -> None:
    """Start parsing a spreadsheet that is about to be imported (anything else is left alone)."""
    if Path(path).suffix.lower() not in SPREADSHEET_SUFFIXES:
        return
    key = _key(path)
    if key is None:
        return
    with _lock:
        if key not in _ahead:
            _ahead[key] = load_in_background(path)


def take(path: str | Path) -> Future | None:
    """The parse read_ahead started for this file, unchanged since (once: the sheet is handed over, not kept)."""
    if not _ahead:
        return None
    key = _key(path)
    with _lock:
        return _ahead.pop(key, None) if key is not None else None


def command_file(args: Sequence[str], *, value_options: frozenset[str]) -> str | None:
    """The FILE argument of a command line (`import-members FILE --org CODE …`): the first argument that is neither
    an option nor an option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in value_options:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None
