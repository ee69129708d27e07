"""The funnel and the due list: counts against hand-made records of known stages, the roster's 预备党员 at the edge of
the 30-day window, scope, and query counts independent of the rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.lib.periods import add_months
from dangjian.development import rules, selectors, services
from dangjian.development.choices import State
from dangjian.development.models import Applicant
from dangjian.members.tests.factories import MemberFactory

from .dev_world import new_applicant, person

pytestmark = pytest.mark.django_db


def _set(applicant, **fields):
    Applicant.objects.unrestricted().filter(pk=applicant.pk).update(**fields)
    applicant.refresh_from_db()
    return applicant


def _b(w, n, **fields):
    applicant = services.create_applicant(
        by=w.secretary_b, org=w.branch_b, applied_on=clock.today() - timedelta(days=400), **person(n)
    )
    return _set(applicant, **fields) if fields else applicant


@pytest.fixture
def records(world, clock):
    today = clock.today()
    made = {
        "a0": new_applicant(world, 1),
        "a0b": new_applicant(world, 2),
        "a1": _set(new_applicant(world, 3), stage=1, last_step=4, next_step=5, due_on=None),
        "a4": _set(new_applicant(world, 4), stage=4, state=State.PROBATION, next_step=19, due_on=None),
        "ended": _set(new_applicant(world, 5), state=State.ENDED, ended_on=today),
        "confirmed": _set(new_applicant(world, 6), stage=4, state=State.CONFIRMED, full_member_on=today),
        "old": _set(
            new_applicant(world, 7), stage=4, state=State.CONFIRMED, full_member_on=date(today.year - 1, 12, 31)
        ),
        "b2": _b(world, 8, stage=2, last_step=8, next_step=9, due_on=today - timedelta(days=1)),
    }
    return made


def test_the_funnel_counts_each_stage_and_the_years_outcomes(world, records, client_for):
    page = client_for(world.admin).get(reverse("development:funnel"))
    total = page.context["total"]
    # new_applicant's records are 3 years old: their 谈话 (step 2) is due a month after the application — overdue.
    assert total.stages == [2, 1, 1, 0, 1]
    assert (total.confirmed, total.ended) == (1, 1)
    assert total.overdue == 3  # a0, a0b (谈话 late) and b2
    rows = {branch.name: figures for branch, figures in page.context["rows"]}
    assert rows["办公室党支部"].stages == [2, 1, 0, 0, 1]
    assert rows["财务处党支部"].stages == [0, 0, 1, 0, 0] and rows["财务处党支部"].overdue == 1
    assert b'data-development-funnel="development-funnel-data"' in page.content
    assert "预备期" in page.content.decode()


def test_the_funnel_of_one_org_and_of_a_secretary(world, records, client_for):
    page = client_for(world.admin).get(reverse("development:funnel") + f"?org={world.branch_b.pk}")
    assert page.context["total"].stages == [0, 0, 1, 0, 0]
    assert [b.name for b, _f in page.context["rows"]] == ["财务处党支部"]
    page = client_for(world.secretary_a).get(reverse("development:funnel"))
    assert page.context["total"].stages == [2, 1, 0, 0, 1]
    assert "财务处党支部" not in page.content.decode()
    assert (
        client_for(world.secretary_a).get(reverse("development:funnel") + f"?org={world.branch_b.pk}").status_code
        == 404
    )


def test_the_funnels_queries_do_not_grow_with_records(world, records, client_for):
    client = client_for(world.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("development:funnel"))
    for n in range(20, 32):
        _b(world, n, stage=n % 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("development:funnel")).context["total"].open == 4 + 12 + 1
    assert len(many) == len(few)


# ── the due list ──────────────────────────────────────────────────────────────────────────────────────────────────


def _due(client, query=""):
    page = client.get(reverse("development:due") + query)
    assert page.status_code == 200
    return page, {(r.record, r.pk): r for r in page.context["due_rows"]}


def test_overdue_due_ready_and_review_records_are_listed_with_their_reasons(world, clock, client_for):
    today = clock.today()
    late = _set(new_applicant(world, 1), due_on=today - timedelta(days=1))
    soon = _set(new_applicant(world, 2), due_on=today + timedelta(days=rules.DUE_WITHIN_DAYS))
    later = _set(new_applicant(world, 3), due_on=today + timedelta(days=rules.DUE_WITHIN_DAYS + 1))
    ready = _set(new_applicant(world, 4), stage=1, last_step=6, next_step=7, ready_on=today, due_on=None)
    waiting = _set(
        new_applicant(world, 5), stage=1, last_step=6, next_step=7, ready_on=today + timedelta(1), due_on=None
    )
    review = _set(new_applicant(world, 6), due_on=None, review_due_on=today - timedelta(days=3))
    ended = _set(new_applicant(world, 7), state=State.ENDED, due_on=today - timedelta(days=9))
    page, rows = _due(client_for(world.secretary_a))
    assert rows[(True, late.pk)].reasons == ["overdue"]
    assert rows[(True, soon.pk)].reasons == ["due"]
    assert rows[(True, ready.pk)].reasons == ["ready"]
    assert rows[(True, review.pk)].reasons == ["review"]
    for absent in (later, waiting, ended):
        assert (True, absent.pk) not in rows
    assert 'class="table-danger"' in page.content.decode()
    assert reverse("development:detail", args=[late.pk]) in page.content.decode()
    _page, only = _due(client_for(world.secretary_a), "?kind=overdue")
    assert set(only) == {(True, late.pk)}


def _probationary(world, joined_on, name):
    return MemberFactory(
        name=name, org=world.branch_a, category="probationary", joined_on=joined_on, full_member_on=None
    )


def test_a_roster_probationary_member_enters_the_list_on_the_windows_edge(world, clock, client_for):
    """The 预备期 ends a year from 入党日期 (rules.probation_end): listed when it ends within 30 days, and not the day
    after the window's edge."""
    edge = clock.today() + timedelta(days=rules.PROBATION_REMIND_DAYS)
    last = selectors.joined_on_bound(edge)
    assert rules.probation_end(last) <= edge < rules.probation_end(last + timedelta(days=1))
    before = _probationary(world, last - timedelta(days=1), "边前")
    on = _probationary(world, last, "边上")
    after = _probationary(world, last + timedelta(days=1), "边后")
    far_past = _probationary(world, clock.today() - timedelta(days=800), "早已期满")
    _page, rows = _due(client_for(world.secretary_a), "?kind=probation")
    assert (False, before.pk) in rows and (False, on.pk) in rows and (False, far_past.pk) in rows
    assert (False, after.pk) not in rows
    assert rows[(False, on.pk)].probation_end == rules.probation_end(last)
    assert rows[(False, on.pk)].reasons == ["probation"]


@pytest.mark.parametrize("offset", [29, 30, 31])
def test_the_day_before_the_day_and_the_day_after_the_edge(world, clock, client_for, offset):
    ends = clock.today() + timedelta(days=offset)
    joined = add_months(ends, -rules.PROBATION_MONTHS)
    member = _probationary(world, joined, "预备甲")
    _page, rows = _due(client_for(world.secretary_a), "?kind=probation")
    listed = rules.probation_end(joined) <= clock.today() + timedelta(days=rules.PROBATION_REMIND_DAYS)
    assert ((False, member.pk) in rows) == listed
    if rules.probation_end(joined) == ends:  # no clamp at a month's end: the plain case
        assert listed == (offset <= rules.PROBATION_REMIND_DAYS)


def test_a_member_with_a_record_is_listed_by_the_records_dates(world, clock, client_for):
    edge = clock.today() + timedelta(days=rules.PROBATION_REMIND_DAYS)
    member = _probationary(world, selectors.joined_on_bound(edge), "有档案")
    record = services.probation_record(by=world.secretary_a, member=member)
    _page, rows = _due(client_for(world.secretary_a), "?kind=probation")
    assert (True, record.pk) in rows and (False, member.pk) not in rows
    _set(record, extended_months=6)  # an extension moves the end beyond the window
    _page, rows = _due(client_for(world.secretary_a), "?kind=probation")
    assert (True, record.pk) not in rows and (False, member.pk) not in rows


def test_the_due_list_is_scoped_and_filtered_by_org(world, clock, client_for):
    today = clock.today()
    mine = _set(new_applicant(world, 1), due_on=today)
    theirs = _b(world, 2, due_on=today)
    _page, rows = _due(client_for(world.secretary_b))
    assert set(rows) == {(True, theirs.pk)}
    _page, rows = _due(client_for(world.admin), f"?org={world.branch_a.pk}")
    assert (True, mine.pk) in rows and (True, theirs.pk) not in rows
    assert (
        client_for(world.secretary_b).get(reverse("development:due") + f"?org={world.branch_a.pk}").status_code == 404
    )


def test_the_due_lists_queries_do_not_grow_with_rows(world, clock, client_for):
    client = client_for(world.admin)
    today = clock.today()
    _set(new_applicant(world, 1), due_on=today)
    _probationary(world, today - timedelta(days=360), "预备一")
    with CaptureQueriesContext(connection) as few:
        _due(client, "?per_page=50")
    for n in range(2, 14):
        _set(new_applicant(world, n), due_on=today)
        _probationary(world, today - timedelta(days=360 + n), f"预备{n}")
    with CaptureQueriesContext(connection) as many:
        _page, rows = _due(client, "?per_page=50")
    assert len(rows) == 26
    assert len(many) == len(few)


def test_the_due_export_is_a_workbook(world, clock, client_for):
    _set(new_applicant(world, 1), due_on=clock.today())
    response = client_for(world.secretary_a).get(reverse("development:due_export"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
