"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations
