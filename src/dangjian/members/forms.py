from django import forms
from django.core.exceptions import ValidationError

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.forms import org_label

from .choices import ExitKind, Status
from .models import ERR_EXIT_KIND, ERR_ID_DUPLICATE, Member
from .services import id_number_taken

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

#: Shown and changeable only with the view-personal-data capability (masked elsewhere, see members/personal.py); the
#: birth date is the ID number's middle 8 digits.
PERSONAL_FIELDS = ["birth_date", "id_number", "phone"]


class MemberForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
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

    def __init__(self, *args, orgs, personal_data: bool = True, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who fills it in: the wording of a taken ID number depends on their scope
        self.fields["org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["group"].queryset = orgs.filter(kind=OrgKind.GROUP)
        self.fields["org"].label_from_instance = org_label
        self.fields["group"].label_from_instance = org_label
        self.fields["id_number"].widget.attrs.update(maxlength=18, autocomplete="off")
        if not personal_data:
            # Without the personal-data permission these are neither shown nor changeable.
            for name in PERSONAL_FIELDS:
                del self.fields[name]

    def _post_clean(self):
        super()._post_clean()
        # An ID number another member holds: the model's constraint says only that it is taken; the service's rule
        # (members.services.id_number_taken, which refuses it again on save) says it in words that depend on whether
        # that member is in the user's scope. Here so that it shows beside the form's other errors.
        errors = self._errors.get("id_number") if self._errors and self.user is not None else None
        if not errors or ERR_ID_DUPLICATE not in errors:
            return
        message = id_number_taken(self.user, id_number=self.instance.id_number, exclude_pk=self.instance.pk)
        left = [error for error in errors.as_data() if ERR_ID_DUPLICATE not in error.messages]
        self._errors["id_number"] = self.error_class([*left, ValidationError(message or ERR_ID_DUPLICATE)])


class StatusChangeForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
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


class TransferOutForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    transferred_on = forms.DateField(label="转出日期", widget=DateInput())
    destination = forms.CharField(label="转往组织", max_length=200)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)
    reason = forms.CharField(label="原因", max_length=500, required=False)


class TransferInForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="转入党支部", queryset=None)
    transferred_on = forms.DateField(label="转入日期", widget=DateInput())
    source = forms.CharField(label="来自组织", max_length=200)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label


class MoveForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="调整到党支部", queryset=None)
    transferred_on = forms.DateField(label="调整日期", widget=DateInput())
    reason = forms.CharField(label="原因", max_length=500, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label
