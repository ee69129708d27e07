"""The .docx exports: one meeting's 会议记录, an org's year with a table of contents; scoped and bounded."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from dangjian.meetings.choices import Activity, Presence
from dangjian.meetings.models import Attendance, Meeting
from dangjian.meetings.services import create_meeting

from .parts_world import held_meeting

pytestmark = pytest.mark.django_db


def text_of(response) -> tuple[str, Document]:
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts), doc


def recorded(world, org, topic="学习党章<第一章>&讨论"):
    meeting = held_meeting(world, org, activities=[Activity.ASSEMBLY, Activity.LECTURE], topic=topic)
    Meeting.objects.unrestricted().filter(pk=meeting.pk).update(
        minutes="书记传达上级精神。\n\n大家逐条学习讨论。", resolutions="每月开展一次集中学习", host=world.member_a2
    )
    Attendance.objects.unrestricted().filter(meeting=meeting, member=world.member_a).update(
        presence=Presence.ABSENT, absence_reason="business"
    )
    Attendance.objects.unrestricted().filter(meeting=meeting, member=world.member_a2).update(presence=Presence.PRESENT)
    return meeting


def test_one_meeting_in_the_customary_layout(world, client_for):
    meeting = recorded(world, world.branch_a)
    response = client_for(world.member_user_a).get(reverse("meetings:docx", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text, doc = text_of(response)
    assert doc.paragraphs[0].text == "会议记录"
    for expected in (
        "主题 | 学习党章<第一章>&讨论",  # user text stays text (escaped in the XML)
        "地点 | 三楼会议室",
        "主持人 | 张宏伟",
        "应到 | 2 人",
        "实到 | 1 人",
        "缺席及原因 | 王小明（公差）",
        "书记传达上级精神。",
        "大家逐条学习讨论。",
        "每月开展一次集中学习",
        "张宏伟 | 出席",
        "王小明 | 缺席",
    ):
        assert expected in text
    assert "{{" not in text and "{%" not in text


def test_year_volume_has_a_toc_and_only_held_meetings(world, client_for, clock):
    first = recorded(world, world.branch_a, topic="第一次会议")
    second = recorded(world, world.branch_a, topic="第二次会议")
    Meeting.objects.unrestricted().filter(pk=second.pk).update(starts_at=first.starts_at + timedelta(minutes=1))
    later = timezone.now() + timedelta(days=3)
    create_meeting(
        by=world.admin,
        org=world.branch_a,
        activities=[Activity.THEME_DAY],
        topic="计划中的会议",
        starts_at=later,
        ends_at=later + timedelta(hours=1),
    )
    year = timezone.localtime(first.starts_at).year
    url = reverse("meetings:year_docx", args=[world.branch_a.pk]) + f"?year={year}"
    response = client_for(world.secretary_a).get(url)
    assert response.status_code == 200
    text, doc = text_of(response)
    assert f"{year}年会议记录汇编" in text and "共 2 次会议" in text
    assert "计划中的会议" not in text
    body = doc.element.body.xml
    assert "TOC \\o" in body  # the Word TOC field
    assert doc.settings.element.xpath("w:updateFields")  # updated when Word opens the file
    # The plain list at the front, then one heading per meeting, in order.
    assert text.index("1. ") < text.index("2. ")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "目录"
    assert headings[1].startswith("1. ") and "第一次会议" in headings[1]
    assert "第二次会议" in headings[2]
    assert text.count("书记传达上级精神。") == 2


def test_scope_and_bounds(world, client_for):
    meeting = recorded(world, world.branch_a)
    outsider = client_for(world.secretary_b)
    assert outsider.get(reverse("meetings:docx", args=[meeting.pk])).status_code == 404
    assert outsider.get(reverse("meetings:year_docx", args=[world.branch_a.pk]) + "?year=2026").status_code == 404
    client = client_for(world.secretary_a)
    for year in ("1999", "2101", "abc", "-1", "99999999999999999999"):
        url = reverse("meetings:year_docx", args=[world.branch_a.pk]) + f"?year={year}"
        assert client.get(url).status_code == 404, year
    # An empty year is a document too.
    response = client.get(reverse("meetings:year_docx", args=[world.branch_a.pk]) + "?year=2000")
    assert "共 0 次会议" in text_of(response)[0]


def test_an_invitee_who_cannot_see_the_holding_org_gets_no_year_link(world, client_for):
    meeting = held_meeting(world, world.general, activities=[Activity.ASSEMBLY], topic="党总支党员大会")
    page = client_for(world.member_user_a).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:docx", args=[meeting.pk]) in page
    assert reverse("meetings:year_docx", args=[world.general.pk]) not in page
    url = reverse("meetings:year_docx", args=[world.general.pk])
    assert client_for(world.member_user_a).get(url).status_code == 404
    page = client_for(world.admin).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:year_docx", args=[world.general.pk]) in page


def test_the_year_reads_a_fixed_number_of_queries(world, django_assert_num_queries):
    from dangjian.meetings import parts  # noqa: PLC0415

    first = recorded(world, world.branch_a, topic="第一次会议")
    year = timezone.localtime(first.starts_at).year
    parts.held_meetings_of_year(fetched_by=world.secretary_a, org=world.branch_a, year=year)  # the grants, once
    with django_assert_num_queries(2):
        assert len(parts.held_meetings_of_year(fetched_by=world.secretary_a, org=world.branch_a, year=year)) == 1
    for n in range(4):
        recorded(world, world.branch_a, topic=f"会议{n}")
    with django_assert_num_queries(2):
        assert len(parts.held_meetings_of_year(fetched_by=world.secretary_a, org=world.branch_a, year=year)) == 5
