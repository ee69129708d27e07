"""Forms of 座谈会/个别交流: the record (pick a held meeting or a talk of the org: its date and people come from
there), an opinion, and an opinion made a problem."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin, FactDateField

from . import consultations
from .choices import ConsultationKind
from .models import Consultation
from .problem_forms import ProblemFieldsMixin

#: How many of the org's latest meetings and talks the pickers offer.
PICK_MAX = 200


class ConsultationForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    kind = forms.ChoiceField(label="形式", choices=ConsultationKind.choices)
    topic = forms.CharField(label="主题", max_length=200)
    meeting = forms.ModelChoiceField(
        label="会议记录",
        queryset=None,
        required=False,
        help_text="座谈会已作为会议登记的，选择该会议：日期和参加人员取自会议记录",
    )
    talk = forms.ModelChoiceField(
        label="谈心谈话记录",
        queryset=None,
        required=False,
        help_text="已登记为谈心谈话的，选择该记录：日期和交流对象取自谈话记录",
    )
    held_on = FactDateField(label="日期", required=False, help_text="未选择会议或谈话记录时填写")
    participants = forms.CharField(
        label="参加人员/交流对象", max_length=consultations.PARTICIPANTS_MAX, required=False,
        help_text="未选择记录、或会议未登记出席情况时填写",
    )  # fmt: skip
    summary = forms.CharField(
        label="情况记录", max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, user, org, consultation: Consultation | None = None, **kwargs):
        if consultation is not None:
            names = ("kind", "topic", "meeting", "talk", "held_on", "participants", "summary")
            kwargs.setdefault("initial", {name: getattr(consultation, name) for name in names})
        super().__init__(*args, version_of=consultation, **kwargs)
        meetings = consultations.linkable_meetings(user, org)
        talks = consultations.linkable_talks(user, org)
        keep_m = [consultation.meeting_id] if consultation is not None and consultation.meeting_id else []
        keep_t = [consultation.talk_id] if consultation is not None and consultation.talk_id else []
        m_ids = list(meetings.values_list("pk", flat=True)[:PICK_MAX]) + keep_m
        t_ids = list(talks.values_list("pk", flat=True)[:PICK_MAX]) + keep_t
        self.fields["meeting"].queryset = meetings.filter(pk__in=m_ids)
        self.fields["meeting"].label_from_instance = lambda m: f"{m.starts_at:%Y-%m-%d} {m.topic}"
        self.fields["talk"].queryset = talks.filter(pk__in=t_ids)
        self.fields["talk"].label_from_instance = lambda t: f"{t.held_on:%Y-%m-%d} {t.talker.name}—{t.talkee.name}"
        self.fields["summary"].column = "col-12"


class OpinionForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(label="意见建议", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    raised_by = forms.CharField(label="提出人", max_length=50, required=False, help_text="可不填")


class FindingProblemForm(ProblemFieldsMixin, BootstrapFormMixin, forms.Form):
    """A finding made a problem of an org: an opinion heard (the consultation's org), an adopted proposal (the org
    handling it)."""
