from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from .roles import Role


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and is-invalid on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self):
        """Outline fields with errors, including errors added after cleaning (from a service)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class LongSelect(forms.Select):
    """A select of flat choices written out in Python: Django renders each option through its own template, which
    adds up when an org filter over a large tree lists hundreds of them on every roster page."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in selected else "", label) for key, label in self.choices),
        )
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class GrantForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label="登录名", max_length=150)
    full_name = forms.CharField(label="姓名（新账号时填写）", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org = forms.ModelChoiceField(label="组织", queryset=None)

    def __init__(self, *args, orgs, roles: list[str], **kwargs):
        """`roles`: those the user may grant somewhere in their scope, least privileged first (the default); the
        service checks the role against the chosen org."""
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["org"].label_from_instance = lambda o: f"{'　' * (o.depth - 1)}{o.name}"
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        if roles:
            self.fields["role"].initial = roles[0]


ERR_SAME_PASSWORD = "新密码不能与原密码相同。"


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's, refusing the old password as the new one (an initial or temporary password must really change)."""

    def clean(self):
        cleaned = super().clean()
        new = cleaned.get("new_password1")
        if new and cleaned.get("old_password") and new == cleaned["old_password"]:
            self.add_error("new_password1", ERR_SAME_PASSWORD)
        return cleaned


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="令牌名称", max_length=100, help_text="写明用途，便于日后辨认和撤销，如：人事系统同步")


ERR_SIX_DIGITS = "验证码是6位数字。"


class SecondFactorForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=6,
        min_length=6,
        error_messages={"required": "请输入6位验证码。", "min_length": ERR_SIX_DIGITS, "max_length": ERR_SIX_DIGITS},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(ERR_SIX_DIGITS)
        return code
