from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from . import clock
from .roles import Role
from .validators import not_in_future

# The wording of field errors. Django's own (and its model fields') come from the project's translation catalog
# (locale/zh_Hans/LC_MESSAGES/django.po), which replaces Django's "确保该变量包含不超过 50 字符" everywhere, forms,
# models and the API alike; these constants are the same texts for tests and code (test_form_messages keeps them
# equal). A select says "请选择一项" rather than "请填写此项" (BootstrapFormMixin).
ERR_REQUIRED = "请填写此项"
ERR_CHOOSE = "请选择一项"
ERR_DATE = "请输入有效的日期，例如 2024-03-01"
ERR_CHOICE = "请从列表中选择一项"
ERR_TOO_LONG = "最多 {limit} 个字（现有 {length} 个）"
ERR_TOO_SHORT = "至少 {limit} 个字（现有 {length} 个）"
ERR_NUMBER = "请输入数字"
ERR_MAX_VALUE = "不能大于 {limit}"
ERR_MIN_VALUE = "不能小于 {limit}"
#: The blank choice of a select instead of Django's "---------": a required one asks, an optional one means none.
EMPTY_REQUIRED = "请选择…"
EMPTY_OPTIONAL = "（无）"
CHOICE_LIST_TEMPLATE = "core/widgets/choice_list.html"


def _is_blank_choice(choice) -> bool:
    value, label = choice
    return value in ("", None) and not isinstance(label, list | tuple)


class BootstrapFormMixin:
    """Bootstrap 5 classes on every widget, and is-invalid on fields with errors; selects without "---------" (their
    blank choice says 请选择… or （无）) and with "请选择一项" when left empty."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                self._plain_select(field)
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):  # radio buttons, and checkboxes (CheckboxSelectMultiple)
                css = "form-check-input"
                widget.template_name = CHOICE_LIST_TEMPLATE
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    @staticmethod
    def _plain_select(field) -> None:
        empty = EMPTY_REQUIRED if field.required else EMPTY_OPTIONAL
        if field.required:
            field.error_messages = {**field.error_messages, "required": ERR_CHOOSE}
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None:
                field.empty_label = empty
        elif any(_is_blank_choice(choice) for choice in field.choices):
            field.choices = [
                (value, empty) if _is_blank_choice((value, label)) else (value, label) for value, label in field.choices
            ]

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


class ChecklistWidget(forms.CheckboxSelectMultiple):
    """People to tick from a list of up to a few hundred: a box with a filter by name, 全选/清空, buttons that tick a
    named subset (`presets`: key → (label, values), e.g. the committee's seats), and the count ticked (dangjian.js,
    [data-checklist]). Written out in Python like LongSelect: one template per option adds up at hundreds."""

    def __init__(self, *args, presets: dict[str, tuple[str, set]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = presets or {}

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        base_id = attrs.get("id", f"id_{name}")
        selected = {str(v) for v in self.format_value(value)}
        marks = {key: {str(v) for v in values} for key, (_label, values) in self.presets.items()}

        def option(index, key, label):
            key = str(key)
            data = "".join(f" data-preset-{preset}" for preset, values in marks.items() if key in values)
            return (base_id, index, name, key, " checked" if key in selected else "", data, base_id, index, label)

        options = format_html_join(
            "",
            '<div class="form-check"><input type="checkbox" class="form-check-input" id="{}_{}" name="{}" value="{}"'
            '{}{}><label class="form-check-label" for="{}_{}">{}</label></div>',
            (option(i, key, label) for i, (key, label) in enumerate(self.choices)),
        )
        buttons = format_html_join(
            "",
            '<button type="button" class="btn btn-sm btn-outline-secondary" data-check="{}">{}</button>',
            [("all", "全选"), ("none", "清空"), *((key, label) for key, (label, _v) in self.presets.items())],
        )
        return format_html(
            '<div class="checklist border rounded p-2" data-checklist id="{}">'
            '<div class="d-flex flex-wrap gap-2 mb-2 align-items-center">'
            '<input type="search" class="form-control form-control-sm checklist-filter" data-checklist-filter'
            ' placeholder="按姓名筛选" aria-label="按姓名筛选">{}'
            '<span class="small text-muted" data-checklist-count aria-live="polite"></span></div>'
            '<div class="checklist-options">{}</div></div>',
            base_id,
            buttons,
            options,
        )

    def id_for_label(self, id_, index=None):
        return f"{id_}_0" if id_ else id_


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class FactDateInput(DateInput):
    """A date picker that offers no day after today (`max`, set when rendered: the page may be made on a later day
    than the form)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["max"] = clock.today().isoformat()
        return context


class FactDateField(forms.DateField):
    """The date of a fact (a birth, a joining, an election): never after today, in the browser and on the server
    (core.validators.not_in_future, which the model's clean() and the service apply again)."""

    widget = FactDateInput
    default_validators = [not_in_future]


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
