"""The development module's sections on a member's page (members.sections): a 预备党员's 预备期 with the 转正
procedure, the link to a member's 发展档案, and the 处置 of an unqualified member. Only for users who see the
member's branch in the module (VIEW on its org); the actions for CHANGE holders. At most one query each."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.roles import Capability
from dangjian.members.choices import Category, Status
from dangjian.members.sections import Action, Section, member_section

from .choices import CaseState
from .models import Applicant, ExitCase
from .selectors import probation_end_of


@member_section
def development_section(user, member) -> Section | None:
    if not user.can(Capability.VIEW, member.org.path):
        return None
    probationary = member.category == Category.PROBATIONARY and member.status == Status.ACTIVE
    record = Applicant.objects.unrestricted().filter(member=member).first()  # the member's own record; org checked
    if record is None and not probationary:
        return None
    record_link = (
        Action("发展档案", reverse("development:detail", args=[record.pk]), testid="dev-record") if record else None
    )
    if not probationary:
        return Section(
            "发展档案", [f"档案状态：{record.get_state_display()}"], [record_link], testid="dev-section", order=60
        )
    ends_on = probation_end_of(member, record)
    days = (ends_on - clock.today()).days
    lines = [
        f"入党日期：{member.joined_on:%Y-%m-%d}",
        f"预备期满：{ends_on:%Y-%m-%d}"
        + (f"（延长预备期{record.extended_months}个月）" if record and record.extended_months else ""),
        f"还有{days}天" if days >= 0 else f"已期满{-days}天，尚未办理转正",
    ]
    if record is not None and record.next_step:
        lines.append(f"下一步：{record.get_next_step_display()}")
    actions = []
    if record_link:
        actions.append(record_link)
    elif user.can(Capability.CHANGE, member.org.path):
        url = reverse("development:probation_start", args=[member.pk])
        actions.append(Action("办理转正手续", url, post=True, testid="probation-start"))
    level = "danger" if days < 0 else ("warning" if days <= 30 else "")
    return Section("预备期", lines, actions, level=level, testid="probation-section", order=50)


@member_section
def case_section(user, member) -> Section | None:
    if not user.can(Capability.VIEW, member.org.path):
        return None
    case = ExitCase.objects.visible_to(user).filter(member=member, state=CaseState.OPEN).first()
    if case is not None:
        lines = [f"处置中：{case.get_source_display()}，{case.opened_on:%Y-%m-%d}立案"]
        if case.measure:
            lines.append(
                f"处置方式：{case.get_measure_display()}"
                + (f"，改正期限{case.deadline:%Y-%m-%d}" if case.deadline else "")
            )
        url = reverse("development:case", args=[case.pk])
        return Section("不合格党员处置", lines, [Action("查看处置案件", url, testid="case-open")], level="warning",
                       testid="case-section", order=70)  # fmt: skip
    if member.status != Status.ACTIVE or not user.can(Capability.CHANGE, member.org.path):
        return None
    url = reverse("development:case_create") + f"?member={member.pk}"
    return Section(
        "不合格党员处置", [], [Action("立案处置", url, testid="case-create")], testid="case-section", order=70
    )
