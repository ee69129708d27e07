"""Initial and temporary passwords, shown once: on the page the creating action renders (not redirected to, so they
sit in no message cookie or session), with one download of them as an xlsx sheet.

Nothing of a password is kept on the server: the page carries the rows for its download button as a signed blob
(django.core.signing: tamper-proof, and it expires after CREDENTIALS_MAX_AGE); the session keeps only the blob's
random one-time number, spent by the download. So the sheet can be downloaded once, from that page; after leaving
it (the page is no-store, nothing to go back to) or after the download, the passwords are gone.
"""

import io
import secrets

import xlsxwriter
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import clock
from .accounts import Credential

SALT = "dangjian.core.credentials"
SESSION_KEY = "credential_downloads"
#: How long the download button of a result page works (seconds).
CREDENTIALS_MAX_AGE = 15 * 60
#: One-time numbers kept per session (a user with several result pages open); older ones are dropped.
KEEP_NONCES = 5

MSG_SPENT = "初始密码表已下载过或已过期，无法再次下载。如需新密码，请在“账号与权限”页重置。"
SHEET_HEADERS = ["姓名", "所在组织", "登录名", "初始密码"]


def credentials_page(
    request: HttpRequest, credentials: list[Credential], *, title: str, note: str, back_url: str
) -> HttpResponse:
    """The one page showing the passwords, with the button for their one download."""
    nonce = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-(KEEP_NONCES - 1) :], nonce]
    rows = [[c.name, c.org, c.username, c.password] for c in credentials]
    blob = signing.dumps({"n": nonce, "u": request.user.pk, "rows": rows}, salt=SALT, compress=True)
    context = {"credentials": credentials, "title": title, "note": note, "back_url": back_url, "blob": blob}
    response = render(request, "core/credentials.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def credentials_download(request: HttpRequest) -> HttpResponse:
    """The result page's one download: the passwords as an xlsx sheet made in this response, never stored."""
    try:
        data = signing.loads(request.POST.get("blob", ""), salt=SALT, max_age=CREDENTIALS_MAX_AGE)
    except signing.SignatureExpired:
        messages.error(request, MSG_SPENT)
        return redirect("core:grants")
    except signing.BadSignature:
        raise Http404 from None
    if data.get("u") != request.user.pk:
        raise Http404
    nonces = request.session.get(SESSION_KEY, [])
    if data.get("n") not in nonces:
        messages.error(request, MSG_SPENT)
        return redirect("core:grants")
    nonces.remove(data["n"])
    request.session[SESSION_KEY] = nonces
    response = HttpResponse(
        sheet(data["rows"]), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename=initial-passwords-{clock.today():%Y%m%d}.xlsx"
    response["Cache-Control"] = "no-store"
    return response


def sheet(rows: list[list[str]]) -> bytes:
    """The rows under SHEET_HEADERS, built in memory (xlsxwriter writes no temporary file with in_memory)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    page = book.add_worksheet("初始密码")
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    page.write_row(0, 0, SHEET_HEADERS, bold)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            page.write_string(i, j, value, text)
    page.set_column(0, 0, 12)
    page.set_column(1, 1, 24)
    page.set_column(2, 3, 18)
    book.close()
    return buffer.getvalue()
