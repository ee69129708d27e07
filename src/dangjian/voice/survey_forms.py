"""Forms of the surveys' pages: the draft (its audience, anonymity, targets), a question, and the answer form built
from the survey's questions (its checks are the service's: the same Chinese message on the page as in the API)."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, ChecklistWidget, DateInput
from dangjian.orgs.models import Organization

from . import surveys
from .choices import Audience, QuestionKind
from .models import Survey

CHOICES_HELP = "每行一个选项，2 至 20 个（单选、多选题）"


class SurveyForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="发起组织", queryset=Organization.objects.none())
    title = forms.CharField(label="标题", max_length=100)
    intro = forms.CharField(label="说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(label="填写对象", choices=Audience.choices, widget=forms.RadioSelect)
    anonymous = forms.BooleanField(
        label="匿名填写（仅党员填写时可选；开始填写后不能更改，填写页首先告知填写人）", required=False
    )
    closes_on = forms.DateField(label="截止日期", widget=DateInput())
    targets = forms.ModelMultipleChoiceField(
        label="发送对象（党员问卷：所选组织及其下级组织的党员；组织问卷：每个所选组织填写一份）",
        queryset=Organization.objects.none(),
        widget=ChecklistWidget,
    )

    def __init__(self, *args, user, survey: Survey | None = None, **kwargs):
        super().__init__(*args, version_of=survey, **kwargs)
        orgs = surveys.creatable_orgs(user).order_by("path")
        self.fields["targets"].queryset = orgs
        self.fields["targets"].label_from_instance = lambda o: o.name
        for name in ("intro", "targets"):
            self.fields[name].column = "col-12"
        if survey is None:
            self.fields["org"].queryset = orgs
        else:
            del self.fields["org"]


class QuestionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="题型", choices=QuestionKind.choices)
    text = forms.CharField(label="题目", max_length=300)
    required = forms.BooleanField(label="必答", required=False, initial=True)
    choices = forms.CharField(
        label="选项", help_text=CHOICES_HELP, max_length=2200, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class _AnyChoice(forms.ChoiceField):
    """The option's index as sent: whether it exists is the service's check (第N题的选项不存在)."""

    def valid_value(self, value):
        return True


class _AnyChoices(forms.MultipleChoiceField):
    def valid_value(self, value):
        return True


class AnswerForm(BootstrapFormMixin, forms.Form):
    """One field per question (q_<id>); none required here: the service says which question lacks its answer."""

    def __init__(self, *args, questions, **kwargs):
        self.questions = questions
        fields = {}
        for q in questions:
            label = f"{q.position}. {q.text}{'（必答）' if q.required else ''}"
            if q.kind == QuestionKind.SINGLE:
                field = _AnyChoice(label=label, required=False, choices=list(enumerate(q.choices)))
                field.widget = forms.RadioSelect(choices=field.choices)
            elif q.kind == QuestionKind.MULTIPLE:
                field = _AnyChoices(label=label, required=False, choices=list(enumerate(q.choices)))
                field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
            elif q.kind == QuestionKind.SCALE:
                field = _AnyChoice(label=label, required=False, choices=[(v, f"{v}分") for v in surveys.SCALE])
                field.widget = forms.RadioSelect(choices=field.choices)
            else:
                field = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 3, "maxlength": surveys.TEXT_MAX})
                )
            field.column = "col-12"
            fields[f"q_{q.pk}"] = field
        self.base_fields = fields  # this survey's questions (the mixin styles them in __init__)
        super().__init__(*args, **kwargs)

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}
