"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import CHANGE_A, VIEWERS, Case, obj

# ── lane bases ──
VIEW_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
VIEW_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}
# ── end lane bases ──

CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
    # ── lane bases: 党费基数 and the yearly 核定 ──
    "fees:bases": Case(a_ok=VIEWERS, post=False),
    "fees:bases_export": Case(a_ok=VIEWERS, post=False),
    "fees:member": Case(a_ok=VIEW_A, b_ok=VIEW_B, a=obj("member_a"), b=obj("member_b")),
    "fees:check": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "fees:check_download": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "fees:check_confirm": Case(a_ok=CHANGE_A, a=lambda w: ([], f"?org={w.branch_a.pk}"), get=False),
    # ── end lane bases ──
}

API_CASES: dict = {}
