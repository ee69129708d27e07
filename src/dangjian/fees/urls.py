from django.urls import path

from . import base_views, views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
    # ── lane bases: 党费基数 and the yearly 核定 ──
    path("bases/", base_views.bases_list, name="bases"),
    path("bases/export/", base_views.bases_export, name="bases_export"),
    path("member/<int:pk>/", base_views.member_fees, name="member"),
    path("check/", base_views.check_page, name="check"),
    path("check/download/", base_views.check_download, name="check_download"),
    path("check/confirm/", base_views.check_confirm, name="check_confirm"),
    # ── end lane bases ──
]
