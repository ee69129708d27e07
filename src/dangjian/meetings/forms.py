from datetime import datetime

from django import forms
from django.utils import timezone

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, ChecklistWidget, LongSelect

from .choices import AbsenceReason, Activity, MeetingStatus, Presence
from .filters import DATE_MAX, DATE_MIN
from .models import Attendance, Meeting
from .services import ERR_NO_INVITEE, REVIEW_PASS, REVIEW_RETURN, Mark

ERR_ENDS_BEFORE = "结束时间不能早于开始时间"
ERR_TIME_RANGE = "时间须在 1921年 至 2100年 之间"
ERR_ABSENT_REASON = "缺席须选择原因（请假、公差、病假或其他）"
ERR_PRESENCE = "请选择出席或缺席"
MINUTES_MAX = 20_000
RESOLUTIONS_MAX = 5_000
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: Invitees are ticked by hand on the page for an org of at most this many members in register; a bigger one (a 党委's
#: 党员大会) takes the default, and the API takes a list.
INVITEE_PICK_MAX = 300
DEFAULT, CUSTOM, KEEP = "default", "custom", "keep"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def _in_range(value: datetime | None) -> bool:
    return value is None or DATE_MIN <= timezone.localtime(value).date() <= DATE_MAX


class MeetingForm(BootstrapFormMixin, forms.Form):
    """Plan a meeting of one org (chosen before: the people are that org's members in register), or record it as
    held straight away."""

    activities = forms.MultipleChoiceField(label="会议类型（可多选）", widget=forms.CheckboxSelectMultiple)
    topic = forms.CharField(label="主题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label="结束时间", widget=DateTimeLocalInput())
    place = forms.CharField(label="地点", max_length=200, required=False)
    host = forms.ModelChoiceField(label="主持人", queryset=None, required=False)
    recorder = forms.ModelChoiceField(label="记录人", queryset=None, required=False)
    lecturer = forms.ModelChoiceField(label="党课主讲人", queryset=None, required=False)
    held = forms.BooleanField(label="已召开（直接登记为已召开的会议）", required=False)
    invitee_mode = forms.ChoiceField(
        label="应到人员",
        choices=[
            (DEFAULT, "按会议类型确定（本组织在册党员；支委会为现任委员；党小组会为本小组党员）"),
            (CUSTOM, "自行选择"),
        ],
        initial=DEFAULT,
        required=False,  # left out (an older page, a script): the default
        widget=forms.RadioSelect,
    )
    invitees = forms.ModelMultipleChoiceField(label="选择应到人员", queryset=None, required=False)

    def __init__(self, *args, org, people, seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(a.value, a.label) for a in Activity if a != Activity.GROUP or org.is_group]
        self.fields["activities"].choices = choices
        for name in ("host", "recorder", "lecturer"):
            if name in self.fields:
                self.fields[name].queryset = people
                self.fields[name].label_from_instance = lambda m: m.name
        self._invitee_fields(people, seats)

    def _invitee_fields(self, people, seats) -> None:
        """The invitees ticked by hand, for an org small enough to list (people: its members in register)."""
        if people.count() > INVITEE_PICK_MAX:
            del self.fields["invitee_mode"], self.fields["invitees"]
            return
        mode, invitees = self.fields["invitee_mode"], self.fields["invitees"]
        mode.column = invitees.column = "col-12"
        presets = {"seat": ("仅现任委员", set(seats))} if seats else {}
        invitees.widget = ChecklistWidget(presets=presets)
        invitees.queryset = people  # after the widget: the queryset gives the widget its choices
        invitees.label_from_instance = lambda m: m.name
        invitees.shown_by = f"{self.add_prefix('invitee_mode')}={CUSTOM}"
        if self.initial.get("invitees") is None:
            invitees.initial = [m.pk for m in people]  # 自行选择 starts from everyone: untick who is not expected

    def clean(self):
        data = super().clean()
        self._clean_invitees(data)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        for name in ("starts_at", "ends_at"):
            if not _in_range(data.get(name)):
                self.add_error(name, ERR_TIME_RANGE)
        if starts and ends and ends < starts:
            self.add_error("ends_at", ERR_ENDS_BEFORE)
        return data

    def _clean_invitees(self, data) -> None:
        """For the service: `invitees` the member ids chosen, or None for the default (or to keep them)."""
        mode = data.pop("invitee_mode", DEFAULT)
        chosen = data.pop("invitees", None)
        if mode != CUSTOM:
            return
        if not chosen:
            self.add_error("invitees", ERR_NO_INVITEE)
            return
        data["invitees"] = [m.pk for m in chosen]


class MeetingEditForm(VersionedFormMixin, MeetingForm):
    """The plan of an existing meeting: its org stays, its invitees may change while it is planned (`invitees`: their
    member ids); recording it as held is its own page."""

    def __init__(self, *args, meeting: Meeting, activities: list[str], invitees: list[int], **kwargs):
        initial = {
            "activities": activities,
            "topic": meeting.topic,
            "starts_at": timezone.localtime(meeting.starts_at),
            "ends_at": timezone.localtime(meeting.ends_at),
            "place": meeting.place,
            "host": meeting.host_id,
            "recorder": meeting.recorder_id,
            "lecturer": meeting.lecturer_id,
            "invitee_mode": KEEP,
            "invitees": invitees,
        }
        super().__init__(*args, initial=initial, org=meeting.org, version_of=meeting, **kwargs)
        del self.fields["held"]
        if meeting.status != MeetingStatus.PLANNED:
            self.fields.pop("invitee_mode", None)
            self.fields.pop("invitees", None)
        elif "invitee_mode" in self.fields:
            self.fields["invitee_mode"].choices = [(KEEP, f"保持不变（{len(invitees)} 人）"), (CUSTOM, "重新选择")]


class OrgPickForm(BootstrapFormMixin, forms.Form):
    org = forms.ChoiceField(label="召开组织", widget=LongSelect)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        rows = orgs.values_list("pk", "name", "depth")
        self.fields["org"].choices = [("", "请选择…"), *((str(pk), f"{'　' * (d - 1)}{name}") for pk, name, d in rows)]


PRESENCE_CHOICES = [(Presence.PRESENT, "出席"), (Presence.ABSENT, "缺席")]


class RecordForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    """Record a meeting as held: minutes, resolutions, and each invitee present or absent (with a reason)."""

    minutes = forms.CharField(
        label="会议记录",
        max_length=MINUTES_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="纯文本，空一行分段",
    )
    resolutions = forms.CharField(
        label="决议事项", max_length=RESOLUTIONS_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meeting: Meeting, rows: list[Attendance], **kwargs):
        initial = {"minutes": meeting.minutes, "resolutions": meeting.resolutions}
        for row in rows:
            if row.presence != Presence.UNKNOWN:
                initial[f"presence_{row.member_id}"] = row.presence
            initial[f"reason_{row.member_id}"] = row.absence_reason
            initial[f"note_{row.member_id}"] = row.absence_note
        super().__init__(*args, initial=initial, version_of=meeting, **kwargs)
        self.rows = rows
        for row in rows:
            pk = row.member_id
            self.fields[f"presence_{pk}"] = forms.ChoiceField(
                label=row.member.name,
                choices=PRESENCE_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": ERR_PRESENCE},
            )
            self.fields[f"reason_{pk}"] = forms.ChoiceField(
                label="缺席原因", choices=[("", "（无）"), *AbsenceReason.choices], required=False
            )
            self.fields[f"note_{pk}"] = forms.CharField(label="说明", max_length=200, required=False)
            for name in (f"reason_{pk}", f"note_{pk}"):
                widget = self.fields[name].widget
                css = (
                    "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
                )
                widget.attrs["class"] = css

    def invitees(self):
        """(row, presence field, reason field, note field) for the template."""
        for row in self.rows:
            pk = row.member_id
            yield row, self[f"presence_{pk}"], self[f"reason_{pk}"], self[f"note_{pk}"]

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row.member_id
            if data.get(f"presence_{pk}") == Presence.ABSENT and not data.get(f"reason_{pk}"):
                self.add_error(f"reason_{pk}", ERR_ABSENT_REASON)
        return data

    def marks(self) -> dict[int, Mark]:
        data = self.cleaned_data
        return {
            row.member_id: Mark(
                presence=data[f"presence_{row.member_id}"],
                reason=data.get(f"reason_{row.member_id}", ""),
                note=data.get(f"note_{row.member_id}", ""),
            )
            for row in self.rows
        }


class AttendanceForm(forms.Form):
    """One invitee ticked present or absent (the detail page's attendance table, by HTMX)."""

    member = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    presence = forms.ChoiceField(choices=PRESENCE_CHOICES, error_messages={"required": ERR_PRESENCE})
    reason = forms.ChoiceField(choices=[("", "（无）"), *AbsenceReason.choices], required=False)
    note = forms.CharField(max_length=200, required=False)

    def mark(self) -> Mark:
        data = self.cleaned_data
        return Mark(presence=data["presence"], reason=data.get("reason", ""), note=data.get("note", ""))


class ReviewForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[(REVIEW_PASS, "通过"), (REVIEW_RETURN, "退回补充")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="审核意见（退回时必填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
