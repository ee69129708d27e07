"""Scope cases of the development URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import VIEWERS, Case

CASES: dict[str, Case] = {
    # the records (views.py)
    "development:list": Case(a_ok=VIEWERS, post=False),
    # the overview (overview_views.py)
    "development:funnel": Case(a_ok=VIEWERS, post=False),
    "development:due": Case(a_ok=VIEWERS, post=False),
    # 预备党员 on the roster (probation_views.py)
    "development:probation": Case(a_ok=VIEWERS, post=False),
    # 出口 (case_views.py)
    "development:cases": Case(a_ok=VIEWERS, post=False),
}
