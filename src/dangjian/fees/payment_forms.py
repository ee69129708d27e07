"""Forms of the payment pages. Amounts are typed in yuan and handed to the services in whole fen."""

import uuid

from django import forms

from dangjian.core.forms import BootstrapFormMixin, FactDateField

from .choices import PayMethod
from .payments import MonthOption
from .rules import ERR_YUAN, yuan_to_fen

AMOUNT_CHARS = 14


class YuanField(forms.Field):
    """A yuan amount ("12.50") → whole fen (int); more than two decimals, or more than AMOUNT_CHARS, refused."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        return {
            **super().widget_attrs(widget),
            "maxlength": AMOUNT_CHARS,
            "inputmode": "decimal",
            "autocomplete": "off",
        }

    def to_python(self, value):
        value = (value or "").strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        if len(str(value)) > AMOUNT_CHARS:
            raise forms.ValidationError(ERR_YUAN)
        try:
            return yuan_to_fen(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class PaymentForm(BootstrapFormMixin, forms.Form):
    """One member's payment: months from those owed and the next ones ahead, the amount prefilled with their sum."""

    months = forms.TypedMultipleChoiceField(label="所交月份", widget=forms.CheckboxSelectMultiple)
    amount_fen = YuanField(label="金额（元）", help_text="按所选月份从早到晚分摊；不足时最后一个月为部分交纳")
    extra_fen = YuanField(label="自愿多交（元）", required=False, help_text="自愿多交的部分单独记录，不计入各月")
    paid_on = FactDateField(label="交纳日期")
    method = forms.ChoiceField(label="交纳方式", choices=PayMethod.choices)
    receipt_no = forms.CharField(label="收据编号", max_length=50, required=False)
    reference = forms.CharField(label="转账/交易流水号", max_length=100, required=False)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, options: list[MonthOption], **kwargs):
        by_value = {o.month.isoformat(): o for o in options}
        initial_months = [o.month.isoformat() for o in options if o.line_exists]
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("months", initial_months)
        owed = sum(by_value[m].owed_fen for m in initial_months)
        if owed:
            kwargs["initial"].setdefault("amount_fen", f"{owed // 100}.{owed % 100:02d}")
        kwargs["initial"].setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        field = self.fields["months"]
        field.choices = [(value, option.label) for value, option in by_value.items()]
        field.coerce = lambda value: by_value[value].month
        field.column = "col-12"
        for name in ("amount_fen", "extra_fen", "paid_on", "method", "receipt_no", "reference"):
            self.fields[name].column = "col-12 col-md-6"

    def clean(self):
        data = super().clean()
        if data.get("extra_fen") is None:
            data["extra_fen"] = 0
        return data


class ReverseForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class BulkMonthForm(BootstrapFormMixin, forms.Form):
    """A branch's month on one page: method and date shared, a 已交清 tick and an optional amount per member."""

    paid_on = FactDateField(label="交纳日期")
    method = forms.ChoiceField(label="交纳方式", choices=PayMethod.choices, initial=PayMethod.CASH)
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, lines, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        self.rows = []
        self.row_errors: dict[str, list[str]] = {}  # a service's refusals, "row-<member id>" → messages
        for line in self.lines:
            tick, amount = f"paid-{line.member_id}", f"amount-{line.member_id}"
            self.fields[tick] = forms.BooleanField(label="已交清", required=False)
            self.fields[amount] = YuanField(label=f"{line.member.name} 金额（元）", required=False)
            self.fields[amount].widget.attrs["placeholder"] = f"{line.owed_fen // 100}.{line.owed_fen % 100:02d}"
            self.fields[tick].widget.attrs["class"] = "form-check-input"
            self.rows.append((line, tick, amount))

    def bound_rows(self):
        """(line, tick field, amount field, errors of the row) for the template."""
        for line, tick, amount in self.rows:
            yield line, self[tick], self[amount], self.row_errors.get(f"row-{line.member_id}", [])

    def ticked(self) -> list[tuple[int, int | None]]:
        return [
            (line.member_id, self.cleaned_data.get(amount))
            for line, tick, amount in self.rows
            if self.cleaned_data.get(tick)
        ]


IMPORT_COLUMNS = "姓名（或党员编号）、月份、金额、交纳方式、收据编号、交纳日期"


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="党费缴纳表（.xlsx）",
        help_text=f"第一行为表头：{IMPORT_COLUMNS}；每行一名党员一个月份；不超过 5 MB、5,000 行",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
