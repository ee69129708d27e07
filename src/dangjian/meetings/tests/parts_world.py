"""Meetings with parts in branch A and branch B of the shared world (conftest.World), made on first use and kept on
the world: the scope cases and the parts tests share them."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dangjian.meetings.choices import Activity, CriticismKind, Rating, TalkKind
from dangjian.meetings.models import AppraisalRating, Attachment, LifeMeetingItem, Rectification, Talk
from dangjian.meetings.services import create_meeting
from dangjian.members.tests.factories import MemberFactory

PARTS = [Activity.LIFE_MEETING, Activity.APPRAISAL]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def held_meeting(world, org, *, activities=PARTS, days_ago=2, topic="组织生活会暨民主评议党员"):
    starts = timezone.now() - timedelta(days=days_ago)
    return create_meeting(
        by=world.admin,
        org=org,
        activities=activities,
        topic=topic,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="三楼会议室",
        held=True,
    )


def _side(world, side: str):
    org = world.branch_a if side == "a" else world.branch_b
    meeting = held_meeting(world, org)
    member = world.member_a2 if side == "a" else world.member_b
    other = world.member_a if side == "a" else MemberFactory(name="赵六", org=world.branch_b)
    attachment = Attachment(meeting=meeting, name="现场照片.png", size=10, content_type="image/png")
    attachment.file.save("a.png", SimpleUploadedFile("a.png", png_bytes()), save=False)
    attachment.save()
    item = LifeMeetingItem.objects.create(
        meeting=meeting, member=member, kind=CriticismKind.SELF, content="学习不够深入"
    )
    rect = Rectification.objects.create(
        meeting=meeting, content="加强理论学习", owner=member, deadline=meeting.starts_at.date() + timedelta(days=30)
    )
    AppraisalRating.objects.create(meeting=meeting, member=member, rating=Rating.QUALIFIED, votes_qualified=2)
    talk = Talk.objects.create(
        org=org,
        talker=member,
        talkee=other,
        held_on=meeting.starts_at.date(),
        kind=TalkKind.HEART,
        summary="谈工作和思想",
    )
    return {"meeting": meeting, "attachment": attachment, "life_item": item, "rectification": rect, "talk": talk}


def parts_of(world, side: str) -> dict:
    """The side's meeting ("meeting"), "attachment", "life_item", "rectification", "talk"."""
    key = f"_meeting_parts_{side}"
    if not hasattr(world, key):
        setattr(world, key, _side(world, side))
    return getattr(world, key)


def part(name: str, side: str, query: str = ""):
    """A scope case's target: the pk of the side's `name`."""
    return lambda w: ([parts_of(w, side)[name].pk], query)
