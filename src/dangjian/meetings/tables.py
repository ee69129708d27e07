import django_tables2 as tables
import xlsxwriter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from dangjian.core import clock
from dangjian.core.templatetags.dangjian import cn_date
from dangjian.members.tables import WIDE_ONLY, cell

from .choices import MeetingStatus, ReviewState
from .models import Meeting
from .selectors import attendance_rate, meeting_activities

REVIEW_BADGE = {
    ReviewState.DRAFT: "text-bg-light border",
    ReviewState.SUBMITTED: "text-bg-info",
    ReviewState.PASSED: "text-bg-success",
    ReviewState.RETURNED: "text-bg-warning",
}


def backfill_badge() -> str:
    return format_html(
        '<span class="badge text-bg-secondary" data-testid="backfilled" title="{}">补录</span>',
        "会议结束7天后才登记的记录",
    )


class MeetingTable(tables.Table):
    """The meetings list: on a phone each row is a card (table-cards), the topic at its head."""

    topic = tables.Column(verbose_name="主题", attrs=cell("主题"))
    starts_at = tables.Column(verbose_name="时间", attrs=cell("时间"))
    org = tables.Column(verbose_name="召开组织", order_by=("org__path", "-starts_at"), attrs=cell("召开组织"))
    activities = tables.Column(verbose_name="会议类型", empty_values=(), orderable=False, attrs=cell("会议类型"))
    status = tables.Column(verbose_name="状态", attrs=cell("状态"))
    review_state = tables.Column(verbose_name="审核状态", empty_values=(), attrs=cell("审核状态"))
    attendance = tables.Column(
        verbose_name="出席率", empty_values=(), order_by=("present",), attrs=cell("出席率", "text-nowrap")
    )
    place = tables.Column(verbose_name="地点", orderable=False, attrs=cell("地点", WIDE_ONLY))

    class Meta:
        model = Meeting
        fields = ["topic", "starts_at", "org", "activities", "status", "review_state", "attendance", "place"]
        attrs = {"class": "table table-sm table-hover align-middle table-cards", "data-testid": "meetings"}
        template_name = "django_tables2/bootstrap5-responsive.html"
        empty_text = "没有符合条件的会议。"
        per_page = 25

    def __init__(self, *args, activities: dict[int, list[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = activities or {}

    def render_topic(self, record, value):
        link = format_html('<a href="{}">{}</a>', reverse("meetings:detail", args=[record.pk]), value)
        return format_html("{} {}", link, backfill_badge()) if record.backfilled else link

    def render_starts_at(self, value):
        return cn_date(value)

    def render_org(self, record):
        return record.org.name

    def render_activities(self, record):
        return "、".join(self.activities.get(record.pk, []))

    def render_review_state(self, record):
        if record.status != MeetingStatus.HELD:
            return "—"
        return format_html(
            '<span class="badge {}">{}</span>', REVIEW_BADGE[record.review_state], record.get_review_state_display()
        )

    def render_attendance(self, record):
        rate = attendance_rate(record.present, record.invited)
        if rate is None:
            return "—"
        return f"{record.present}/{record.invited}（{rate}%）"


#: The export writes at most this many meetings (a bound at the boundary; narrow the filter for more).
EXPORT_MAX = 20_000
EXPORT_HEADERS = [
    "日期",
    "开始",
    "结束",
    "主题",
    "召开组织",
    "会议类型",
    "地点",
    "状态",
    "审核状态",
    "补录",
    "应到",
    "实到",
    "出席率",
]


def export_filename() -> str:
    return f"组织生活会议_{clock.today():%Y%m%d}.xlsx"


def meetings_xlsx(meetings, out) -> None:
    """The filtered list as one sheet (rows in the list's order), activities read a chunk at a time."""
    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("会议")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, EXPORT_HEADERS, bold)
    sheet.set_column(0, 0, 12)
    sheet.set_column(3, 4, 30)
    row_no = 1
    chunk: list[Meeting] = []

    def flush():
        nonlocal row_no
        labels = meeting_activities(chunk)
        for m in chunk:
            starts, ends = timezone.localtime(m.starts_at), timezone.localtime(m.ends_at)
            rate = attendance_rate(m.present, m.invited)
            sheet.write_row(
                row_no,
                0,
                [
                    starts.strftime("%Y-%m-%d"),
                    starts.strftime("%H:%M"),
                    ends.strftime("%H:%M"),
                    m.topic,
                    m.org.name,
                    "、".join(labels.get(m.pk, [])),
                    m.place,
                    m.get_status_display(),
                    m.get_review_state_display() if m.status == MeetingStatus.HELD else "",
                    "是" if m.backfilled else "",
                    m.invited,
                    m.present,
                    "" if rate is None else f"{rate}%",
                ],
            )
            row_no += 1
        chunk.clear()

    for meeting in meetings.iterator(chunk_size=1000):
        chunk.append(meeting)
        if len(chunk) >= 1000:
            flush()
    flush()
    workbook.close()
