from django.urls import path

from . import payment_views, views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
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
