"""Meeting records as Word documents (docxtpl over the templates in docx/, built by docx/build_templates.py): one
meeting in the customary 会议记录 layout, and an org's held meetings of a year in one volume with a table of
contents."""

import io
from pathlib import Path

from django.utils import timezone
from docxtpl import DocxTemplate

from .choices import Activity, Presence
from .models import Meeting

TEMPLATES = Path(__file__).resolve().parent / "docx"
MEETING_TEMPLATE = TEMPLATES / "meeting_record.docx"
YEAR_TEMPLATE = TEMPLATES / "meeting_year.docx"
NONE = "无"


def paragraphs(text: str) -> list[str]:
    """Plain text to paragraphs: split at blank lines, a single line break kept as a paragraph of its own."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    return [line for line in lines if line] or [NONE]


def _person(member) -> str:
    return member.name if member else ""


def _reason(attendance) -> str:
    reason = attendance.get_absence_reason_display() or "未说明"
    return f"{reason}：{attendance.absence_note}" if attendance.absence_note else reason


def meeting_context(meeting: Meeting, *, kinds: list[str] | None = None) -> dict:
    """The values of one meeting's record. Reads meeting.attendances.all() (prefetch it for many meetings)."""
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    attendances = list(meeting.attendances.all())
    present = [a for a in attendances if a.presence == Presence.PRESENT]
    absent = [a for a in attendances if a.presence == Presence.ABSENT]
    absent_text = "；".join(f"{a.member.name}（{_reason(a)}）" for a in absent)
    return {
        "org": meeting.org.name,
        "time": f"{start:%Y年%m月%d日 %H:%M}—{end:%H:%M}",
        "date": f"{start:%Y-%m-%d}",
        "place": meeting.place or "",
        "host": _person(meeting.host),
        "recorder": _person(meeting.recorder),
        "expected": f"{len(attendances)} 人",
        "present": f"{len(present)} 人",
        "absent": absent_text or NONE,
        "topic": meeting.topic,
        "kinds": "、".join(Activity(k).label for k in sorted(kinds or [])) if kinds else "",
        "paragraphs": paragraphs(meeting.minutes),
        "resolutions": paragraphs(meeting.resolutions),
        "attendances": [
            {
                "name": a.member.name,
                "presence": a.get_presence_display(),
                "signed": (
                    f"{timezone.localtime(a.signed_in_at):%H:%M} {a.get_signed_by_display()}" if a.signed_in_at else ""
                ),
            }
            for a in attendances
        ],
        "signin": "、".join(a.member.name for a in present) or NONE,
    }


def _render(template: Path, context: dict) -> io.BytesIO:
    doc = DocxTemplate(template)
    doc.render(context, autoescape=True)  # user text with < or & stays text, never XML
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    return buffer


def meeting_docx(meeting: Meeting, *, kinds: list[str] | None = None) -> io.BytesIO:
    return _render(MEETING_TEMPLATE, meeting_context(meeting, kinds=kinds))


def year_docx(*, org_name: str, year: int, meetings: list[Meeting], kinds: dict[int, list[str]]) -> io.BytesIO:
    rows = []
    for number, meeting in enumerate(meetings, start=1):
        rows.append({**meeting_context(meeting, kinds=kinds.get(meeting.pk, [])), "number": number})
    return _render(YEAR_TEMPLATE, {"org": org_name, "year": year, "meetings": rows})


def filename(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.starts_at)
    topic = "".join(c for c in meeting.topic if c not in '\\/:*?"<>|')[:40]
    return f"会议记录_{start:%Y%m%d}_{topic}.docx"
