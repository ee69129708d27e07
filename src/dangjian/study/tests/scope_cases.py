"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py). Each lane
of the module adds the cases of its own URLs, in its own section."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}


# ── the yearly plan, 中心组学习, outcomes (lane "central": plan_views.py, central_views.py) ──
def _central_cases() -> dict[str, Case]:
    from decimal import Decimal  # noqa: PLC0415  (this section's own imports: other lanes append theirs)

    from dangjian.core import clock  # noqa: PLC0415
    from dangjian.core.tests.scope_walk import CHANGE_A, VIEWERS  # noqa: PLC0415
    from dangjian.study import central, plans  # noqa: PLC0415
    from dangjian.study.choices import OutcomeKind, StudyKind  # noqa: PLC0415

    from .study_world import session_of  # noqa: PLC0415

    sees_a = {"admin", "secretary_a", "committee_member_a", "inspector"}
    sees_b = {"admin", "secretary_b", "inspector"}
    change_b = {"admin", "secretary_b"}

    def side(w, name):
        if name == "a":
            return w.branch_a, w.secretary_a, w.member_a
        return w.branch_b, w.secretary_b, w.member_b

    def item(name):
        def target(w):
            org, by, _member = side(w, name)
            year = clock.today().year
            made = plans.create_item(
                by=by,
                org=org,
                year=year,
                topic="学习贯彻党的二十届四中全会精神",
                kind=StudyKind.CONCENTRATED,
                month=1,
                audience="全体党员",
                planned_hours=Decimal("4"),
            )
            return [made.pk], ""

        return target

    def central_session(w, name):
        org, by, member = side(w, name)
        session = session_of(org, by, kind=StudyKind.CENTRAL, held=True)
        central.add_speech(by=by, session=session, member=member, title="发言", content="要点")
        outcome = central.add_outcome(by=by, session=session, title="调研报告", kind=OutcomeKind.RESEARCH, owner=member)
        return session, outcome

    def session_target(name):
        return lambda w: ([central_session(w, name)[0].pk], "")

    def speech_target(name):
        def target(w):
            session, _outcome = central_session(w, name)
            return [session.speeches.unrestricted().get().pk], ""

        return target

    def outcome_target(name):
        return lambda w: ([central_session(w, name)[1].pk], "")

    def org_query(name, extra=""):
        return lambda w: ([], f"?org={side(w, name)[0].pk}{extra}")

    def with_rows(extra=""):
        """Every persona's list with both branches' sessions and outcomes in the database (hidden names checked)."""

        def target(w):
            central_session(w, "a")
            central_session(w, "b")
            return [], extra

        return target

    return {
        "study:plan": Case(a_ok=sees_a, b_ok=sees_b, a=org_query("a"), b=org_query("b"), post=False),
        "study:plan_export": Case(a_ok=sees_a, b_ok=sees_b, a=org_query("a"), b=org_query("b"), post=False),
        "study:plan_create": Case(a_ok=CHANGE_A, b_ok=change_b, a=org_query("a"), b=org_query("b")),
        "study:plan_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=item("a"), b=item("b")),
        "study:plan_delete": Case(a_ok=CHANGE_A, b_ok=change_b, a=item("a"), b=item("b"), get=False),
        "study:central": Case(a_ok=VIEWERS, a=with_rows("?per_page=100"), post=False),
        "study:speech_add": Case(a_ok=CHANGE_A, b_ok=change_b, a=session_target("a"), b=session_target("b")),
        "study:speech_delete": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=speech_target("a"), b=speech_target("b"), get=False
        ),
        "study:outcome_add": Case(a_ok=CHANGE_A, b_ok=change_b, a=session_target("a"), b=session_target("b")),
        "study:outcomes": Case(a_ok=VIEWERS, a=with_rows("?per_page=100"), post=False),
        "study:outcomes_export": Case(a_ok=VIEWERS, a=with_rows(), post=False),
        "study:outcome_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=outcome_target("a"), b=outcome_target("b")),
    }


CASES |= _central_cases()
