"""Audit registration: every domain model goes through `audit_register` (django-auditlog).

Entries carry the owning org's tree path in `additional_data` (from the model's get_additional_data) so the
audit page can be scoped to a user's subtrees like every other list. Personal data is masked in the log too.
"""

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models

from .concurrency import VersionedModel, record_version
from .roles import Capability

PERSONAL_FIELDS = ["id_number", "phone"]


def audit_register(model, *, exclude: list[str] | None = None) -> None:
    field_names = {f.name for f in model._meta.get_fields()}
    if issubclass(model, VersionedModel):
        # Each entry says which version the save made (in additional_data, not as a change of its own): a refused
        # stale edit lists the fields changed after the version it was made from (core.concurrency).
        record_version(model)
    auditlog.register(
        model,
        exclude_fields=["created_at", "updated_at", "version", *(exclude or [])],
        mask_fields=[name for name in PERSONAL_FIELDS if name in field_names],
        # The log keeps the last 4 characters, as the pages do (auditlog's default shows half the number).
        mask_callable="dangjian.core.lib.idcard.mask",
    )


def audit_event(
    *,
    actor,
    target: models.Model | type[models.Model],
    object_repr: str,
    action: int,
    org_path: str,
    changes: dict | None = None,
    data: dict | None = None,
) -> LogEntry:
    """A hand-made entry for what auditlog's signals do not see (an export, a bulk import, a device reset).

    `target` is the object the event is about, or its model for an event about many rows; `org_path` files the
    entry where the audit page scopes it; `data` goes into additional_data beside it."""
    one = isinstance(target, models.Model)
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_pk=str(target.pk) if one else "",
        object_id=target.pk if one else None,
        object_repr=object_repr,
        action=action,
        changes=changes,
        actor=actor,
        additional_data={**(data or {}), "org_path": org_path},
    )


def top_path(user) -> str:
    """The path of the user's highest view scope ("" for none: then only superusers see the entry)."""
    paths = user.scope_paths(Capability.VIEW)
    return paths[0] if paths else ""


def audit_actor(user) -> None:
    """Name `user` as the actor of the audit entries the rest of this request writes. For API tokens: the audit
    middleware (auditlog's) takes the actor from the session's user before a token is read. It keeps its context in
    `auditlog.context.auditlog_value` (django-auditlog 3.4, pinned), a dict read when each entry is saved."""
    try:
        context = auditlog_value.get()
    except LookupError:
        return  # outside a request (a test calling a handler directly): nothing to name
    context["actor"] = user
