"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py). Each lane
of the module adds the cases of its own URLs, in its own section."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}
