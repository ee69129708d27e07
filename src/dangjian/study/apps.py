from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "dangjian.study"
    label = "study"
    verbose_name = "学习培训"
    url_prefix = "study/"  # its pages (urls.py) and, at /api/v1/study, its API (api.py)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register
        from dangjian.meetings.signals import attendance_changed

        from . import models, services

        for model in (models.PlanItem, models.Session, models.Speech, models.Outcome, models.Report):
            audit_register(model)
        attendance_changed.connect(services.on_attendance_changed, dispatch_uid="study.hours")
