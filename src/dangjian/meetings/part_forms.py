"""Forms of a meeting's parts (attachments, 组织生活会, 民主评议) and of the talks."""

from django import forms
from django.core.validators import MaxLengthValidator

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, DateInput, FactDateField

from .choices import CriticismKind, Rating, TalkKind
from .models import LifeMeetingItem, Rectification, Talk
from .parts import ALLOWED_SUFFIXES, attachment_max_bytes

ERR_NO_RATING = "填写了票数，请选择评议等次"


def _member_label(member) -> str:
    return member.name


def _limit(field: forms.CharField, chars: int) -> None:
    """Bound a model form's text field (a TextField has no max_length): checked on the server, hinted to browsers."""
    field.max_length = chars
    field.validators.append(MaxLengthValidator(chars))
    field.widget.attrs["maxlength"] = str(chars)


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="文件", error_messages={"required": "请选择要上传的文件"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = attachment_max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = f"JPG、PNG 图片，PDF 或 Word 文件，不超过 {limit} MB"
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_SUFFIXES)


class LifeItemForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = LifeMeetingItem
        fields = ["member", "kind", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 5, "maxlength": 5000})}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = _member_label
        self.fields["kind"].choices = CriticismKind.choices
        _limit(self.fields["content"], 5000)


class RectificationForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    done_on = FactDateField(label="完成日期", required=False)

    class Meta:
        model = Rectification
        fields = ["content", "owner", "deadline", "done_on"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}), "deadline": DateInput()}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = _member_label
        _limit(self.fields["content"], 2000)


VOTE_FIELDS = ("votes_excellent", "votes_qualified", "votes_basic", "votes_unqualified")
VOTE_LABELS = dict(zip(VOTE_FIELDS, ("优秀票", "合格票", "基本合格票", "不合格票"), strict=True))


class AppraisalForm(BootstrapFormMixin, forms.Form):
    """One row per invitee: a rating (optional: no rating removes it) and four vote counts, each 0..invitees."""

    def __init__(self, *args, members, ratings: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        limit = max(len(self.members), 1)
        self.rows = []
        for member in self.members:
            current = ratings.get(member.pk)
            rating = forms.ChoiceField(
                label=f"{member.name} 评议等次",
                choices=[("", "（未评议）"), *Rating.choices],
                required=False,
                initial=current.rating if current else "",
            )
            self.fields[f"rating_{member.pk}"] = rating
            names = [f"rating_{member.pk}"]
            for vote in VOTE_FIELDS:
                name = f"{vote}_{member.pk}"
                self.fields[name] = forms.IntegerField(
                    label=f"{member.name} {VOTE_LABELS[vote]}",
                    min_value=0,
                    max_value=limit,
                    required=False,
                    initial=getattr(current, vote) if current else 0,
                    widget=forms.NumberInput(attrs={"min": 0, "max": limit, "inputmode": "numeric"}),
                )
                names.append(name)
            self.rows.append((member, names))
        # BootstrapFormMixin ran before these fields existed: style them now.
        for field in self.fields.values():
            css = (
                "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
            if isinstance(field, forms.ChoiceField):
                self._plain_select(field)

    def bound_rows(self):
        """(member, rating field, [vote fields]) for the template."""
        return [(m, self[names[0]], [self[n] for n in names[1:]]) for m, names in self.rows]

    def clean(self):
        data = super().clean()
        for _member, names in self.rows:
            votes = [data.get(n) or 0 for n in names[1:]]
            if any(votes) and not data.get(names[0]):
                self.add_error(names[0], ERR_NO_RATING)
        return data

    def rating_rows(self) -> list[dict]:
        out = []
        for member, names in self.rows:
            row = {"member": member, "rating": self.cleaned_data.get(names[0]) or ""}
            for vote, name in zip(VOTE_FIELDS, names[1:], strict=True):
                row[vote] = self.cleaned_data.get(name) or 0
            out.append(row)
        return out


class TalkForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    held_on = FactDateField(label="谈话日期")

    class Meta:
        model = Talk
        fields = ["talker", "talkee", "held_on", "kind", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5, "maxlength": 5000})}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("talker", "talkee"):
            self.fields[name].queryset = members
            self.fields[name].label_from_instance = _member_label
        self.fields["kind"].choices = TalkKind.choices
        _limit(self.fields["summary"], 5000)


class TalkFilterForm(forms.Form):
    """The talk list's filters; a value outside its bounds is ignored (the default)."""

    org = forms.ModelChoiceField(label="组织", queryset=None, required=False, empty_label="全部")
    kind = forms.ChoiceField(label="谈话类型", choices=[("", "全部"), *TalkKind.choices], required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
