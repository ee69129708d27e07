"""The roster table's own row template shows exactly what django-tables2's generic rows would, column by column,
for users who see personal data and users who see it masked (a new column must be added to both)."""

import re

import django_tables2 as tables
import pytest
from django.template import Context, Template
from django.test import RequestFactory

from dangjian.members.choices import Education, Status
from dangjian.members.models import Member
from dangjian.members.selectors import member_filterset
from dangjian.members.tables import MemberTable
from dangjian.members.tests.factories import MemberFactory

GENERIC = "django_tables2/bootstrap5-responsive.html"


def cells(user, rows, template_name: str) -> list[tuple[str, str, str]]:
    """(td classes, data-label, text) of every body cell, the table rendered with `template_name`."""
    request = RequestFactory().get("/members/")
    request.user, request.session = user, {}
    table = MemberTable(rows, user=user, template_name=template_name)
    tables.RequestConfig(request, paginate={"per_page": 100}).configure(table)
    html = Template("{% load django_tables2 %}{% render_table table %}").render(
        Context({"table": table, "request": request})
    )
    body = html.split("<tbody", 1)[1]
    return [
        (
            " ".join(sorted(re.findall(r'class="([^"]*)"', attrs)[0].split())) if "class" in attrs else "",
            re.findall(r'data-label="([^"]*)"', attrs)[0] if "data-label" in attrs else "",
            " ".join(text.split()),
        )
        for attrs, text in re.findall(r"<td([^>]*)>(.*?)</td>", body, re.S)
    ]


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "inspector", "secretary_b"])
def test_the_roster_rows_are_what_tables2_would_render(world, persona):
    # A member with no 党小组 and one transferred out, beside the world's.
    MemberFactory(org=world.branch_a, group=None)
    MemberFactory(
        org=world.branch_a, group=world.group_a, education=Education.POSTGRADUATE, status=Status.TRANSFERRED_OUT
    )
    user = world.personas()[persona]
    rows = list(member_filterset(fetched_by=user, filters={"status": "all"}).qs.select_related("org", "group"))
    assert rows
    ours = cells(user, rows, MemberTable._meta.template_name)
    assert ours == cells(user, rows, GENERIC)
    assert len(ours) == len(rows) * len(MemberTable.base_columns)
    # Each cell's card label is its column's header.
    headers = [str(column.header) for column in MemberTable(Member.objects.none(), user=user).columns]
    assert [label for _, label, _ in ours[: len(headers)]] == headers
