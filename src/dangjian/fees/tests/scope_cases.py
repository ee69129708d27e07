"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import VIEWERS, Case

CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
}

API_CASES: dict = {}

# --- lane selfapi: a member's own page and the API (bases, ledger lines, payments) ---
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, ApiCase  # noqa: E402
from dangjian.fees.tests.fee_world import fee_world  # noqa: E402


def _with_fees(query):
    def target(w):
        fee_world(w)
        return [], query(w)

    return target


CASES |= {
    # everyone signed in: their own rows (a login without a member record: a page saying so)
    "fees:mine": Case(a_ok=VIEWERS | {"member_user_a"}, a=_with_fees(lambda w: ""), post=False),
}

for _name in ("api:fee_bases", "api:fee_ledger", "api:fee_payments"):
    API_CASES[_name] = ApiCase(
        a_ok=A_SIDE,
        b_ok=B_SIDE,
        a=_with_fees(lambda w: f"?org={w.branch_a.pk}&page_size=100"),
        b=_with_fees(lambda w: f"?org={w.branch_b.pk}&page_size=100"),
    )
