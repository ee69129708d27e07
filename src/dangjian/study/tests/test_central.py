"""中心组学习: speeches by the session's invitees, outcomes and their 转化 (已转化 needs a past day and the result),
the outcomes past their deadline, and the pages: the sessions with their counts, the outcomes' list (学以致用), its
xlsx, the forms, the session page's section."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.concurrency import StaleEdit
from dangjian.core.validators import future_message
from dangjian.meetings import services as meetings
from dangjian.study import central, selectors
from dangjian.study.choices import OutcomeKind, OutcomeState, StudyKind
from dangjian.study.models import Outcome, Speech
from dangjian.study.tests.study_world import session_of

pytestmark = pytest.mark.django_db


def central_of(world, *, side="a", days_ago=10, **kwargs):
    if side == "a":
        return session_of(world.branch_a, world.secretary_a, kind=StudyKind.CENTRAL, days_ago=days_ago, **kwargs)
    return session_of(world.branch_b, world.secretary_b, kind=StudyKind.CENTRAL, days_ago=days_ago, **kwargs)


def outcome_of(session, by, owner, *, due_on=None, title="关于机关作风建设的调研报告"):
    return central.add_outcome(
        by=by, session=session, title=title, kind=OutcomeKind.RESEARCH, owner=owner, due_on=due_on
    )


def mark(outcome, by, *, version=None, **changes):
    values = {
        "title": outcome.title,
        "kind": outcome.kind,
        "owner": outcome.owner,
        "due_on": outcome.due_on,
        "state": outcome.state,
        "done_on": outcome.done_on,
        "result": outcome.result,
    } | changes
    return central.update_outcome(
        by=by, outcome=outcome, version=outcome.version if version is None else version, **values
    )


# --- speeches ----------------------------------------------------------------------------------------------------


def test_a_speech_is_by_an_invitee_of_the_session(world, clock):
    session = central_of(world, held=True)
    speech = central.add_speech(
        by=world.secretary_a, session=session, member=world.member_a, title=" 学以致用 ", content="要点一"
    )
    assert (speech.member, speech.title) == (world.member_a, "学以致用")
    with pytest.raises(ValidationError) as refused:
        central.add_speech(by=world.secretary_a, session=session, member=world.member_b, title="题", content="要点")
    assert refused.value.message_dict == {"member": [central.ERR_SPEAKER]}
    with pytest.raises(PermissionDenied):
        central.add_speech(by=world.secretary_b, session=session, member=world.member_a, title="题", content="要点")
    with pytest.raises(PermissionDenied):
        central.add_speech(by=world.inspector, session=session, member=world.member_a, title="题", content="要点")
    assert Speech.objects.unrestricted().count() == 1


def test_a_speech_needs_a_title_and_bounded_content(world, clock):
    session = central_of(world)
    too_long = "字" * (central.CONTENT_MAX + 1)
    with pytest.raises(ValidationError) as refused:
        central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title=" ", content=too_long)
    assert set(refused.value.message_dict) == {"title", "content"}
    assert not Speech.objects.unrestricted().exists()


def test_no_speech_on_a_cancelled_session_and_deleting_one(world, clock):
    session = central_of(world, days_ago=-3)
    speech = central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title="题", content="要")
    with pytest.raises(PermissionDenied):
        central.delete_speech(by=world.secretary_b, speech=speech)
    assert central.delete_speech(by=world.secretary_a, speech=speech) == session.pk
    meetings.cancel_meeting(by=world.secretary_a, meeting=session.meeting)
    with pytest.raises(ValidationError) as refused:
        central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title="题", content="要")
    assert refused.value.messages == [central.ERR_CANCELLED]
    assert not Speech.objects.unrestricted().exists()


# --- outcomes ----------------------------------------------------------------------------------------------------


def test_an_outcome_has_an_owner_among_the_invitees_and_a_deadline_after_the_session(world, clock):
    session = central_of(world, held=True)
    outcome = outcome_of(session, world.secretary_a, world.member_a2, due_on=clock.today() + timedelta(days=30))
    assert (outcome.state, outcome.owner) == (OutcomeState.OPEN, world.member_a2)
    with pytest.raises(ValidationError) as refused:
        outcome_of(session, world.secretary_a, world.member_b, due_on=session.held_on - timedelta(days=1))
    assert set(refused.value.message_dict) == {"owner", "due_on"}
    with pytest.raises(PermissionDenied):
        outcome_of(session, world.secretary_b, world.member_a)


def test_marking_done_needs_a_past_day_and_the_result(world, clock, tomorrow):
    session = central_of(world, held=True)
    outcome = outcome_of(session, world.secretary_a, world.member_a)
    with pytest.raises(ValidationError) as refused:
        mark(outcome, world.secretary_a, state=OutcomeState.DONE)
    assert refused.value.message_dict == {"done_on": [central.ERR_DONE_DATE], "result": [central.ERR_DONE_RESULT]}
    with pytest.raises(ValidationError) as refused:
        mark(outcome, world.secretary_a, state=OutcomeState.DONE, done_on=tomorrow, result="形成制度一项")
    assert refused.value.message_dict == {"done_on": [future_message()]}
    with pytest.raises(ValidationError) as refused:
        before = session.held_on - timedelta(days=1)
        mark(outcome, world.secretary_a, state=OutcomeState.DONE, done_on=before, result="形成制度一项")
    assert "done_on" in refused.value.message_dict
    assert Outcome.objects.unrestricted().get().state == OutcomeState.OPEN

    done = mark(outcome, world.secretary_a, state=OutcomeState.DONE, done_on=clock.today(), result="形成制度一项")
    assert (done.state, done.done_on, done.version) == (OutcomeState.DONE, clock.today(), outcome.version + 1)
    reopened = mark(done, world.committee_member_a, state=OutcomeState.OPEN, done_on=clock.today())
    assert (reopened.state, reopened.done_on, reopened.result) == (OutcomeState.OPEN, None, "形成制度一项")


def test_a_stale_or_out_of_scope_outcome_edit_is_refused(world, clock):
    session = central_of(world, held=True)
    outcome = outcome_of(session, world.secretary_a, world.member_a)
    mark(outcome, world.secretary_a, title="新名称")
    with pytest.raises(StaleEdit):
        mark(outcome, world.secretary_a, version=outcome.version, title="旧版本")
    with pytest.raises(PermissionDenied):
        mark(outcome, world.secretary_b, version=outcome.version + 1, title="越权")
    with pytest.raises(PermissionDenied):
        mark(outcome, world.inspector, version=outcome.version + 1, title="越权")
    assert Outcome.objects.unrestricted().get().title == "新名称"


def test_overdue_outcomes_are_open_past_their_deadline_and_visible(world, clock):
    today = clock.today()
    session = central_of(world, held=True)
    late = outcome_of(session, world.secretary_a, world.member_a, due_on=today - timedelta(days=1), title="逾期")
    outcome_of(session, world.secretary_a, world.member_a, due_on=today, title="今天到期")
    outcome_of(session, world.secretary_a, world.member_a, title="无时限")
    done = outcome_of(session, world.secretary_a, world.member_a, due_on=today - timedelta(days=2), title="已完成")
    mark(done, world.secretary_a, state=OutcomeState.DONE, done_on=today, result="已落实")
    other = central_of(world, side="b", held=True)
    late_b = outcome_of(other, world.secretary_b, world.member_b, due_on=today - timedelta(days=3), title="乙逾期")

    assert list(central.overdue_outcomes(world.secretary_a)) == [late]
    assert list(central.overdue_outcomes(world.admin)) == [late_b, late]
    assert list(central.overdue_outcomes(world.secretary_b)) == [late_b]


# --- pages -------------------------------------------------------------------------------------------------------


def xlsx_rows(response) -> list[tuple]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(r) for r in book.get_sheet_by_index(0).to_python()]


def test_the_central_list_counts_speeches_and_outcomes_in_fixed_queries(world, clock, client_for):
    client = client_for(world.secretary_a)
    url = reverse("study:central") + "?per_page=100"

    def add(n):
        for i in range(n):
            session = central_of(world, held=True, days_ago=10 + i, topic=f"中心组第{i}次")
            central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title="题", content="要")
            central.add_speech(by=world.secretary_a, session=session, member=world.member_a2, title="题", content="要")
            outcome_of(session, world.secretary_a, world.member_a)
            done = outcome_of(session, world.secretary_a, world.member_a)
            mark(done, world.secretary_a, state=OutcomeState.DONE, done_on=clock.today(), result="成效")

    add(1)
    session_of(world.branch_a, world.secretary_a, topic="普通集中学习")  # not 中心组
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    row = response.context["page"].object_list[0]
    assert (row.speech_count, row.outcome_count, row.done_count) == (2, 2, 1)
    assert "普通集中学习" not in response.content.decode()
    add(4)
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).content.decode().count("data-session=") == 5
    assert len(five) == len(one)
    assert client.get(url + f"&org={world.branch_b.pk}").status_code == 404
    assert client_for(world.secretary_b).get(url).context["page"].paginator.count == 0


def test_the_outcomes_list_filters_and_sorts_in_fixed_queries(world, clock, client_for):
    today = clock.today()
    session = central_of(world, held=True)
    late = outcome_of(session, world.secretary_a, world.member_a, due_on=today - timedelta(days=1), title="逾期成果")
    outcome_of(session, world.secretary_a, world.member_a, due_on=today + timedelta(days=9), title="未到期成果")
    client = client_for(world.inspector)
    url = reverse("study:outcomes")
    with CaptureQueriesContext(connection) as two:
        response = client.get(url + "?per_page=100")
    assert [o.title for o in response.context["page"].object_list] == ["逾期成果", "未到期成果"]
    assert "登记转化" not in response.content.decode()  # the inspector changes nothing
    overdue = client.get(url + "?overdue=1").context["page"].object_list
    assert list(overdue) == [late]
    assert client.get(url + "?state=done").context["page"].paginator.count == 0
    assert client.get(url + f"?year={session.held_on.year}&sort=-held&state=bogus").status_code == 200
    for i in range(4):
        outcome_of(session, world.secretary_a, world.member_a2, title=f"成果{i}")
    with CaptureQueriesContext(connection) as six:
        assert client.get(url + "?per_page=100").content.decode().count("data-outcome=") == 6
    assert len(six) == len(two)
    assert "登记转化" in client_for(world.secretary_a).get(url).content.decode()


def test_the_outcomes_export(world, clock, client_for):
    session = central_of(world, held=True)
    outcome = outcome_of(session, world.secretary_a, world.member_a, due_on=clock.today() - timedelta(days=1))
    other = central_of(world, side="b", held=True)
    outcome_of(other, world.secretary_b, world.member_b, title="乙支部成果")
    response = client_for(world.secretary_a).get(reverse("study:outcomes_export"))
    rows = xlsx_rows(response)
    assert rows[0][0] == "成果名称"
    assert [r[0] for r in rows[1:]] == [outcome.title]
    assert rows[1][5] == "王小明" and rows[1][7] == "转化中（逾期）"


def test_speeches_and_outcomes_through_the_pages(world, clock, client_for):
    session = central_of(world, held=True)
    client = client_for(world.secretary_a)
    add = reverse("study:speech_add", args=[session.pk])
    form = client.get(add).context["form"]
    assert set(form.fields["member"].queryset) == {world.member_a, world.member_a2}
    refused = client.post(add, {"member": world.member_b.pk, "title": "题", "content": "要点"})
    assert refused.status_code == 400
    done = client.post(add, {"member": world.member_a.pk, "title": "题", "content": "要点"})
    assert done.status_code == 302 and done["Location"] == reverse("study:session", args=[session.pk])
    speech = Speech.objects.unrestricted().get()
    assert client_for(world.secretary_b).post(reverse("study:speech_delete", args=[speech.pk])).status_code == 404
    client = client_for(world.secretary_a)
    assert client.get(reverse("study:speech_delete", args=[speech.pk])).status_code == 405
    assert client.post(reverse("study:speech_delete", args=[speech.pk])).status_code == 302
    assert not Speech.objects.unrestricted().exists()

    add = reverse("study:outcome_add", args=[session.pk])
    fields = {"title": "调研报告", "kind": OutcomeKind.RESEARCH, "owner": world.member_a2.pk}
    early = (session.held_on - timedelta(days=1)).isoformat()
    refused = client.post(add, fields | {"deadline": early})
    assert refused.status_code == 400
    assert 'data-field="deadline">转化时限不能早于学习日期' in refused.content.decode()
    response = client.post(add, fields | {"deadline": (clock.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    outcome = Outcome.objects.unrestricted().get()
    edit = reverse("study:outcome_edit", args=[outcome.pk])
    page = client.get(edit).content.decode()
    assert "---------" not in page and f'max="{clock.today().isoformat()}"' in page
    data = {
        "title": "调研报告",
        "kind": OutcomeKind.RESEARCH,
        "owner": world.member_a2.pk,
        "state": OutcomeState.DONE,
        "version": outcome.version,
    }
    refused = client.post(edit, data)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert central.ERR_DONE_DATE in text and central.ERR_DONE_RESULT in text
    response = client.post(edit, data | {"done_on": clock.today().isoformat(), "result": "出台措施三条"})
    assert response.status_code == 302
    assert Outcome.objects.unrestricted().get().state == OutcomeState.DONE
    assert client_for(world.secretary_b).get(edit).status_code == 404


def test_the_session_pages_section_lists_speeches_and_outcomes(world, clock, client_for):
    session = central_of(world, held=True)
    central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title="发言题目甲", content="要")
    outcome_of(session, world.secretary_a, world.member_a2, due_on=clock.today() - timedelta(days=1))
    other = central_of(world, side="b", held=True)
    outcome_of(other, world.secretary_b, world.member_b, title="乙支部成果")
    speeches, outcomes = selectors.session_parts(fetched_by=world.secretary_a, session=session)
    context = {"session": session, "speeches": speeches, "outcomes": outcomes, "can_change": True}
    html = render_to_string("study/session_central.html", context)
    assert "发言题目甲" in html and "王小明" in html and "张宏伟" in html and "逾期" in html
    assert reverse("study:speech_add", args=[session.pk]) in html and "乙支部成果" not in html
    context["can_change"] = False
    assert reverse("study:outcome_add", args=[session.pk]) not in render_to_string(
        "study/session_central.html", context
    )


@pytest.mark.parametrize("persona", ["secretary_a", "inspector"])
def test_every_study_link_on_the_plan_and_central_pages_can_be_followed(world, clock, client_for, persona):
    """The crawl of core's link test, kept to this module's pages (the whole site's is core's own test)."""
    import re  # noqa: PLC0415
    from html import unescape  # noqa: PLC0415

    from dangjian.study import plans  # noqa: PLC0415

    today = clock.today()
    item = plans.create_item(
        by=world.secretary_a,
        org=world.branch_a,
        year=today.year,
        topic="学习党章",
        kind=StudyKind.CONCENTRATED,
        month=today.month,
        audience="全体党员",
        planned_hours=2,
    )
    session = central_of(world, held=True)
    session_of(world.branch_a, world.secretary_a, plan_item=item, held=True)
    central.add_speech(by=world.secretary_a, session=session, member=world.member_a, title="题", content="要")
    outcome_of(session, world.secretary_a, world.member_a)
    client = client_for(world.personas()[persona])
    queue = [reverse(name) for name in ("study:plan", "study:central", "study:outcomes")]
    seen, bad = set(queue), []
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code >= 400:
            bad.append((response.status_code, url))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        for href in map(unescape, re.findall(r'href="([^"#][^"]*)"', response.content.decode())):
            href = url.split("?")[0] + href if href.startswith("?") else href
            ours = href.startswith(("/study/plan", "/study/central", "/study/outcomes", "/study/sessions/"))
            if ours and href not in seen and "/export" not in href:
                seen.add(href)
                queue.append(href)
    assert bad == []
    assert len(seen) > 4
