"""Finding the header row of a roster file and mapping its columns to the roster (roster.ROSTER_COLUMNS).

Organs' own rosters put a title ("XX党支部党员花名册"), a unit line or blank lines above the header, mark required
columns with ＊, break long headers over two lines and use their own names for columns (身份证号 for 公民身份号码,
所在支部 for 所在党支部 …): all of that is folded away before the header text is looked up.
"""

import unicodedata
from dataclasses import dataclass

from ..roster import BRANCH_FIELD, ROSTER_COLUMNS, RosterColumn

#: The header is looked for in the first rows only: a title block is a few lines, never a page.
HEADER_SCAN_ROWS = 20
#: A row is taken for the header when it names at least this many roster columns (a title names none).
HEADER_MIN_MATCHES = 3
#: A birth-date column under this header holds the year and month only (the day comes from the ID number).
MONTH_ONLY_HEADERS = frozenset({"出生年月"})


def normalize_header(text: object) -> str:
    """Header text as looked up: full-width folded (（）→(), ／→/), all whitespace and line breaks removed, the
    required mark (＊ or *) stripped from either end."""
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(folded.split()).strip("*")


_LOOKUP: dict[str, RosterColumn] = {}
for _column in ROSTER_COLUMNS:
    for _name in (_column.header, *_column.synonyms):
        _LOOKUP.setdefault(normalize_header(_name), _column)


def lookup(text: object) -> RosterColumn | None:
    return _LOOKUP.get(normalize_header(text)) if text not in ("", None) else None


@dataclass(frozen=True)
class MappedColumn:
    index: int  # position in the row as read
    header: str  # the file's header text (as the user sees it, line breaks folded to spaces)
    column: RosterColumn
    month_only: bool = False


@dataclass
class HeaderMapping:
    row_number: int  # 1-based row of the header in the sheet; 0 when no header row was found
    columns: list[MappedColumn]
    mapping: list[tuple[str, str | None]]  # every non-empty header cell: (file header, roster header or None)

    @property
    def fields(self) -> dict[str, MappedColumn]:
        return {mapped.column.field: mapped for mapped in self.columns}

    @property
    def missing_columns(self) -> list[str]:
        """The required roster headers the file lacks (所在党支部 included: see missing())."""
        return self.missing()

    def missing(self, *, branch_chosen: bool = False) -> list[str]:
        """The required roster headers the file lacks; 所在党支部 is not required when the import names the branch."""
        present = self.fields
        return [
            c.header
            for c in ROSTER_COLUMNS
            if c.required and c.field not in present and not (branch_chosen and c.field == BRANCH_FIELD)
        ]

    @property
    def absent_columns(self) -> list[str]:
        """The optional roster headers the file lacks (未提供): their values stay blank, or as they are on update."""
        present = self.fields
        return [c.header for c in ROSTER_COLUMNS if not c.required and c.field not in present]


def display_header(text: object) -> str:
    return " ".join(str(text).split())


def map_header(row_number: int, cells: list) -> HeaderMapping:
    """Map one header row; a roster column named twice is taken from its first occurrence, the second is ignored."""
    columns: list[MappedColumn] = []
    mapping: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        header = display_header(cell)
        if not header:
            continue
        column = lookup(cell)
        if column is None or column.field in seen:
            mapping.append((header, None))
            continue
        seen.add(column.field)
        month_only = column.field == "birth_date" and normalize_header(cell) in MONTH_ONLY_HEADERS
        columns.append(MappedColumn(index, header, column, month_only))
        mapping.append((header, column.header))
    return HeaderMapping(row_number, columns, mapping)


def matches(cells: list) -> int:
    """How many distinct roster columns a row names."""
    return len({column.field for cell in cells if (column := lookup(cell)) is not None})


def find_header(rows: list[tuple[int, list]]) -> HeaderMapping:
    """The header among the first rows: the first row naming HEADER_MIN_MATCHES roster columns, else the row naming
    the most (so a file with too few known columns still reports which are missing); row_number 0 when none names any.
    """
    best: tuple[int, int, list] | None = None
    for number, cells in rows[:HEADER_SCAN_ROWS]:
        count = matches(cells)
        if count >= HEADER_MIN_MATCHES:
            return map_header(number, cells)
        if count and (best is None or count > best[0]):
            best = (count, number, cells)
    if best is None:
        return HeaderMapping(0, [], [])
    return map_header(best[1], best[2])
