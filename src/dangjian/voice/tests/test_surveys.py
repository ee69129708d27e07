"""Surveys' services (issue 16): the builder's rules, opening and closing, answering once (as a member or for an
org) with every bad input refused in Chinese and nothing written, anonymity kept in the rows and the audit log,
who has answered, the results' numbers."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core import clock
from dangjian.voice import surveys
from dangjian.voice.choices import Audience, QuestionKind, SurveyState
from dangjian.voice.models import Answer, Participation, Question, Response, Survey, SurveyTarget

from .surveys_world import QUESTIONS, good_answers, member_login, survey_of

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        m.objects.unrestricted().count() if hasattr(m.objects, "unrestricted") else m.objects.count()
        for m in (Survey, Question, SurveyTarget, Participation, Response, Answer)
    ) + (LogEntry.objects.count(),)


def messages(error) -> list[str]:
    return error.value.messages


# ── builder ────────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_draft_with_questions_then_opened_today(world):
    survey = survey_of(world.committee, world.admin, targets=[world.branch_a, world.branch_b], opened=False)
    assert survey.state == SurveyState.DRAFT
    assert [q.position for q in surveys.questions_of(survey)] == [1, 2, 3, 4]
    opened = surveys.open_survey(by=world.admin, survey=survey)
    assert opened.state == SurveyState.OPEN and opened.opens_on == clock.today()
    assert {t.pk for t in surveys.targets_of(survey)} == {world.branch_a.pk, world.branch_b.pk}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"audience": Audience.ORGS, "anonymous": True}, "anonymous", surveys.ERR_ANON_ORGS),
        ({"title": "  "}, "title", surveys.ERR_TITLE),
        ({"closes_on": -1}, "closes_on", surveys.ERR_CLOSES),
        ({"targets": []}, "targets", surveys.ERR_TARGETS),
    ],
)
def test_a_bad_draft_is_refused_and_nothing_written(world, change, field, message):
    values = {
        "title": "调查",
        "audience": Audience.MEMBERS,
        "anonymous": False,
        "closes_on": clock.today() + timedelta(days=3),
        "targets": [world.branch_a],
    }
    if change.get("closes_on") == -1:
        change = {"closes_on": clock.today() - timedelta(days=1)}
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.create_survey(by=world.secretary_a, org=world.branch_a, **(values | change))
    assert message in error.value.message_dict[field]
    assert counts() == before


def test_targets_only_in_the_creators_subtree(world):
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.create_survey(
            by=world.secretary_a,
            org=world.branch_a,
            title="调查",
            audience=Audience.MEMBERS,
            closes_on=clock.today(),
            targets=[world.branch_b],
        )
    assert surveys.ERR_TARGET_SCOPE in error.value.message_dict["targets"]
    with pytest.raises(PermissionDenied):
        surveys.create_survey(
            by=world.secretary_a,
            org=world.committee,
            title="调查",
            audience=Audience.MEMBERS,
            closes_on=clock.today(),
            targets=[world.branch_a],
        )
    assert counts() == before


@pytest.mark.parametrize("choices", [["只有一个"], [str(i) for i in range(21)], ["好", "x" * 101]])
def test_a_choice_question_needs_2_to_20_options(world, choices):
    survey = survey_of(world.branch_a, world.secretary_a, questions=[], opened=False)
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.add_question(by=world.secretary_a, survey=survey, kind=QuestionKind.SINGLE, text="题", choices=choices)
    assert surveys.ERR_CHOICES in error.value.message_dict["choices"]
    assert counts() == before


def test_at_most_100_questions_and_one_to_open(world):
    survey = survey_of(world.branch_a, world.secretary_a, questions=[], opened=False)
    with pytest.raises(ValidationError) as error:
        surveys.open_survey(by=world.secretary_a, survey=survey)
    assert messages(error) == [surveys.ERR_NO_QUESTION]
    Question.objects.bulk_create(
        [Question(survey=survey, position=i, kind=QuestionKind.TEXT, text=f"题{i}") for i in range(1, 101)]
    )
    with pytest.raises(ValidationError) as error:
        surveys.add_question(by=world.secretary_a, survey=survey, kind=QuestionKind.TEXT, text="第101题")
    assert messages(error) == [surveys.ERR_MAX_QUESTIONS]


def test_questions_edited_moved_deleted_only_while_draft(world):
    survey = survey_of(world.branch_a, world.secretary_a, opened=False)
    first, second, third, _fourth = surveys.questions_of(survey)
    surveys.move_question(by=world.secretary_a, question=second, step=-1)
    assert [q.pk for q in surveys.questions_of(survey)][:2] == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        surveys.move_question(by=world.secretary_a, question=second, step=-1)
    surveys.delete_question(by=world.secretary_a, question=first)
    assert [q.position for q in surveys.questions_of(survey)] == [1, 2, 3]
    surveys.update_question(by=world.secretary_a, question=third, kind=QuestionKind.TEXT, text="新题目", required=False)
    assert Question.objects.unrestricted().get(pk=third.pk).text == "新题目"
    surveys.open_survey(by=world.secretary_a, survey=survey)
    before = counts()
    for call in (
        lambda: surveys.add_question(by=world.secretary_a, survey=survey, kind=QuestionKind.TEXT, text="晚了"),
        lambda: surveys.delete_question(by=world.secretary_a, question=third),
        lambda: surveys.update_survey(
            by=world.secretary_a,
            survey=survey,
            version=None,
            title="改",
            audience=Audience.MEMBERS,
            anonymous=True,
            closes_on=survey.closes_on,
            targets=[world.branch_a],
        ),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert messages(error) == [surveys.ERR_NOT_DRAFT]
    assert counts() == before
    assert Survey.objects.unrestricted().get(pk=survey.pk).anonymous is False


def test_someone_outside_the_survey_org_cannot_build(world):
    survey = survey_of(world.branch_a, world.secretary_a, opened=False)
    before = counts()
    with pytest.raises(PermissionDenied):
        surveys.add_question(by=world.secretary_b, survey=survey, kind=QuestionKind.TEXT, text="题")
    with pytest.raises(PermissionDenied):
        surveys.open_survey(by=world.inspector, survey=survey)
    assert counts() == before


def test_close_and_past_day_counts_as_closed(world, clock):
    survey = survey_of(world.branch_a, world.secretary_a, days=0)
    assert surveys.is_open(survey)
    clock.set(clock.today() + timedelta(days=1))
    assert surveys.shown_state(survey) == SurveyState.CLOSED
    with pytest.raises(ValidationError) as error:
        surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    assert messages(error) == [surveys.ERR_NOT_OPEN]
    surveys.close_survey(by=world.secretary_a, survey=survey)
    assert Survey.objects.unrestricted().get(pk=survey.pk).state == SurveyState.CLOSED


# ── answering ──────────────────────────────────────────────────────────────────────────────────────────────────


def test_a_member_answers_once_named(world):
    survey = survey_of(world.committee, world.admin, targets=[world.general])
    response = surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    assert response.member_id == world.member_a.pk and response.answered_by_id == world.member_user_a.pk
    assert response.answered_on == clock.today() and response.org_id == world.branch_a.pk
    assert Answer.objects.unrestricted().filter(response=response).count() == 5  # multiple: two rows
    assert Participation.objects.unrestricted().filter(survey=survey, member=world.member_a).exists()
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    assert messages(error) == [surveys.ERR_ANSWERED_MEMBER]
    assert counts() == before


def test_a_member_outside_the_targets_is_refused(world):
    survey = survey_of(world.committee, world.admin, targets=[world.branch_b])
    before = counts()
    with pytest.raises(PermissionDenied):
        surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    with pytest.raises(PermissionDenied):  # a secretary with no member record
        surveys.answer(by=world.secretary_b, survey=survey, answers=good_answers(survey))
    assert counts() == before


def test_an_org_answers_once(world):
    survey = survey_of(world.committee, world.admin, audience=Audience.ORGS, targets=[world.branch_a, world.branch_b])
    response = surveys.answer(by=world.secretary_a, survey=survey, answers=good_answers(survey), org=world.branch_a)
    assert response.for_org and response.org_id == world.branch_a.pk and response.answered_by_id == world.secretary_a.pk
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.answer(by=world.committee_member_a, survey=survey, answers=good_answers(survey), org=world.branch_a)
    assert messages(error) == ["该组织已填写过此问卷"]
    with pytest.raises(PermissionDenied):  # not their org
        surveys.answer(by=world.secretary_a, survey=survey, answers=good_answers(survey), org=world.branch_b)
    with pytest.raises(PermissionDenied):  # a member cannot answer for the org
        surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey), org=world.branch_a)
    with pytest.raises(PermissionDenied):  # not a target
        surveys.answer(by=world.admin, survey=survey, answers=good_answers(survey), org=world.general)
    assert counts() == before
    surveys.answer(by=world.secretary_b, survey=survey, answers=good_answers(survey), org=world.branch_b)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({0: 3}, "第1题的选项不存在"),
        ({0: -1}, "第1题的选项不存在"),
        ({0: "x"}, "第1题的选项不存在"),
        ({0: [0, 1]}, "第1题只能选择一项"),
        ({1: [0, 9]}, "第2题的选项不存在"),
        ({0: None}, "第1题为必答题，请作答"),
        ({2: ""}, "第3题为必答题，请作答"),
        ({2: 6}, "第3题应在 1 至 5 分之间"),
        ({2: 0}, "第3题应在 1 至 5 分之间"),
        ({3: "长" * 2001}, "第4题的文字回答不能超过 2000 字"),
    ],
)
def test_a_bad_answer_is_refused_with_its_reason_and_nothing_written(world, change, message):
    survey = survey_of(world.branch_a, world.secretary_a, anonymous=True)
    qs = surveys.questions_of(survey)
    answers = good_answers(survey)
    for index, value in change.items():
        answers[qs[index].pk] = value
    before = counts()
    with pytest.raises(ValidationError) as error:
        surveys.answer(by=world.member_user_a, survey=survey, answers=answers)
    assert message in messages(error)
    assert counts() == before


def test_optional_questions_may_be_left_and_unknown_ones_refused(world):
    survey = survey_of(world.branch_a, world.secretary_a)
    qs = surveys.questions_of(survey)
    with pytest.raises(ValidationError) as error:
        surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey) | {999999: "x"})
    assert messages(error) == [surveys.ERR_UNKNOWN_QUESTION]
    response = surveys.answer(by=world.member_user_a, survey=survey, answers={qs[0].pk: 1, qs[2].pk: "5"})
    assert Answer.objects.unrestricted().filter(response=response).count() == 2


def test_an_anonymous_answer_keeps_no_trace_of_its_author(world):
    survey = survey_of(world.committee, world.admin, anonymous=True, targets=[world.committee])
    entries = LogEntry.objects.count()
    response = surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    stored = Response.objects.unrestricted().get(pk=response.pk)
    assert stored.member_id is None and stored.answered_by_id is None and stored.answered_on is None
    assert stored.pk.version == 4
    assert {f.name for f in Response._meta.concrete_fields} == {
        "id",
        "survey",
        "org",
        "for_org",
        "member",
        "answered_by",
        "answered_on",
    }
    assert all(a.pk.version == 4 for a in Answer.objects.unrestricted().filter(response=stored))
    # Participation says only THAT they answered; no audit entry for any of the rows written
    assert LogEntry.objects.count() == entries
    assert not {f.name for f in Participation._meta.get_fields()} & {"response", "answers"}


# ── tracking and results ─────────────────────────────────────────────────────────────────────────────────────


def test_tracking_members_rolled_up_with_names_missing_also_when_anonymous(world):
    survey = survey_of(world.committee, world.admin, anonymous=True, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    track = surveys.tracking(world.admin, survey)
    assert (track.answered, track.total) == (1, 3)
    assert [(r.org.pk, r.answered, r.total) for r in track.orgs] == [(world.committee.pk, 1, 3)]
    assert {m.name for m in track.missing} == {"张宏伟", "李秀英"}
    # a secretary of branch A sees only their branch's part
    own = surveys.tracking(world.secretary_a, survey)
    assert (own.answered, own.total) == (1, 2) and [m.name for m in own.missing] == ["张宏伟"]


def test_tracking_orgs(world):
    survey = survey_of(world.committee, world.admin, audience=Audience.ORGS, targets=[world.branch_a, world.branch_b])
    surveys.answer(by=world.secretary_b, survey=survey, answers=good_answers(survey), org=world.branch_b)
    track = surveys.tracking(world.admin, survey)
    assert {r.org.name: r.answered for r in track.orgs} == {"办公室党支部": 0, "财务处党支部": 1}


def test_results_numbers(world, django_assert_max_num_queries):
    survey = survey_of(world.committee, world.admin, targets=[world.committee])
    a2 = member_login(world.member_a2, "member_a2")
    b = member_login(world.member_b, "member_b")
    surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey, single=0, scale=5))
    surveys.answer(by=a2, survey=survey, answers=good_answers(survey, single=1, multiple=(0,), scale=3, text=""))
    surveys.answer(by=b, survey=survey, answers=good_answers(survey, single=0, multiple=(3,), scale=4))
    with django_assert_max_num_queries(4):
        result = surveys.results(survey)
    assert result.responses == 3
    single, multiple, scale, text = result.questions
    assert [(o.count, o.percent) for o in single.options] == [(2, 66.7), (1, 33.3), (0, 0.0)]
    assert [o.count for o in multiple.options] == [2, 0, 1, 1] and multiple.answered == 3
    assert scale.average == 4.0 and [o.count for o in scale.options] == [0, 0, 1, 1, 1]
    assert sorted(text.texts) == ["希望多组织专题学习", "希望多组织专题学习"]
    assert {g.label: g.responses for g in result.by_kind} == {"党支部": 3}
    assert sum(g.responses for g in result.by_depth) == 3


def test_anonymous_breakdown_hides_small_groups(world):
    survey = survey_of(world.committee, world.admin, anonymous=True, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=survey, answers=good_answers(survey))
    surveys.answer(by=member_login(world.member_b, "member_b"), survey=survey, answers=good_answers(survey))
    result = surveys.results(survey)
    assert result.by_depth == [] and result.by_kind == [] and result.hidden_groups >= 2


def test_raw_rows_named_and_anonymous(world):
    named = survey_of(world.committee, world.admin, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=named, answers=good_answers(named))
    _qs, rows = surveys.raw_rows(named)
    assert rows[0].name == "王小明" and rows[0].org == "办公室党支部"
    assert rows[0].cells == ["满意", "理论学习；作风建设", "4", "希望多组织专题学习"]
    anonymous = survey_of(world.committee, world.admin, anonymous=True, targets=[world.committee])
    surveys.answer(by=world.member_user_a, survey=anonymous, answers=good_answers(anonymous))
    _qs, rows = surveys.raw_rows(anonymous)
    assert rows[0].name == "" and rows[0].org == "" and rows[0].answered_on is None


def test_waiting_for_a_member_and_an_org(world):
    members = survey_of(world.committee, world.admin, targets=[world.general], days=2)
    orgs = survey_of(world.committee, world.admin, audience=Audience.ORGS, targets=[world.branch_a])
    assert [(w.survey.pk, w.org) for w in surveys.waiting_for(world.member_user_a)] == [(members.pk, None)]
    waiting = surveys.waiting_for(world.secretary_a)
    assert [(w.survey.pk, w.org.pk) for w in waiting] == [(orgs.pk, world.branch_a.pk)]
    assert surveys.waiting_for(world.member_user_a)[0].closing_soon
    surveys.answer(by=world.secretary_a, survey=orgs, answers=good_answers(orgs), org=world.branch_a)
    assert surveys.waiting_for(world.secretary_a) == []
    assert surveys.waiting_for(world.secretary_b) == []
    assert QUESTIONS
