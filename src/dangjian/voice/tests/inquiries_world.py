"""Test helpers of the 首问负责 register: inquiries and promises made directly (no service), in a given state."""

from datetime import timedelta

from django.utils import timezone

from dangjian.core import clock
from dangjian.voice.choices import Channel, InquiryState, Satisfaction
from dangjian.voice.models import HandOff, Inquiry, ServicePromise

PHONE = "13812345678"
MASKED = "138****5678"


def promise_of(org, item="开具党组织关系证明", days=3) -> ServicePromise:
    return ServicePromise.objects.create(org=org, item=item, time_limit_days=days, standard="当场受理，按时办结")


def inquiry_of(member, *, days_ago=1, due_in=4, closed=False, holder=None, phone=PHONE, content="咨询党费缴纳标准"):
    """An inquiry recorded by `member` `days_ago` days ago, due `due_in` days from today (negative: overdue)."""
    asked = timezone.now() - timedelta(days=days_ago)
    holder = holder or member
    inquiry = Inquiry.objects.create(
        org=member.org,
        first_person=member,
        asker="赵来访",
        asker_phone=phone,
        channel=Channel.VISIT,
        content=content,
        asked_at=asked,
        due_on=clock.today() + timedelta(days=due_in),
        holder=holder,
        holder_org=holder.org,
    )
    if holder != member:
        HandOff.objects.create(
            inquiry=inquiry,
            from_member=member,
            to_member=holder,
            to_org=holder.org,
            at=asked + timedelta(hours=1),
            due_on=inquiry.due_on,
            note="请协助办理",
        )
    if closed:
        Inquiry.objects.unrestricted().filter(pk=inquiry.pk).update(
            state=InquiryState.CLOSED, closed_at=timezone.now(), result="已答复", satisfaction=Satisfaction.SATISFIED
        )
        inquiry.refresh_from_db()
    return inquiry
