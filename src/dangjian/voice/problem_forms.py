"""Forms of the 问题清单: a problem (new: its org and source; edit: versioned), and 整改完成 (result and day)."""

from django import forms

from dangjian.core import clock
from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, FactDateField

from . import problems
from .choices import ProblemSource
from .models import Problem, Survey


class ProblemFieldsMixin(forms.Form):
    """What every problem says; `org` decides whose members may own it."""

    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())
    description = forms.CharField(label="问题描述", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label="整改措施", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label="责任人", queryset=None)
    deadline = forms.DateField(label="整改时限", widget=DateInput())

    def __init__(self, *args, org, problem: Problem | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = problems.year_bounds(clock.today())
        years = list(range(high, low - 1, -1))
        if problem is not None and problem.year not in years:
            years.append(problem.year)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        self.fields["year"].initial = clock.today().year
        self.fields["owner"].queryset = problems.owners_of(org)
        for name in ("description", "measure"):
            self.fields[name].column = "col-12"


class ProblemForm(ProblemFieldsMixin, BootstrapFormMixin, VersionedFormMixin, forms.Form):
    source = forms.ChoiceField(
        label="来源",
        choices=[c for c in ProblemSource.choices if c[0] != ProblemSource.PROPOSAL],
        help_text="座谈交流中的意见可在座谈交流页面“转为问题”；来自党员提案的问题在已立案提案的页面“列入问题清单”",
    )
    survey = forms.ModelChoiceField(label="来源问卷", queryset=None, required=False)

    def __init__(self, *args, user, org, problem: Problem | None = None, **kwargs):
        if problem is not None:
            kwargs.setdefault("initial", {name: getattr(problem, name) for name in problems.FIELDS})
        super().__init__(*args, org=org, problem=problem, version_of=problem, **kwargs)
        if problem is None:
            self.fields["survey"].queryset = Survey.objects.visible_to(user).order_by("-closes_on", "-id")
            self.fields["survey"].help_text = "来源为问卷调查时选择"
        else:
            del self.fields["source"], self.fields["survey"]


class FinishForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    result = forms.CharField(label="整改结果", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    done_on = FactDateField(label="完成日期")
