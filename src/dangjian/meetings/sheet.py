"""The printable sign-in sheet: an A4 PDF drawn by WeasyPrint from an HTML template, in Noto Sans CJK SC."""

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Attendance, Meeting


def render_pdf(meeting: Meeting, attendances: list[Attendance]) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts, which only this page needs

    html = render_to_string(
        "meetings/signin/sheet.html",
        {
            "meeting": meeting,
            "attendances": attendances,
            "starts": timezone.localtime(meeting.starts_at),
            "ends": timezone.localtime(meeting.ends_at),
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()
