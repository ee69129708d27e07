"""Pages of a meeting's parts (attachments, 组织生活会 items and 整改, 民主评议), the talks, and the .docx exports.
Thin: each fetches its object through the user's scope (404 outside it) and runs one service or selector."""

from functools import partial

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, post_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.storage import private_download
from dangjian.orgs.models import Organization

from . import documents, parts
from .choices import Activity, Rating
from .models import AppraisalRating, Attachment, LifeMeetingItem, Meeting, MeetingActivity, Rectification, Talk
from .part_forms import AppraisalForm, AttachmentForm, LifeItemForm, RectificationForm, TalkFilterForm, TalkForm

MSG_UPLOADED = "已上传附件“{name}”"
MSG_DELETED = "已删除"
MSG_SAVED = "已保存"
MSG_TALK_SAVED = "已保存谈话记录"


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def _meeting(request: HttpRequest, pk: int, *, change: bool = False, activity: str | None = None) -> Meeting:
    user = request.user
    meetings = Meeting.objects.changeable_by(user) if change else Meeting.objects.visible_to(user)
    meeting = get_object_or_404(meetings.select_related("org"), pk=pk)
    if activity is not None and activity not in parts.activities_of(meeting):
        raise Http404  # the page exists only for a meeting of that kind
    return meeting


def _breadcrumbs(meeting: Meeting) -> list[tuple[str, str]]:
    return [(str(meeting), meeting_url(meeting))]


def _meeting_form(request, form, action, *, meeting: Meeting, title: str, template: str = "", **extra):
    page = meeting_url(meeting)
    if template:
        result = submit(request, form, action)
        if result is not None:
            messages.success(request, extra.get("success", MSG_SAVED))
            return redirect(page)
        context = {"form": form, "title": title, "breadcrumbs": _breadcrumbs(meeting), "cancel_url": page, **extra}
        return render(request, template, context, status=400 if form.is_bound and form.errors else 200)
    return form_action(
        request,
        form,
        action,
        success=extra.pop("success", MSG_SAVED),
        done_url=page,
        title=title,
        breadcrumbs=_breadcrumbs(meeting),
        cancel_url=page,
        **extra,
    )


# --- attachments ------------------------------------------------------------------------------------------------


def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, change=True)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    return _meeting_form(
        request,
        form,
        partial(parts.attachment_add, by=request.user, meeting=meeting),
        meeting=meeting,
        title="上传附件",
        template="meetings/parts/attachment_form.html",
        success="已上传附件",
    )


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    try:
        attachment = parts.attachment_for_download(fetched_by=request.user, pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    return private_download(attachment.file, attachment.name, attachment.content_type)


@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        attachment = parts.changeable_attachment(by=request.user, pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    return post_action(
        request,
        partial(parts.attachment_delete, by=request.user, attachment=attachment),
        success=MSG_DELETED,
        done_url=meeting_url(attachment.meeting),
    )


# --- 组织生活会 ----------------------------------------------------------------------------------------------------


def _life_members(request, meeting):
    return parts.org_members(meeting.org, fetched_by=request.user)


def life_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, change=True, activity=Activity.LIFE_MEETING)
    form = LifeItemForm(request.POST or None, members=_life_members(request, meeting))
    return _meeting_form(
        request,
        form,
        partial(parts.life_item_save, by=request.user, meeting=meeting),
        meeting=meeting,
        title="添加批评与自我批评",
    )


def _life_item(request, pk) -> LifeMeetingItem:
    return get_object_or_404(LifeMeetingItem.objects.changeable_by(request.user).select_related("meeting__org"), pk=pk)


def life_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _life_item(request, pk)
    meeting = item.meeting
    form = LifeItemForm(request.POST or None, instance=item, members=_life_members(request, meeting))
    return _meeting_form(
        request,
        form,
        partial(parts.life_item_save, by=request.user, meeting=meeting, item=item),
        meeting=meeting,
        title="修改批评与自我批评",
    )


@require_POST
def life_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _life_item(request, pk)
    return post_action(
        request,
        partial(parts.life_item_delete, by=request.user, item=item),
        success=MSG_DELETED,
        done_url=meeting_url(item.meeting),
    )


def rectification_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, change=True, activity=Activity.LIFE_MEETING)
    form = RectificationForm(request.POST or None, members=_life_members(request, meeting))
    return _meeting_form(
        request,
        form,
        partial(parts.rectification_save, by=request.user, meeting=meeting),
        meeting=meeting,
        title="添加整改事项",
    )


def _rectification(request, pk) -> Rectification:
    return get_object_or_404(Rectification.objects.changeable_by(request.user).select_related("meeting__org"), pk=pk)


def rectification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _rectification(request, pk)
    meeting = item.meeting
    form = RectificationForm(request.POST or None, instance=item, members=_life_members(request, meeting))
    return _meeting_form(
        request,
        form,
        partial(parts.rectification_save, by=request.user, meeting=meeting, item=item),
        meeting=meeting,
        title="修改整改事项",
    )


@require_POST
def rectification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _rectification(request, pk)
    return post_action(
        request,
        partial(parts.rectification_delete, by=request.user, item=item),
        success=MSG_DELETED,
        done_url=meeting_url(item.meeting),
    )


# --- 民主评议 -------------------------------------------------------------------------------------------------------


def appraisal(request: HttpRequest, pk: int) -> HttpResponse:
    """One form: a row per invitee with the rating and the votes; 优秀 over a third is warned, 不合格 noticed."""
    meeting = _meeting(request, pk, change=True, activity=Activity.APPRAISAL)
    members = parts.invitees(meeting, fetched_by=request.user)
    current = {r.member_id: r for r in AppraisalRating.objects.changeable_by(request.user).filter(meeting=meeting)}
    form = AppraisalForm(request.POST or None, members=members, ratings=current)

    def save(**_cleaned):
        rows = [parts.RatingRow(**row) for row in form.rating_rows()]
        return parts.ratings_save(by=request.user, meeting=meeting, rows=rows)

    summary = submit(request, form, save)
    if summary is not None:
        messages.success(request, MSG_SAVED)
        for warning in summary.warnings:
            messages.warning(request, warning)
        if summary.unqualified:
            names = "、".join(r.member.name for r in summary.unqualified)
            messages.warning(request, f"{names}评为不合格：{parts.NOTICE_UNQUALIFIED}")
        return redirect(meeting_url(meeting))
    context = {
        "form": form,
        "meeting": meeting,
        "title": "民主评议党员",
        "breadcrumbs": _breadcrumbs(meeting),
        "cancel_url": meeting_url(meeting),
        "ratings": Rating.choices,
        "notice_unqualified": parts.NOTICE_UNQUALIFIED,
    }
    return render(
        request, "meetings/parts/appraisal_form.html", context, status=400 if form.is_bound and form.errors else 200
    )


# --- 谈心谈话 -------------------------------------------------------------------------------------------------------


def talk_list(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.visible_to(request.user).order_by("path")
    filters = TalkFilterForm(request.GET or None, orgs=orgs)
    org, kind, year = None, "", None
    if filters.is_bound and filters.is_valid():
        org, kind, year = filters.cleaned_data["org"], filters.cleaned_data["kind"], filters.cleaned_data["year"]
    talks = parts.talk_list(fetched_by=request.user, org=org, kind=kind, year=year)
    page = Paginator(talks, page_size(request)).get_page(request.GET.get("page"))
    summary = None
    changeable = set(Organization.objects.changeable_by(request.user).values_list("pk", flat=True))
    if org is not None:
        summary = parts.talk_year(fetched_by=request.user, org=org, year=year or clock.today().year)
    context = {
        "filters": filters,
        "page": page,
        "summary": summary,
        "org": org,
        "can_add": org is not None and org.pk in changeable,
        "changeable": changeable,
        "per_page": page.paginator.per_page,
        "page_sizes": PAGE_SIZES,
    }
    return render(request, "meetings/talk_list.html", context)


def _talk_form(request, form, action, *, title: str) -> HttpResponse:
    page = reverse("meetings:talk_list")
    return form_action(
        request,
        form,
        action,
        success=MSG_TALK_SAVED,
        done_url=lambda talk: f"{page}?org={talk.org_id}",
        title=title,
        breadcrumbs=[("谈心谈话", page)],
        cancel_url=page,
    )


def talk_create(request: HttpRequest) -> HttpResponse:
    """Record a talk of the org in ?org= (one the user may change); without it, choose the org first."""
    orgs = Organization.objects.changeable_by(request.user).order_by("path")
    raw = request.GET.get("org", "")
    if not raw:
        if not orgs.exists():
            raise Http404
        return render(request, "meetings/talk_choose_org.html", {"orgs": orgs})
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    org = get_object_or_404(orgs, pk=int(raw))
    form = TalkForm(request.POST or None, members=parts.org_members(org, fetched_by=request.user))
    return _talk_form(
        request, form, partial(parts.talk_save, by=request.user, org=org), title=f"登记谈心谈话（{org.name}）"
    )


def talk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.changeable_by(request.user).select_related("org"), pk=pk)
    form = TalkForm(request.POST or None, instance=talk, members=parts.org_members(talk.org, fetched_by=request.user))
    return _talk_form(
        request, form, partial(parts.talk_save, by=request.user, org=talk.org, talk=talk), title="修改谈话记录"
    )


# --- .docx ----------------------------------------------------------------------------------------------------------


def _kinds(meetings: list[Meeting]) -> dict[int, list[str]]:
    # The kinds of meetings already fetched through visible_to.
    rows = MeetingActivity.objects.unrestricted().filter(meeting__in=[m.pk for m in meetings])
    kinds: dict[int, list[str]] = {}
    for meeting_id, activity in rows.values_list("meeting_id", "activity"):
        kinds.setdefault(meeting_id, []).append(activity)
    return kinds


@require_GET
def meeting_docx(request: HttpRequest, pk: int) -> FileResponse:
    meeting = _meeting(request, pk)
    meetings = parts.meetings_for_docx(fetched_by=request.user, pks=[meeting.pk])
    buffer = documents.meeting_docx(meetings[0], kinds=_kinds(meetings).get(meeting.pk, []))
    return FileResponse(buffer, as_attachment=True, filename=documents.filename(meeting))


@require_GET
def year_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """All HELD meetings of the org in ?year= (2000..2100; default this year) in one document."""
    org = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    raw = request.GET.get("year", "")
    if raw:
        if not raw.isdigit() or not parts.YEAR_MIN <= int(raw) <= parts.YEAR_MAX:
            raise Http404
        year = int(raw)
    else:
        year = clock.today().year
    meetings = parts.held_meetings_of_year(fetched_by=request.user, org=org, year=year)
    buffer = documents.year_docx(org_name=org.name, year=year, meetings=meetings, kinds=_kinds(meetings))
    return FileResponse(buffer, as_attachment=True, filename=f"{org.name}_{year}年会议记录.docx")
