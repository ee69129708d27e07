"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py). Each lane
of the module adds the cases of its own URLs, in its own section."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}

# ── progress (lane "progress"): the tree's 学时, the members' list and its export: staff who see the org ──
_SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_SEES_B = {"admin", "secretary_b", "inspector"}


def _org_query(attr: str):
    return lambda w: ([], f"?org={getattr(w, attr).pk}")


CASES |= {
    name: Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_org_query("branch_a"), b=_org_query("branch_b"), post=False)
    for name in ("study:progress", "study:members", "study:members_export")
}
