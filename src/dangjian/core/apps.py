from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dangjian.core"
    label = "core"
    verbose_name = "基础"
    url_prefix = ""  # core's pages (home, grants, audit, tokens, jobs) sit at the root

    def ready(self) -> None:
        from django.contrib.auth import signals

        from . import checks  # noqa: F401  (registers the deploy checks)
        from .audit import audit_register, on_logged_in, on_logged_out, on_login_failed
        from .extensions import discover
        from .models import ApiToken, RoleGrant, User

        audit_register(User, exclude=["password", "last_login"])
        audit_register(RoleGrant)
        # last_used_at is written with update() (no signal): using a token is not a change to audit.
        audit_register(ApiToken, exclude=["key_hash", "last_used_at"])
        # Logins, failed logins and sign-outs are audit entries too (with the IP).
        signals.user_logged_in.connect(on_logged_in, dispatch_uid="audit_login")
        signals.user_logged_out.connect(on_logged_out, dispatch_uid="audit_logout")
        signals.user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
        # Every app's extension modules (nav, reminders, jobs, …): by now every app's models are loaded.
        discover()
