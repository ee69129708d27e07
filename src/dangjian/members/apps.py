from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "党员管理"

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from .models import Member, StatusChange, Transfer

        audit_register(Member, exclude=["name_pinyin", "name_initials"])
        audit_register(StatusChange)
        audit_register(Transfer)
        from . import exports  # noqa: F401  (registers the members.export job handler)
        from .importer import jobs as import_jobs  # noqa: F401  (registers the members.import job handler)
