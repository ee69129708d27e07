"""Scope cases of the development URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core import clock
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case
from dangjian.development import services
from dangjian.development.models import Applicant

from .dev_world import person

SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
SEES_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}


def _org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


def _applicant(w, side: str):
    """A record applied for a month ago in branch A or B (its 谈话, step 2, still to record)."""
    org, by, n = (w.branch_a, w.secretary_a, 1) if side == "a" else (w.branch_b, w.secretary_b, 2)
    applied = clock.today().replace(day=1) if clock.today().day > 1 else clock.today()
    return services.create_applicant(by=by, org=org, applied_on=applied, **person(n))


def _record(side: str):
    return lambda w: ([_applicant(w, side).pk], "")


def _talk(w, args):
    """Step 2 (谈话) of the record, by a full member of its branch."""
    applicant = Applicant.objects.unrestricted().get(pk=args[0])
    talker = w.member_a2 if applicant.org_id == w.branch_a.pk else w.member_b
    return {"step": 2, "done_on": str(clock.today()), "people": [talker.pk], "version": applicant.version}


CASES: dict[str, Case] = {
    # the records (views.py)
    "development:list": Case(a_ok=VIEWERS, post=False),
    # placeholder: the pipeline lane's development:detail (its case comes with it)
    "development:detail": Case(a_ok=SEES_A, b_ok=SEES_B, a=_record("a"), b=_record("b"), post=False),
    # the overview (overview_views.py)
    "development:funnel": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:due": Case(
        a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a", "&kind=probation"), b=_org("branch_b"), post=False
    ),
    "development:due_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:stats": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:stats_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    # 预备党员 on the roster (probation_views.py)
    "development:probation": Case(a_ok=VIEWERS, post=False),
    # 出口 (case_views.py)
    "development:cases": Case(a_ok=VIEWERS, post=False),
}

API_CASES = {
    # the overview (api.py)
    "api:development_applicants": ApiCase(
        a_ok=A_SIDE, b_ok=B_SIDE, a=_org("branch_a", "&page_size=100"), b=_org("branch_b", "&page_size=100")
    ),
    "api:development_applicant": ApiCase(a_ok=SEES_A, b_ok=SEES_B, a=_record("a"), b=_record("b")),
    "api:development_step": ApiCase(
        a_ok=CHANGE_A, b_ok=CHANGE_B, a=_record("a"), b=_record("b"), method="post", body=_talk
    ),
    "api:development_funnel": ApiCase(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b")),
}
