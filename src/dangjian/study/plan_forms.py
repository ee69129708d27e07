"""Forms of the yearly training plan: an item (new: with its org; edit: versioned, the org fixed)."""

from decimal import Decimal

from django import forms

from dangjian.core import clock
from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin

from . import plans
from .choices import PLAN_KINDS
from .models import PlanItem

MONTHS = [(m, f"{m}月") for m in range(1, 13)]


class PlanItemForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="组织", queryset=None)
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())
    month = forms.TypedChoiceField(label="计划月份", coerce=int, choices=MONTHS)
    topic = forms.CharField(label="培训主题", max_length=200)
    kind = forms.ChoiceField(label="培训形式", choices=[(k.value, k.label) for k in PLAN_KINDS])
    audience = forms.CharField(label="培训对象", max_length=200, help_text="如：全体党员、支委委员、入党积极分子")
    planned_hours = forms.DecimalField(
        label="计划学时", max_digits=4, decimal_places=1, min_value=Decimal("0.1"), max_value=plans.HOURS_MAX
    )
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, orgs=None, item: PlanItem | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("initial", {name: getattr(item, name) for name in plans.FIELDS})
        super().__init__(*args, version_of=item, **kwargs)
        low, high = plans.year_bounds(clock.today())
        years = list(range(high, low - 1, -1))
        if item is not None and item.year not in years:
            years.append(item.year)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        if item is None:
            self.fields["org"].queryset = orgs
            self.fields["org"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"
        else:
            del self.fields["org"]
        self.fields["note"].column = "col-12"
        self.fields["topic"].column = "col-md-8"
