"""The forms of 党员提案: a member's proposal (on a phone, with up to five attachments) and one form per move, each
made from the version of the proposal shown."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, LongSelect

from . import proposals
from .choices import ProposalCategory, Satisfaction

ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,image/*"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each one's content is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data][: proposals.FILES_MAX + 1]
        return [single(data, initial)] if data else []


class ProposalForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=100)
    category = forms.ChoiceField(label="类别", choices=[("", "请选择…"), *ProposalCategory.choices])
    content = forms.CharField(
        label="内容", max_length=10000, widget=forms.Textarea(attrs={"rows": 6, "maxlength": 10000})
    )
    files = MultipleFileField(
        label="附件",
        required=False,
        help_text=f"最多{proposals.FILES_MAX}个，每个不超过10MB；{proposals.FILE_TEXT}",
    )


class MoveForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    """The base of a move's form: the note and the version shown."""

    move = ""
    label = ""


class AcceptForm(MoveForm):
    move, label = "accept", "立案"
    note = forms.CharField(label="审查意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(MoveForm):
    move, label = "reject", "不予立案"
    reason = forms.CharField(label="不予立案理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(MoveForm):
    move, label = "merge", "并案"
    merge_into = forms.TypedChoiceField(label="并入提案", coerce=int, widget=LongSelect)
    note = forms.CharField(label="说明", max_length=2000, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merge_into"].choices = [("", "请选择…"), *candidates]


class AssignForm(MoveForm):
    move, label = "assign", "交办"
    handler_org = forms.ChoiceField(label="承办单位", widget=LongSelect)  # every org the reviewer sees
    deadline = forms.DateField(label="办理时限", widget=DateInput())
    note = forms.CharField(label="交办意见", max_length=2000, required=False)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler_org"].choices = [("", "请选择…"), *orgs]


class ReplyForm(MoveForm):
    move, label = "reply", "答复"
    reply = forms.CharField(label="答复内容", max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class RateForm(MoveForm):
    move, label = "rate", "评价"
    rating = forms.ChoiceField(label="评价", choices=Satisfaction.choices, widget=forms.RadioSelect)
    rating_note = forms.CharField(label="评价意见", max_length=500, required=False)


class AskAgainForm(MoveForm):
    move, label = "ask_again", "申请再次答复"
    rating_note = forms.CharField(label="理由", max_length=500, required=False)


FORMS = {f.move: f for f in (AcceptForm, RejectForm, MergeForm, AssignForm, ReplyForm, RateForm, AskAgainForm)}
