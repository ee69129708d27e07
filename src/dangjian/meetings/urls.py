from django.urls import path  # noqa: F401  (each section below adds its pages)

from . import signin_views

app_name = "meetings"

urlpatterns = [
    # records: plan, list, detail, attendance, minutes, attachments, 组织生活会, 民主评议, review, talks, docx
    # sign-in: QR, phone sign-in, printable sheet
    path("<int:pk>/signin/", signin_views.signin_view, name="signin"),
    path("<int:pk>/signin/qr/", signin_views.signin_qr_view, name="signin_qr"),
    path("<int:pk>/signin/reset/", signin_views.signin_rotate_view, name="signin_rotate"),
    path("<int:pk>/signin/sheet/", signin_views.signin_sheet_view, name="signin_sheet"),
    # compliance: overview heat map, per org, xlsx
    # workbench: calendar
]
