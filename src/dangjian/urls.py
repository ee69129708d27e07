from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from dangjian.api import urls_without_session_login
from dangjian.core.extensions import app_urls
from dangjian.core.middleware import password_change_exempt, second_factor_exempt
from dangjian.core.views import PasswordChangeView

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={
                "failure_limit": settings.AXES_FAILURE_LIMIT,
                "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        ),
        name="login",
    ),
    path("logout/", second_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    # Reachable while an initial or temporary password must still be changed (core.middleware).
    path("password/", password_change_exempt(PasswordChangeView.as_view()), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Each app's pages under its AppConfig.url_prefix (core.extensions): a new app is not listed here.
    *app_urls(),
    path("api/v1/", urls_without_session_login()),
    path("django-admin/", admin.site.urls),
]
