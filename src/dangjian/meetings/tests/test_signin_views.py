"""The sign-in pages: the member's page (QR link, code), refusals on a friendly page with nothing written, the
logged-out scan, the projector page (HTMX refresh, reset), the PDF sheet, the detail page's buttons."""

from datetime import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from dangjian.meetings import signin
from dangjian.meetings.choices import Presence
from dangjian.meetings.models import Attendance

from .signin_fixtures import meeting_at

PASSWORD = "Dangjian#2026"  # core/tests/factories.UserFactory

pytestmark = pytest.mark.django_db


def own_row(world, meeting) -> Attendance:
    return Attendance.objects.unrestricted().get(meeting=meeting, member=world.member_a)


def test_the_qr_link_asks_for_one_tap_and_signs_in(world, clock, client_for):
    meeting = meeting_at(world, clock)
    url = reverse("meetings:signin", args=[meeting.pk])
    token = signin.make_token(meeting)
    client = client_for(world.member_user_a)
    page = client.get(url, {"t": token})
    assert page.status_code == 200
    assert "确认签到" in page.content.decode()
    assert own_row(world, meeting).presence == Presence.UNKNOWN  # a GET writes nothing
    done = client.post(url, {"t": token})
    assert done.status_code == 200 and "签到成功" in done.content.decode()
    row = own_row(world, meeting)
    assert row.presence == Presence.PRESENT and row.signed_by == "self"
    # Opening the link again (a replay) is calm, and writes nothing.
    again = client.post(url, {"t": token})
    hhmm = f"{signin.timezone.localtime(row.signed_in_at):%H:%M}"
    assert f"您已于 {hhmm} 签到" in again.content.decode()
    assert own_row(world, meeting).updated_at == row.updated_at
    assert f"您已于 {hhmm} 签到" in client.get(url).content.decode()


def test_the_code_form_signs_in(world, clock, client_for):
    meeting = meeting_at(world, clock)
    url = reverse("meetings:signin", args=[meeting.pk])
    client = client_for(world.member_user_a)
    assert 'name="code"' in client.get(url).content.decode()
    wrong = client.post(url, {"code": "000000" if signin.current_code(meeting) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert signin.ERR_CODE in wrong.content.decode() and "is-invalid" in wrong.content.decode()
    assert own_row(world, meeting).presence == Presence.UNKNOWN
    done = client.post(url, {"code": signin.current_code(meeting)})
    assert "签到成功" in done.content.decode()


@pytest.mark.parametrize("case", ["forged", "expired", "other", "window"])
def test_refusals_are_sentences_and_write_nothing(world, clock, client_for, case):
    meeting = meeting_at(world, clock)
    url = reverse("meetings:signin", args=[meeting.pk])
    token = signin.make_token(meeting)
    if case == "forged":
        token, message = token[:-3] + "abc", signin.ERR_FORGED
    elif case == "expired":
        clock.set(clock.today(), time(14, 10))
        message = signin.ERR_EXPIRED
    elif case == "other":
        token, message = signin.make_token(meeting_at(world, clock)), signin.ERR_OTHER_MEETING
    else:
        clock.set(clock.today(), time(16, 31))
        token = signin.make_token(meeting)
        message = "不在签到时间内（签到时间："
    client = client_for(world.member_user_a)
    before = own_row(world, meeting).updated_at
    for response in (client.get(url, {"t": token}), client.post(url, {"t": token})):
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "确认签到" not in response.content.decode()
    assert own_row(world, meeting).updated_at == before


def test_a_secretary_who_is_not_invited_reads_why(world, clock, client_for):
    meeting = meeting_at(world, clock)
    response = client_for(world.secretary_a).get(reverse("meetings:signin", args=[meeting.pk]))
    assert response.status_code == 200
    assert signin.ERR_NOT_INVITED in response.content.decode()
    assert 'name="code"' not in response.content.decode()


def test_a_logged_out_scan_goes_to_login_and_back_to_the_same_link(world, clock, client):
    meeting = meeting_at(world, clock)
    link = f"{reverse('meetings:signin', args=[meeting.pk])}?t={signin.make_token(meeting)}"
    response = client.get(link)
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("login")
    assert parse_qs(target.query)["next"] == [link]
    logged_in = client.post(f"{reverse('login')}?{target.query}", {"username": "member_a", "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in["Location"] == link


def test_the_projector_page_shows_a_fresh_qr_and_code(world, clock, client_for):
    meeting = meeting_at(world, clock)
    client = client_for(world.secretary_a)
    url = reverse("meetings:signin_qr", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "<svg" in page and signin.current_code(meeting) in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 30s"' in page
    assert "<script>" not in page and " style=" not in page.split("<svg")[0]
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "<svg" in partial
    link = partial.split('data-signin-url="')[1].split('"')[0].replace("&amp;", "&")
    token = parse_qs(urlparse(link).query)["t"][0]
    assert urlparse(link).path == reverse("meetings:signin", args=[meeting.pk])
    assert link.startswith("http://testserver/")
    signin.check_token(meeting, token)  # a valid token


def test_reset_invalidates_what_was_shown(world, clock, client_for):
    meeting = meeting_at(world, clock)
    token = signin.make_token(meeting)
    client = client_for(world.secretary_a)
    assert client.get(reverse("meetings:signin_rotate", args=[meeting.pk])).status_code == 405
    response = client.post(reverse("meetings:signin_rotate", args=[meeting.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("meetings:signin_qr", args=[meeting.pk])
    meeting.refresh_from_db()
    member = client_for(world.member_user_a)
    refused = member.get(reverse("meetings:signin", args=[meeting.pk]), {"t": token})
    assert signin.ERR_ROTATED in refused.content.decode()


def test_the_sheet_is_a_pdf(world, clock, client_for):
    meeting = meeting_at(world, clock)
    response = client_for(world.secretary_a).get(reverse("meetings:signin_sheet", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert len(body) > 50_000  # a subset of the Chinese font is embedded (a PDF without it is a few kB)


def test_the_detail_actions_show_only_to_those_who_run_the_sign_in(world, clock):
    meeting = meeting_at(world, clock)
    template = Template('{% include "meetings/signin/detail_actions.html" %}')
    for user, shown in ((world.secretary_a, True), (world.member_user_a, False), (world.inspector, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"meeting": meeting, "request": request}))
        assert (reverse("meetings:signin_qr", args=[meeting.pk]) in html) is shown
        assert (reverse("meetings:signin_sheet", args=[meeting.pk]) in html) is shown
