"""The 首问负责 pages and API: recording on the page, the hand-on and close forms, the phone masked on every page,
export and API, 404 outside the scope, fixed query counts, the API's versioned writes."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.services import token_create
from dangjian.voice.choices import InquiryState
from dangjian.voice.models import HandOff, Inquiry

from .inquiries_world import MASKED, PHONE, inquiry_of


def xlsx_text(response) -> str:
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xml"))


def counts():
    return Inquiry.objects.unrestricted().count(), HandOff.objects.unrestricted().count()


def test_a_member_records_on_the_page(world, clock, client_for):
    client = client_for(world.member_user_a)
    page = client.get(reverse("voice:inquiry_create"))
    assert page.status_code == 200 and 'type="datetime-local"' in page.content.decode()
    asked = timezone.localtime() - timedelta(minutes=30)
    response = client.post(
        reverse("voice:inquiry_create"),
        {
            "asker": "赵来访",
            "asker_phone": PHONE,
            "channel": "phone",
            "content": "咨询党费",
            "asked_at": asked.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    inquiry = Inquiry.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("voice:inquiry", args=[inquiry.pk])
    assert inquiry.first_person == world.member_a and inquiry.recorded_by == world.member_user_a


def test_a_future_time_on_the_page_is_refused(world, clock, client_for):
    asked = timezone.localtime() + timedelta(days=1)
    data = {"asker": "赵", "channel": "visit", "content": "问", "asked_at": asked.strftime("%Y-%m-%dT%H:%M")}
    response = client_for(world.member_user_a).post(reverse("voice:inquiry_create"), data)
    assert response.status_code == 400 and "受理时间不能晚于今天" in response.content.decode()
    assert counts() == (0, 0)


def test_hand_on_and_close_on_the_detail_page(world, clock, client_for):
    inquiry = inquiry_of(world.member_a)
    client = client_for(world.secretary_a)
    url = reverse("voice:inquiry", args=[inquiry.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="handoff-form"' in page and 'data-testid="close-form"' in page
    response = client.post(
        reverse("voice:inquiry_handoff", args=[inquiry.pk]),
        {"to_member": world.member_a2.pk, "note": "请张宏伟答复", "version": 1},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "请张宏伟答复" in page and "张宏伟" in page
    # a stale close form is refused with the change named, nothing written
    response = client.post(
        reverse("voice:inquiry_close", args=[inquiry.pk]),
        {"result": "已答复", "satisfaction": "satisfied", "version": 1},
    )
    assert response.status_code == 400
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.OPEN
    response = client.post(
        reverse("voice:inquiry_close", args=[inquiry.pk]),
        {"result": "已答复", "satisfaction": "satisfied", "version": 2},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.state == InquiryState.CLOSED
    page = client.get(url).content.decode()
    assert 'data-testid="close-form"' not in page and "已答复" in page
    # closing again: refused in Chinese, nothing written
    response = client.post(
        reverse("voice:inquiry_close", args=[inquiry.pk]), {"result": "再次", "satisfaction": "basic", "version": 3}
    )
    assert response.status_code == 400 and "已办结" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.result == "已答复"


def test_the_phone_is_masked_for_who_does_not_see_personal_data(world, clock, client_for):
    inquiry = inquiry_of(world.member_a)
    for user, shown in ((world.inspector, MASKED), (world.committee_member_a, MASKED), (world.member_user_a, PHONE)):
        client = client_for(user)
        detail = client.get(reverse("voice:inquiry", args=[inquiry.pk])).content.decode()
        assert shown in detail
        if shown == MASKED:
            assert PHONE not in detail
    for user in (world.inspector, world.committee_member_a):
        client = client_for(user)
        listing = client.get(reverse("voice:inquiries")).content.decode()
        assert MASKED in listing and PHONE not in listing
        export = xlsx_text(client.get(reverse("voice:inquiries_export")))
        assert MASKED in export and PHONE not in export


def test_the_api_masks_the_phone(world, clock, client):
    inquiry = inquiry_of(world.member_a)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(acting_user=world.inspector, name='t')[1]}"}
    listing = client.get("/api/v1/voice/inquiries", **headers).content.decode()
    detail = client.get(f"/api/v1/voice/inquiries/{inquiry.pk}", **headers).content.decode()
    for text in (listing, detail):
        assert MASKED in text and PHONE not in text


def test_out_of_scope_is_404(world, clock, client_for):
    inquiry = inquiry_of(world.member_b)
    client = client_for(world.secretary_a)
    assert client.get(reverse("voice:inquiry", args=[inquiry.pk])).status_code == 404
    before = counts()
    response = client.post(reverse("voice:inquiry_close", args=[inquiry.pk]), {"result": "x", "satisfaction": "basic"})
    assert response.status_code == 404 and counts() == before
    # an inspector sees it but may not act on it
    response = client_for(world.inspector).post(
        reverse("voice:inquiry_handoff", args=[inquiry.pk]), {"to_member": world.member_a.pk, "note": "x"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["voice:inquiries", "voice:my_inquiries", "voice:inquiry_stats"])
def test_lists_run_a_fixed_number_of_queries(url, world, clock, client_for, django_assert_max_num_queries):
    client = client_for(world.member_user_a if url == "voice:my_inquiries" else world.admin)
    inquiry_of(world.member_a, holder=world.member_a2 if url == "voice:inquiry_stats" else None)
    client.get(reverse(url))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse(url))
    for _ in range(6):
        inquiry_of(world.member_a)
        inquiry_of(world.member_a, holder=world.member_a2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url)).status_code == 200


def test_my_inquiries_and_the_home_panel(world, clock, client_for):
    inquiry_of(world.member_a, due_in=-1, content="超期的事项")
    client = client_for(world.member_user_a)
    page = client.get(reverse("voice:my_inquiries")).content.decode()
    assert "超期的事项" in page and "已超期" in page
    home = client.get("/").content.decode()
    assert 'data-testid="inquiry-panel"' in home and "首问事项已超过办结时限" in home


def test_the_staff_panel_counts_overdue_items_of_the_scope(world, clock, client_for):
    inquiry_of(world.member_a, due_in=-1)
    home = client_for(world.secretary_a).get("/").content.decode()
    assert 'data-testid="inquiry-scope-overdue">1<' in home
    home = client_for(world.secretary_b).get("/").content.decode()
    assert 'data-testid="inquiry-scope-overdue">0<' in home
    assert 'data-testid="inquiry-panel"' not in client_for(world.inspector).get("/").content.decode()


def test_the_list_filters(world, clock, client_for):
    inquiry_of(world.member_a, due_in=-1, content="超期的事项")
    inquiry_of(world.member_a, content="按期的事项")
    inquiry_of(world.member_a, content="已办的事项", closed=True)
    client = client_for(world.secretary_a)
    page = client.get(reverse("voice:inquiries") + "?overdue=1").content.decode()
    assert "超期的事项" in page and "按期的事项" not in page
    page = client.get(reverse("voice:inquiries") + "?state=closed").content.decode()
    assert "已办的事项" in page and "按期的事项" not in page
    page = client.get(reverse("voice:inquiries") + "?q=按期").content.decode()
    assert "按期的事项" in page and "超期的事项" not in page
    page = client.get(reverse("voice:inquiries") + "?since=bad").content.decode()
    assert "日期格式应为" in page
    assert client.get(reverse("voice:inquiries") + "?holder=abc").status_code == 404
    stats = client.get(reverse("voice:inquiry_stats_export"))
    assert stats.status_code == 200 and "办公室党支部" in xlsx_text(stats)


# ── API writes ──────────────────────────────────────────────────────────────────────────────────────────────────


def _post(client, user, url, body, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(acting_user=user, name='t')[1]}", **extra}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_api_record_hand_on_close(world, clock, client):
    asked = (timezone.now() - timedelta(hours=1)).isoformat()
    body = {"asker": "赵来访", "channel": "visit", "content": "咨询", "asked_at": asked}
    response = _post(client, world.member_user_a, "/api/v1/voice/inquiries", body)
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    url = f"/api/v1/voice/inquiries/{pk}"
    handoff = {"to_member": world.member_a2.pk, "note": "请办理"}
    assert _post(client, world.secretary_a, f"{url}/handoff", handoff).status_code == 428
    assert _post(client, world.secretary_a, f"{url}/handoff", handoff | {"version": 9}).status_code == 412
    assert counts() == (1, 0)
    response = _post(client, world.secretary_a, f"{url}/handoff", handoff | {"version": 1})
    assert response.status_code == 200 and len(response.json()["chain"]) == 1
    close = {"result": "已答复", "satisfaction": "satisfied"}
    response = _post(client, world.secretary_a, f"{url}/close", close, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200 and response.json()["state"] == "closed"
    response = _post(client, world.secretary_a, f"{url}/close", close | {"version": 3})
    assert response.status_code == 422 and "已办结" in response.content.decode()


def test_api_refuses_a_future_time(world, clock, client):
    asked = (timezone.now() + timedelta(days=1)).isoformat()
    body = {"asker": "赵来访", "channel": "visit", "content": "咨询", "asked_at": asked}
    response = _post(client, world.member_user_a, "/api/v1/voice/inquiries", body)
    assert response.status_code == 422 and "不能晚于今天" in response.content.decode()
    assert counts() == (0, 0)
