"""The 问题清单's writes: who may make each, the moves between states, refusals in Chinese with nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.concurrency import StaleEdit
from dangjian.voice import problems
from dangjian.voice.choices import ProblemSource, ProblemState
from dangjian.voice.models import Problem, Survey

from .consultations_world import opinion_of, problem_of

pytestmark = pytest.mark.django_db


def test_create_and_move_through_states(world, clock):
    p = problem_of(world)
    assert p.state == ProblemState.OPEN and p.created_by == world.secretary_a
    p = problems.start_problem(by=world.secretary_a, problem=p, version=p.version)
    assert p.state == ProblemState.PROGRESS
    p = problems.finish_problem(
        by=world.committee_member_a, problem=p, version=p.version, result="已整改", done_on=clock.today()
    )
    assert (p.state, p.done_on, p.result) == (ProblemState.DONE, clock.today(), "已整改")
    p = problems.reopen_problem(by=world.admin, problem=p, version=p.version)
    assert (p.state, p.done_on, p.result) == (ProblemState.PROGRESS, None, "")


def test_done_straight_from_open(world, clock):
    p = problem_of(world)
    p = problems.finish_problem(by=world.secretary_a, problem=p, version=None, result="完成", done_on=clock.today())
    assert p.state == ProblemState.DONE


@pytest.mark.parametrize("user", ["secretary_b", "inspector", "member_user_a"])
def test_only_who_may_change_the_org(world, clock, user):
    p = problem_of(world)
    with pytest.raises(PermissionDenied):
        problems.create_problem(
            by=getattr(world, user),
            org=world.branch_a,
            year=clock.today().year,
            source=ProblemSource.OTHER,
            description="x",
            measure="y",
            owner=world.member_a,
            deadline=clock.today(),
        )
    for move in (problems.start_problem, problems.reopen_problem):
        with pytest.raises(PermissionDenied):
            move(by=getattr(world, user), problem=p, version=None)
    assert Problem.objects.unrestricted().count() == 1
    assert Problem.objects.unrestricted().get().state == ProblemState.OPEN


def test_owner_outside_the_org_refused(world, clock):
    with pytest.raises(ValidationError) as error:
        problem_of(world, owner=world.member_b)
    assert "责任人应为本组织" in str(error.value)
    assert Problem.objects.unrestricted().count() == 0


def test_done_needs_result_and_a_day_not_ahead(world, clock, tomorrow):
    p = problem_of(world)
    with pytest.raises(ValidationError) as error:
        problems.finish_problem(by=world.secretary_a, problem=p, version=p.version, result=" ", done_on=clock.today())
    assert "整改结果" in str(error.value)
    with pytest.raises(ValidationError) as error:
        problems.finish_problem(by=world.secretary_a, problem=p, version=p.version, result="好", done_on=None)
    assert "完成日期" in str(error.value)
    with pytest.raises(ValidationError):
        problems.finish_problem(by=world.secretary_a, problem=p, version=p.version, result="好", done_on=tomorrow)
    p.refresh_from_db()
    assert (p.state, p.result, p.done_on, p.version) == (ProblemState.OPEN, "", None, 1)


def test_moves_out_of_order_refused(world, clock):
    p = problem_of(world)
    with pytest.raises(ValidationError) as error:
        problems.reopen_problem(by=world.secretary_a, problem=p, version=p.version)
    assert "不能重新整改" in str(error.value)
    p = problems.start_problem(by=world.secretary_a, problem=p, version=p.version)
    with pytest.raises(ValidationError):
        problems.start_problem(by=world.secretary_a, problem=p, version=p.version)


def test_stale_edit_refused(world, clock):
    p = problem_of(world)
    problems.update_problem(
        by=world.secretary_a, problem=p, version=1, year=p.year, description="新描述", measure="m",
        owner=world.member_a2, deadline=p.deadline,
    )  # fmt: skip
    with pytest.raises(StaleEdit):
        problems.update_problem(
            by=world.secretary_a, problem=p, version=1, year=p.year, description="旧", measure="m",
            owner=world.member_a, deadline=p.deadline,
        )  # fmt: skip
    p.refresh_from_db()
    assert (p.description, p.owner, p.version) == ("新描述", world.member_a2, 2)


def test_sources(world, clock):
    survey = Survey.objects.create(org=world.branch_b, title="满意度", audience="orgs", closes_on=clock.today())
    with pytest.raises(ValidationError) as error:
        problem_of(world, source=ProblemSource.SURVEY, survey=survey)
    assert "来源问卷" in str(error.value)
    with pytest.raises(ValidationError):
        problem_of(world, source=ProblemSource.SURVEY)
    with pytest.raises(ValidationError):
        problem_of(world, source=ProblemSource.OTHER, opinion=opinion_of(world))
    with pytest.raises(ValidationError) as error:
        problem_of(world, source=ProblemSource.TALK, opinion=opinion_of(world, "b"))
    assert Problem.objects.unrestricted().count() == 0
    own = Survey.objects.create(org=world.branch_a, title="满意度", audience="orgs", closes_on=clock.today())
    assert problem_of(world, source=ProblemSource.SURVEY, survey=own).survey == own
    assert problem_of(world, source=ProblemSource.TALK, opinion=opinion_of(world)).opinion is not None


def test_overdue(world, clock):
    p = problem_of(world, days=-1)
    assert problems.is_overdue(p)
    row = problems.problems_of(fetched_by=world.secretary_a).get(pk=p.pk)
    assert row.overdue
    assert list(problems.problems_of(fetched_by=world.secretary_a, overdue=True)) == [p]
    problem_of(world, days=0)  # due today: not overdue yet
    assert problems.overdue_in_scope(world.secretary_a).count() == 1
    assert problems.overdue_in_scope(world.secretary_b).count() == 0


def test_owner_sees_own_problems_only(world, clock):
    mine = problem_of(world)
    problem_of(world, owner=world.member_a2)
    assert list(problems.problems_of(fetched_by=world.member_user_a)) == [mine]
    assert problems.my_due(world.member_user_a).count() == 0
    soon = problem_of(world, days=problems.DUE_SOON_DAYS)
    assert list(problems.my_due(world.member_user_a)) == [soon]


def test_summary_rolls_up(world, clock, django_assert_num_queries):
    year = clock.today().year
    problem_of(world, days=-3)
    done = problem_of(world)
    problems.finish_problem(by=world.secretary_a, problem=done, version=None, result="好", done_on=clock.today())
    problem_of(world, "b")
    problems.problem_summary(world.admin, year)  # the user's grants, loaded once
    with django_assert_num_queries(2):
        rows = {r.org.name: r for r in problems.problem_summary(world.admin, year)}
    assert (rows["测试机关党委"].total, rows["测试机关党委"].done, rows["测试机关党委"].overdue) == (3, 1, 1)
    assert (rows["第一党总支"].total, rows["办公室党支部"].done_rate) == (2, 50)
    assert rows["财务处党支部"].total == 1
    assert {r.org.name for r in problems.problem_summary(world.secretary_b, year)} == {"财务处党支部"}
    assert problems.problem_summary(world.admin, year + 1) == []


def test_deadline_may_be_ahead_and_year_bounded(world, clock):
    assert problem_of(world, days=200).deadline > clock.today()
    with pytest.raises(ValidationError):
        problem_of(world, year=1999)
    assert Problem.objects.unrestricted().count() == 1


def test_dates_around_today(world, clock):
    p = problem_of(world, days=-1)
    problems.finish_problem(
        by=world.secretary_a, problem=p, version=None, result="好", done_on=clock.today() - timedelta(days=1)
    )
    assert not problems.problems_of(fetched_by=world.secretary_a, overdue=True).exists()
