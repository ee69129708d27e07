from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import part_views

app_name = "meetings"

urlpatterns = [
    # records: plan, list, detail, attendance, minutes, attachments, 组织生活会, 民主评议, review, talks, docx
    # sign-in: QR, phone sign-in, printable sheet
    # compliance: overview heat map, per org, xlsx
    # workbench: calendar
    # parts
    path("<int:pk>/parts/", part_views.meeting_parts_page, name="parts"),
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
