"""Proposals for tests, written through the services (the rows the pages read), moved to any state."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import clock
from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.voice import proposals
from dangjian.voice.choices import ProposalCategory
from dangjian.voice.models import Proposal, ProposalEvent, ProposalFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str = "附件.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def member_b_login(world):
    """A login of branch B's member 李秀英 (the world gives her none; made once)."""
    member = Member.objects.unrestricted().select_related("user").get(pk=world.member_b.pk)
    if member.user_id is None:
        user = UserFactory(username="member_b", full_name="李秀英")
        RoleGrant.objects.create(user=user, role=Role.MEMBER, org=world.branch_b)
        Member.objects.unrestricted().filter(pk=member.pk).update(user=user)
        return type(user).objects.get(pk=user.pk)
    return member.user


def fresh(proposal: Proposal) -> Proposal:
    return Proposal.objects.unrestricted().select_related("org", "handler_org", "proposer").get(pk=proposal.pk)


def proposal_of(user, *, title="关于优化机关食堂就餐时间的建议", category=ProposalCategory.WELFARE, files=None):
    return proposals.submit(
        by=user, title=title, category=category, content="建议将午餐时间延长半小时，错峰就餐。", files=files or []
    )


def proposal_in(world, state: str, *, user=None, handler=None, reviewer=None, days=10) -> Proposal:
    """A proposal of branch A's member (or `user`'s) moved to `state`: reviewed by the admin, assigned to `handler`
    (branch B by default) with a deadline `days` from today, replied by its secretary, rated by the proposer."""
    user = user or world.member_user_a
    reviewer = reviewer or world.admin
    handler = handler or world.branch_b
    handler_user = world.admin
    p = proposal_of(user)
    if state == "submitted":
        return fresh(p)
    if state == "rejected":
        return proposals.move(reviewer, fresh(p), "reject", {"reason": "不属于提案范围"})
    if state == "merged":
        other = proposal_of(user, title="关于错峰就餐的建议")
        return proposals.move(reviewer, fresh(p), "merge", {"merge_into": other.pk})
    proposals.move(reviewer, fresh(p), "accept", {})
    if state == "accepted":
        return fresh(p)
    deadline = clock.today() + timedelta(days=days)
    proposals.move(reviewer, fresh(p), "assign", {"handler_org": handler.pk, "deadline": deadline})
    if state == "assigned":
        return fresh(p)
    proposals.move(handler_user, fresh(p), "reply", {"reply": "已协调食堂自下月起延长供餐时间。"})
    if state == "replied":
        return fresh(p)
    proposals.move(user, fresh(p), "rate", {"rating": "satisfied"})
    return fresh(p)


def overdue_in(world, days_late: int = 2, **kwargs) -> Proposal:
    """A proposal 承办中 whose deadline passed `days_late` days ago (written past the rules, as time would)."""
    p = proposal_in(world, "assigned", **kwargs)
    Proposal.objects.unrestricted().filter(pk=p.pk).update(deadline=clock.today() - timedelta(days=days_late))
    return fresh(p)


def counts() -> tuple[int, int, int]:
    return (
        Proposal.objects.unrestricted().count(),
        ProposalEvent.objects.unrestricted().count(),
        ProposalFile.objects.unrestricted().count(),
    )
