"""Forms of 承诺践诺: publish (a member's own or a branch's), edit (versioned), 践诺 (a phase, evidence optional),
评诺 (versioned)."""

from django import forms

from dangjian.core import clock
from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, FactDateField

from . import commitments
from .choices import CommitmentGrade, Phase
from .models import LONG_TEXT, Commitment

TEXT_MAX = 2000
EVIDENCE_ACCEPT = "image/*,application/pdf,.doc,.docx"


class CommitmentForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    year = forms.TypedChoiceField(label="承诺年度", coerce=int, choices=())
    content = forms.CharField(
        label="承诺事项", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX})
    )
    measures = forms.CharField(
        label="可衡量的标准",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
        help_text="如：全年参加集中学习不少于12次，办结群众诉求100%",
    )
    published_on = FactDateField(label="公开日期")

    def __init__(self, *args, commitment: Commitment | None = None, **kwargs):
        if commitment is not None:
            kwargs.setdefault("initial", {name: getattr(commitment, name) for name in commitments.FIELDS})
        super().__init__(*args, version_of=commitment, **kwargs)
        today = clock.today()
        years = [today.year] + ([today.year + 1] if today.month == 12 else [])
        self.fields["year"].choices = [(y, f"{y}年") for y in years]
        if commitment is not None:
            del self.fields["year"]
        for name in ("content", "measures"):
            self.fields[name].column = "col-12"


class FulfilmentForm(BootstrapFormMixin, forms.Form):
    phase = forms.ChoiceField(label="践诺阶段", choices=Phase.choices)
    done = forms.CharField(
        label="践诺情况", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX})
    )
    recorded_on = FactDateField(label="登记日期")
    evidence = forms.FileField(
        label="佐证材料",
        required=False,
        widget=forms.FileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text="可选；JPG、PNG 图片，PDF 或 Word 文件，不超过 10 MB",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done"].column = "col-12"


class GradeForm(VersionedFormMixin, BootstrapFormMixin, forms.Form):
    grade = forms.ChoiceField(label="评诺等次", choices=CommitmentGrade.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="评诺意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )


assert TEXT_MAX <= LONG_TEXT
