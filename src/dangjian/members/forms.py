from django import forms

from dangjian.core.forms import BootstrapFormMixin, DateInput
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.forms import org_label

from .choices import ExitKind, Status
from .models import ERR_EXIT_KIND, Member

ROSTER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "education",
    "category",
    "joined_on",
    "full_member_on",
    "org",
    "group",
    "position",
    "phone",
    "fee_base",
    "native_place",
    "work_started_on",
    "professional_title",
    "remark",
]  # 花名册 order (DOMAIN.md §2), then the optional fields

#: Shown and changeable only with the view-personal-data capability (masked elsewhere, see selectors).
PERSONAL_FIELDS = ["id_number", "phone"]


class MemberForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = ROSTER_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "joined_on": DateInput(),
            "full_member_on": DateInput(),
            "work_started_on": DateInput(),
            "remark": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, orgs, personal_data: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["group"].queryset = orgs.filter(kind=OrgKind.GROUP)
        self.fields["org"].label_from_instance = org_label
        self.fields["group"].label_from_instance = org_label
        self.fields["id_number"].widget.attrs.update(maxlength=18, autocomplete="off")
        if not personal_data:
            # Without the personal-data permission these are neither shown nor changeable.
            for name in PERSONAL_FIELDS:
                del self.fields[name]


class StatusChangeForm(BootstrapFormMixin, forms.Form):
    to_status = forms.ChoiceField(
        label="变更为", choices=[(s.value, s.label) for s in Status if s != Status.TRANSFERRED_OUT]
    )
    exit_kind = forms.ChoiceField(
        label="出党方式（变更为出党时必填）", choices=[("", "—"), *ExitKind.choices], required=False
    )
    changed_on = forms.DateField(label="变更日期", widget=DateInput())
    reason = forms.CharField(label="原因/依据（文件、会议决定等）", max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Status.EXPELLED and not data.get("exit_kind"):
            self.add_error("exit_kind", ERR_EXIT_KIND)
        return data


class TransferOutForm(BootstrapFormMixin, forms.Form):
    transferred_on = forms.DateField(label="转出日期", widget=DateInput())
    destination = forms.CharField(label="转往组织", max_length=200)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)
    reason = forms.CharField(label="原因", max_length=500, required=False)


class TransferInForm(BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="转入党支部", queryset=None)
    transferred_on = forms.DateField(label="转入日期", widget=DateInput())
    source = forms.CharField(label="来自组织", max_length=200)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label


class MoveForm(BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="调整到党支部", queryset=None)
    transferred_on = forms.DateField(label="调整日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=500, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label
