"""The audit log as a 纪检 inspector reads it: which entries a user sees (scope and filters), and each entry in words.

auditlog's own `LogEntry.changes_display_dict` (3.4) was checked and is not used: it looks up every foreign key value
with a query of its own (50 entries × fields), writes "None" and "Deleted 'Member' (3)" in English, cuts long values
with no way to read them whole, knows nothing of our internal fields and cannot mask by viewer. `present` does the
same work (field verbose names, choice labels, names of related objects) for a page of entries at once: one query per
related model, whatever the page holds.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import EVENT_LOGIN, EVENT_LOGIN_FAILED, EVENT_LOGOUT
from .roles import Capability
from .scope import subtree_q

#: additional_data["event"] of an export written by the audit page itself.
EVENT_EXPORT = "export"

#: The kinds of entry the page names and filters by: code → (label, which entries).
KINDS: dict[str, tuple[str, Q]] = {}


def _kinds() -> dict[str, tuple[str, Q]]:
    A = LogEntry.Action
    login_events = [EVENT_LOGIN, EVENT_LOGIN_FAILED, EVENT_LOGOUT]

    def lacks(key: str, q: Q | None = None) -> Q:
        """Not (has `key` [and q]): in SQL a missing key or a NULL additional_data makes `NOT q` NULL, not true."""
        return Q(additional_data__isnull=True) | ~Q(additional_data__has_key=key) | (~q if q is not None else Q())

    imported = Q(additional_data__has_key="import")
    # An export: the roster's (members.exports) and the audit log's own both record the rows written.
    exported = Q(action=A.ACCESS, additional_data__has_key="rows")
    is_login = Q(additional_data__event__in=login_events)
    return {
        "create": ("新增", Q(action=A.CREATE) & lacks("import")),
        "update": ("修改", Q(action=A.UPDATE) & lacks("import")),
        "delete": ("删除", Q(action=A.DELETE)),
        "access": ("查看", Q(action=A.ACCESS) & lacks("rows") & lacks("event", is_login)),
        "export": ("导出", exported),
        "import": ("导入", imported),
        "login": ("登录", Q(additional_data__event=EVENT_LOGIN)),
        "login_failed": ("登录失败", Q(additional_data__event=EVENT_LOGIN_FAILED)),
        "logout": ("退出", Q(additional_data__event=EVENT_LOGOUT)),
    }


ACTION_LABELS = {0: "新增", 1: "修改", 2: "删除", 3: "查看"}
LOGIN_LABELS = {EVENT_LOGIN: "登录", EVENT_LOGIN_FAILED: "登录失败", EVENT_LOGOUT: "退出"}


def kind_of(entry: LogEntry) -> tuple[str, str]:
    """(code, label) of an entry, as KINDS names them."""
    data = entry.additional_data or {}
    if data.get("event") in LOGIN_LABELS:
        return data["event"], LOGIN_LABELS[data["event"]]
    if "import" in data:
        return "import", "导入"
    if entry.action == LogEntry.Action.ACCESS and "rows" in data:
        return EVENT_EXPORT, "导出"
    code = {0: "create", 1: "update", 2: "delete", 3: "access"}.get(entry.action, "access")
    return code, ACTION_LABELS.get(entry.action, "查看")


#: Fields nobody needs to read in the log: tree bookkeeping, versions, timestamps, secrets, derived search keys.
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "path",
        "depth",
        "numchild",
        "version",
        "created_at",
        "updated_at",
        "password",
        "last_login",
        "key_hash",
        "name_pinyin",
        "name_initials",
    }
)
#: Fields shown masked to a viewer without view_personal on the entry's org (ID numbers and phones are masked when
#: written already, for everyone).
MASKED_FOR_VIEWER = {"birth_date": "****-**-**"}
#: Longer values are cut on the page, the whole value one click away (<details>).
SHORT_LENGTH = 80
#: The page counts at most this many entries (a count of a million rows costs more than the page itself).
COUNT_CAP = 1_000
PAGE_SIZE = 50
#: The deepest page (100,000 entries back); older entries are reached by narrowing the filter.
MAX_PAGE = 2_000
#: The largest export; more, and the user is asked to narrow the filter.
EXPORT_MAX_ROWS = 100_000
#: Users a search for "操作人" may match (their entries are the filter).
ACTORS_MAX = 200
#: Orgs a search for "组织" may match (their subtrees are the filter).
ORG_MATCHES_MAX = 50
EMPTY = "—"

ERR_EXPORT_TOO_MANY = "符合条件的记录超过 {limit:,} 条，请缩小时间范围或增加筛选条件后再导出"
ERR_DATE = "日期格式应为 年-月-日，如 2026-01-31"


# --- Which entries ------------------------------------------------------------------------------------------


@dataclass
class AuditFilter:
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""
    model: str = ""
    actor: str = ""
    org: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, query) -> AuditFilter:
        f = cls(
            kind=query.get("kind", "").strip()[:20],
            model=query.get("model", "").strip()[:100],
            actor=query.get("actor", "").strip()[:50],
            org=query.get("org", "").strip()[:50],
        )
        for name in ("date_from", "date_to"):
            raw = query.get(name, "").strip()[:10]
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.errors.append(ERR_DATE)
        if f.kind not in _kind_table():
            f.kind = ""
        return f

    def as_dict(self) -> dict:
        """The filter as the export's entry records it (only what was set)."""
        values = {
            "date_from": self.date_from and self.date_from.isoformat(),
            "date_to": self.date_to and self.date_to.isoformat(),
            "kind": self.kind,
            "model": self.model,
            "actor": self.actor,
            "org": self.org,
        }
        return {k: v for k, v in values.items() if v}


def _kind_table() -> dict[str, tuple[str, Q]]:
    if not KINDS:
        KINDS.update(_kinds())
    return KINDS


def kind_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, (label, _) in _kind_table().items()]


def model_choices() -> list[tuple[str, str]]:
    from auditlog.registry import auditlog

    from .models import User

    models_ = {*auditlog.get_models(), User, LogEntry}
    return sorted(((m._meta.model_name, str(m._meta.verbose_name)) for m in models_), key=lambda c: c[1])


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(user, f: AuditFilter) -> QuerySet[LogEntry]:
    """The entries `user` may read (the subtrees they audit; a superuser: all), narrowed by `f`, newest first."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    if not user.is_superuser:
        entries = entries.filter(subtree_q("additional_data__org_path", user.scope_paths(Capability.AUDIT)))
    if f.date_from:
        entries = entries.filter(timestamp__gte=_day_start(f.date_from))
    if f.date_to:
        entries = entries.filter(timestamp__lt=_day_start(f.date_to + timedelta(days=1)))
    if f.kind:
        entries = entries.filter(_kind_table()[f.kind][1])
    if f.model:
        entries = entries.filter(content_type__model=f.model)
    if f.actor:
        from .models import User

        # The matching users first (few), then their entries by the indexed actor and object ids: a join with a
        # substring match would scan the whole log. A failed login has no actor: it is found by the user it named.
        ids = list(
            User.objects.filter(Q(username__icontains=f.actor) | Q(full_name__icontains=f.actor)).values_list(
                "pk", flat=True
            )[:ACTORS_MAX]
        )
        failed = Q(content_type=ContentType.objects.get_for_model(User), object_id__in=ids)
        entries = entries.filter(Q(actor_id__in=ids) | (failed & Q(additional_data__event=EVENT_LOGIN_FAILED)))
    if f.org:
        entries = entries.filter(subtree_q("additional_data__org_path", org_paths(user, f.org)))
    return entries


def org_paths(user, text: str) -> list[str]:
    """Paths of the orgs in the user's audit scope whose name or code contains `text` (at most ORG_MATCHES_MAX)."""
    from .models import RoleGrant

    org_model = RoleGrant._meta.get_field("org").related_model  # core imports no app
    orgs = org_model.objects.restrict(user, Capability.AUDIT).filter(Q(name__icontains=text) | Q(code=text))
    return list(orgs.order_by("path").values_list("path", flat=True)[:ORG_MATCHES_MAX])


@dataclass
class AuditPage:
    """One page of entries, without counting them all: at a million entries a count costs more than the page.

    The page reads PAGE_SIZE + 1 ids (the extra one says whether a next page exists) from the narrow ordered query,
    then those entries whole by id (a deferred join: the sort and the offset never carry the wide rows). The total is
    counted up to COUNT_CAP (a LIMITed count); past it the page says "超过 1,000 条". Pages stop at MAX_PAGE (past
    it: narrow the filter — an offset that deep reads as many index entries)."""

    number: int
    object_list: list
    has_next: bool
    count: int  # at most COUNT_CAP + 1
    per_page: int = 0

    @classmethod
    def of(cls, entries: QuerySet[LogEntry], number, per_page: int | None = None) -> AuditPage:
        per_page = per_page or PAGE_SIZE
        try:
            number = min(max(int(number), 1), MAX_PAGE)
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * per_page
        ids = list(entries.values_list("pk", flat=True)[bottom : bottom + per_page + 1])
        if not ids and number > 1:  # past the end: the last page, when the count says which
            count = entries[: COUNT_CAP + 1].count()
            if count <= COUNT_CAP:
                return cls.of(entries, max(1, -(-count // per_page)), per_page)
            return cls(number, [], False, count, per_page)
        found = {e.pk: e for e in entries.filter(pk__in=ids[:per_page])}
        rows = [found[pk] for pk in ids[:per_page] if pk in found]
        count = entries[: COUNT_CAP + 1].count()
        return cls(number, rows, len(ids) > per_page and number < MAX_PAGE, count, per_page)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int:
        """Known only while the total is under the cap (else the page shows no total)."""
        return max(1, -(-self.count // self.per_page))


# --- Each entry in words -------------------------------------------------------------------------------------


@dataclass
class Value:
    text: str
    short: str  # the first SHORT_LENGTH characters and "…", or the text itself

    @property
    def cut(self) -> bool:
        return self.short != self.text


@dataclass
class Change:
    label: str
    old: Value
    new: Value


@dataclass
class Row:
    entry: LogEntry
    kind: str
    kind_label: str
    model_label: str
    actor: str
    changes: list[Change]
    job: int | None = None  # the job that wrote the entry (an import's, an export's)
    objects_url: str = ""  # the list of what the entry's job wrote (an import's members), for a reader who may see it


def _value(text: str) -> Value:
    text = text if text not in ("", "None") else EMPTY
    short = text if len(text) <= SHORT_LENGTH else text[:SHORT_LENGTH] + "…"
    return Value(text, short)


def _datetime_text(raw: str) -> str:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%Y-%m-%d %H:%M}"


class _Names:
    """Names of related objects for a batch of entries: one query per related model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[type[models.Model], dict] = {}

    def want(self, model, raw: str) -> None:
        if raw in ("", "None"):
            return
        with contextlib.suppress(ValidationError):  # a value of a changed pk type: shown as "deleted"
            self.wanted[model].add(model._meta.pk.to_python(raw))

    def load(self) -> None:
        for model, pks in self.wanted.items():
            # Names of what the log mentions: the viewer reads the log of their scope, the names come with it.
            self.found[model] = {str(obj.pk): str(obj) for obj in model._base_manager.filter(pk__in=pks)}

    def name(self, model, raw: str) -> str:
        if raw in ("", "None"):
            return EMPTY
        return self.found.get(model, {}).get(raw) or f"（已删除，编号 {raw}）"


def _model_of(entry: LogEntry) -> type[models.Model] | None:
    return entry.content_type.model_class()


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def present(entries, viewer) -> list[Row]:
    """The entries in words for `viewer` (birth dates masked where they lack view_personal)."""
    entries = list(entries)
    personal_paths = [] if viewer.is_superuser else viewer.scope_paths(Capability.VIEW_PERSONAL)
    names = _Names()
    for entry in entries:
        model = _model_of(entry)
        for name, values in (entry.changes or {}).items():
            f = _field(model, name)
            if f is not None and f.many_to_one and isinstance(values, list):
                for raw in values:
                    names.want(f.related_model, _text(raw))
    names.load()
    sees_lists = viewer.can(Capability.VIEW)
    rows = []
    for entry in entries:
        model = _model_of(entry)
        org_path = (entry.additional_data or {}).get("org_path", "")
        personal = viewer.is_superuser or any(org_path.startswith(p) for p in personal_paths if org_path)
        changes = []
        for name, values in (entry.changes or {}).items():
            if name in HIDDEN_FIELDS:
                continue
            f = _field(model, name)
            if isinstance(values, dict):  # auditlog's m2m record: {"type": "m2m", "operation": …, "objects": […]}
                objects = "、".join(map(str, values.get("objects", [])))
                pair = ("", f"{values.get('operation', '')}：{objects}")
            elif isinstance(values, list) and len(values) == 2:
                pair = (_text(values[0]), _text(values[1]))
            else:
                pair = ("", _text(values))
            if f is None:
                changes.append(Change(name, _value(pair[0]), _value(pair[1])))
                continue
            if f.is_relation and not f.many_to_one:
                continue  # reverse relations and m2m managers ("members.Member.None"): no value of this row
            label = str(f.verbose_name)
            if name in MASKED_FOR_VIEWER and not personal:
                hidden = [MASKED_FOR_VIEWER[name] if v not in ("", "None") else v for v in pair]
                changes.append(Change(label, _value(hidden[0]), _value(hidden[1])))
                continue
            choices = {str(k): str(v) for k, v in f.flatchoices} if getattr(f, "flatchoices", None) else None
            shown = []
            for raw in pair:
                if f.many_to_one:
                    shown.append(names.name(f.related_model, raw))
                elif choices and raw in choices:
                    shown.append(choices[raw])
                elif isinstance(f, models.BooleanField):
                    shown.append({"True": "是", "False": "否"}.get(raw, raw))
                elif isinstance(f, models.DateTimeField):
                    shown.append(_datetime_text(raw))
                else:
                    shown.append(raw)
            changes.append(Change(label, _value(shown[0]), _value(shown[1])))
        code, label = kind_of(entry)
        rows.append(
            Row(
                entry=entry,
                kind=code,
                kind_label=label,
                model_label=str(model._meta.verbose_name) if model else entry.content_type.model,
                actor=_actor(entry),
                changes=changes,
                job=(entry.additional_data or {}).get("job"),
                objects_url=(entry.additional_data or {}).get("objects_url", "") if sees_lists else "",
            )
        )
    return rows


def _actor(entry: LogEntry) -> str:
    if entry.actor is not None:
        name = entry.actor.full_name
        return f"{name}（{entry.actor.username}）" if name else entry.actor.username
    if (entry.additional_data or {}).get("event") == EVENT_LOGIN_FAILED:
        return f"（未登录）{entry.additional_data.get('username', '')}"
    return "系统"


# --- The export ---------------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("时间", 17),
    ("操作人", 20),
    ("IP 地址", 16),
    ("操作", 8),
    ("对象类型", 12),
    ("对象", 30),
    ("变更", 80),
]
#: Entries presented (names looked up) per batch while exporting.
EXPORT_BATCH = 2000


def export_xlsx(out, entries: QuerySet[LogEntry], viewer) -> int:
    """Write `entries` (already bounded by the caller) to `out` as an xlsx sheet; returns the rows written. Values
    are written whole (a cell holds 32,767 characters), changes one per line as 字段：原值 → 新值."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("审计日志")
    bold = workbook.add_format({"bold": True})
    for col, (title, width) in enumerate(EXPORT_COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, bold)
    written = 0
    batch: list[LogEntry] = []

    def flush() -> None:
        nonlocal written
        for row in present(batch, viewer):
            e = row.entry
            changes = "\n".join(f"{c.label}：{c.old.text} → {c.new.text}" for c in row.changes)
            values = [
                f"{timezone.localtime(e.timestamp):%Y-%m-%d %H:%M:%S}",
                row.actor,
                e.remote_addr or "",
                row.kind_label,
                row.model_label,
                e.object_repr,
                changes,
            ]
            written += 1
            for col, value in enumerate(values):
                sheet.write_string(written, col, value[:32_767])
        batch.clear()

    for entry in entries.iterator(chunk_size=EXPORT_BATCH):
        batch.append(entry)
        if len(batch) >= EXPORT_BATCH:
            flush()
    flush()
    workbook.close()
    return written
