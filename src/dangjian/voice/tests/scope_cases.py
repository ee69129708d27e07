"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, ApiCase, Case
from dangjian.voice.models import Proposal

from .proposals_world import member_b_login, proposal_of, upload

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals
_P_VIEW_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_P_VIEW_B = {"admin", "secretary_b", "inspector"}
_P_CHANGE_B = {"admin", "secretary_b"}


def _p_org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}&page_size=100{query}")


def _p_user(w, side: str):
    return w.member_user_a if side == "a" else member_b_login(w)


def _proposal(side: str, *extra):
    """A proposal 待审查 of branch A's member 王小明 (or branch B's 李秀英), with a file."""

    def target(w):
        return [proposal_of(_p_user(w, side), files=[upload()]).pk, *extra], ""

    return target


def _proposal_file(side: str):
    def target(w):
        p = proposal_of(_p_user(w, side), files=[upload()])
        return [p.files.unrestricted().get().pk], ""

    return target


def _p_body(w, args):
    return {"name": "accept", "facts": {}, "version": Proposal.objects.unrestricted().get(pk=args[0]).version}


def _p_create_body(w, args):
    return {"title": "接口提交的提案", "category": "party", "content": "建议加强支部标准化建设。"}


_EVERYONE = set(PERSONAS)
CASES |= {
    "voice:proposals": Case(a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False),
    "voice:proposals_export": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    "voice:proposal_stats": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    "voice:proposal_stats_export": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    # a member's own pages: staff without a member record get the page saying so
    "voice:my_proposals": Case(a_ok=_EVERYONE, post=False),
    "voice:proposal_create": Case(a_ok=_EVERYONE, post=False),
    # every logged-in user of the organ (no proposal adopted in the walk: nothing of the other side shows)
    "voice:proposals_public": Case(a_ok=_EVERYONE, post=False),
    "voice:proposal": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal("a"), b=_proposal("b"), post=False),
    # the proposer and the reviewers play a part (an empty POST: 400 with the form); anyone else 404
    "voice:proposal_move": Case(
        a_ok=CHANGE_A | {"member_user_a"},
        b_ok=_P_CHANGE_B,
        a=_proposal("a", "accept"),
        b=_proposal("b", "accept"),
        get=False,
    ),
    "voice:proposal_file": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal_file("a"), b=_proposal_file("b"), post=False),
}

API_CASES |= {
    "api:voice_proposals": ApiCase(
        a_ok=A_SIDE, b_ok=B_SIDE, a=_p_org("branch_a"), b=_p_org("branch_b"), also_post=True
    ),
    "api:voice_proposal": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal("a"), b=_proposal("b")),
    "api:voice_proposal_create": ApiCase(
        a_ok={"member_user_a"},
        method="post",
        body=_p_create_body,
        ok_status=201,
        refused={p: 403 for p in PERSONAS if p != "member_user_a"},
    ),
    # branch A's only: its proposer's token is refused the reviewer's move (422), while branch B's is not theirs (404)
    "api:voice_proposal_moves": ApiCase(
        a_ok=CHANGE_A, a=_proposal("a"), method="post", body=_p_body, refused={"member_user_a": 422}
    ),
}

# ── commitments

# ── inquiries

# ── surveys

# ── consultations
