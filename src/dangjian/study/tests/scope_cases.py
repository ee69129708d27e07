"""Scope cases of the study URLs: how each answers every persona (collected by core/tests/scope_walk.py). Each lane
of the module adds the cases of its own URLs, in its own section."""

from dangjian.core.tests.scope_walk import ApiCase, Case

CASES: dict[str, Case] = {}

API_CASES: dict[str, ApiCase] = {}


# ── self-reported study and a member's own page (lane "reports": report_views.py, mine_views.py) ──
def _member_login(w, side: str):
    """member_user_a, or a login of branch B's member 李秀英 (made once) so that B has a report too."""
    from dangjian.core.models import RoleGrant
    from dangjian.core.roles import Role
    from dangjian.core.tests.factories import UserFactory
    from dangjian.members.models import Member

    if side == "a":
        return w.member_user_a
    member = Member.objects.unrestricted().select_related("user").get(pk=w.member_b.pk)
    if member.user_id is None:
        user = UserFactory(username="member_b", full_name="李秀英")
        RoleGrant.objects.create(user=user, role=Role.MEMBER, org=w.branch_b)
        Member.objects.unrestricted().filter(pk=member.pk).update(user=user)
        return type(user).objects.get(pk=user.pk)
    return member.user


def _report(side: str):
    """A pending report of branch A's member (王小明) or branch B's (李秀英)."""

    def target(w):
        from .study_world import report_of

        return [report_of(_member_login(w, side), days_ago=0).pk], ""

    return target


def _both_reports(query: str = ""):
    def target(w):
        _report("a")(w), _report("b")(w)
        return [], f"?per_page=100{query}"

    return target


_SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_SEES_B = {"admin", "secretary_b", "inspector"}
_EVERYONE = _SEES_A | _SEES_B | {"member_user_a"}

CASES |= {
    "study:reports": Case(a_ok=_SEES_A | _SEES_B, a=_both_reports(), post=False),
    "study:reports_export": Case(a_ok=_SEES_A | _SEES_B, a=_both_reports(), post=False),
    "study:report": Case(a_ok=_SEES_A | {"member_user_a"}, b_ok=_SEES_B, a=_report("a"), b=_report("b"), post=False),
    "study:certificate": Case(
        a_ok=_SEES_A | {"member_user_a"}, b_ok=_SEES_B, a=_report("a"), b=_report("b"), post=False
    ),
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
