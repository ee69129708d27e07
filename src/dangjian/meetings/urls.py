from django.urls import path

from . import compliance_views, part_views, signin_views, views, workbench_views

app_name = "meetings"

urlpatterns = [
    # records: plan, list, detail, attendance, minutes, attachments, 组织生活会, 民主评议, review, talks, docx
    path("", views.meeting_list_view, name="list"),
    path("export/", views.meeting_export, name="export"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/record/", views.meeting_record, name="record"),
    path("<int:pk>/attendance/", views.meeting_attendance_view, name="attendance"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/submit/", views.meeting_submit, name="submit"),
    path("<int:pk>/review/", views.meeting_review, name="review"),
    # sign-in: QR, phone sign-in, printable sheet
    path("<int:pk>/signin/", signin_views.signin_view, name="signin"),
    path("<int:pk>/signin/qr/", signin_views.signin_qr_view, name="signin_qr"),
    path("<int:pk>/signin/reset/", signin_views.signin_rotate_view, name="signin_rotate"),
    path("<int:pk>/signin/sheet/", signin_views.signin_sheet_view, name="signin_sheet"),
    # compliance: overview heat map, per org, xlsx
    path("compliance/", compliance_views.compliance_view, name="compliance"),
    path("compliance/export/", compliance_views.compliance_export, name="compliance_export"),
    path("compliance/<int:pk>/", compliance_views.compliance_org_view, name="compliance_org"),
    # workbench: calendar, the stored flags
    path("calendar/", workbench_views.calendar_view, name="calendar"),
    path("flags/", workbench_views.flag_list, name="flags"),
    path("flags/refresh/", workbench_views.flag_refresh, name="flags_refresh"),
    # parts
    path("<int:pk>/attachments/new/", part_views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", part_views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", part_views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/life-items/new/", part_views.life_item_create, name="life_item_create"),
    path("life-items/<int:pk>/edit/", part_views.life_item_edit, name="life_item_edit"),
    path("life-items/<int:pk>/delete/", part_views.life_item_delete, name="life_item_delete"),
    path("<int:pk>/rectifications/new/", part_views.rectification_create, name="rectification_create"),
    path("rectifications/<int:pk>/edit/", part_views.rectification_edit, name="rectification_edit"),
    path("rectifications/<int:pk>/delete/", part_views.rectification_delete, name="rectification_delete"),
    path("<int:pk>/appraisal/", part_views.appraisal, name="appraisal"),
    path("<int:pk>/docx/", part_views.meeting_docx, name="docx"),
    path("orgs/<int:pk>/year-docx/", part_views.year_docx, name="year_docx"),
    path("talks/", part_views.talk_list, name="talk_list"),
    path("talks/new/", part_views.talk_create, name="talk_create"),
    path("talks/<int:pk>/edit/", part_views.talk_edit, name="talk_edit"),
]
