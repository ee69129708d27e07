from django import forms

from dangjian.core.forms import BootstrapFormMixin, FactDateField

from . import rules
from .choices import FeeKind
from .selectors import parse_month


class YuanField(forms.CharField):
    """Yuan typed as text, cleaned to whole fen (Decimal, at most 2 decimals): 6500.5 → 650050."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", rules.YUAN_MAX_CHARS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value):
        text = super().clean(value)  # the text bounded first (max_length)
        try:
            return rules.parse_yuan(text)
        except ValueError as refused:
            raise forms.ValidationError(str(refused)) from None


class MonthField(forms.CharField):
    """A month typed as 2026-03 (the browser's month picker): its first day."""

    def __init__(self, **kwargs):
        super().__init__(max_length=7, widget=forms.TextInput(attrs={"type": "month"}), **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as refused:
            raise forms.ValidationError(str(refused)) from None


class BaseForm(BootstrapFormMixin, forms.Form):
    """A member's new fee kind and base, from a month on (the service checks the per-kind rules)."""

    kind = forms.ChoiceField(label="交纳类别", choices=FeeKind.choices, widget=forms.RadioSelect)
    base_fen = YuanField(
        label="党费基数（元/月）",
        help_text="在职：税后工资收入扣除个人缴纳的社保、公积金；离退休：养老金。其他类别不填。",
    )
    fixed_fen = YuanField(label="农民党员每月交纳（元）", help_text="0.2 元至 1 元，由本人确定", max_length=6)
    effective_month = MonthField(label="起始月份", help_text="自该月起按新基数计算（最晚为下月）")
    approved_on = FactDateField(label="批准日期", required=False)
    reason = forms.CharField(label="批准理由/说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].column = "col-12"
        self.fields["fixed_fen"].shown_by = f"kind={FeeKind.FARMER}"
        self.fields["approved_on"].shown_by = f"kind={FeeKind.EXEMPT}"


class CheckUploadForm(BootstrapFormMixin, forms.Form):
    """The filled 核定 sheet (bounded here by size; check.read_rows checks its content before parsing)."""

    sheet = forms.FileField(label="填好的核定表（.xlsx，不超过 5 MB）")

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["sheet"].widget.attrs["accept"] = ".xlsx"
        self.fields["sheet"].column = "col-12"

    def clean_sheet(self):
        upload = self.cleaned_data["sheet"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"文件超过 {self.max_bytes // (1024 * 1024)} MB，请按党支部分别核定")
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 文件（本页下载的核定表）")
        return upload
