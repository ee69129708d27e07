"""Forms of 中心组学习: a speech, an outcome (new), an outcome's edit with its 转化 (versioned)."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, FactDateField

from . import central
from .choices import OutcomeKind, OutcomeState
from .models import Outcome


def _people(field, members) -> None:
    field.queryset = members
    field.label_from_instance = lambda m: m.name


class SpeechForm(BootstrapFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="发言人", queryset=None, help_text="本次学习的参加人员")
    title = forms.CharField(label="发言题目", max_length=200)
    content = forms.CharField(
        label="发言要点", max_length=central.CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        _people(self.fields["member"], members)
        self.fields["title"].column = "col-md-8"
        self.fields["content"].column = "col-12"


class OutcomeForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    title = forms.CharField(label="成果名称", max_length=200)
    kind = forms.ChoiceField(label="成果类型", choices=OutcomeKind.choices)
    owner = forms.ModelChoiceField(label="责任人", queryset=None, help_text="本次学习的参加人员")
    # A planned day (it lies ahead): named `deadline` on the form, as the other planned days (no `max`); the view
    # hands it to the service as due_on.
    deadline = forms.DateField(label="转化时限", required=False, widget=DateInput())

    def __init__(self, *args, members, outcome: Outcome | None = None, **kwargs):
        if outcome is not None:
            names = ("title", "kind", "owner", "state", "done_on", "result")
            initial = {name: getattr(outcome, name) for name in names} | {"deadline": outcome.due_on}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, version_of=outcome, **kwargs)
        _people(self.fields["owner"], members)
        self.fields["title"].column = "col-md-8"


class OutcomeEditForm(OutcomeForm):
    """The outcome and its 转化: 已转化 needs the day and what it achieved (the service says so beside each)."""

    state = forms.ChoiceField(label="转化情况", choices=OutcomeState.choices, widget=forms.RadioSelect)
    done_on = FactDateField(label="转化完成日期", required=False, help_text="标记为已转化时填写")
    result = forms.CharField(
        label="转化成效",
        max_length=central.RESULT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="标记为已转化时填写：形成了什么制度、举措，解决了什么问题",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].column = "col-12"
