"""Pages of the QR sign-in (meetings.signin): the member's sign-in page, the projector's QR page, its reset, and the
printable sign-in sheet. Thin: the rules are in signin.py."""

from io import BytesIO

import segno
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dangjian.core.generic import post_action

from . import sheet, signin
from .choices import Presence
from .models import Attendance, Meeting

#: Longest token or code read from a request (a real token is about 80 characters).
MAX_TOKEN_LENGTH = 300


def _visible_meeting(request: HttpRequest, pk: int) -> Meeting:
    try:
        return Meeting.objects.visible_to(request.user).select_related("org").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _manageable(request: HttpRequest, pk: int) -> Meeting:
    try:
        return signin.manageable_meeting(request.user, pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _field(data, name: str) -> str:
    return (data.get(name) or "")[:MAX_TOKEN_LENGTH].strip()


def signin_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's sign-in: opened from the QR code (?t=token) it asks for one tap (a GET never writes); opened
    from the home page it takes the 6-digit code shown on the projector. Every refusal is a sentence, nothing
    written."""
    meeting = _visible_meeting(request, pk)
    context = {"meeting": meeting, "token": "", "error": "", "done": None}
    if request.method == "POST":
        token, code = _field(request.POST, "t"), _field(request.POST, "code")
        context["token"] = token
        try:
            context["done"] = signin.sign_in(user=request.user, meeting=meeting, token=token, code=code)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            context["code_error"] = not token
            return render(request, "meetings/signin/signin.html", context, status=400)
        return render(request, "meetings/signin/signin.html", context)
    token = _field(request.GET, "t")
    context["token"] = token
    try:
        attendance = signin.check_can_sign_in(request.user, meeting)
        if attendance.signed_in_at is not None:
            context["done"] = signin.SigninResult(attendance, already=True)
        elif token:
            signin.check_token(meeting, token)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "meetings/signin/signin.html", context, status=400 if token else 200)
    return render(request, "meetings/signin/signin.html", context)


def _qr_context(request: HttpRequest, meeting: Meeting) -> dict:
    url = request.build_absolute_uri(reverse("meetings:signin", args=[meeting.pk]))
    link = f"{url}?t={signin.make_token(meeting)}"
    counts = {value: 0 for value in Presence.values}
    rows = Attendance.objects.visible_to(request.user).filter(meeting=meeting).values_list("presence", "signed_by")
    signed = 0
    for presence, signed_by in rows:
        counts[presence] += 1
        signed += signed_by == "self"
    start, end = signin.window_text(meeting)
    return {
        "meeting": meeting,
        "link": link,
        "qr_svg": segno.make(link, error="m").svg_inline(scale=8, border=2, omitsize=True, svgclass="w-100 h-auto"),
        "code": signin.current_code(meeting),
        "open": signin.window_open(meeting),
        "window_start": start,
        "window_end": end,
        "invited": sum(counts.values()),
        "present": counts[Presence.PRESENT],
        "signed": signed,
        "refresh": signin.QR_REFRESH_SECONDS,
        "expires": signin.token_seconds(),
        "generated_at": timezone.localtime(),
    }


def signin_qr_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector's page: the QR code and the code, renewed by HTMX every QR_REFRESH_SECONDS."""
    meeting = _manageable(request, pk)
    context = _qr_context(request, meeting)
    if request.htmx:
        return render(request, "meetings/signin/qr_panel.html", context)
    return render(request, "meetings/signin/qr.html", context)


def signin_rotate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """重置二维码 (POST): every link and code shown before stops working."""
    meeting = _manageable(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return post_action(
        request,
        lambda: signin.rotate_secret(by=request.user, meeting=meeting),
        success="二维码已重置，此前拍下或转发的签到二维码和签到码均已失效",
        done_url=reverse("meetings:signin_qr", args=[meeting.pk]),
    )


def signin_sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable sign-in sheet (PDF) for a room without phones."""
    meeting = _manageable(request, pk)
    attendances = (
        Attendance.objects.visible_to(request.user)
        .filter(meeting=meeting)
        .select_related("member", "org")
        .order_by("org__path", "member__name_pinyin", "id")
    )
    pdf = sheet.render_pdf(meeting, list(attendances))
    day = timezone.localtime(meeting.starts_at)
    name = f"signin-{meeting.pk}-{day:%Y%m%d}.pdf"
    return FileResponse(BytesIO(pdf), content_type="application/pdf", filename=name)
