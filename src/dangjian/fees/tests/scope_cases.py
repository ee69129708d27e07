"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import VIEWERS, Case

CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
}

API_CASES: dict = {}
