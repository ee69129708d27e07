from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    label = "orgs"
    verbose_name = "组织机构"
    #: The extension point orgs offers the apps above it: their membership.py (see orgs/membership.py).
    extension_modules = ("membership",)
    url_prefix = "orgs/"  # its pages (urls.py) and, at /api/v1/orgs, its API (api.py)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from .models import CommitteeSeat, CommitteeTerm, Organization

        for model in (Organization, CommitteeTerm, CommitteeSeat):
            audit_register(model)
