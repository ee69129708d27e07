"""LongSelect writes the same select as Django's own widget, without a template per option."""

import re

import pytest
from django import forms

from dangjian.core.forms import LongSelect

CHOICES = [("", "全部组织"), ("1", "测试<机关>党委"), ("2", "　第一党总支"), ("3", '办公室 & "党支部"')]


def squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", ["", "2", None, "99"])
def test_long_select_renders_as_djangos_select(value):
    attrs = {"id": "id_org", "required": True}
    django_select = forms.Select(choices=CHOICES, attrs={"class": "form-select"}).render("org", value, attrs=attrs)
    long_select = LongSelect(choices=CHOICES, attrs={"class": "form-select"}).render("org", value, attrs=attrs)
    assert squeeze(long_select) == squeeze(django_select)
    assert "&lt;机关&gt;" in long_select and "&amp; &quot;党支部&quot;" in long_select
