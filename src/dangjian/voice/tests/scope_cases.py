"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations


def _consultation_cases() -> tuple[dict[str, Case], dict[str, ApiCase]]:
    from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, VIEWERS

    from .consultations_world import consultation_of, opinion_of, problem_of

    sees_a = {"admin", "secretary_a", "committee_member_a", "inspector"}
    change_b = {"admin", "secretary_b"}

    def org(attr, query=""):
        return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")

    def both(make, query="?page_size=100"):
        def target(w):
            make(w, "a"), make(w, "b")
            return [], query

        return target

    def one(make, name):
        return lambda w: ([make(w, name).pk], "")

    def opinion(name):
        return lambda w: ([opinion_of(w, name).pk], "")

    pages = {
        "voice:consultations": Case(a_ok=VIEWERS, a=both(consultation_of), post=False),
        "voice:consultations_export": Case(a_ok=VIEWERS, a=both(consultation_of), post=False),
        "voice:consultation_create": Case(a_ok=CHANGE_A, b_ok=change_b, a=org("branch_a"), b=org("branch_b")),
        "voice:consultation": Case(
            a_ok=sees_a, b_ok=B_SIDE, a=one(consultation_of, "a"), b=one(consultation_of, "b"), post=False
        ),
        "voice:consultation_edit": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(consultation_of, "a"), b=one(consultation_of, "b")
        ),
        "voice:opinion_add": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(consultation_of, "a"), b=one(consultation_of, "b")
        ),
        "voice:opinion_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b")),
        "voice:opinion_delete": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b"), get=False),
        "voice:opinion_problem": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b")),
        # a member sees the problems they own; everyone else with a grant their scope's
        "voice:problems": Case(a_ok=set(PERSONAS), a=both(problem_of), post=False),
        "voice:problems_export": Case(a_ok=set(PERSONAS), a=both(problem_of), post=False),
        "voice:problem_summary": Case(a_ok=VIEWERS, a=both(problem_of, ""), post=False),
        "voice:problem_create": Case(a_ok=CHANGE_A, b_ok=change_b, a=org("branch_a"), b=org("branch_b")),
        "voice:problem": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=one(problem_of, "a"), b=one(problem_of, "b"), post=False),
        "voice:problem_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b")),
        "voice:problem_start": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b"), get=False
        ),
        "voice:problem_finish": Case(a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b")),
        "voice:problem_reopen": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b"), get=False
        ),
    }
    api = {
        "api:voice_consultations": ApiCase(
            a_ok=sees_a,
            b_ok=B_SIDE,
            a=lambda w: (consultation_of(w, "a"), ([], f"?org={w.branch_a.pk}&page_size=100"))[1],
            b=lambda w: (consultation_of(w, "b"), ([], f"?org={w.branch_b.pk}&page_size=100"))[1],
        ),
        "api:voice_problems": ApiCase(a_ok=set(PERSONAS), a=both(problem_of)),
        "api:voice_problem_summary": ApiCase(
            a_ok=sees_a,
            b_ok=B_SIDE,
            a=lambda w: (problem_of(w, "a"), ([], f"?org={w.branch_a.pk}"))[1],
            b=lambda w: (problem_of(w, "b"), ([], f"?org={w.branch_b.pk}"))[1],
        ),
    }
    return pages, api


_pages, _api = _consultation_cases()
CASES |= _pages
API_CASES |= _api
