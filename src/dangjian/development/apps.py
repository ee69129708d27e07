from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "dangjian.development"
    label = "development"
    verbose_name = "发展党员"
    url_prefix = "development/"  # its pages (urls.py) and, at /api/v1/development, its API (api.py)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from . import models

        for model in (models.Applicant, models.StepRecord, models.Review, models.ExitCase, models.CaseAction):
            audit_register(model)
