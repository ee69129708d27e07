"""Test helpers of 承诺践诺 and 服务承诺: rows made directly (no date rules), for pages and scope cases."""

from django.core.files.base import ContentFile

from dangjian.core import clock
from dangjian.voice.choices import Phase
from dangjian.voice.models import Commitment, Fulfilment, ServicePromise

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def commitment_of(member=None, *, org=None, year=None, phases=(), grade="", evidence=False) -> Commitment:
    """A commitment of `member` (org: their branch) or of `org` (a branch's own), with 践诺 of `phases`."""
    today = clock.today()
    year = year or today.year
    commitment = Commitment.objects.create(
        org=org or member.org,
        member=member,
        year=year,
        content="带头学习党的创新理论，按期办结群众诉求",
        measures="全年参加集中学习不少于12次；诉求按期办结率100%",
        published_on=min(today, today.replace(month=1, day=1)) if year == today.year else today,
        grade=grade,
        graded_on=today if grade else None,
    )
    for phase in phases:
        row = Fulfilment(
            commitment=commitment, phase=phase, done=f"{Phase(phase).label}：已按承诺完成", recorded_on=today
        )
        if evidence:
            row.evidence.save("e.pdf", ContentFile(PDF), save=False)
        row.save()
    return commitment


def promise_of(org, item="证明材料开具", days=3, active=True) -> ServicePromise:
    return ServicePromise.objects.create(
        org=org, item=item, time_limit_days=days, standard="材料齐全的当场办结，其余按时限办结", active=active
    )
