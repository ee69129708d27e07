"""Forms of the 处置 pages: each hands its cleaned data to one service in exits.py, which checks again."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, FactDateField
from dangjian.members.choices import Status
from dangjian.members.models import Member

from .choices import ActionKind, CaseSource, CaseState, Measure, Outcome


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.org.name}）"


class CaseCreateForm(BootstrapFormMixin, forms.Form):
    member = MemberChoice(label="党员", queryset=Member.objects.none())
    source = forms.ChoiceField(label="线索来源", choices=CaseSource.choices)
    source_note = forms.CharField(
        label="线索说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    opened_on = FactDateField(label="立案日期")

    def __init__(self, *args, user, member: Member | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:  # ?member=: that one only
            queryset = Member.objects.changeable_by(user).filter(pk=member.pk)
        else:
            queryset = Member.objects.changeable_by(user).filter(status=Status.ACTIVE)
        self.fields["member"].queryset = queryset.select_related("org")


class ActionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ActionKind.choices)
    done_on = FactDateField(label="日期")
    note = forms.CharField(label="情况", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class MeasureForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    measure = forms.ChoiceField(label="处置方式", choices=Measure.choices)
    deadline = forms.DateField(label="改正期限（限期改正时填写）", required=False, widget=DateInput())


class CloseForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=Outcome.choices)
    closed_on = FactDateField(label="结案日期")
    decision = forms.CharField(
        label="决定内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明支部大会的决定（日期、表决情况）和上级党组织的批准。劝退、除名、自行脱党结案后，该党员转为出党。",
    )


class CaseFilterForm(forms.Form):
    """The list's filters (GET): bad values are ignored, not refused."""

    q = forms.CharField(required=False, max_length=50)
    state = forms.ChoiceField(required=False, choices=[("", "全部状态"), *CaseState.choices])
    source = forms.ChoiceField(required=False, choices=[("", "全部来源"), *CaseSource.choices])
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("", "立案日期（新→旧）"),
            ("opened", "立案日期（旧→新）"),
            ("name", "姓名"),
            ("deadline", "改正期限"),
        ],
    )

    def value(self, name: str) -> str:
        self.is_valid()  # the valid fields are in cleaned_data whatever the others hold
        return self.cleaned_data.get(name) or ""
