"""Audit registration: every domain model goes through `audit_register` (django-auditlog).

Entries carry the owning org's tree path in `additional_data` (from the model's get_additional_data) so the
audit page can be scoped to a user's subtrees like every other list. Personal data is masked in the log too.
"""

from auditlog.registry import auditlog

PERSONAL_FIELDS = ["id_number", "phone"]


def audit_register(model, *, exclude: list[str] | None = None) -> None:
    field_names = {f.name for f in model._meta.get_fields()}
    auditlog.register(
        model,
        exclude_fields=["created_at", "updated_at", *(exclude or [])],
        mask_fields=[name for name in PERSONAL_FIELDS if name in field_names],
        # The log keeps the same 4+4 characters as the pages (auditlog's default shows half the number).
        mask_callable="dangjian.core.lib.idcard.mask",
    )
