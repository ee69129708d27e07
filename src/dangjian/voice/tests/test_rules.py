"""党员提案's procedure as pure rules (issue 16): every move from every state by every actor, table-driven."""

from datetime import date, timedelta

import pytest

from dangjian.voice import rules
from dangjian.voice.rules import Actor, Facts, State

TODAY = date(2026, 6, 15)  # a pure function of its arguments: any day serves
GOOD = {
    "accept": Facts(TODAY),
    "reject": Facts(TODAY, reason="属于个人诉求，转有关部门"),
    "merge": Facts(TODAY, merge_into=7),
    "assign": Facts(TODAY, deadline=TODAY + timedelta(days=30)),
    "reply": Facts(TODAY),
    "rate": Facts(TODAY, rating="basic"),
    "ask_again": Facts(TODAY),
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("name", list(rules.MOVES))
@pytest.mark.parametrize("actor", list(Actor))
def test_each_move_only_from_its_states_and_by_its_actor(state, name, actor):
    move = rules.MOVES[name]
    errors = rules.check_move(state, name, actor, GOOD[name])
    assert (errors == []) == (state in move.sources and actor == move.actor)


@pytest.mark.parametrize(
    ("name", "facts", "message"),
    [
        ("reject", Facts(TODAY, reason="  "), rules.ERR_REASON),
        ("merge", Facts(TODAY), rules.ERR_MERGE_TARGET),
        ("assign", Facts(TODAY), rules.ERR_DEADLINE),
        ("assign", Facts(TODAY, deadline=TODAY - timedelta(days=1)), rules.ERR_DEADLINE),
        ("rate", Facts(TODAY, rating="very"), rules.ERR_RATING),
        ("ask_again", Facts(TODAY, asked_again=True), rules.ERR_SECOND_TIME),
    ],
)
def test_a_move_without_what_it_needs_is_refused(name, facts, message):
    move = rules.MOVES[name]
    state = next(iter(move.sources))
    assert message in rules.check_move(state, name, move.actor, facts)


def test_a_deadline_of_today_is_accepted_and_an_unknown_move_refused():
    assert rules.check_move(State.ACCEPTED, "assign", Actor.REVIEWER, Facts(TODAY, deadline=TODAY)) == []
    assert rules.check_move(State.SUBMITTED, "delete", Actor.REVIEWER, Facts(TODAY)) == [rules.ERR_UNKNOWN]


def test_the_whole_road_with_one_second_reply():
    state, asked = State.SUBMITTED, False
    road = [
        ("accept", Actor.REVIEWER, GOOD["accept"]),
        ("assign", Actor.REVIEWER, GOOD["assign"]),
        ("reply", Actor.HANDLER, GOOD["reply"]),
        ("ask_again", Actor.PROPOSER, Facts(TODAY, asked_again=asked)),
        ("reply", Actor.HANDLER, GOOD["reply"]),
    ]
    for name, actor, facts in road:
        assert rules.check_move(state, name, actor, facts) == [], name
        state = rules.MOVES[name].target
    assert state == State.REPLIED
    assert rules.check_move(state, "ask_again", Actor.PROPOSER, Facts(TODAY, asked_again=True)) == [
        rules.ERR_SECOND_TIME
    ]
    assert rules.check_move(state, "rate", Actor.PROPOSER, Facts(TODAY, rating="unsatisfied")) == []


@pytest.mark.parametrize(
    ("state", "deadline", "expected"),
    [
        (State.ASSIGNED, TODAY - timedelta(days=1), True),
        (State.ASSIGNED, TODAY, False),
        (State.ASSIGNED, None, False),
        (State.REPLIED, TODAY - timedelta(days=1), False),
    ],
)
def test_overdue_only_while_being_handled_after_the_deadline(state, deadline, expected):
    assert rules.overdue(state, deadline, TODAY) is expected
