from django.urls import path

from . import base_views, mine_views, payment_views, remit_views, report_views, views

app_name = "fees"

urlpatterns = [
    # ledger: a month's lines per branch
    path("", views.ledger_view, name="ledger"),
    # bases and the yearly 核定
    path("bases/", base_views.bases_list, name="bases"),
    path("bases/export/", base_views.bases_export, name="bases_export"),
    path("member/<int:pk>/", base_views.member_fees, name="member"),
    path("check/", base_views.check_page, name="check"),
    path("check/download/", base_views.check_download, name="check_download"),
    path("check/confirm/", base_views.check_confirm, name="check_confirm"),
]

# payments: recording, bulk month, list, reversal, export, import
urlpatterns += [
    path("pay/", payment_views.pay_view, name="pay"),
    path("pay/month/", payment_views.pay_month_view, name="pay_month"),
    path("pay/import/", payment_views.payment_import_view, name="pay_import"),
    path("payments/", payment_views.payment_list_view, name="payments"),
    path("payments/export/", payment_views.payment_export, name="payments_export"),
    path("payments/<int:pk>/reverse/", payment_views.payment_reverse, name="payment_reverse"),
]
# remittances, reconciliation, reports
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

# a member's own page
urlpatterns += [
    path("mine/", mine_views.mine_view, name="mine"),
]
