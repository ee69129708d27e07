"""The study module's section on a member's page (members.sections): the member's 学时 this year and last against
the requirement, linking to their line of the members' list (staff) or to 我的学时 (the member themself). For
users who see the member's branch in the module, and for the member. Two queries (one per year)."""

from urllib.parse import urlencode

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.members.models import Member
from dangjian.members.sections import Action, Section, member_section

from . import selectors


def _line(member, year: int) -> str:
    late = "（进度落后）" if member.behind else ""
    return f"{year}年：{member.hours:.1f}学时 / 要求{member.required:.0f}学时{late}"


@member_section
def study_section(user, member) -> Section | None:
    own = member.user_id is not None and member.user_id == user.pk
    if not own and not user.can(Capability.VIEW, member.org.path):
        return None
    this_year = clock.today().year
    rows = Member.objects.visible_to(user).filter(pk=member.pk)
    now = selectors.with_hours(rows, this_year).first()
    last = selectors.with_hours(rows, this_year - 1).first()
    if now is None or last is None:
        return None
    reason = "任书记或支委会委员" if now.leader else "党员"
    lines = [_line(now, this_year), _line(last, this_year - 1), f"全年要求{now.required:.0f}学时（{reason}）"]
    if own and not user.can(Capability.VIEW, member.org.path):
        action = Action("我的学时", reverse("study:mine"), testid="study-mine")
    else:
        query = urlencode({"org": member.org_id, "q": member.name, "year": this_year})
        action = Action("学时明细", f"{reverse('study:members')}?{query}", testid="study-member-link")
    level = "warning" if now.behind else ""
    return Section("学习培训", lines, [action], level=level, testid="study-section", order=80)
