from django.urls import path

from . import account_views, import_views, transfer_views, views

app_name = "members"
urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("new/", views.member_create, name="create"),
    path("group-options/", views.member_group_options, name="group_options"),
    path("export/", views.member_export, name="export"),
    path("template/", views.member_template, name="template"),
    path("stats/", views.member_stats_view, name="stats"),
    path("stats/export/", views.member_stats_export, name="stats_export"),
    path("stats/<int:pk>/recount/", views.member_stats_recount, name="stats_recount"),
    path("import/", import_views.member_import, name="import"),
    path("import/<int:pk>/", import_views.member_import_job, name="import_job"),
    path("import/<int:pk>/confirm/", import_views.member_import_confirm, name="import_confirm"),
    path("logins/", account_views.member_logins_view, name="logins"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/login/", account_views.member_login_create_view, name="login_create"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/transfer-out/", views.member_transfer_out, name="transfer_out"),
    path("<int:pk>/transfer-in/", views.member_transfer_in, name="transfer_in"),
    path("<int:pk>/move/", views.member_move, name="move"),
]

# 组织关系转接: the list of the scope, its export, the 介绍信 (PDF) and its 回执 (members/transfer_views.py)
urlpatterns += [
    path("transfers/", transfer_views.transfer_list_view, name="transfers"),
    path("transfers/export/", transfer_views.transfer_export, name="transfers_export"),
    path("transfers/<int:pk>/letter/", transfer_views.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/receipt/", transfer_views.transfer_receipt, name="transfer_receipt"),
]
