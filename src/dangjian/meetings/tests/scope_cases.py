"""Scope cases of the meetings URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, ApiCase, Case

_A_VIEWERS = {"admin", "secretary_a", "committee_member_a", "inspector"}

CASES: dict[str, Case] = {
    # workbench: the calendar is everyone's (a member sees the meetings they are invited to; ?org= their branch)
    "meetings:calendar": Case(
        a_ok=A_SIDE,
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}&month=2026-03"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "meetings:flags": Case(
        a_ok=_A_VIEWERS,
        b_ok=B_SIDE,
        a=lambda w: ([], f"?org={w.branch_a.pk}&kind=absent_six_months"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    # Recomputes the whole tree's flags (idempotent): whoever maintains data may ask; others get 404.
    "meetings:flags_refresh": Case(a_ok=CHANGE_A | {"secretary_b"}, get=False),
}

API_CASES: dict[str, ApiCase] = {}
