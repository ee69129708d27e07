"""One filter definition for the meetings list, its export (and the API, when it lists meetings)."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dangjian.core.forms import DateInput, LongSelect
from dangjian.members.filters import org_options
from dangjian.orgs.models import Organization

from .choices import Activity, MeetingStatus, ReviewState
from .models import Meeting, MeetingActivity

#: Dates a filter accepts (limits at the boundary: no year 9999, no year 1).
DATE_MIN = date(1921, 7, 1)
DATE_MAX = date(2100, 12, 31)
ERR_DATE_RANGE = "日期须在 1921年7月1日 至 2100年12月31日 之间"
ERR_DATE_ORDER = "起始日期不能晚于截止日期"
SEARCH_MAX = 50
YES, NO = "yes", "no"


def _bounded(value: date) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise forms.ValidationError(ERR_DATE_RANGE)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())


class BoundedDateFilter(django_filters.DateFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=DateInput(), validators=[_bounded], **kwargs)


class MeetingFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", ERR_DATE_ORDER)
            data.pop("date_to", None)
        return data


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="主题", method="filter_search", max_length=SEARCH_MAX)
    org = django_filters.ModelChoiceFilter(
        label="召开组织（含下级）",
        empty_label="全部组织",
        queryset=Organization.objects.none(),
        method="filter_org",
        widget=LongSelect,
    )
    activity = django_filters.ChoiceFilter(
        label="会议类型", choices=Activity.choices, empty_label="全部类型", method="filter_activity"
    )
    status = django_filters.ChoiceFilter(label="状态", choices=MeetingStatus.choices, empty_label="全部状态")
    review_state = django_filters.ChoiceFilter(
        label="审核状态", choices=ReviewState.choices, empty_label="全部", method="filter_review_state"
    )
    date_from = BoundedDateFilter(label="开始日期从", method="filter_date_from")
    date_to = BoundedDateFilter(label="至", method="filter_date_to")
    backfilled = django_filters.ChoiceFilter(
        label="补录", choices=[(YES, "是"), (NO, "否")], empty_label="全部", method="filter_backfilled"
    )

    class Meta:
        model = Meeting
        form = MeetingFilterForm
        fields = ["q", "org", "activity", "status", "review_state", "date_from", "date_to", "backfilled"]

    def __init__(self, data=None, queryset=None, *, request_user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self._org_options = None
        if request_user is not None:
            orgs = Organization.objects.visible_to(request_user)
            self.filters["org"].queryset = orgs
            selected = (data or {}).get("org")
            self._org_options = lambda: org_options(orgs, selected=selected)

    @property
    def narrowing_besides_search(self) -> int:
        return sum(1 for name in self.base_filters if name != "q" and self.data.get(name))

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        form.fields["q"].widget.attrs.setdefault("placeholder", "会议主题")
        if self._org_options is not None:
            form.fields["org"].widget.choices = self._org_options
        return form

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(topic__icontains=value) if value else queryset

    def filter_org(self, queryset, name, org):
        return queryset.filter(org__path__startswith=org.path)

    def filter_activity(self, queryset, name, value):
        # Exists, not a join: a meeting of two activities stays one row. Its rows belong to the meetings filtered.
        rows = MeetingActivity.objects.unrestricted().filter(meeting=OuterRef("pk"), activity=value)
        return queryset.filter(Exists(rows))

    # Days in China as ranges of starts_at (its index), not starts_at__date (a function of every row).
    def filter_date_from(self, queryset, name, value):
        return queryset.filter(starts_at__gte=_midnight(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(starts_at__lt=_midnight(value + timedelta(days=1)))

    def filter_review_state(self, queryset, name, value):
        # A review state is a held meeting's: a planned one has nothing to submit yet.
        return queryset.filter(status=MeetingStatus.HELD, review_state=value)

    def filter_backfilled(self, queryset, name, value):
        return queryset.filter(backfilled=value == YES)
