from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
]

# lane remit: remittances, reconciliation, reports ────────────────────────────────────────────────────────────
from . import remit_views, report_views  # noqa: E402

urlpatterns += [
    path("remit/", remit_views.remit_view, name="remit"),
    path("remit/<int:pk>/reverse/", remit_views.remit_reverse, name="remit_reverse"),
    path("remit/export/", remit_views.remit_export, name="remit_export"),
    path("reconcile/", report_views.reconcile_view, name="reconcile"),
    path("reconcile/totals/", report_views.reconcile_totals, name="reconcile_totals"),
    path("reconcile/export/", report_views.reconcile_export, name="reconcile_export"),
    path("report/", report_views.report_view, name="report"),
    path("report/print/", report_views.report_print, name="report_print"),
    path("report/export/", report_views.report_export, name="report_export"),
]
# end lane remit
