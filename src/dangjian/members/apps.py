from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    label = "members"
    verbose_name = "党员管理"
    url_prefix = "members/"  # its pages (urls.py) and, at /api/v1/members, its API (api.py)
    extension_modules = ("member_sections",)  # other apps' sections on a member's page (sections.member_section)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from .models import Member, StatusChange, Transfer

        audit_register(Member, exclude=["name_pinyin", "name_initials", "name_pinyin_alt", "import_job"])
        audit_register(StatusChange)
        audit_register(Transfer)
