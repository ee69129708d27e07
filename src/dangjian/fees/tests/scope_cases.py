"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import VIEWERS, Case

CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
}

API_CASES: dict = {}

# lane remit: remittances, reconciliation, reports ────────────────────────────────────────────────────────────
from .remit_world import remittance_of  # noqa: E402

_SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_SEES_B = {"admin", "secretary_b", "inspector"}
_CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
_CHANGE_B = {"admin", "secretary_b"}


def _org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


CASES |= {
    "fees:remit": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:remit_reverse": Case(
        a_ok=_CHANGE_A,
        b_ok=_CHANGE_B,
        a=lambda w: ([remittance_of(w.branch_a).pk], ""),
        b=lambda w: ([remittance_of(w.branch_b).pk], ""),
    ),
    "fees:remit_export": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:reconcile": Case(
        a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a", "&view=children"), b=_org("branch_b"), post=False
    ),
    "fees:reconcile_totals": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:reconcile_export": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report_print": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report_export": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
}
# end lane remit
