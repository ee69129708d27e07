"""One data row of a roster file → the Member field values, or every reason the row is bad.

The rules are the roster's own: the field parsers here, the ID-number library, and members.validation's
cross-field rules, the very ones Member.clean applies to a form, so a row fails with the form's messages.
"""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from dangjian.core import clock
from dangjian.core.lib import idcard
from dangjian.core.lib.dates import format_cn_date

from ..choices import Category, Education, Gender
from ..exports import EXAMPLE_ROW
from ..models import Member
from ..roster import FROM_ID_NUMBER, ROSTER_COLUMNS
from ..validation import ERR_ID_BIRTH, cross_field_errors
from . import parsing
from .headers import HeaderMapping, MappedColumn
from .targets import Targets

ERR_REQUIRED = "此项必须填写"
ERR_DUPLICATE_IN_FILE = "与第{row}行的公民身份号码重复"

#: Member fields written by an import, in roster order (org and group as ids).
FIELDS: tuple[str, ...] = tuple(c.field for c in ROSTER_COLUMNS)
ATTNAMES: tuple[str, ...] = tuple(f"{f}_id" if f in {"org", "group"} else f for f in FIELDS)
#: A field's value while it has none (an empty cell, an absent optional column, a cell that failed): "" unless here
#: (the model's blank value: a new member imported without 党费基数 has the model's default, 0).
DEFAULTS = {
    "fee_base": Decimal("0.00"),
    "birth_date": None,
    "joined_on": None,
    "full_member_on": None,
    "org": None,
    "group": None,
    "work_started_on": None,
}

#: Optional fields the model requires (blank=False): an empty cell leaves an updated member's value as it is, since an
#: import cannot blank what the member form requires (a new member gets the blank value, to be filled in later).
#: The model's optional fields (所在党小组, 备注 …) are written as the file has them, empty or not.
KEPT_WHEN_EMPTY: frozenset[str] = frozenset(
    c.field
    for c in ROSTER_COLUMNS
    if not c.required and c.field not in FROM_ID_NUMBER and not Member._meta.get_field(c.field).blank
)

PARSERS: dict[str, parsing.Parser] = {
    "name": parsing.name_parser(),
    "gender": parsing.gender_parser(),
    "ethnicity": parsing.ethnicity_parser(),
    "birth_date": parsing.parse_date,
    "education": parsing.education_parser(),
    "category": parsing.category_parser(),
    "joined_on": parsing.parse_date,
    "full_member_on": parsing.parse_date,
    "org": parsing.parse_text,
    "group": parsing.parse_text,
    "position": parsing.text_parser("position"),
    "phone": parsing.parse_phone,
    "fee_base": parsing.parse_money,
    "native_place": parsing.text_parser("native_place"),
    "work_started_on": parsing.parse_date,
    "professional_title": parsing.text_parser("professional_title"),
    "remark": parsing.parse_text,
}
_LABELS = {
    "gender": dict(Gender.choices),
    "education": dict(Education.choices),
    "category": dict(Category.choices),
}


_ID, _REMARK = FIELDS.index("id_number"), FIELDS.index("remark")


class CheckedRow(NamedTuple):
    number: int
    values: tuple  # in FIELDS order; org and group as ids
    errors: list[tuple[str, str]]  # (file header, Chinese message)
    kept: tuple[str, ...] = ()  # fields of KEPT_WHEN_EMPTY whose cell was empty (an update keeps their values)


class RowChecker:
    """Checks rows in file order; remembers ID numbers to report a repeat with the row it repeats."""

    def __init__(self, *, header: HeaderMapping, targets: Targets, today: date | None = None) -> None:
        self.targets = targets
        self.today = today or clock.today()
        self.mapped = header.fields
        # The ID number's parser gives an IdCard (its number replaces it once the row is checked).
        parsers = PARSERS | {"id_number": parsing.id_card_parser(self.today)}
        self.steps = [
            (m.index, m.column.field, parsers[m.column.field], m.header, m.column.required)
            for m in header.columns
            if m.column.field not in {"org", "group"} and not m.month_only
        ]
        self.width = max((m.index + 1 for m in header.columns), default=0)
        self.birth_month: MappedColumn | None = next((m for m in header.columns if m.month_only), None)
        self.headers = {c.field: c.header for c in ROSTER_COLUMNS} | {f: m.header for f, m in self.mapped.items()}
        self.blank = {field: DEFAULTS.get(field, "") for field in FIELDS}
        self.seen: dict[str, int] = {}
        self._placed: dict[tuple[str, str], tuple] = {}
        self.index = {field: i for i, field in enumerate(FIELDS)}

    def cell(self, cells: list, field: str) -> object:
        mapped = self.mapped.get(field)
        if mapped is None or mapped.index >= len(cells):
            return ""
        value = cells[mapped.index]
        return value.strip() if isinstance(value, str) else value

    def check(self, number: int, cells: list) -> CheckedRow:
        """The row's values and errors. Written for speed (it runs 100,000 times a file): no model instances."""
        if len(cells) < self.width:  # a short CSV line
            cells = [*cells, *[""] * (self.width - len(cells))]
        values = self.blank.copy()
        errors: list[tuple[str, str]] = []
        failed: set[str] = set()
        kept: list[str] = []
        for index, field, parse, header, required in self.steps:
            raw = cells[index]
            if raw.__class__ is str:
                raw = raw.strip()
                missing = not raw
            else:
                missing = raw is None
            if missing:
                if required:
                    errors.append((header, ERR_REQUIRED))
                    failed.add(field)
                elif field in KEPT_WHEN_EMPTY:
                    kept.append(field)
                continue
            try:
                values[field] = parse(raw)
            except parsing.CellError as error:
                errors.append((header, error.message))
                failed.add(field)
        card = values["id_number"] or None  # "" when empty or bad
        if card:
            values["id_number"] = id_number = card.number
        else:
            id_number = ""
        if self.birth_month is not None:
            self._birth_from_month(cells, values, errors, failed, card)
        if card:  # 性别 and 出生日期 not given (no column, an empty cell): the ID number's
            if not values["gender"] and "gender" not in failed:
                values["gender"] = Gender.MALE if card.is_male else Gender.FEMALE
            if values["birth_date"] is None and "birth_date" not in failed:
                values["birth_date"] = card.birth_date
        self._targets(cells, values, errors, failed)
        rules = cross_field_errors(
            id_number=id_number,
            birth_date=values["birth_date"] or None,
            gender=values["gender"],
            category=values["category"],
            joined_on=values["joined_on"] or None,
            full_member_on=values["full_member_on"],
            work_started_on=values["work_started_on"],
            today=self.today,
            card=card,
        )
        if rules:
            for field, messages in rules.items():
                if field not in failed:
                    errors.extend((self.headers[field], message) for message in messages)
        if id_number:
            first = self.seen.setdefault(id_number, number)
            if first != number:
                errors.append((self.headers["id_number"], ERR_DUPLICATE_IN_FILE.format(row=first)))
        return CheckedRow(number, tuple(values.values()), errors, tuple(kept))

    def _birth_from_month(self, cells, values, errors, failed, card: idcard.IdCard | None) -> None:
        """出生年月 holds the year and month: the day comes from the ID number, with which they must agree."""
        header = self.birth_month.header
        raw = self.cell(cells, "birth_date")
        values["birth_date"] = None
        if raw == "":  # taken from the ID number
            return
        try:
            year, month = parsing.parse_month(raw)
        except parsing.CellError as error:
            errors.append((header, error.message))
            failed.add("birth_date")
            return
        if card is None:
            return
        born = card.birth_date
        if (born.year, born.month) == (year, month):
            values["birth_date"] = born
        else:
            errors.append((header, ERR_ID_BIRTH.format(format_cn_date(born))))
            failed.add("birth_date")

    def _targets(self, cells, values, errors, failed) -> None:
        """所在党支部 and 所在党小组, resolved once per distinct pair of cells (a roster names a few hundred)."""
        key = (self.cell(cells, "org"), self.cell(cells, "group"))
        if key[0].__class__ is str and key[1].__class__ is str:  # as dict keys 1, 1.0 and True are one
            placed = self._placed.get(key)
            if placed is None:
                placed = self._placed[key] = self._place(*key)
        else:
            placed = self._place(*key)
        values["org"], values["group"], problems = placed
        for field, message in problems:
            errors.append((self.headers[field], message))
            failed.add(field)

    def _place(self, org_cell, group_cell) -> tuple[int | None, int | None, tuple[tuple[str, str], ...]]:
        """(branch id, group id, ((field, message), …))."""
        text = parsing.parse_text(org_cell)
        if text:
            branch, message = self.targets.branch(text)
        elif self.targets.default is not None:
            branch, message = self.targets.default, ""
        else:
            branch, message = None, ERR_REQUIRED
        if branch is None:
            return None, None, (("org", message),)
        group_text = parsing.parse_text(group_cell)
        if not group_text:
            return branch.id, None, ()
        group, message = self.targets.group(branch, group_text)
        if group is None:
            return branch.id, None, (("group", message),)
        return branch.id, group.id, ()

    def display(self, cells: list, checked: CheckedRow) -> dict[str, str]:
        """A preview row keyed by roster header: parsed values as the roster shows them, bad cells as typed."""
        bad = {header for header, _ in checked.errors}
        row: dict[str, str] = {}
        for field, mapped in self.mapped.items():
            roster_header = mapped.column.header
            value = checked.values[self.index[field]]
            if mapped.header in bad or value in (None, ""):
                raw = self.cell(cells, field)
                row[roster_header] = "" if raw == "" else parsing.parse_text(raw)
            elif field in {"org", "group"}:
                row[roster_header] = self.targets.by_id[value].name
            elif field in _LABELS:
                row[roster_header] = str(_LABELS[field][value])
            else:
                row[roster_header] = value.isoformat() if isinstance(value, date) else str(value)
        return row


def is_template_example(row: CheckedRow) -> bool:
    """The grey example row of the import template (exports.roster_template), left in by mistake: skipped."""
    return row.values[_ID] == EXAMPLE_ROW["id_number"] and row.values[_REMARK] == EXAMPLE_ROW["remark"]
