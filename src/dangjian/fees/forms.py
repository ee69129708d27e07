from django import forms

from dangjian.core.forms import BootstrapFormMixin, LongSelect


class BranchPickForm(BootstrapFormMixin, forms.Form):
    org = forms.ChoiceField(label="党支部", widget=LongSelect)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        rows = orgs.values_list("pk", "name")
        self.fields["org"].choices = [("", "请选择…"), *((str(pk), name) for pk, name in rows)]
