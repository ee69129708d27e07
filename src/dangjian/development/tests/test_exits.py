"""出口 services: opening, recording, the measure, closing (劝退/除名/自行脱党 take the member off the register), each
refusal writing nothing; the outcome/measure table; the candidates the flags propose."""

from datetime import timedelta
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core import clock as core_clock
from dangjian.development import exits
from dangjian.development.choices import ActionKind, CaseSource, CaseState, Measure, Outcome
from dangjian.development.models import CaseAction, ExitCase
from dangjian.fees.models import ArrearsFlag
from dangjian.meetings.choices import Rating
from dangjian.meetings.models import AppraisalRating, Flag
from dangjian.meetings.tests.parts_world import held_meeting
from dangjian.members.choices import ExitKind, Status
from dangjian.members.models import Member, StatusChange

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return core_clock.today() - timedelta(days=n)


def opened(world, member=None, **kwargs):
    values = {"source": CaseSource.MANUAL, "opened_on": days_ago(30)} | kwargs
    return exits.open_case(by=world.secretary_a, member=member or world.member_a2, **values)


def snapshot():
    return (
        list(ExitCase.objects.unrestricted().values()),
        list(CaseAction.objects.unrestricted().values()),
        list(Member.objects.unrestricted().values("pk", "status", "exit_kind", "version")),
        StatusChange.objects.unrestricted().count(),
    )


# --- opening ---------------------------------------------------------------------------------------------------


def test_open_case_records_who_where_and_why(world, clock):
    case = opened(world, source=CaseSource.RATING, source_note="  评为不合格  ")
    assert case.state == CaseState.OPEN and case.org == world.branch_a and case.opened_by == world.secretary_a
    assert case.source_note == "评为不合格"
    world.member_a2.refresh_from_db()
    assert world.member_a2.status == Status.ACTIVE  # opening decides nothing


def _expelled(member):
    Member.objects.unrestricted().filter(pk=member.pk).update(status=Status.SUSPENDED)
    return member


@pytest.mark.parametrize(
    "who,member,kwargs,error",
    [
        ("secretary_b", "member_a2", {}, PermissionDenied),
        ("inspector", "member_a2", {}, PermissionDenied),
        ("secretary_a", "member_b", {}, PermissionDenied),
        ("secretary_a", "member_a2", {"opened_on": 1}, "日期不能晚于今天"),
        ("secretary_a", "member_a2", {"source": "nonsense"}, "请选择有效的选项"),
        ("secretary_a", "member_a2", {"before_joined": True}, "立案日期不能早于入党日期"),
        ("secretary_a", "member_a2", {"suspended": True}, "只有在册党员才能立案处置"),
        ("secretary_a", "member_a2", {"twice": True}, "该党员已有处置中的案件"),
    ],
)
def test_open_case_refusals_write_nothing(world, clock, who, member, kwargs, error):
    member = getattr(world, member)
    if kwargs.pop("suspended", False):
        _expelled(member)
    if kwargs.pop("twice", False):
        opened(world, member)
    if kwargs.pop("before_joined", False):
        kwargs["opened_on"] = member.joined_on - timedelta(days=1)
    if kwargs.get("opened_on") == 1:
        kwargs["opened_on"] = core_clock.today() + timedelta(days=1)
    before = snapshot()
    with pytest.raises(PermissionDenied if error is PermissionDenied else ValidationError) as refused:
        exits.open_case(
            by=getattr(world, who), member=member, **({"source": CaseSource.MANUAL, "opened_on": days_ago(3)} | kwargs)
        )
    if isinstance(error, str):
        assert error in str(refused.value)
    assert snapshot() == before


def test_a_closed_case_lets_a_new_one_open(world, clock):
    case = opened(world)
    exits.close_case(by=world.secretary_a, case=case, outcome=Outcome.DROPPED, closed_on=days_ago(1), decision="经核实")
    again = opened(world, opened_on=days_ago(0))
    assert again.pk != case.pk and again.state == CaseState.OPEN


# --- actions and the measure -------------------------------------------------------------------------------------


def test_actions_are_recorded_between_opening_and_today_with_a_note(world, clock):
    case = opened(world)
    action = exits.add_action(by=world.secretary_a, case=case, kind=ActionKind.TALK, done_on=days_ago(20), note="谈话")
    assert action.recorded_by == world.secretary_a
    before = snapshot()
    for kwargs, text in (
        ({"done_on": days_ago(31)}, "日期不能早于立案日期"),
        ({"done_on": days_ago(-1)}, "日期不能晚于今天"),
        ({"note": "  "}, "请填写情况"),
        ({"kind": "bogus"}, "请选择有效的选项"),
    ):
        values = {"kind": ActionKind.TALK, "done_on": days_ago(5), "note": "教育"} | kwargs
        with pytest.raises(ValidationError, match=text):
            exits.add_action(by=world.secretary_a, case=case, **values)
    with pytest.raises(PermissionDenied):
        exits.add_action(by=world.secretary_b, case=case, kind=ActionKind.TALK, done_on=days_ago(5), note="x")
    assert snapshot() == before


def test_correction_needs_a_deadline_after_the_opening_and_other_measures_drop_it(world, clock):
    case = opened(world)
    before = snapshot()
    for deadline in (None, case.opened_on):
        with pytest.raises(ValidationError, match="限期改正须填写改正期限"):
            exits.set_measure(by=world.secretary_a, case=case, measure=Measure.CORRECTION, deadline=deadline)
    with pytest.raises(ValidationError):
        exits.set_measure(by=world.secretary_a, case=case, measure="exile")
    assert snapshot() == before
    deadline = core_clock.today() + timedelta(days=90)
    case = exits.set_measure(by=world.secretary_a, case=case, measure=Measure.CORRECTION, deadline=deadline)
    assert (case.measure, case.deadline) == (Measure.CORRECTION, deadline)
    case = exits.set_measure(by=world.secretary_a, case=case, measure=Measure.PERSUADE, deadline=deadline)
    assert (case.measure, case.deadline) == (Measure.PERSUADE, None)


# --- closing -----------------------------------------------------------------------------------------------------


def test_closing_as_struck_off_takes_the_member_off_the_register_with_history(world, clock):
    case = opened(world)
    exits.set_measure(by=world.secretary_a, case=case, measure=Measure.STRIKE_OFF)
    closed = exits.close_case(
        by=world.secretary_a,
        case=case,
        outcome=Outcome.STRUCK_OFF,
        closed_on=days_ago(2),
        decision="支部大会决定除名，上级党委批准。",
    )
    assert closed.state == CaseState.CLOSED and closed.outcome == Outcome.STRUCK_OFF
    member = Member.objects.unrestricted().get(pk=world.member_a2.pk)
    assert (member.status, member.exit_kind, member.status_changed_on) == (
        Status.EXPELLED,
        ExitKind.STRUCK_OFF,
        days_ago(2),
    )
    change = StatusChange.objects.unrestricted().get(member=member)
    assert change.to_status == Status.EXPELLED and change.exit_kind == ExitKind.STRUCK_OFF
    assert "除名" in change.reason and "支部大会决定除名" in change.reason
    with pytest.raises(ValidationError, match="该案件已结案"):
        exits.add_action(by=world.secretary_a, case=case, kind=ActionKind.OTHER, done_on=days_ago(1), note="x")


@pytest.mark.parametrize(
    "measure,outcome,kind",
    [(Measure.PERSUADE, Outcome.PERSUADED, ExitKind.PERSUADED), (Measure.LAPSED, Outcome.LAPSED, ExitKind.LAPSED)],
)
def test_persuaded_and_lapsed_are_exits_of_their_kind(world, clock, measure, outcome, kind):
    case = opened(world)
    exits.set_measure(by=world.secretary_a, case=case, measure=measure)
    exits.close_case(by=world.secretary_a, case=case, outcome=outcome, closed_on=days_ago(1), decision="决定")
    member = Member.objects.unrestricted().get(pk=world.member_a2.pk)
    assert (member.status, member.exit_kind) == (Status.EXPELLED, kind)


def test_corrected_and_dropped_leave_the_member_as_is(world, clock):
    case = opened(world)
    deadline = days_ago(1)
    exits.set_measure(by=world.secretary_a, case=case, measure=Measure.CORRECTION, deadline=deadline)
    exits.close_case(
        by=world.secretary_a, case=case, outcome=Outcome.CORRECTED, closed_on=days_ago(0), decision="已改正"
    )
    member = Member.objects.unrestricted().get(pk=world.member_a2.pk)
    assert member.status == Status.ACTIVE and not StatusChange.objects.unrestricted().exists()


def test_closing_refusals_write_nothing(world, clock):
    case = opened(world)
    exits.set_measure(by=world.secretary_a, case=case, measure=Measure.CORRECTION, deadline=days_ago(-30))
    case.refresh_from_db()
    before = snapshot()
    base = {"outcome": Outcome.CORRECTED, "closed_on": days_ago(1), "decision": "决定"}
    for kwargs, text in (
        ({"decision": " "}, "请填写决定内容"),
        ({"outcome": Outcome.STRUCK_OFF}, "与处置方式“限期改正”不符"),
        ({"closed_on": days_ago(31)}, "日期不能早于立案日期"),
        ({"closed_on": days_ago(-1)}, "日期不能晚于今天"),
        ({"outcome": "bogus"}, "请选择有效的选项"),
    ):
        with pytest.raises(ValidationError, match=text):
            exits.close_case(by=world.secretary_a, case=case, **(base | kwargs))
    for who in (world.secretary_b, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied):
            exits.close_case(by=who, case=case, **base)
    from dangjian.core.concurrency import StaleEdit

    with pytest.raises(StaleEdit):
        exits.close_case(by=world.secretary_a, case=case, version=case.version - 1, **base)
    assert snapshot() == before


def test_a_refused_status_change_rolls_the_closing_back(world, clock):
    """The member left meanwhile (转出): member_change_status refuses, and the case stays open."""
    case = opened(world)
    exits.set_measure(by=world.secretary_a, case=case, measure=Measure.STRIKE_OFF)
    Member.objects.unrestricted().filter(pk=world.member_a2.pk).update(status=Status.TRANSFERRED_OUT)
    before = snapshot()
    with pytest.raises(ValidationError):
        exits.close_case(
            by=world.secretary_a, case=case, outcome=Outcome.STRUCK_OFF, closed_on=days_ago(1), decision="除名"
        )
    assert snapshot() == before


#: The table as DOMAIN.md / 党章 第九条 reads, written out here independently of exits.OUTCOME_MEASURES.
ALLOWED = {
    (Outcome.CORRECTED, Measure.CORRECTION),
    (Outcome.PERSUADED, Measure.PERSUADE),
    (Outcome.STRUCK_OFF, Measure.STRIKE_OFF),
    (Outcome.STRUCK_OFF, Measure.PERSUADE),  # 劝而不退: 支部大会 除名
    (Outcome.STRUCK_OFF, Measure.LAPSED),
    (Outcome.LAPSED, Measure.LAPSED),
    *((Outcome.DROPPED, m) for m in ["", *Measure.values]),
}


@pytest.mark.parametrize("outcome,measure", list(product(Outcome.values, ["", *Measure.values])))
def test_outcome_measure_table(outcome, measure):
    assert exits.outcome_allowed(outcome, measure) is ((outcome, measure) in ALLOWED)


# --- candidates --------------------------------------------------------------------------------------------------


def _flags(world):
    meeting = held_meeting(world, world.branch_a)
    AppraisalRating.objects.create(
        meeting=meeting, member=world.member_a2, rating=Rating.UNQUALIFIED, votes_unqualified=3
    )
    AppraisalRating.objects.create(meeting=meeting, member=world.member_a, rating=Rating.QUALIFIED, votes_qualified=3)
    now = timezone.now()
    Flag.objects.create(
        org=world.branch_a,
        member=world.member_a,
        kind=Flag.Kind.ABSENT_SIX_MONTHS,
        message="王小明连续6个月未参加组织生活",
        computed_at=now,
    )
    Flag.objects.create(org=world.branch_a, kind=Flag.Kind.DUE, message="本月会议未召开", computed_at=now)
    ArrearsFlag.objects.create(
        org=world.branch_b,
        member=world.member_b,
        months=7,
        review=True,
        message="李秀英连续6个月未交纳",
        computed_at=now,
    )
    ArrearsFlag.objects.create(
        org=world.branch_a, member=world.member_a, months=3, review=False, message="欠交3个月", computed_at=now
    )


def _rows(user, org=None):
    return {(c.member.name, c.source) for c in exits.candidates(user, org)}


def test_candidates_come_from_each_source_in_scope(world, clock, django_assert_max_num_queries):
    _flags(world)
    with django_assert_max_num_queries(4):  # the user's own-record scope, then one query a source
        rows = exits.candidates(world.admin)
    assert {(c.member.name, c.source) for c in rows} == {
        ("张宏伟", CaseSource.RATING),
        ("王小明", CaseSource.ABSENCE),
        ("李秀英", CaseSource.ARREARS),
    }
    assert any("评为不合格" in c.reason for c in rows if c.source == CaseSource.RATING)
    assert _rows(world.secretary_a) == {("张宏伟", CaseSource.RATING), ("王小明", CaseSource.ABSENCE)}
    assert _rows(world.secretary_b) == {("李秀英", CaseSource.ARREARS)}
    assert _rows(world.admin, world.branch_b) == {("李秀英", CaseSource.ARREARS)}
    assert _rows(world.member_user_a) == set()


def test_candidates_leave_out_open_cases_and_old_ratings(world, clock):
    _flags(world)
    opened(world, world.member_a)
    assert _rows(world.secretary_a) == {("张宏伟", CaseSource.RATING)}
    clock.set(core_clock.today() + timedelta(days=3 * 365))
    assert ("张宏伟", CaseSource.RATING) not in _rows(world.secretary_a)


def test_overdue_corrections_are_reminded(world, clock):
    from dangjian.development.reminders import case_reminders

    case = opened(world)
    exits.set_measure(by=world.secretary_a, case=case, measure=Measure.CORRECTION, deadline=days_ago(2))
    titles = [r.title for r in case_reminders(world.secretary_a)]
    assert len(titles) == 1 and "张宏伟" in titles[0] and "改正期限" in titles[0]
    assert case_reminders(world.secretary_b) == []
    exits.close_case(by=world.secretary_a, case=case, outcome=Outcome.CORRECTED, closed_on=days_ago(0), decision="改正")
    assert case_reminders(world.secretary_a) == []
