"""Plain Chinese in every form: the field messages of the project's catalog, selects without "---------", and a fact's
date never after today (core.validators, core.forms.FactDateField)."""

import re
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

import dangjian
from dangjian.core.forms import (
    EMPTY_OPTIONAL,
    EMPTY_REQUIRED,
    ERR_CHOICE,
    ERR_CHOOSE,
    ERR_DATE,
    ERR_MAX_VALUE,
    ERR_MIN_VALUE,
    ERR_NUMBER,
    ERR_REQUIRED,
    ERR_TOO_LONG,
    ERR_TOO_SHORT,
    BootstrapFormMixin,
    FactDateField,
)
from dangjian.core.tests.scope_walk import app_cases
from dangjian.core.validators import check_not_future, future_errors, future_message, not_in_future

CATALOG = Path(dangjian.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def po_entries(path: Path) -> list[tuple[str, str | None, str]]:
    """(msgid, msgid_plural, msgstr or msgstr[0]) of each entry of a .po file (the header left out)."""
    entries, current, key = [], {}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if "msgid" in current and current["msgid"]:
                entries.append((current["msgid"], current.get("msgid_plural"), current.get("msgstr", "")))
            if not line:
                current, key = {}, None
            continue
        match = re.match(r'(msgid_plural|msgid|msgstr(?:\[0\])?)\s+"(.*)"$', line)
        if match:
            key = match.group(1).replace("[0]", "")
            current[key] = match.group(2)
        else:
            current[key] += re.match(r'"(.*)"$', line).group(1)
    return [(_unescape(i), p and _unescape(p), _unescape(s)) for i, p, s in entries]


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace('\\"', '"')


def test_the_compiled_catalog_holds_every_message_of_the_po_file():
    """The .mo is committed: it must be compiled from the .po as it stands (msgfmt --check -o django.mo django.po)."""
    entries = po_entries(CATALOG)
    assert len(entries) > 30
    with translation.override("zh-hans"):
        for msgid, plural, msgstr in entries:
            got = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
            assert got == msgstr, f"django.mo is older than django.po: run msgfmt ({msgid!r})"


def test_djangos_messages_are_the_plain_ones():
    with translation.override("zh-hans"):
        cases = [
            (forms.CharField(), "", ERR_REQUIRED),
            (forms.CharField(max_length=50), "张" * 51, ERR_TOO_LONG.format(limit=50, length=51)),
            (forms.CharField(min_length=6), "12345", ERR_TOO_SHORT.format(limit=6, length=5)),
            (forms.DateField(), "2024-13-01", ERR_DATE),
            (forms.ChoiceField(choices=[("a", "甲")]), "b", ERR_CHOICE),
            (forms.DecimalField(), "六千", ERR_NUMBER),
            (forms.IntegerField(max_value=9), "10", ERR_MAX_VALUE.format(limit=9)),
            (forms.IntegerField(min_value=1), "0", ERR_MIN_VALUE.format(limit=1)),
        ]
        for field, value, message in cases:
            with pytest.raises(ValidationError) as error:
                field.clean(value)
            assert error.value.messages == [message]
            assert "确保" not in message and "字段" not in message


def test_a_model_fields_messages_are_plain_too(world):
    """Model validation (the services' full_clean, the API) speaks the same words."""
    from dangjian.orgs.models import Organization

    org = Organization(name="张" * 101, kind="nonsense", code="", path="0001", depth=1)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        org.full_clean()
    assert error.value.message_dict["name"] == [ERR_TOO_LONG.format(limit=100, length=101)]
    assert error.value.message_dict["kind"] == [ERR_CHOICE]
    assert error.value.message_dict["code"] == [ERR_REQUIRED]


class Sample(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")])
    maybe = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    org = forms.ModelChoiceField(queryset=None)
    other_org = forms.ModelChoiceField(queryset=None, required=False)
    on = FactDateField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.orgs.models import Organization

        self.fields["org"].queryset = self.fields["other_org"].queryset = Organization.objects.unrestricted()


def test_selects_ask_for_a_choice_without_dashes(world):
    form = Sample()
    html = str(form)
    assert "---------" not in html
    assert form.fields["kind"].choices[0] == ("", EMPTY_REQUIRED)
    assert form.fields["maybe"].choices[0] == ("", EMPTY_OPTIONAL)
    assert form.fields["org"].empty_label == EMPTY_REQUIRED
    assert form.fields["other_org"].empty_label == EMPTY_OPTIONAL
    bound = Sample(data={"on": "2020-01-01"})
    assert not bound.is_valid()
    assert bound.errors["kind"] == [ERR_CHOOSE] and bound.errors["org"] == [ERR_CHOOSE]
    assert "maybe" not in bound.errors and "other_org" not in bound.errors


# ── a fact's date is never in the future ────────────────────────────────────


def test_the_message_names_today(clock):
    clock.set(date(2027, 3, 1))
    assert future_message() == "不能晚于今天（2027年3月1日）"
    assert future_message(date(2026, 11, 9)) == "不能晚于今天（2026年11月9日）"


def test_today_is_accepted_and_tomorrow_refused(clock, tomorrow):
    not_in_future(clock.today())
    not_in_future(None)
    with pytest.raises(ValidationError) as error:
        not_in_future(tomorrow)
    assert error.value.messages == [future_message()]
    assert future_errors(a=clock.today(), b=tomorrow, c=None) == {"b": [future_message()]}
    with pytest.raises(ValidationError) as error:
        check_not_future(started_on=tomorrow, ended_on=clock.today())
    assert error.value.message_dict == {"started_on": [future_message()]}


def test_a_fact_date_field_refuses_tomorrow_and_offers_no_later_day(clock, tomorrow):
    clock.set(date(2028, 2, 29))
    field = FactDateField()
    assert field.clean("2028-02-29") == date(2028, 2, 29)
    with pytest.raises(ValidationError) as error:
        field.clean("2028-03-01")
    assert error.value.messages == ["不能晚于今天（2028年2月29日）"]
    html = field.widget.render("on", None)
    assert 'type="date"' in html and 'max="2028-02-29"' in html
    clock.set(date(2028, 3, 1))  # the page of a later day offers that day
    assert 'max="2028-03-01"' in field.widget.render("on", None)


# ── every form page ─────────────────────────────────────────────────────────

#: Every page that GETs and POSTs (a form), as a persona who may use it, on its branch-A object.
FORM_PAGES = {name: case for name, case in app_cases("CASES").items() if case.get and case.post and case.a_ok}
#: Persons in order of preference: the widest first, so the pages show the most choices.
PREFERENCE = ["admin", "secretary_a", "committee_member_a", "secretary_b", "inspector", "member_user_a"]


def test_the_walk_covers_the_form_pages():
    assert {"members:create", "members:edit", "members:status", "orgs:create", "orgs:term_create"} <= set(FORM_PAGES)
    assert {"orgs:seat_add", "orgs:seat_end", "core:grants"} <= set(FORM_PAGES)


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_no_form_page_shows_dashes_and_fact_dates_stop_at_today(name, world, client_for, clock):
    case = FORM_PAGES[name]
    persona = next(p for p in PREFERENCE if p in case.a_ok)
    args, query = case.a(world)
    response = client_for(world.personas()[persona]).get(reverse(name, args=args) + query)
    assert response.status_code == case.ok_status
    text = response.content.decode()
    assert "---------" not in text
    for tag in re.findall(r'<input type="date"[^>]*>', text):
        # Planned dates lie ahead: a term's end, a 整改 item's deadline (meetings), a survey's closing day.
        if not re.search(r'name="(ends_on|deadline|closes_on)"', tag):
            assert f'max="{clock.today().isoformat()}"' in tag, tag
