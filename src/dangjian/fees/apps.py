from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "dangjian.fees"
    label = "fees"
    verbose_name = "党费"
    url_prefix = "fees/"  # its pages (urls.py) and, at /api/v1/fees, its API (api.py)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from . import models

        for model in (models.FeeBase, models.Payment, models.Remittance):
            audit_register(model)
