"""Surveys on the pages and the API: the builder, the phone answer form (bad inputs refused in Chinese with nothing
written), an anonymous answer no page, export, API or audit entry ties to its author, the list's fixed query count,
the results page's numbers."""

import io
import json

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.services import token_create
from dangjian.voice import surveys
from dangjian.voice.choices import Audience, QuestionKind, SurveyState
from dangjian.voice.models import Answer, Participation, Question, Response, Survey

from .surveys_world import good_answers, member_login, survey_of

pytestmark = pytest.mark.django_db
API = "/api/v1/voice"


def rows_now():
    return tuple(m.objects.unrestricted().count() for m in (Survey, Question, Participation, Response, Answer)) + (
        LogEntry.objects.count(),
    )


def form_of(survey, answers):
    data = {}
    for qid, value in answers.items():
        data[f"q_{qid}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@pytest.fixture
def api(client):
    keys = {}

    def call(user, method, url, body=None):
        if user.pk not in keys:
            keys[user.pk] = token_create(acting_user=user, name="test")[1]
        auth = {"HTTP_AUTHORIZATION": f"Bearer {keys[user.pk]}"}
        if method == "get":
            return client.get(url, **auth)
        return client.post(url, json.dumps(body), content_type="application/json", **auth)

    return call


def test_the_builder_on_the_pages(world, client_for):
    client = client_for(world.secretary_a)
    response = client.post(
        reverse("voice:survey_create"),
        {
            "org": world.branch_a.pk,
            "title": "支部工作满意度调查",
            "intro": "",
            "audience": Audience.MEMBERS,
            "anonymous": "on",
            "closes_on": "2099-01-01",
            "targets": [world.branch_a.pk],
        },
    )
    survey = Survey.objects.unrestricted().get(title="支部工作满意度调查")
    assert response.status_code == 302 and survey.anonymous
    add = reverse("voice:survey_question_add", args=[survey.pk])
    refused = client.post(add, {"kind": QuestionKind.SINGLE, "text": "评价", "required": "on", "choices": "好"})
    assert refused.status_code == 400 and surveys.ERR_CHOICES in refused.content.decode()
    client.post(add, {"kind": QuestionKind.SINGLE, "text": "评价", "required": "on", "choices": "好\n一般\n差"})
    client.post(add, {"kind": QuestionKind.TEXT, "text": "建议"})
    second = surveys.questions_of(survey)[1]
    client.post(reverse("voice:survey_question_move", args=[second.pk]), {"step": "up"})
    assert surveys.questions_of(survey)[0].pk == second.pk
    page = client.get(reverse("voice:survey", args=[survey.pk])).content.decode()
    assert "开始填写" in page and "style=" not in page and "onclick" not in page
    client.post(
        reverse("voice:survey_open", args=[survey.pk]),
        {"version": Survey.objects.unrestricted().get(pk=survey.pk).version},
    )
    assert Survey.objects.unrestricted().get(pk=survey.pk).state == SurveyState.OPEN


def test_a_member_answers_on_the_phone_form_bad_input_first(world, client_for):
    survey = survey_of(world.committee, world.admin, anonymous=True, targets=[world.branch_a])
    client = client_for(world.member_user_a)
    mine = client.get(reverse("voice:my_surveys")).content.decode()
    assert survey.title in mine
    url = reverse("voice:survey_answer", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "匿名" in page and page.index("匿名") < page.index("1. ")
    qs = surveys.questions_of(survey)
    bad = good_answers(survey)
    bad[qs[0].pk] = 7
    del bad[qs[2].pk]
    before = rows_now()
    response = client.post(url, form_of(survey, bad))
    text = response.content.decode()
    assert response.status_code == 400 and "第1题的选项不存在" in text and "第3题为必答题" in text
    assert rows_now() == before
    assert client.post(url, form_of(survey, good_answers(survey))).status_code == 302
    again = client.get(url).content.decode()
    assert "您已填写过此问卷" in again
    assert survey.title not in client.get(reverse("voice:my_surveys")).content.decode()


def test_an_org_answers_once_on_the_page(world, client_for):
    survey = survey_of(world.committee, world.admin, audience=Audience.ORGS, targets=[world.branch_a])
    url = reverse("voice:survey_answer", args=[survey.pk]) + f"?org={world.branch_a.pk}"
    assert client_for(world.secretary_a).post(url, form_of(survey, good_answers(survey))).status_code == 302
    page = client_for(world.committee_member_a).get(url).content.decode()
    assert "该组织已填写过此问卷" in page
    assert client_for(world.secretary_b).get(url).status_code == 404


def test_an_anonymous_answer_cannot_be_traced_by_any_page_export_api_or_audit(world, client_for, api):
    survey = survey_of(world.committee, world.admin, anonymous=True, targets=[world.branch_a])
    entries_before = set(LogEntry.objects.values_list("pk", flat=True))
    client = client_for(world.member_user_a)
    answers = good_answers(survey, text="食堂的菜太咸了")
    client.post(reverse("voice:survey_answer", args=[survey.pk]), form_of(survey, answers))
    response = Response.objects.unrestricted().get(survey=survey)
    assert (response.member_id, response.answered_by_id, response.answered_on) == (None, None, None)
    # no audit entry was written for the answer, and none names the text
    new_entries = LogEntry.objects.exclude(pk__in=entries_before)
    assert not new_entries.filter(object_repr__contains="答").exists()
    assert not any("食堂" in json.dumps(e.changes or {}, ensure_ascii=False) for e in LogEntry.objects.all())
    assert not any(str(response.pk) in (e.object_pk or "") for e in LogEntry.objects.all())
    identities = ["王小明", "member_a"]
    admin = client_for(world.admin)
    for name in ("voice:survey_results",):
        text = admin.get(reverse(name, args=[survey.pk])).content.decode()
        assert "食堂的菜太咸了" in text
        assert not any(i in text for i in identities), name
    # the tracking page says who has NOT answered (张宏伟), never who answered what
    tracking = admin.get(reverse("voice:survey", args=[survey.pk])).content.decode()
    assert "张宏伟" in tracking and "食堂" not in tracking
    xlsx = admin.get(reverse("voice:survey_results_export", args=[survey.pk]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content))).get_sheet_by_index(0)
    cells = sheet.to_python()
    assert "填写人" not in cells[0] and "组织" not in cells[0]
    assert not any(i in str(cells) for i in identities) and "食堂的菜太咸了" in str(cells)
    raw = api(world.admin, "get", f"{API}/surveys/{survey.pk}/answers").json()
    assert raw["results"][0]["name"] is None and raw["results"][0]["org"] is None
    results = json.dumps(api(world.admin, "get", f"{API}/surveys/{survey.pk}/results").json(), ensure_ascii=False)
    assert not any(i in results for i in identities) + any(i in json.dumps(raw, ensure_ascii=False) for i in identities)


def test_a_named_export_has_org_and_name(world, client_for):
    survey = survey_of(world.committee, world.admin, targets=[world.branch_a])
    surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    xlsx = client_for(world.admin).get(reverse("voice:survey_results_export", args=[survey.pk]))
    cells = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(xlsx.streaming_content))).get_sheet_by_index(0)
    rows = cells.to_python()
    assert rows[0][:2] == ["组织", "填写人"] and rows[1][:2] == ["办公室党支部", "王小明"]


def test_the_api_answer_refusals_are_422_in_chinese_and_write_nothing(world, api):
    survey = survey_of(world.committee, world.admin, audience=Audience.ORGS, targets=[world.branch_a])
    qs = surveys.questions_of(survey)
    body = {"org": world.branch_a.pk, "answers": {str(k): v for k, v in good_answers(survey).items()}}
    bad = {**body, "answers": {**body["answers"], str(qs[0].pk): 5}}
    for user in (world.secretary_a, world.committee_member_a):  # their tokens first (a token is audited)
        api(user, "get", f"{API}/surveys")
    before = rows_now()
    response = api(world.secretary_a, "post", f"{API}/surveys/{survey.pk}/answers", bad)
    assert response.status_code == 422 and "第1题的选项不存在" in response.content.decode()
    assert rows_now() == before
    assert api(world.secretary_a, "post", f"{API}/surveys/{survey.pk}/answers", body).status_code == 201
    before = rows_now()
    again = api(world.committee_member_a, "post", f"{API}/surveys/{survey.pk}/answers", body)
    assert again.status_code in (409, 422) and "该组织已填写过此问卷" in again.content.decode()
    assert rows_now() == before


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_and_tracking_in_a_fixed_number_of_queries(world, client_for, n):
    for _ in range(n):
        s = survey_of(world.committee, world.admin, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=s, answers=good_answers(s))
    client = client_for(world.admin)
    with CaptureQueriesContext(connection) as listed:
        assert client.get(reverse("voice:surveys") + "?per_page=50").status_code == 200
    with CaptureQueriesContext(connection) as detail:
        assert client.get(reverse("voice:survey", args=[s.pk])).status_code == 200
    with CaptureQueriesContext(connection) as results:
        assert client.get(reverse("voice:survey_results", args=[s.pk])).status_code == 200
    assert len(listed) <= 14 and len(detail) <= 16 and len(results) <= 14, (len(listed), len(detail), len(results))


def test_the_results_page_numbers(world, client_for):
    survey = survey_of(world.committee, world.admin, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey, single=0, scale=5))
    b = member_login(world.member_b, "member_b")
    surveys.answer(by=b, survey=survey, answers=good_answers(survey, single=1, scale=2))
    page = client_for(world.admin).get(reverse("voice:survey_results", args=[survey.pk])).content.decode()
    assert "50.0%" in page and "平均 3.5 分" in page and 'data-chart="q-chart-0"' in page
    assert "共 2 份答卷" in page


def test_reminders_and_the_home_panel(world, client_for, clock):
    from datetime import timedelta

    from dangjian.voice.home import survey_panel
    from dangjian.voice.reminders import survey_reminders

    soon = survey_of(world.committee, world.admin, targets=[world.branch_a], days=2)
    survey_of(world.committee, world.admin, targets=[world.branch_a], days=20)
    titles = [r.title for r in survey_reminders(world.member_user_a)]
    assert titles == ["1份问卷将在3天内截止，尚未填写", "1份问卷待填写"]
    assert survey_panel(world.member_user_a).context["count"] == 2
    assert survey_panel(world.secretary_b) is None and survey_reminders(world.secretary_b) == []
    home = client_for(world.member_user_a).get("/").content.decode()
    assert soon.title in home and 'data-testid="survey-panel"' in home
    clock.set(clock.today() + timedelta(days=3))
    assert [r.title for r in survey_reminders(world.member_user_a)] == ["1份问卷待填写"]
