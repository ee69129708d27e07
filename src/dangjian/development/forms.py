"""The forms of the record pages: a person's particulars with the application, one step (its fields by step), a
考察 record, the end of a record, an upload. Each only shapes input; the services decide."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, FactDateField

from . import rules
from .models import Applicant, StepRecord

PERSON_FIELDS = ("name", "gender", "ethnicity", "birth_date", "id_number", "education", "position", "phone")


class MemberIdsField(forms.TypedMultipleChoiceField):
    """A checklist of the branch's full members; any member id posted is passed on, so the service says by its rule
    what disqualifies a person (a 预备党员, one of another branch) rather than "not a valid choice"."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit()


class _PersonFields(forms.Form):
    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        fields = forms.fields_for_model(Applicant, fields=PERSON_FIELDS)
        fields["birth_date"] = FactDateField(label="出生日期")
        if orgs is not None:
            self.fields["org"] = forms.ModelChoiceField(label="所在党支部", queryset=orgs, empty_label=None)
            self.fields["applied_on"] = FactDateField(label="递交入党申请书日期")
        self.fields.update(fields)
        if orgs is not None:
            self.fields["note"] = forms.CharField(label="情况说明", max_length=2000, required=False)
        self.order_fields(["org", "applied_on", *PERSON_FIELDS])


class PersonForm(VersionedFormMixin, BootstrapFormMixin, _PersonFields):
    """The person's particulars (the model's own fields and validators); for a new record (`orgs`: the branches the
    user may change) also the branch and the application date (step 1)."""


class _StepFields(forms.Form):
    step = forms.IntegerField(widget=forms.HiddenInput)
    done_on = FactDateField(label="日期")

    def __init__(self, *args, step: int, people=(), meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step_number = step
        self.fields["step"].initial = step
        if step in rules.PEOPLE:
            role, least, most = rules.PEOPLE[step]
            count = f"{least}名" if least == most else f"{least}至{most}名"
            label = {"talker": "谈话人", "contact": "培养联系人", "sponsor": "入党介绍人"}[role]
            self.fields["people"] = MemberIdsField(
                label=f"{label}（{count}，本支部正式党员）",
                choices=[(m.pk, m.name) for m in people],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["people"].column = "col-12"
        if step in rules.VOTE_STEPS:
            self.meetings = {str(m.pk): m for m in meetings}
            self.fields["meeting"] = forms.ChoiceField(
                label="支部党员大会（选择会议后到会人数取自会议签到）",
                choices=[("", "不选择会议，手工填写人数")]
                + [(str(m.pk), f"{m.starts_at:%Y-%m-%d} {m.topic}") for m in meetings],
                required=False,
            )
            self.fields["meeting"].column = "col-12"
            self.fields["voting_members"] = forms.IntegerField(label="应到会有表决权人数", min_value=0, required=False)
            self.fields["present_voting"] = forms.IntegerField(label="实到会有表决权人数", min_value=0, required=False)
            self.fields["in_favour"] = forms.IntegerField(label="赞成人数", min_value=0, required=False)
        if step == rules.CONFIRM_ASSEMBLY:
            self.fields["decision"] = forms.ChoiceField(
                label="支部大会决定", choices=list(rules.DECISIONS.items()), widget=forms.RadioSelect
            )
            self.fields["decision"].column = "col-12"
            self.fields["extend_months"] = forms.IntegerField(
                label="延长预备期（月）",
                min_value=rules.EXTEND_MIN_MONTHS,
                max_value=rules.EXTEND_MAX_MONTHS,
                required=False,
                help_text="不少于半年，最长不超过一年",
            )
            self.fields["extend_months"].shown_by = f"{self.add_prefix('decision')}={rules.EXTEND}"
        self.fields["note"] = forms.CharField(
            label="情况说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["note"].column = "col-12"


class StepForm(VersionedFormMixin, BootstrapFormMixin, _StepFields):
    """One step: its date and note; the people it names (steps 2, 5, 8); the 支部大会 with its vote (15, 23); 23's
    decision and the months an extension runs."""

    def clean_meeting(self):
        value = self.cleaned_data.get("meeting")
        return self.meetings.get(value) if value else None

    def service_kwargs(self) -> dict:
        """What services.record_step takes, from the cleaned data."""
        from .services import Vote

        data = self.cleaned_data
        kwargs = {"step": self.step_number, "done_on": data["done_on"], "note": data.get("note", "")}
        if "version" in data:
            kwargs["version"] = data["version"]
        if "people" in data:
            kwargs["people"] = data["people"]
        if self.step_number in rules.VOTE_STEPS:
            kwargs["meeting"] = data.get("meeting")
            kwargs["vote"] = Vote(data.get("voting_members"), data.get("present_voting"), data.get("in_favour"))
        if self.step_number == rules.CONFIRM_ASSEMBLY:
            kwargs["decision"] = data.get("decision", "")
            kwargs["extend_months"] = (data.get("extend_months") or 0) if data.get("decision") == rules.EXTEND else 0
        return kwargs


class ReviewForm(BootstrapFormMixin, forms.Form):
    done_on = FactDateField(label="考察日期")
    content = forms.CharField(label="考察意见", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class EndForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    ended_on = FactDateField(label="终止日期")
    reason = forms.CharField(
        label="终止原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text="如：本人撤回申请"
    )


class DocumentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="材料文件（PDF、Word、图片等）")
    record = forms.ModelChoiceField(
        queryset=StepRecord.objects.none(), required=False, label="所属步骤", empty_label="整份档案（不属于某一步骤）"
    )

    def __init__(self, *args, records=None, **kwargs):
        """`records`: the record's own steps (a queryset), the ones a material may belong to."""
        super().__init__(*args, **kwargs)
        if records is not None:
            self.fields["record"].queryset = records
        self.fields["record"].label_from_instance = lambda r: f"{r.step}. {r.spec.label}（{r.done_on:%Y-%m-%d}）"
