"""The one download of a result page's passwords: an xlsx sheet made in the response, then gone."""

import io

from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.core.credentials import MSG_SPENT, SHEET_HEADERS


def sheet_rows(content: bytes) -> list[list[str]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def reset_page(world, client):
    return client.post(reverse("core:password_reset", args=[world.member_user_a.pk]))


def test_the_sheet_holds_the_passwords_once(world, client_for):
    client = client_for(world.secretary_a)
    page = reset_page(world, client)
    password = page.context["credentials"][0].password
    blob = page.context["blob"]
    download = client.post(reverse("core:credentials_download"), {"blob": blob})
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith("attachment;")
    assert sheet_rows(download.content) == [SHEET_HEADERS, ["王小明", "", "member_a", password]]
    again = client.post(reverse("core:credentials_download"), {"blob": blob}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("core:grants")
    assert MSG_SPENT in again.content.decode()
    assert password not in again.content.decode()


def test_a_tampered_or_foreign_blob_is_404(world, client_for):
    page = reset_page(world, client_for(world.secretary_a))
    blob = page.context["blob"]
    assert (
        client_for(world.secretary_a).post(reverse("core:credentials_download"), {"blob": blob + "x"}).status_code
        == 404
    )
    # Another user (even the admin) cannot download secretary A's sheet with the blob.
    assert client_for(world.admin).post(reverse("core:credentials_download"), {"blob": blob}).status_code == 404


def test_the_blob_expires(world, client_for, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    client = client_for(world.secretary_a)
    page = reset_page(world, client)
    time_machine.shift(16 * 60)
    late = client.post(reverse("core:credentials_download"), {"blob": page.context["blob"]}, follow=True)
    assert MSG_SPENT in late.content.decode()
