"""Optimistic locking for edits (lost updates): a row carries a version, every edit form and API write says which
version it was made from, and a write over a newer version is refused with what changed meanwhile.

- `VersionedModel`: the abstract `version` field; every save of an existing row takes the stored version under a
  row lock (`SELECT … FOR UPDATE`; SQLite serialises writers with IMMEDIATE transactions) and writes it plus one, so
  a writer that checks nothing (a command, a status change) still moves the version on. Registering the model with
  `core.audit.audit_register` records each save's version in its audit entry (`additional_data["version"]`): that
  is how a refusal says who changed what since.
- `VersionedFormMixin`: a hidden `version` field, filled from the row the form was loaded from.
- `check_version(locked, version)`: in the service, after locking the row: raises `StaleEdit` when the row's
  version is not the one the form or API request was made from.
- `core.generic.submit` puts a StaleEdit on the form as its top error and gives the form the current version, so the
  user's input stays and a deliberate second save goes through.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.db import models, router, transaction
from django.utils import timezone

from .clock import today

ERR_STALE = "保存失败：在您打开此页面后，{who}{when}修改了{noun}。{fields}请核对后重新保存。"
ERR_STALE_FIELDS = "以下字段已变化：{fields}。"
ERR_VERSION_MISSING = "页面已过期（缺少版本信息），请刷新页面后重新编辑"
SOMEONE = "他人"
EMPTY = "（空）"

#: Masking of a field's current value for a user who sees it masked (field name → function of the stored text).
Masks = Mapping[str, Callable[[str], str]]


class VersionedModel(models.Model):
    """A row edited through forms or the API: `version` counts its saves (1 when created)."""

    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # The base manager: the row itself, below any scope (the caller has already checked it may write).
            # Ordered by the key alone: a Meta.ordering through a nullable relation would join it, and PostgreSQL
            # refuses FOR UPDATE on the nullable side of an outer join.
            stored = (
                (type(self)._base_manager.using(using).select_for_update().filter(pk=self.pk).values_list("version"))
                .order_by("pk")
                .first()
            )
            if stored is not None:
                self.version = stored[0] + 1
                if kwargs.get("update_fields") is not None:
                    kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            return super().save(*args, **kwargs)


def record_version(model: type[VersionedModel]) -> None:
    """Add the saved version to the model's audit entries (core.audit.audit_register calls this)."""
    plain = model.get_additional_data
    if getattr(plain, "records_version", False):
        return

    def get_additional_data(self) -> dict:
        return {**(plain(self) or {}), "version": self.version}

    get_additional_data.records_version = True
    model.get_additional_data = get_additional_data


class VersionedFormMixin:
    """A form about one VersionedModel row carries the version it was loaded from (hidden, sent to the service as
    `version`). A ModelForm takes its instance (a new one gets no field: nothing to be stale against); a plain form
    about a row (a status change) passes it as `version_of`."""

    def __init__(self, *args, version_of: VersionedModel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        row = version_of if version_of is not None else getattr(self, "instance", None)
        if row is not None and row.pk is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=row.version, min_value=1, required=True
            )

    def clean(self):
        data = super().clean()
        if "version" in self.errors:
            # A hidden field: its error goes at the top, where the user reads it (they cannot correct it).
            del self._errors["version"]
            self.add_error(None, ERR_VERSION_MISSING)
        return data


@dataclass(frozen=True)
class Change:
    """A field that changed since the version an edit was made from, with its value now (masked if need be)."""

    field: str
    label: str
    value: str


class StaleEdit(Exception):
    """An edit made from `version` of a row that is now at `current.version`."""

    def __init__(self, *, current: VersionedModel, version: int, masks: Masks | None = None):
        self.current = current
        self.version = version
        self.current_version = current.version
        self.changes, self.actor, self.at = changes_since(current, version, masks=masks or {})
        super().__init__(self.message)

    @property
    def noun(self) -> str:
        return f"该{self.current._meta.verbose_name}信息"

    @property
    def message(self) -> str:
        who = self.actor or SOMEONE
        when = f"已于 {_when(self.at)} " if self.at else ""
        fields = ""
        if self.changes:
            fields = ERR_STALE_FIELDS.format(fields="、".join(f"{c.label}（现为 {c.value}）" for c in self.changes))
        return ERR_STALE.format(who=who, when=when, noun=self.noun, fields=fields)


def check_version(locked: VersionedModel, version: int | None, *, masks: Masks | None = None) -> None:
    """Refuse an edit made from another version than the row's now. `locked`: the row as read under a lock in the
    service's transaction. `version` None: the caller acts on the row as it is now (a command, demo data)."""
    if version is not None and int(version) != locked.version:
        raise StaleEdit(current=locked, version=int(version), masks=masks)


def changes_since(
    current: VersionedModel, version: int, *, masks: Masks
) -> tuple[list[Change], str | None, datetime | None]:
    """What the audit log says changed after `version`: the fields (as labels with their current values), the last
    writer and when. Fields are listed in the model's order; an import's bulk update has no per-row entry, so a
    version can move without a field to show (the message then names no field)."""
    from auditlog.models import LogEntry  # noqa: PLC0415 (core.models imports this module before apps are ready)

    entries = list(
        LogEntry.objects.get_for_object(current)
        .filter(action=LogEntry.Action.UPDATE, additional_data__version__gt=version)
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    names: set[str] = set()
    for entry in entries:
        names.update((entry.changes_dict or {}).keys())
    changes = [
        Change(f.name, str(f.verbose_name), _shown(current, f, masks))
        for f in current._meta.concrete_fields
        if f.name in names
    ]
    if not entries:
        return changes, None, None
    last = entries[-1]
    return changes, (str(last.actor) if last.actor else None), last.timestamp


def _shown(row: models.Model, field: models.Field, masks: Masks) -> str:
    if field.choices:
        value = getattr(row, f"get_{field.name}_display")()
    elif field.is_relation:
        value = getattr(row, field.name)
    else:
        value = getattr(row, field.attname)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    return masks[field.name](text) if field.name in masks else text


def _when(at: datetime) -> str:
    local = timezone.localtime(at)
    if local.date() == today():
        return f"{local:%H:%M}"
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def etag(row: VersionedModel) -> str:
    """The API's ETag of a row: its version (weak: the JSON is not byte-for-byte fixed)."""
    return f'W/"{row.version}"'


def if_match_version(header: str | None) -> int | None:
    """The version an If-Match header names (W/"3", "3" or 3); None when it names none we can read."""
    if not header:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip().strip('"')
    return int(value) if value.isdigit() and len(value) <= 9 else None
