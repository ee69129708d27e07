"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dangjian.core import clock
from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case
from dangjian.meetings.choices import Activity
from dangjian.meetings.tests.factories import meeting_of
from dangjian.members.models import Member
from dangjian.study import central, plans
from dangjian.study.choices import OutcomeKind, StudyKind
from dangjian.study.models import PlanItem, Report

from .study_world import report_of, session_of

SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
SEES_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}


def _org_query(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


def _member_b_user(w):
    """A login of branch B's member 李秀英 (the world gives her none; made once), so that B has reports too."""
    member = Member.objects.unrestricted().select_related("user").get(pk=w.member_b.pk)
    if member.user_id is None:
        user = UserFactory(username="member_b", full_name="李秀英")
        RoleGrant.objects.create(user=user, role=Role.MEMBER, org=w.branch_b)
        Member.objects.unrestricted().filter(pk=member.pk).update(user=user)
        return type(user).objects.get(pk=user.pk)
    return member.user


# ── sessions (session_views.py): a session of branch A (its secretary's) or branch B; a member sees the sessions they
# are invited to, as the meeting's page.
def _session(side: str, **kwargs):
    def target(w):
        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [session_of(org, by, **kwargs).pk], ""

    return target


def _lecture(side: str):
    """A 党课 of branch A (or B) not yet counted as a session."""

    def target(w):
        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [meeting_of(org, by, activities=(Activity.LECTURE,)).pk], ""

    return target


_SESSION_SEES_A = {"admin", "secretary_a", "committee_member_a", "member_user_a", "inspector"}
_SESSION_SEES_B = {"admin", "secretary_b", "inspector"}
_SESSION_CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
_SESSIONCHANGE_B = {"admin", "secretary_b"}
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
        a_ok=_SESSION_CHANGE_A, b_ok=_SESSIONCHANGE_B, a=_org_query("branch_a"), b=_org_query("branch_b")
    ),
    "study:countable": Case(a_ok=_SESSION_CHANGE_A | _SESSIONCHANGE_B, post=False),
    "study:count_meeting": Case(a_ok=_SESSION_CHANGE_A, b_ok=_SESSIONCHANGE_B, a=_lecture("a"), b=_lecture("b")),
    "study:session": Case(a_ok=_SESSION_SEES_A, b_ok=_SESSION_SEES_B, a=_session("a"), b=_session("b"), post=False),
    "study:session_edit": Case(a_ok=_SESSION_CHANGE_A, b_ok=_SESSIONCHANGE_B, a=_session("a"), b=_session("b")),
    "study:session_remove": Case(
        a_ok=_SESSION_CHANGE_A, b_ok=_SESSIONCHANGE_B, a=_session("a"), b=_session("b"), get=False
    ),
}


# --- api lane: /api/v1/study (api.py) ------------------------------------------------------------------------------


def _api_session(side: str):
    """A held session of branch A (its members invited: member_a among them) or of branch B."""

    def target(w):
        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [session_of(org, by, held=True).pk], ""

    return target


def _api_report(side: str):
    def target(w):
        user = w.member_user_a if side == "a" else _member_b_user(w)
        return [report_of(user).pk], ""

    return target


def _api_reports(side: str):
    """The list of the branch's reports, one of its member's in it."""

    def target(w):
        _api_report(side)(w)
        org = w.branch_a if side == "a" else w.branch_b
        return [], f"?org={org.pk}&page_size=100"

    return target


def _review_body(w, args):
    return {
        "decision": "approve",
        "comment": "证明齐全",
        "version": Report.objects.unrestricted().get(pk=args[0]).version,
    }


def _create_session_body(w, args):
    start = timezone.localtime() + timedelta(days=3)
    return {
        "org": w.branch_a.pk,
        "kind": "concentrated",
        "topic": "接口计划的集中学习",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "hours": "2",
    }


def _api_plan(attr: str):
    def target(w):
        org = getattr(w, attr)
        PlanItem.objects.create(
            org=org,
            year=clock.today().year,
            topic="党章党规学习",
            kind="concentrated",
            month=6,
            audience="全体党员",
            planned_hours=4,
        )
        return [], f"?org={org.pk}&page_size=100"

    return target


API_CASES |= {
    "api:study_summary": ApiCase(a_ok=SEES_A, b_ok=B_SIDE, a=_org_query("branch_a"), b=_org_query("branch_b")),
    "api:study_members": ApiCase(
        a_ok=SEES_A, b_ok=B_SIDE, a=_org_query("branch_a", "&page_size=100"), b=_org_query("branch_b", "&page_size=100")
    ),
    "api:study_mine": ApiCase(a_ok={"member_user_a"}),
    # a member sees the sessions they are invited to; the list's URL also takes the create (its own case)
    "api:study_sessions": ApiCase(
        a_ok=A_SIDE, b_ok=B_SIDE, a=_org_query("branch_a", "&page_size=100"), b=_org_query("branch_b"), also_post=True
    ),
    "api:study_session": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=_api_session("a"), b=_api_session("b")),
    "api:study_session_create": ApiCase(a_ok=CHANGE_A, method="post", body=_create_session_body, ok_status=201),
    "api:study_reports": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=_api_reports("a"), b=_api_reports("b")),
    "api:study_report_review": ApiCase(
        a_ok=CHANGE_A, b_ok=CHANGE_B, a=_api_report("a"), b=_api_report("b"), method="post", body=_review_body
    ),
    "api:study_plan": ApiCase(a_ok=SEES_A, b_ok=B_SIDE, a=_api_plan("branch_a"), b=_api_plan("branch_b")),
}


# ── the yearly plan, 中心组学习, outcomes (lane "central": plan_views.py, central_views.py) ──
def _central_cases() -> dict[str, Case]:
    sees_a, sees_b, change_b = SEES_A, SEES_B, CHANGE_B

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


# ── progress (lane "progress"): the tree's 学时, the members' list and its export: staff who see the org ──
CASES |= {
    name: Case(a_ok=SEES_A, b_ok=SEES_B, a=_org_query("branch_a"), b=_org_query("branch_b"), post=False)
    for name in ("study:progress", "study:members", "study:members_export")
}


# ── self-reported study and a member's own page (lane "reports": report_views.py, mine_views.py) ──
def _member_login(w, side: str):
    return w.member_user_a if side == "a" else _member_b_user(w)


def _report(side: str):
    """A pending report of branch A's member (王小明) or branch B's (李秀英)."""

    def target(w):
        return [report_of(_member_login(w, side), days_ago=0).pk], ""

    return target


def _both_reports(query: str = ""):
    def target(w):
        _report("a")(w), _report("b")(w)
        return [], f"?per_page=100{query}"

    return target


_EVERYONE = SEES_A | SEES_B | {"member_user_a"}

CASES |= {
    "study:reports": Case(a_ok=SEES_A | SEES_B, a=_both_reports(), post=False),
    "study:reports_export": Case(a_ok=SEES_A | SEES_B, a=_both_reports(), post=False),
    "study:report": Case(a_ok=SEES_A | {"member_user_a"}, b_ok=SEES_B, a=_report("a"), b=_report("b"), post=False),
    "study:certificate": Case(a_ok=SEES_A | {"member_user_a"}, b_ok=SEES_B, a=_report("a"), b=_report("b"), post=False),
    "study:report_review": Case(
        a_ok={"admin", "secretary_a", "committee_member_a"},
        b_ok={"admin", "secretary_b"},
        a=_report("a"),
        b=_report("b"),
        get=False,
    ),
    "study:mine": Case(a_ok=_EVERYONE, a=lambda w: ([], ""), post=False),
    "study:report_create": Case(a_ok=_EVERYONE, a=lambda w: ([], "")),
    "study:report_withdraw": Case(a_ok={"member_user_a"}, b_ok=set(), a=_report("a"), b=_report("b"), get=False),
}
