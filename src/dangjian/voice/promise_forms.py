"""Forms of the 服务承诺 register: a promise (new: with its org; edit: versioned, the org fixed)."""

from django import forms

from dangjian.core.concurrency import VersionedFormMixin
from dangjian.core.forms import BootstrapFormMixin

from . import promises
from .models import ServicePromise

STANDARD_MAX = 2000


class PromiseForm(BootstrapFormMixin, VersionedFormMixin, forms.Form):
    org = forms.ModelChoiceField(label="承诺部门（党组织）", queryset=None)
    item = forms.CharField(label="服务事项", max_length=200)
    time_limit_days = forms.IntegerField(label="办结时限（天）", min_value=1, max_value=promises.LIMIT_MAX)
    standard = forms.CharField(
        label="服务标准", max_length=STANDARD_MAX, widget=forms.Textarea(attrs={"rows": 3, "maxlength": STANDARD_MAX})
    )

    def __init__(self, *args, orgs=None, promise: ServicePromise | None = None, **kwargs):
        if promise is not None:
            kwargs.setdefault("initial", {name: getattr(promise, name) for name in promises.FIELDS})
        super().__init__(*args, version_of=promise, **kwargs)
        if promise is None:
            self.fields["org"].queryset = orgs
            self.fields["org"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"
        else:
            del self.fields["org"]
        self.fields["standard"].column = "col-12"
