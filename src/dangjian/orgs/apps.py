from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from . import reminders  # noqa: F401  (registers the §1 warning producers)
        from .models import CommitteeSeat, CommitteeTerm, Organization

        for model in (Organization, CommitteeTerm, CommitteeSeat):
            audit_register(model)
