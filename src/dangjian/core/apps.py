from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from .audit import audit_register
        from .models import RoleGrant, User

        audit_register(User, exclude=["password", "last_login"])
        audit_register(RoleGrant)
