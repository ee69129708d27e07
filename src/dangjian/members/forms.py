from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, FactDateField
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.forms import org_label
from dangjian.orgs.models import Organization

from .choices import ExitKind, Status
from .models import ERR_EXIT_KIND, ERR_GROUP_NOT_IN_BRANCH, ERR_ID_DUPLICATE, Member
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


def group_label(group: Organization, branch: Organization) -> str:
    """第一党小组（办公室党支部）: many branches have a 第一党小组."""
    return f"{group.name}（{branch.name}）"


class MemberForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """The roster fields of a member. 所在党小组 lists only the groups of the chosen 所在党支部 (they change with it:
    the org select asks members:group_options, which answers with this form's group select)."""

    class Meta:
        model = Member
        fields = ROSTER_FIELDS
        field_classes = {
            name: FactDateField for name in ("birth_date", "joined_on", "full_member_on", "work_started_on")
        }
        widgets = {"remark": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, orgs, personal_data: bool = True, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # who fills it in: the wording of a taken ID number depends on their scope
        branches = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["org"].queryset = branches
        self.fields["org"].label_from_instance = org_label
        self._branch_groups(orgs, self._chosen_branch(branches))
        self.fields["id_number"].widget.attrs.update(maxlength=18, autocomplete="off")
        if not personal_data:
            # Without the personal-data permission these are neither shown nor changeable.
            for name in PERSONAL_FIELDS:
                del self.fields[name]

    def _chosen_branch(self, branches) -> Organization | None:
        """The branch posted, or (unbound) the one the form starts with; None when none or not one of `branches`."""
        value = self.data.get(self.add_prefix("org")) if self.is_bound else self.initial.get("org")
        value = getattr(value, "pk", value)
        if value is None or not str(value).isdigit():
            return None
        return branches.filter(pk=int(value)).first()

    def _branch_groups(self, orgs, branch: Organization | None) -> None:
        field = self.fields["group"]
        groups = orgs.filter(kind=OrgKind.GROUP)
        field.queryset = groups.filter(path__startswith=branch.path) if branch else groups.none()
        field.label_from_instance = lambda group: group_label(group, branch)
        # A group of another branch is not among the choices: say why rather than "not one of the choices".
        field.error_messages = {**field.error_messages, "invalid_choice": ERR_GROUP_NOT_IN_BRANCH}
        self.fields["org"].widget.attrs.update(
            {
                "hx-get": reverse("members:group_options"),
                "hx-target": f"#{self['group'].auto_id}",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )

    def clean(self):
        data = super().clean()
        if "org" in self._errors and "group" in self._errors:
            # The group is judged against the branch: with no valid branch the error is the branch's alone.
            del self._errors["group"]
        return data

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
        label="出党方式（变更为出党时必填）", choices=[("", ""), *ExitKind.choices], required=False
    )
    changed_on = FactDateField(label="变更日期")
    reason = forms.CharField(label="原因/依据（文件、会议决定等）", max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Status.EXPELLED and not data.get("exit_kind"):
            self.add_error("exit_kind", ERR_EXIT_KIND)
        return data


class TransferOutForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    transferred_on = FactDateField(label="转出日期")
    destination = forms.CharField(label="转往组织", max_length=200)
    destination_contact = forms.CharField(label="去往单位联系人/电话", max_length=200, required=False)
    letter_number = forms.CharField(
        label="介绍信编号", max_length=50, required=False, help_text="留空则由系统按年度自动编号（手写介绍信填其编号）"
    )
    reason = forms.CharField(label="原因", max_length=500, required=False)


class TransferInForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="转入党支部", queryset=None)
    transferred_on = FactDateField(label="转入日期")
    source = forms.CharField(label="来自组织", max_length=200)
    letter_number = forms.CharField(label="介绍信编号", max_length=50, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label


class MoveForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    to_org = forms.ModelChoiceField(label="调整到党支部", queryset=None)
    transferred_on = FactDateField(label="调整日期")
    reason = forms.CharField(label="原因", max_length=500, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].queryset = orgs.filter(kind=OrgKind.BRANCH)
        self.fields["to_org"].label_from_instance = org_label
