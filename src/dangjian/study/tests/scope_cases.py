"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py). Each lane
of the module adds the cases of its own URLs, in its own section."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}


# ── sessions (session_views.py): a session of branch A (its secretary's) or branch B; a member sees the sessions they
# are invited to, as the meeting's page.
def _session(side: str, **kwargs):
    def target(w):
        from dangjian.study.tests.study_world import session_of  # noqa: PLC0415

        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [session_of(org, by, **kwargs).pk], ""

    return target


def _lecture(side: str):
    """A 党课 of branch A (or B) not yet counted as a session."""

    def target(w):
        from dangjian.meetings.choices import Activity  # noqa: PLC0415
        from dangjian.meetings.tests.factories import meeting_of  # noqa: PLC0415

        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [meeting_of(org, by, activities=(Activity.LECTURE,)).pk], ""

    return target


def _org_query(attr: str):
    return lambda w: ([], f"?org={getattr(w, attr).pk}")


_SESSION_SEES_A = {"admin", "secretary_a", "committee_member_a", "member_user_a", "inspector"}
_SESSION_SEES_B = {"admin", "secretary_b", "inspector"}
_SESSION_CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
_SESSION_CHANGE_B = {"admin", "secretary_b"}
_SESSION_VIEWERS = {"admin", "secretary_a", "committee_member_a", "secretary_b", "inspector"}

CASES |= {
    "study:sessions": Case(
        a_ok=_SESSION_SEES_A - {"member_user_a"},
        b_ok=_SESSION_SEES_B,
        a=_org_query("branch_a"),
        b=_org_query("branch_b"),
        post=False,
    ),
    "study:sessions_export": Case(
        a_ok=_SESSION_SEES_A - {"member_user_a"},
        b_ok=_SESSION_SEES_B,
        a=_org_query("branch_a"),
        b=_org_query("branch_b"),
        post=False,
    ),
    "study:session_create": Case(
        a_ok=_SESSION_CHANGE_A, b_ok=_SESSION_CHANGE_B, a=_org_query("branch_a"), b=_org_query("branch_b")
    ),
    "study:countable": Case(a_ok=_SESSION_CHANGE_A | _SESSION_CHANGE_B, post=False),
    "study:count_meeting": Case(a_ok=_SESSION_CHANGE_A, b_ok=_SESSION_CHANGE_B, a=_lecture("a"), b=_lecture("b")),
    "study:session": Case(a_ok=_SESSION_SEES_A, b_ok=_SESSION_SEES_B, a=_session("a"), b=_session("b"), post=False),
    "study:session_edit": Case(a_ok=_SESSION_CHANGE_A, b_ok=_SESSION_CHANGE_B, a=_session("a"), b=_session("b")),
    "study:session_remove": Case(
        a_ok=_SESSION_CHANGE_A, b_ok=_SESSION_CHANGE_B, a=_session("a"), b=_session("b"), get=False
    ),
}
