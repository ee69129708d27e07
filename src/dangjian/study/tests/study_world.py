"""Study records for tests, written through the services (the rows they write are the ones pages read)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import clock
from dangjian.meetings.tests.factories import at
from dangjian.study import services
from dangjian.study.choices import StudyKind

#: The smallest files each kind of certificate check accepts (their first bytes).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def certificate(name: str = "证书.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def session_of(org, by, *, days_ago: int = 1, hours="2", kind=StudyKind.CONCENTRATED, held=False, **kwargs):
    """A study session of `org` `days_ago` days before today, 14:00–16:00, its invitees by default the org's."""
    day = clock.today() - timedelta(days=days_ago)
    values = {"topic": "学习党的二十届四中全会精神", "starts_at": at(day), "ends_at": at(day, 16)} | kwargs
    return services.create_session(by=by, org=org, kind=kind, hours=Decimal(hours), held=held, **values)


def report_of(user, *, days_ago: int = 3, hours="4", kind=StudyKind.ONLINE, file=None, **kwargs):
    values = {"course": "学习贯彻习近平新时代中国特色社会主义思想网络专题班", "provider": "中国干部网络学院"} | kwargs
    return services.submit_report(
        by=user,
        kind=kind,
        studied_on=clock.today() - timedelta(days=days_ago),
        hours=Decimal(hours),
        certificate=file or certificate(),
        **values,
    )
