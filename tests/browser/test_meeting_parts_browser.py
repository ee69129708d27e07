"""The meeting parts at phone width (390 px): the sections, the 民主评议 form and the talk list fit the screen without
CSP violations; an upload whose content is not what its name says is refused in Chinese beside the field."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dangjian.meetings.tests.parts_world import parts_of

from .test_roster_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, page.url


def test_parts_pages_at_phone_width(page: Page, live_server, world, violations):
    meeting = parts_of(world, "a")["meeting"]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "secretary_a")
    page.goto(live_server.url + reverse("meetings:detail", args=[meeting.pk]))
    expect(page.get_by_role("heading", name="整改事项（1）")).to_be_visible()
    fits(page)
    page.goto(live_server.url + reverse("meetings:appraisal", args=[meeting.pk]))
    expect(page.get_by_role("heading", name="民主评议党员")).to_be_visible()
    fits(page)
    page.goto(live_server.url + reverse("meetings:talk_list") + f"?org={world.branch_a.pk}")
    expect(page.get_by_text("谈工作和思想")).to_be_visible()
    fits(page)
    page.goto(live_server.url + reverse("meetings:attachment_upload", args=[meeting.pk]))
    page.set_input_files(
        "input[type=file]", files=[{"name": "材料.pdf", "mimeType": "application/pdf", "buffer": b"PK\x03\x04zip"}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator('[data-field="file"]')).to_contain_text("文件内容与扩展名不符")
    fits(page)
    assert violations == []
