from django.urls import path

from . import views
from .credentials import credentials_download

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("scope/", views.scope_switch, name="scope_switch"),
    path("audit/", views.audit_list, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/revoke/", views.grant_revoke_view, name="grant_revoke"),
    path("grants/users/<int:user_id>/second-factor-reset/", views.second_factor_reset_view, name="second_factor_reset"),
    path("grants/users/<int:user_id>/password-reset/", views.password_reset_view, name="password_reset"),
    path("grants/users/<int:user_id>/unlock/", views.unlock_view, name="unlock"),
    path("grants/credentials/", credentials_download, name="credentials_download"),
    path("login/code/", views.second_factor_view, name="second_factor"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("health/", views.health_view, name="health"),
    path("healthz", views.healthz, name="healthz"),
]
