"""The forms of the 首问负责 register: record (on a phone), hand on, close."""

from django import forms
from django.utils import timezone

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, LongSelect
from dangjian.core.roles import Capability
from dangjian.core.validators import future_message

from . import inquiries
from .choices import Channel, Satisfaction


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.org.name}）"


class PromiseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.item}（{obj.time_limit_days}天）"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["max"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
        return context


class InquiryForm(BootstrapFormMixin, forms.Form):
    """首问登记: who asked, how, what, when; optionally the service promise it falls under."""

    asker = forms.CharField(label="来访/来电人", max_length=50)
    asker_phone = forms.RegexField(
        label="联系电话",
        max_length=20,
        required=False,
        regex=r"^[0-9+\- ]{3,20}$",
        error_messages={"invalid": "联系电话只能包含数字、+、- 和空格"},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices)
    content = forms.CharField(
        label="事项",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )
    asked_at = forms.DateTimeField(
        label="受理时间", widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    promise = PromiseChoiceField(label="对应服务承诺", queryset=None, required=False, empty_label="无（默认时限）")
    first_person = MemberChoiceField(
        label="首问责任人", queryset=None, required=False, empty_label="本人", widget=LongSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = inquiries.own_member(user)
        self.fields["promise"].queryset = inquiries.promises_for(user, own.org if own else None)
        self.fields["promise"].help_text = f"不选时办结时限为{inquiries.DEFAULT_LIMIT_DAYS}天"
        if not self.is_bound:
            self.initial.setdefault("asked_at", timezone.localtime().replace(second=0, microsecond=0))
        people = inquiries.recordable_members(user)
        if own is not None and not user.can(Capability.CHANGE):
            del self.fields["first_person"]
        else:
            self.fields["first_person"].queryset = people
            if own is None:
                self.fields["first_person"].required = True
                self.fields["first_person"].empty_label = ""
        for name in self.fields:
            self.fields[name].column = "col-12 col-md-6"
        self.fields["content"].column = "col-12"

    def clean_asked_at(self):
        value = self.cleaned_data["asked_at"]
        if value is not None and value > timezone.now():
            raise forms.ValidationError("受理时间" + future_message())
        return value


class HandOnForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    # A committee's scope holds thousands of members: the options written out in Python (core.forms.LongSelect).
    to_member = MemberChoiceField(label="接收人", queryset=None, widget=LongSelect)
    note = forms.CharField(label="移交说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))

    def __init__(self, *args, user, inquiry, **kwargs):
        super().__init__(*args, version_of=inquiry, **kwargs)
        self.fields["to_member"].queryset = inquiries.receivers(user).exclude(pk=inquiry.holder_id)


class CloseForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    result = forms.CharField(
        label="办理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000})
    )
    satisfaction = forms.ChoiceField(label="来访人满意度", choices=Satisfaction.choices, widget=forms.RadioSelect)
