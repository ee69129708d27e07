"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, VIEWERS, ApiCase, Case
from dangjian.voice.choices import Phase
from dangjian.voice.models import Commitment, Fulfilment

from .commitments_world import commitment_of, promise_of

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals

# ── commitments
_SEES_A = VIEWERS - {"secretary_b"}
_SEES_B = B_SIDE
_CHANGE_B = {"admin", "secretary_b"}


def _cm_org(attr: str):
    return lambda w: ([], f"?org={getattr(w, attr).pk}")


def _member_commitment(attr: str, phases=(), evidence=False):
    return lambda w: ([commitment_of(getattr(w, attr), phases=phases, evidence=evidence).pk], "")


def _branch_commitment(attr: str):
    return lambda w: ([commitment_of(org=getattr(w, attr)).pk], "")


def _evidence(attr: str):
    def target(w):
        c = commitment_of(getattr(w, attr), phases=(Phase.MID,), evidence=True)
        return [Fulfilment.objects.unrestricted().get(commitment=c).pk], ""

    return target


def _promise(attr: str):
    return lambda w: ([promise_of(getattr(w, attr)).pk], "")


CASES |= {
    "voice:commitments": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:commitments_export": Case(
        a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False
    ),
    "voice:commitment": Case(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_member_commitment("member_a"), b=_member_commitment("member_b"), post=False
    ),
    # a member's commitment: only the member edits it and records 践诺; a branch's own: its secretary
    "voice:commitment_edit": Case(
        a_ok={"member_user_a"}, b_ok=_CHANGE_B, a=_member_commitment("member_a"), b=_branch_commitment("branch_b")
    ),
    "voice:commitment_fulfil": Case(
        a_ok={"member_user_a"}, b_ok=_CHANGE_B, a=_member_commitment("member_a"), b=_branch_commitment("branch_b")
    ),
    "voice:commitment_grade": Case(
        a_ok=CHANGE_A,
        b_ok=_CHANGE_B,
        a=_member_commitment("member_a", phases=(Phase.MID, Phase.END)),
        b=_member_commitment("member_b", phases=(Phase.MID, Phase.END)),
        get=False,
    ),
    "voice:fulfilment_evidence": Case(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_evidence("member_a"), b=_evidence("member_b"), post=False
    ),
    "voice:my_commitment": Case(a_ok=set(PERSONAS), post=False),
    "voice:my_commitment_publish": Case(a_ok={"member_user_a"}),
    "voice:org_commitment": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:org_commitment_publish": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_cm_org("branch_a"), b=_cm_org("branch_b")),
    "voice:promises": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:promises_export": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:promises_public": Case(a_ok=set(PERSONAS), post=False),
    "voice:promise_create": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_cm_org("branch_a"), b=_cm_org("branch_b")),
    "voice:promise_edit": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_promise("branch_a"), b=_promise("branch_b")),
    "voice:promise_toggle": Case(
        a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_promise("branch_a"), b=_promise("branch_b"), get=False
    ),
}


def _grade_body(w, args):
    return {
        "grade": "good",
        "note": "较好完成承诺",
        "version": Commitment.objects.unrestricted().get(pk=args[0]).version,
    }


API_CASES |= {
    "api:voice_commitments": ApiCase(
        a_ok=A_SIDE,
        b_ok=_SEES_B,
        a=lambda w: ([], f"?org={commitment_of(w.member_a).org_id}&page_size=100"),
        b=lambda w: ([], f"?org={commitment_of(w.member_b).org_id}&page_size=100"),
    ),
    "api:voice_commitment": ApiCase(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_member_commitment("member_a"), b=_member_commitment("member_b")
    ),
    "api:voice_commitment_grade": ApiCase(
        a_ok=CHANGE_A,
        b_ok=_CHANGE_B,
        a=_member_commitment("member_a", phases=(Phase.MID, Phase.END)),
        b=_member_commitment("member_b", phases=(Phase.MID, Phase.END)),
        method="post",
        body=_grade_body,
    ),
    "api:voice_promises": ApiCase(a_ok=set(PERSONAS), a=lambda w: ([promise_of(w.branch_a).pk][:0], "?page_size=100")),
}

# ── inquiries

# ── surveys

# ── consultations
