from django.urls import path

from . import base_views, payment_views, views

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

# ── lane payments: recording, bulk month, list, reversal, export, import ──
urlpatterns += [
    path("pay/", payment_views.pay_view, name="pay"),
    path("pay/month/", payment_views.pay_month_view, name="pay_month"),
    path("pay/import/", payment_views.payment_import_view, name="pay_import"),
    path("payments/", payment_views.payment_list_view, name="payments"),
    path("payments/export/", payment_views.payment_export, name="payments_export"),
    path("payments/<int:pk>/reverse/", payment_views.payment_reverse, name="payment_reverse"),
]
# ── end lane payments ──
