from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, FactDateField

from .choices import CommitteeRole
from .models import Organization


def org_label(org: Organization) -> str:
    return f"{'　' * (org.depth - 1)}{org.name}"


class OrgForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "code", "department", "established_on", "remark"]
        field_classes = {"established_on": FactDateField}
        widgets = {"remark": forms.Textarea(attrs={"rows": 2})}


class OrgEditForm(VersionedFormMixin, OrgForm):
    class Meta(OrgForm.Meta):
        fields = ["name", "code", "department", "established_on", "remark"]


class OrgMoveForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    parent = forms.ModelChoiceField(label="移动到（新的上级组织）", queryset=None)

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents
        self.fields["parent"].label_from_instance = org_label


class DissolveForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    dissolved_on = FactDateField(label="撤销日期")


class TermForm(BootstrapFormMixin, forms.Form):
    started_on = FactDateField(label="本届开始日期（选举日期）")
    ends_on = forms.DateField(
        label="任期届满日期",
        widget=DateInput(),  # planned, so it may lie ahead (unlike the start)
        required=False,
        help_text="留空则按规定任期自动计算（支部3年，机关党委5年）",
    )


class SeatForm(BootstrapFormMixin, forms.Form):
    member = forms.ModelChoiceField(label="委员", queryset=None)
    role = forms.ChoiceField(label="职务", choices=CommitteeRole.choices)
    started_on = FactDateField(label="任职日期")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class SeatEndForm(BootstrapFormMixin, forms.Form):
    ended_on = FactDateField(label="离任日期")
