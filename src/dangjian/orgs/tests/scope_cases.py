"""Scope cases of the org URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, MANAGE_A, VIEWERS, ApiCase, Case, everything, obj

CASES: dict[str, Case] = {
    "orgs:tree": Case(a_ok=VIEWERS, post=False),
    "orgs:create": Case(
        a_ok=MANAGE_A,
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([], f"?parent={w.branch_a.pk}"),
        b=lambda w: ([], f"?parent={w.branch_b.pk}"),
    ),
    "orgs:detail": Case(
        a_ok=A_SIDE, b_ok={"admin", "secretary_b", "inspector"}, a=obj("branch_a"), b=obj("branch_b"), post=False
    ),
    "orgs:edit": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("branch_a"), b=obj("branch_b")),
    # Moving or dissolving needs the right over the parent: a group of A (secretary A may), branch B (only admin).
    "orgs:move": Case(a_ok=MANAGE_A, b_ok={"admin"}, a=obj("group_a"), b=obj("branch_b")),
    "orgs:dissolve": Case(a_ok=MANAGE_A, b_ok={"admin"}, a=obj("group_a"), b=obj("branch_b")),
    "orgs:term_create": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("branch_a"), b=obj("branch_b")),
    "orgs:seat_add": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("term_a"), b=obj("term_b")),
    "orgs:seat_end": Case(a_ok=MANAGE_A, b_ok={"admin", "secretary_b"}, a=obj("seat_a"), b=obj("seat_b")),
}

API_CASES: dict[str, ApiCase] = {
    "api:org_list": ApiCase(a_ok=VIEWERS, a=everything("&include_dissolved=true")),
    "api:org_detail": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=obj("branch_a"), b=obj("branch_b")),
}
