from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import workbench_views

app_name = "meetings"

urlpatterns = [
    # records: plan, list, detail, attendance, minutes, attachments, 组织生活会, 民主评议, review, talks, docx
    # sign-in: QR, phone sign-in, printable sheet
    # compliance: overview heat map, per org, xlsx
    # workbench: calendar, the stored flags
    path("calendar/", workbench_views.calendar_view, name="calendar"),
    path("flags/", workbench_views.flag_list, name="flags"),
    path("flags/refresh/", workbench_views.flag_refresh, name="flags_refresh"),
]
