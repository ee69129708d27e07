"""党员提案 as issue 16 states it, before any model: the states a proposal passes through, who moves it on, and when
it is overdue — pure data and functions over plain values (no ORM). DOMAIN.md has no section on it yet: the
procedure below is the issue's (立案 / 不立案 with a reason / merged; assigned with a deadline; replied; rated, with
one second reply on request) and our reading where it is silent (marked so)."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class State(StrEnum):
    SUBMITTED = "submitted"  # 待审查
    ACCEPTED = "accepted"  # 已立案, not yet assigned
    REJECTED = "rejected"  # 不立案 (with a reason)
    MERGED = "merged"  # 并案 into another proposal
    ASSIGNED = "assigned"  # 承办中: a handling org and a deadline
    REPLIED = "replied"  # 已答复, awaiting the proposer's rating
    CLOSED = "closed"  # 已办结: rated


class Actor(StrEnum):
    PROPOSER = "proposer"  # the member who submitted it
    REVIEWER = "reviewer"  # the branch or the committee that reviews it
    HANDLER = "handler"  # the handling org or department


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意


LABELS = {
    State.SUBMITTED: "待审查",
    State.ACCEPTED: "已立案",
    State.REJECTED: "不予立案",
    State.MERGED: "已并案",
    State.ASSIGNED: "承办中",
    State.REPLIED: "已答复",
    State.CLOSED: "已办结",
}


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    actor: Actor
    sources: frozenset[State]
    target: State


MOVES = {
    move.name: move
    for move in (
        Move("accept", "立案", Actor.REVIEWER, frozenset({State.SUBMITTED}), State.ACCEPTED),
        Move("reject", "不予立案", Actor.REVIEWER, frozenset({State.SUBMITTED}), State.REJECTED),
        Move("merge", "并案", Actor.REVIEWER, frozenset({State.SUBMITTED}), State.MERGED),
        # our reading: an accepted proposal may be handed to another handler before it is answered
        Move("assign", "交办", Actor.REVIEWER, frozenset({State.ACCEPTED, State.ASSIGNED}), State.ASSIGNED),
        Move("reply", "答复", Actor.HANDLER, frozenset({State.ASSIGNED}), State.REPLIED),
        Move("rate", "评价", Actor.PROPOSER, frozenset({State.REPLIED}), State.CLOSED),
        Move("ask_again", "申请再次答复", Actor.PROPOSER, frozenset({State.REPLIED}), State.ASSIGNED),
    )
}

ERR_UNKNOWN = "未知的办理操作"
ERR_STATE = "提案当前为“{state}”，不能{move}"
ERR_ACTOR = "只有{who}可以{move}"
ERR_REASON = "不予立案须说明理由"
ERR_MERGE_TARGET = "请选择并入的提案"
ERR_DEADLINE = "请填写办理时限，且不能早于今天"
ERR_RATING = "请选择满意、基本满意或不满意"
ERR_SECOND_TIME = "每件提案只能申请一次再次答复"
WHO = {Actor.PROPOSER: "提案人", Actor.REVIEWER: "审查提案的党组织", Actor.HANDLER: "承办单位"}


@dataclass(frozen=True)
class Facts:
    """What a move needs besides the state: the day, and what the user gave with it."""

    today: date
    reason: str = ""
    merge_into: int | None = None
    deadline: date | None = None
    rating: str = ""
    asked_again: bool = False  # a second reply was asked for before


def check_move(state: State, name: str, actor: Actor, facts: Facts) -> list[str]:
    """Why `actor` may not make move `name` on a proposal in `state` (empty: they may)."""
    move = MOVES.get(name)
    if move is None:
        return [ERR_UNKNOWN]
    errors = []
    if state not in move.sources:
        errors.append(ERR_STATE.format(state=LABELS[state], move=move.label))
    if actor != move.actor:
        errors.append(ERR_ACTOR.format(who=WHO[move.actor], move=move.label))
    if name == "reject" and not facts.reason.strip():
        errors.append(ERR_REASON)
    if name == "merge" and facts.merge_into is None:
        errors.append(ERR_MERGE_TARGET)
    if name == "assign" and (facts.deadline is None or facts.deadline < facts.today):
        errors.append(ERR_DEADLINE)
    if name == "rate" and facts.rating not in Rating.__members__.values():
        errors.append(ERR_RATING)
    if name == "ask_again" and facts.asked_again:
        errors.append(ERR_SECOND_TIME)
    return errors


def overdue(state: State, deadline: date | None, today: date) -> bool:
    """Being handled past its deadline (the deadline's day itself is still in time)."""
    return state == State.ASSIGNED and deadline is not None and today > deadline
