"""党员提案's services: every move and who may make it (each actor allowed, the others refused with the rules'
Chinese message and nothing written), the facts each move checks against the database, attachments checked by
content, the version, reminders of an overdue proposal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.concurrency import StaleEdit
from dangjian.core.reminders import reminders_for
from dangjian.voice import proposals, rules
from dangjian.voice.models import Proposal, ProposalEvent

from .proposals_world import PDF, counts, fresh, overdue_in, proposal_in, proposal_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(clock):
    return clock.set(clock.today())


def refused(call, *args, **kwargs) -> list[str]:
    before = counts()
    with pytest.raises((ValidationError, PermissionDenied)) as caught:
        call(*args, **kwargs)
    assert counts() == before
    error = caught.value
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def test_submit_by_a_member_with_files(world, today):
    p = proposal_of(world.member_user_a, files=[upload(), upload("方案.pdf", PDF)])
    assert (p.org, p.proposer, p.state, p.year, p.submitted_on) == (
        world.branch_a,
        world.member_a,
        "submitted",
        today.year,
        today,
    )
    assert p.files.count() == 2
    assert list(ProposalEvent.objects.unrestricted().filter(proposal=p).values_list("move", flat=True)) == ["submit"]


def test_submit_refused(world, today):
    assert refused(proposal_of, world.secretary_a) == [proposals.ERR_NOT_A_MEMBER]
    messages = refused(proposal_of, world.member_user_a, files=[upload("假图.png", b"not an image at all")])
    assert "假图.png" in messages[0]
    assert refused(proposal_of, world.member_user_a, files=[upload(f"{i}.png") for i in range(6)]) == [
        proposals.ERR_FILES_MAX
    ]
    assert refused(proposal_of, world.member_user_a, files=[upload("表.exe", PDF)])


def test_full_path_and_timeline(world, today):
    p = proposal_in(world, "closed")
    assert p.state == "closed" and p.rating == "satisfied" and p.handler_org == world.branch_b
    moves = list(ProposalEvent.objects.unrestricted().filter(proposal=p).values_list("move", flat=True))
    assert moves == ["submit", "accept", "assign", "reply", "rate"]


@pytest.mark.parametrize(
    ("state", "name", "facts"),
    [
        ("submitted", "accept", {}),
        ("submitted", "reject", {"reason": "不属于提案范围"}),
        ("accepted", "assign", {"handler_org": "A", "deadline": 5}),
        ("assigned", "assign", {"handler_org": "A", "deadline": 5}),
    ],
)
def test_reviewer_moves(world, today, state, name, facts):
    facts = dict(facts)
    if "handler_org" in facts:
        facts["handler_org"] = (world.branch_b if facts["handler_org"] == "B" else world.branch_a).pk
        facts["deadline"] = today + timedelta(days=facts["deadline"])
    # the branch's secretary and the committee review; the proposer, branch B, the inspector may not
    for user in (world.member_user_a, world.secretary_b, world.inspector):
        p = proposal_in(world, state, reviewer=world.secretary_a, handler=world.branch_a)
        refused(proposals.move, user, p, name, facts)
    for user in (world.secretary_a, world.committee_member_a, world.admin):
        p = proposal_in(world, state, reviewer=world.secretary_a, handler=world.branch_a)
        done = proposals.move(user, p, name, facts, p.version)
        assert done.state == rules.MOVES[name].target


def test_merge(world, today):
    p = proposal_in(world, "submitted")
    other = proposal_in(world, "submitted")
    assert refused(proposals.move, world.secretary_a, p, "merge", {"merge_into": p.pk}) == [proposals.ERR_MERGE_SELF]
    rejected = proposal_in(world, "rejected")
    assert refused(proposals.move, world.secretary_a, p, "merge", {"merge_into": rejected.pk}) == [
        proposals.ERR_MERGE_TARGET_STATE
    ]
    # a proposal of branch B: secretary A does not review it
    from .proposals_world import member_b_login

    theirs = proposal_of(member_b_login(world))
    assert refused(proposals.move, world.secretary_a, p, "merge", {"merge_into": theirs.pk}) == [
        proposals.ERR_MERGE_TARGET
    ]
    assert refused(proposals.move, world.secretary_a, p, "merge", {}) == [rules.ERR_MERGE_TARGET]
    done = proposals.move(world.secretary_a, p, "merge", {"merge_into": other.pk})
    assert done.state == "merged" and done.merged_into_id == other.pk


def test_assign_checks(world, today):
    p = proposal_in(world, "accepted", reviewer=world.secretary_a)
    yesterday = today - timedelta(days=1)
    assert rules.ERR_DEADLINE in refused(
        proposals.move, world.secretary_a, p, "assign", {"handler_org": world.branch_a.pk, "deadline": yesterday}
    )
    # secretary A does not see branch B: not a handler they may name
    assert refused(
        proposals.move, world.secretary_a, p, "assign", {"handler_org": world.branch_b.pk, "deadline": today}
    ) == [proposals.ERR_HANDLER_SCOPE]
    assert refused(proposals.move, world.secretary_a, p, "assign", {"deadline": today}) == [proposals.ERR_HANDLER]
    done = proposals.move(world.secretary_a, p, "assign", {"handler_org": world.group_a.pk, "deadline": today})
    assert done.handler_org == world.group_a and done.deadline == today


def test_reject_needs_reason(world, today):
    p = proposal_in(world, "submitted")
    assert refused(proposals.move, world.secretary_a, p, "reject", {"reason": "  "}) == [rules.ERR_REASON]


def test_reply_by_the_handler_only(world, today):
    p = proposal_in(world, "assigned", handler=world.branch_b)
    # the proposer, branch A's secretary (a reviewer, not the handler), the inspector: refused
    for user in (world.member_user_a, world.secretary_a, world.inspector):
        refused(proposals.move, user, fresh(p), "reply", {"reply": "答复"})
    assert refused(proposals.move, world.secretary_b, fresh(p), "reply", {"reply": " "}) == [proposals.ERR_REPLY]
    done = proposals.move(world.secretary_b, fresh(p), "reply", {"reply": "已办理"}, p.version)
    assert done.state == "replied" and done.replied_on == today


def test_reply_to_an_unassigned_proposal_refused(world, today):
    p = proposal_in(world, "accepted")
    messages = refused(proposals.move, world.admin, p, "reply", {"reply": "已办理"})
    assert "提案当前为“已立案”，不能答复" in messages
    assert proposals.ERR_UNASSIGNED in messages
    assert fresh(p).state == "accepted" and fresh(p).reply == ""


def test_rate_and_ask_again(world, today):
    p = proposal_in(world, "replied", days=10)
    for user in (world.secretary_a, world.secretary_b, world.admin):
        refused(proposals.move, user, fresh(p), "rate", {"rating": "satisfied"})
    assert refused(proposals.move, world.member_user_a, fresh(p), "rate", {"rating": "great"}) == [rules.ERR_RATING]
    again = proposals.move(world.member_user_a, fresh(p), "ask_again", {"rating_note": "未解决根本问题"})
    assert again.state == "assigned" and again.asked_again and again.deadline == today + timedelta(days=10)
    proposals.move(world.secretary_b, fresh(p), "reply", {"reply": "再次答复"})
    assert refused(proposals.move, world.member_user_a, fresh(p), "ask_again", {}) == [rules.ERR_SECOND_TIME]
    done = proposals.move(world.member_user_a, fresh(p), "rate", {"rating": "basic", "rating_note": "基本解决"})
    assert (done.state, done.rating, done.rating_note) == ("closed", "basic", "基本解决")


def test_wrong_state_and_unknown_move(world, today):
    p = proposal_in(world, "closed")
    assert refused(proposals.move, world.admin, p, "accept", {}) == ["提案当前为“已办结”，不能立案"]
    assert refused(proposals.move, world.admin, p, "fly", {}) == [rules.ERR_UNKNOWN]


def test_outsider_and_stale(world, today):
    p = proposal_in(world, "submitted")
    assert refused(proposals.move, world.secretary_b, p, "accept", {}) == [proposals.ERR_NO_RIGHT]
    proposals.move(world.secretary_a, fresh(p), "accept", {}, p.version)
    before = counts()
    with pytest.raises(StaleEdit):
        proposals.move(world.admin, fresh(p), "reject", {"reason": "x"}, p.version)
    assert counts() == before


def test_overdue_in_reminders(world, today):
    overdue_in(world)
    titles = [r.title for r in reminders_for(world.secretary_b)]
    assert any("已超过办理时限" in t for t in titles), titles
    assert proposals.overdue_handled(world.secretary_b).count() == 1
    assert proposals.overdue_handled(world.secretary_a).count() == 0


def test_reminders_each_actor(world, today):
    proposal_in(world, "submitted")
    proposal_in(world, "assigned", days=2)
    proposal_in(world, "replied")
    assert any("待审查" in r.title for r in reminders_for(world.secretary_a))
    assert any("3天内到期" in r.title for r in reminders_for(world.secretary_b))
    assert any("待您评价" in r.title for r in reminders_for(world.member_user_a))


def test_statistics(world, today):
    for state in ("submitted", "rejected", "accepted", "closed", "closed"):
        proposal_in(world, state)
    overdue_in(world)
    figures = proposals.statistics(world.admin, today.year)
    total = figures["total"]
    assert total["total"] == 6 and total["decided"] == 5 and total["adopted"] == 4
    assert total["adoption"] == 80.0 and total["timeliness"] == 100.0 and total["overdue"] == 1
    assert figures["rated"] == 2 and figures["satisfaction"][0]["n"] == 2
    assert [(h["label"], h["total"], h["overdue"]) for h in figures["handlers"]] == [(world.branch_b.name, 3, 1)]
    assert proposals.statistics(world.secretary_b, today.year)["total"]["total"] == 3  # the ones it handles


def test_public_list(world, today):
    for state in ("submitted", "rejected", "accepted", "closed"):
        proposal_in(world, state)
    rows = list(proposals.public_proposals(world.secretary_b))
    assert sorted(r.state for r in rows) == ["accepted", "closed"]
    assert Proposal.objects.unrestricted().count() == 4


def test_each_actor_refused_the_others_moves(world, today):
    """The handler may not review nor re-assign, the reviewer may not rate nor ask again, the proposer may not
    accept: each refused with the rules' “只有…可以…” and nothing written."""
    assigned = proposal_in(world, "assigned", handler=world.branch_b)
    deadline = today + timedelta(days=3)
    assert refused(
        proposals.move, world.secretary_b, assigned, "assign", {"handler_org": world.branch_b.pk, "deadline": deadline}
    ) == ["只有审查提案的党组织可以交办"]
    replied = proposal_in(world, "replied")
    assert refused(proposals.move, world.secretary_a, replied, "ask_again", {}) == ["只有提案人可以申请再次答复"]
    assert refused(proposals.move, world.secretary_b, replied, "ask_again", {}) == ["只有提案人可以申请再次答复"]
    submitted = proposal_in(world, "submitted")
    assert refused(proposals.move, world.member_user_a, submitted, "accept", {}) == ["只有审查提案的党组织可以立案"]
    other = proposal_in(world, "submitted")
    assert refused(proposals.move, world.member_user_a, submitted, "merge", {"merge_into": other.pk}) == [
        "只有审查提案的党组织可以并案",
        proposals.ERR_MERGE_TARGET,
    ]
