from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    label = "meetings"
    verbose_name = "组织生活"
    url_prefix = "meetings/"  # its pages (urls.py) and, at /api/v1/meetings, its API (api.py)
    extension_modules = ("flag_sources",)  # other apps' flags on the flags page (flags.flag_source)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from . import models

        for model in (
            models.Meeting,
            models.Attendance,
            models.Attachment,
            models.LifeMeetingItem,
            models.Rectification,
            models.AppraisalRating,
            models.Talk,
        ):
            audit_register(model)
