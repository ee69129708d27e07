"""The yearly training plan: items written through plans.py (scope, bounds, versions, deletion keeping the sessions),
the items not carried out, and the plan page with its execution figures and xlsx."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.concurrency import StaleEdit
from dangjian.study import plans, selectors
from dangjian.study.choices import StudyKind
from dangjian.study.models import PlanItem, Session
from dangjian.study.tests.study_world import session_of

pytestmark = pytest.mark.django_db


def item_of(org, by, *, year, month=1, hours="4", kind=StudyKind.CONCENTRATED, topic="学习党章"):
    return plans.create_item(
        by=by,
        org=org,
        year=year,
        topic=topic,
        kind=kind,
        month=month,
        audience="全体党员",
        planned_hours=Decimal(hours),
    )


def edit(item, by, *, version, **changes):
    values = {name: getattr(item, name) for name in plans.FIELDS} | changes
    return plans.update_item(by=by, item=item, version=version, **values)


def xlsx_rows(response) -> list[tuple]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(r) for r in book.get_sheet_by_index(0).to_python()]


# --- services ----------------------------------------------------------------------------------------------------


def test_an_item_is_written_for_an_org_the_user_may_change(world, clock):
    year = clock.today().year
    item = item_of(world.branch_a, world.secretary_a, year=year, month=3, hours="4.5")
    stored = PlanItem.objects.unrestricted().get(pk=item.pk)
    assert (stored.org, stored.year, stored.month, stored.planned_hours) == (world.branch_a, year, 3, Decimal("4.5"))
    assert stored.created_by == world.secretary_a
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied):
            item_of(world.branch_a, user, year=year)
    assert PlanItem.objects.unrestricted().count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": StudyKind.CENTRAL}, "kind"),
        ({"kind": "bogus"}, "kind"),
        ({"month": 0}, "month"),
        ({"month": 13}, "month"),
        ({"planned_hours": Decimal("0")}, "planned_hours"),
        ({"planned_hours": Decimal("1000")}, "planned_hours"),
        ({"planned_hours": Decimal("1.25")}, "planned_hours"),
        ({"year": 1999}, "year"),
    ],
)
def test_an_item_out_of_bounds_is_refused_beside_its_field(world, clock, changes, field):
    values = {"year": clock.today().year, "month": 5, "hours": "2", "kind": StudyKind.LECTURE}
    if "planned_hours" in changes:
        values["hours"] = str(changes.pop("planned_hours"))
    values |= changes
    with pytest.raises(ValidationError) as refused:
        item_of(world.branch_a, world.secretary_a, **values)
    assert field in refused.value.message_dict
    assert not PlanItem.objects.unrestricted().exists()


def test_next_year_is_allowed_the_one_after_is_not(world, clock):
    next_year = clock.today().year + 1
    assert item_of(world.branch_a, world.secretary_a, year=next_year).year == next_year
    with pytest.raises(ValidationError) as refused:
        item_of(world.branch_a, world.secretary_a, year=next_year + 1)
    assert refused.value.message_dict["year"] == [plans.ERR_YEAR.format(low=plans.YEAR_MIN, high=next_year)]


def test_an_edit_needs_the_version_it_was_made_from(world, clock):
    item = item_of(world.branch_a, world.secretary_a, year=clock.today().year)
    saved = edit(item, world.committee_member_a, version=item.version, topic="学习新党章", month=6)
    assert (saved.topic, saved.month, saved.version) == ("学习新党章", 6, item.version + 1)
    with pytest.raises(StaleEdit):
        edit(item, world.secretary_a, version=item.version, topic="旧版本")
    assert PlanItem.objects.unrestricted().get(pk=item.pk).topic == "学习新党章"
    with pytest.raises(PermissionDenied):
        edit(saved, world.secretary_b, version=saved.version, topic="越权")


def test_deleting_an_item_keeps_its_sessions_without_the_link(world, clock):
    item = item_of(world.branch_a, world.secretary_a, year=clock.today().year)
    session = session_of(world.branch_a, world.secretary_a, plan_item=item, held=True)
    with pytest.raises(PermissionDenied):
        plans.delete_item(by=world.secretary_b, item=item)
    assert plans.delete_item(by=world.secretary_a, item=item) == 1
    assert not PlanItem.objects.unrestricted().exists()
    kept = Session.objects.unrestricted().get(pk=session.pk)
    assert kept.plan_item is None and kept.version == session.version + 1  # saved: audited


def test_unrealised_items_are_past_months_without_a_held_session(world, clock):
    today = clock.today()
    last_year = today.year - 1
    bare = item_of(world.branch_a, world.secretary_a, year=last_year, month=3, topic="无场次")
    planned_only = item_of(world.branch_a, world.secretary_a, year=last_year, month=4, topic="仅计划")
    session_of(world.branch_a, world.secretary_a, plan_item=planned_only, days_ago=-3)  # planned, not held
    done = item_of(world.branch_a, world.secretary_a, year=last_year, month=5, topic="已开展")
    session_of(world.branch_a, world.secretary_a, plan_item=done, held=True)
    this_month = item_of(world.branch_a, world.secretary_a, year=today.year, month=today.month, topic="本月")
    other = item_of(world.branch_b, world.secretary_b, year=last_year, month=3, topic="他支部")

    assert list(plans.unrealised_items(world.secretary_a, last_year, today)) == [bare, planned_only]
    assert list(plans.unrealised_items(world.admin, last_year, today)) == [bare, planned_only, other]
    assert this_month not in plans.unrealised_items(world.secretary_a, today.year, today)
    assert not plans.unrealised_items(world.secretary_a, today.year + 1, today).exists()


# --- pages -------------------------------------------------------------------------------------------------------


def plan_url(org, year, name="study:plan") -> str:
    return f"{reverse(name)}?org={org.pk}&year={year}"


def test_the_plan_page_shows_the_execution_of_each_item(world, clock, client_for):
    today = clock.today()
    year = today.year - 1
    item = item_of(world.branch_a, world.secretary_a, year=year, month=2, hours="6")
    session_of(world.branch_a, world.secretary_a, plan_item=item, held=True, hours="2", topic="第一讲")
    session_of(world.branch_a, world.secretary_a, plan_item=item, held=True, hours="3", days_ago=2, topic="第二讲")
    session_of(world.branch_a, world.secretary_a, plan_item=item, days_ago=-5, hours="9", topic="第三讲")  # planned
    idle = item_of(world.branch_a, world.secretary_a, year=year, month=7, hours="4", kind=StudyKind.ONLINE)

    page = selectors.plan_of(fetched_by=world.secretary_a, org=world.branch_a, year=year, today=today)
    first, second = page.items
    assert (first.held_count, first.held_hours, first.unrealised) == (2, Decimal(5), False)
    assert [s.meeting.topic for s in first.linked] == ["第二讲", "第一讲", "第三讲"]
    assert (second, second.held_count, second.unrealised) == (idle, 0, True)
    assert (page.total.planned_hours, page.total.held_hours, page.total.unrealised) == (Decimal(10), Decimal(5), 1)
    assert {line.kind: line.held_hours for line in page.kinds} == {StudyKind.CONCENTRATED: 5, StudyKind.ONLINE: 0}

    response = client_for(world.inspector).get(plan_url(world.branch_a, year))
    text = response.content.decode()
    assert response.status_code == 200
    assert "第一讲" in text and "第三讲" in text and "未落实" in text
    assert "10.0 / 5.0" in text
    assert f'href="{reverse("study:plan_edit", args=[item.pk])}"' not in text  # the inspector changes nothing
    text = client_for(world.secretary_a).get(plan_url(world.branch_a, year)).content.decode()
    assert f'href="{reverse("study:plan_edit", args=[item.pk])}"' in text
    assert "data-confirm=" in text and "将保留" in text


def test_the_plan_page_is_404_outside_the_scope(world, clock, client_for):
    year = clock.today().year
    item = item_of(world.branch_a, world.secretary_a, year=year)
    client = client_for(world.secretary_b)
    assert client.get(plan_url(world.branch_a, year)).status_code == 404
    assert client.get(plan_url(world.branch_a, year, "study:plan_export")).status_code == 404
    assert client.get(reverse("study:plan_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("study:plan_delete", args=[item.pk])).status_code == 404
    assert client.get(reverse("study:plan") + "?org=abc").status_code == 404
    assert PlanItem.objects.unrestricted().filter(pk=item.pk).exists()
    # without ?org= the user's own org
    response = client.get(reverse("study:plan"))
    assert response.status_code == 200 and response.context["org"] == world.branch_b


def test_the_plan_page_reads_a_fixed_number_of_queries(world, clock, client_for):
    year = clock.today().year - 1
    client = client_for(world.secretary_a)
    url = plan_url(world.branch_a, year)

    def add(n):
        for month in range(1, n + 1):
            item = item_of(world.branch_a, world.secretary_a, year=year, month=month)
            session_of(world.branch_a, world.secretary_a, plan_item=item, held=True, days_ago=month)

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as six:
        assert client.get(url).content.decode().count("data-item=") == 6
    assert len(six) == len(one)


def test_the_plan_export_lists_items_and_totals(world, clock, client_for):
    year = clock.today().year - 1
    item = item_of(world.branch_a, world.secretary_a, year=year, month=2, hours="6", topic="=HYPERLINK(1)")
    session_of(world.branch_a, world.secretary_a, plan_item=item, held=True, hours="2.5")
    response = client_for(world.admin).get(plan_url(world.branch_a, year, "study:plan_export"))
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][:5] == ("月份", "培训主题", "培训形式", "培训对象", "计划学时")
    assert rows[1][:7] == ("2月", "=HYPERLINK(1)", "集中学习", "全体党员", 6.0, 1.0, 2.5)  # text, not a formula
    assert rows[-1][1] == "合计" and rows[-1][4:7] == (6.0, 1.0, 2.5)


def test_items_are_created_edited_and_deleted_through_the_pages(world, clock, client_for):
    year = clock.today().year
    client = client_for(world.secretary_a)
    create = reverse("study:plan_create") + f"?org={world.branch_a.pk}&year={year}"
    assert client.get(create).status_code == 200
    assert client.get(reverse("study:plan_create") + f"?org={world.branch_b.pk}").status_code == 404
    data = {
        "org": world.branch_a.pk,
        "year": year,
        "month": 4,
        "topic": "专题培训：保密知识",
        "kind": StudyKind.SEMINAR,
        "audience": "全体党员",
        "planned_hours": "3",
    }
    assert client.post(create, data | {"kind": StudyKind.CENTRAL}).status_code == 400
    response = client.post(create, data)
    assert response.status_code == 302 and response["Location"] == plan_url(world.branch_a, year)
    item = PlanItem.objects.unrestricted().get()
    assert item.topic == "专题培训：保密知识"

    edit_url = reverse("study:plan_edit", args=[item.pk])
    form = client.get(edit_url).context["form"]
    assert "org" not in form.fields
    changed = {k: v for k, v in data.items() if k != "org"} | {"topic": "保密知识", "version": item.version}
    assert client.post(edit_url, changed).status_code == 302
    stale = client.post(edit_url, changed | {"topic": "又改"})
    assert stale.status_code == 400 and "保存失败" in stale.content.decode()
    assert PlanItem.objects.unrestricted().get().topic == "保密知识"

    session_of(world.branch_a, world.secretary_a, plan_item=item)
    response = client.post(reverse("study:plan_delete", args=[item.pk]))
    assert response.status_code == 302
    assert not PlanItem.objects.unrestricted().exists()
    assert Session.objects.unrestricted().get().plan_item is None
