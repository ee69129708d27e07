"""Forms of the study sessions' pages: each hands its cleaned data to one service (services.create_session,
count_meeting, update_session), which checks again."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, ChecklistWidget, LongSelect
from dangjian.meetings.forms import ERR_TIME_RANGE, INVITEE_PICK_MAX, DateTimeLocalInput
from dangjian.meetings.services import ERR_NO_INVITEE

from . import rules
from .choices import StudyKind

ERR_ENDS_AFTER = "结束时间须晚于开始时间"
ERR_PLAN_YEAR = "所选培训计划是{plan}年的，本次学习在{year}年"
ERR_HOURS = "请输入学时，例如 2 或 1.5"
TIME_MIN_YEAR, TIME_MAX_YEAR = 1921, 2100
ALL, SEATS, CUSTOM = "all", "seats", "custom"
HOURS_HELP = "一般按实际学习时长计算（如 14:00—16:00 计 2 学时），大于0，不超过24，最多一位小数。"
KIND_HELP = "选“党课”时，这次会议同时记为一次党课（三会一课）；其他形式记为集中学习。"
SPEAKER_HELP = "可填写党外专家、上级领导等非本组织党员。"


class HoursField(forms.DecimalField):
    """学时: the rules' bounds (more than 0, at most 24, one decimal) with their messages, checked before the service
    sees it (which checks them again)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "学时")
        kwargs.setdefault("help_text", HOURS_HELP)
        super().__init__(**kwargs)
        self.error_messages = {**self.error_messages, "invalid": ERR_HOURS}
        self.widget.attrs.update({"step": str(rules.HOURS_STEP), "min": "0", "max": str(rules.DAY_MAX_HOURS)})

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        today = clock.today()
        problems = rules.hours_errors(value, today, today)
        if problems:
            raise forms.ValidationError(list(problems))


def duration_hours(starts_at, ends_at) -> Decimal:
    """A meeting's length in hours, to the nearest half hour, within an entry's bounds (0.5 to 24)."""
    halves = Decimal((ends_at - starts_at).total_seconds() / 1800).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(max(halves / 2, Decimal("0.5")), rules.DAY_MAX_HOURS)


def _plan_label(item) -> str:
    return f"{item.year}年{item.month}月 {item.topic}（{item.org.name}）"


def _hours_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


class PlanItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _plan_label(obj)


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class StudyFactsMixin:
    """kind, hours, speaker, lead (the org's members), plan item (the org's or an ancestor's): one set of fields for
    the three forms."""

    def _study_fields(self, *, people, plan_items) -> None:
        self.fields["lead"].queryset = people
        self.fields["plan_item"].queryset = plan_items


class SessionForm(StudyFactsMixin, BootstrapFormMixin, forms.Form):
    """A new study session of one org (chosen before: its members are the invitees and the leads to choose from):
    the meeting it is held as, and the 学时 it carries."""

    kind = forms.ChoiceField(label="学习形式", choices=StudyKind.choices, help_text=KIND_HELP)
    topic = forms.CharField(label="学习主题", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label="结束时间", widget=DateTimeLocalInput())
    place = forms.CharField(label="地点", max_length=200, required=False)
    hours = HoursField()
    speaker = forms.CharField(label="主讲人", max_length=100, required=False, help_text=SPEAKER_HELP)
    lead = MemberChoice(
        label="领学人", queryset=None, required=False, help_text="本组织党员，中心组学习时填写。", widget=LongSelect
    )
    plan_item = PlanItemChoice(label="对应培训计划", queryset=None, required=False)
    held = forms.BooleanField(label="已召开（直接登记为已召开，之后登记出席情况）", required=False)
    invitee_mode = forms.ChoiceField(
        label="应到人员",
        choices=[(ALL, "")],
        initial=ALL,
        required=False,  # left out (an older page, a script): the org's members in register
        widget=forms.RadioSelect,
    )
    invitees = forms.ModelMultipleChoiceField(label="选择应到人员", queryset=None, required=False)

    def __init__(self, *args, org, people, plan_items, seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self._study_fields(people=people, plan_items=plan_items)
        self.fields["kind"].initial = StudyKind.CONCENTRATED
        for name in ("topic", "invitee_mode", "invitees"):
            self.fields[name].column = "col-12"
        self._invitee_fields(people, list(seats))

    def _invitee_fields(self, people, seats) -> None:
        count = people.count()
        mode = self.fields["invitee_mode"]
        choices = [(ALL, f"本组织全体在册党员（{count} 人）")]
        if seats:
            choices.append((SEATS, f"仅班子成员（现任委员 {len(seats)} 人）"))
        invitees = self.fields["invitees"]
        if count > INVITEE_PICK_MAX:
            del self.fields["invitees"]
        else:
            choices.append((CUSTOM, "自行选择"))
            presets = {"seat": ("仅现任委员", set(seats))} if seats else {}
            invitees.widget = ChecklistWidget(presets=presets)
            invitees.queryset = people  # after the widget: the queryset gives the widget its choices
            invitees.label_from_instance = lambda m: m.name
            invitees.shown_by = f"{self.add_prefix('invitee_mode')}={CUSTOM}"
            invitees.initial = [m.pk for m in people]
        mode.choices = choices
        mode.help_text = "默认为本组织全体在册党员；被邀请的人员可扫码签到，出席即计入学时。"
        self._seats = seats

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if value is not None and not TIME_MIN_YEAR <= timezone.localtime(value).year <= TIME_MAX_YEAR:
                self.add_error(name, ERR_TIME_RANGE)
        if starts and ends and ends <= starts:
            self.add_error("ends_at", ERR_ENDS_AFTER)
        item = data.get("plan_item")
        if item is not None and starts is not None and item.year != timezone.localtime(starts).year:
            self.add_error("plan_item", ERR_PLAN_YEAR.format(plan=item.year, year=timezone.localtime(starts).year))
        self._clean_invitees(data)
        return data

    def _clean_invitees(self, data) -> None:
        """For the service: `invitees` the member ids (None: the org's members in register, its default)."""
        mode = data.pop("invitee_mode", None) or ALL
        chosen = data.pop("invitees", None)
        if mode == SEATS:
            data["invitees"] = list(self._seats)
        elif mode == CUSTOM:
            if not chosen:
                self.add_error("invitees", ERR_NO_INVITEE)
                return
            data["invitees"] = [m.pk for m in chosen]


class CountMeetingForm(BootstrapFormMixin, forms.Form):
    """Count a 党课, 主题党日 or 集中学习 already planned or held as a study session: its 学时 and study facts only."""

    hours = HoursField()
    kind = forms.ChoiceField(label="学习形式", choices=StudyKind.choices)
    speaker = forms.CharField(label="主讲人", max_length=100, required=False, help_text=SPEAKER_HELP)
    plan_item = PlanItemChoice(label="对应培训计划", queryset=None, required=False)

    def __init__(self, *args, meeting, lecture: bool, plan_items, **kwargs):
        initial = {
            "hours": _hours_text(duration_hours(meeting.starts_at, meeting.ends_at)),
            "kind": StudyKind.LECTURE if lecture else StudyKind.CONCENTRATED,
            "speaker": meeting.lecturer.name if meeting.lecturer_id else "",
        }
        super().__init__(*args, initial=initial | kwargs.pop("initial", {}), **kwargs)
        self.fields["plan_item"].queryset = plan_items
        self.fields["hours"].help_text = f"默认按会议时长（四舍五入到半小时）。{HOURS_HELP}"


class SessionEditForm(StudyFactsMixin, VersionedFormMixin, BootstrapFormMixin, forms.Form):
    """A session's study facts (its time, place and invitees are the meeting's, edited on the meeting's page)."""

    kind = forms.ChoiceField(label="学习形式", choices=StudyKind.choices)
    hours = HoursField()
    speaker = forms.CharField(label="主讲人", max_length=100, required=False, help_text=SPEAKER_HELP)
    lead = MemberChoice(label="领学人", queryset=None, required=False, widget=LongSelect)
    plan_item = PlanItemChoice(label="对应培训计划", queryset=None, required=False)

    def __init__(self, *args, session, people, plan_items, **kwargs):
        initial = {
            "kind": session.kind,
            "hours": _hours_text(session.hours),
            "speaker": session.speaker,
            "lead": session.lead_id,
            "plan_item": session.plan_item_id,
        }
        super().__init__(*args, initial=initial, version_of=session, **kwargs)
        self._study_fields(people=people, plan_items=plan_items)


class SessionFilterForm(forms.Form):
    """The list's filters (GET): bad values are ignored, not refused."""

    q = forms.CharField(required=False, max_length=50)
    year = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "全部形式"), *StudyKind.choices])
    sort = forms.ChoiceField(required=False, choices=[("", "日期（新→旧）"), ("date", "日期（旧→新）")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = clock.today().year
        years = range(this_year + 1, this_year - 10, -1)
        self.fields["year"].choices = [("", "全部年度"), *((str(y), f"{y}年") for y in years)]

    def value(self, name: str):
        self.is_valid()  # the valid fields are in cleaned_data whatever the others hold
        value = self.cleaned_data.get(name)
        return value if value is not None else ("" if name != "year" else None)


def plan_years(day=None) -> list[int]:
    """The years whose plan items a new session may carry out: this one, and the neighbours (a December session
    entered in January, a session planned for next year)."""
    year = (day or clock.today()).year
    return [year - 1, year, year + 1]
