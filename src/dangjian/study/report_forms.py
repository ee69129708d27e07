"""The forms of self-reported study: a member's report (on a phone) and the branch's review of it."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, FactDateField

from . import rules, services
from .choices import REPORT_KINDS

#: What the certificate input offers on a phone (the camera or a PDF); the content is checked on the server.
CERTIFICATE_ACCEPT = "image/*,application/pdf"


class ReportForm(BootstrapFormMixin, forms.Form):
    """自学申报: what was studied, where, when, how many 学时, with its certificate (the rules' bounds and the file's
    content are checked by services.submit_report; its messages land beside these fields)."""

    course = forms.CharField(label="课程/培训名称", max_length=200)
    provider = forms.CharField(label="举办单位/平台", max_length=200, help_text="如：中国干部网络学院、市委党校")
    kind = forms.ChoiceField(label="学习形式", choices=[("", ""), *((k.value, k.label) for k in REPORT_KINDS)])
    studied_on = FactDateField(label="学习日期")
    hours = forms.DecimalField(
        label="学时",
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(
            attrs={"step": str(rules.HOURS_STEP), "min": str(rules.HOURS_STEP), "max": str(rules.DAY_MAX_HOURS)}
        ),
        help_text=f"大于0，最多{rules.DAY_MAX_HOURS}，保留一位小数",
    )
    certificate = forms.FileField(
        label="证书/证明",
        widget=forms.FileInput(attrs={"accept": CERTIFICATE_ACCEPT}),
        help_text=f"结业证书、学习记录截图等，{services.CERTIFICATE_TEXT}",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("course", "provider", "studied_on", "hours", "certificate"):
            self.fields[name].column = "col-12 col-md-6"
        self.fields["kind"].column = "col-12 col-md-6"


class ReviewForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    """认定 or 不予认定 with the reason, made from the version of the report shown."""

    decision = forms.ChoiceField(
        label="认定结果",
        choices=[(services.REVIEW_APPROVE, "认定"), (services.REVIEW_REJECT, "不予认定")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="审核意见",
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
        help_text="不予认定时必须填写原因",
    )
