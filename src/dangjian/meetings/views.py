"""The meetings' records: list, export, plan, detail, edit, record as held, attendance, cancel, submit, review.
Thin views: each fetches and authorises its meeting (404 outside the scope), then hands over to one service."""

import io
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from dangjian.core.generic import form_action, post_action, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.membership import membership
from dangjian.orgs.models import Organization

from . import services
from .choices import MeetingStatus, ReviewState
from .forms import (
    INVITEE_PICK_MAX,
    AttendanceForm,
    MeetingEditForm,
    MeetingForm,
    OrgPickForm,
    RecordForm,
    ReviewForm,
)
from .models import Meeting
from .selectors import meeting_activities, meeting_attendance, meeting_filterset, meeting_get
from .tables import EXPORT_MAX, MeetingTable, export_filename, meetings_xlsx

LIST_TITLE = "组织生活"


def _meeting(request, pk: int, capability: str = Capability.VIEW) -> Meeting:
    try:
        return meeting_get(fetched_by=request.user, pk=pk, capability=capability)
    except Meeting.DoesNotExist:
        raise Http404 from None


def _reviewable(request, pk: int) -> Meeting:
    """A meeting the user may review: CHANGE on its org's parent (the level above), never on the org alone."""
    meeting = _meeting(request, pk, Capability.CHANGE)
    if not services.may_review(request.user, meeting):
        raise Http404
    return meeting


def _people(user, org: Organization):
    """Who may host, record or lecture: the org's members in register, within the user's scope, by name."""
    return membership().in_register(org).changeable_by(user).order_by("name_pinyin")


def _invitees_intro(form) -> str:
    if "invitees" in form.fields:
        return ""
    return (
        f"本组织在册党员超过 {INVITEE_PICK_MAX} 人，应到人员按会议类型确定（支委会为现任委员）；"
        "如需指定应到人员，请由下级组织召开或通过接口提交名单。"
    )


def _crumbs(meeting: Meeting | None = None) -> list[tuple[str, str]]:
    crumbs = [(LIST_TITLE, reverse("meetings:list"))]
    if meeting is not None:
        crumbs.append((meeting.topic, reverse("meetings:detail", args=[meeting.pk])))
    return crumbs


def _meeting_form(request, form, action, *, meeting: Meeting | None, title: str, success, **extra) -> HttpResponse:
    crumbs = _crumbs(meeting)
    return form_action(
        request,
        form,
        action,
        success=success,
        done_url=lambda done: reverse("meetings:detail", args=[done.pk]),
        title=title,
        breadcrumbs=crumbs,
        cancel_url=crumbs[-1][1],
        **extra,
    )


def meeting_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    filterset = meeting_filterset(fetched_by=request.user, filters=request.GET)
    table = MeetingTable(filterset.qs, order_by=request.GET.get("sort"))
    # Not RequestConfig's pagination: it takes ?per_page= as given (core.paging bounds it).
    RequestConfig(request, paginate=False).configure(table)
    table.paginate(per_page=page_size(request))
    table.page = table.paginator.get_page(request.GET.get("page"))
    table.activities = meeting_activities([row.record for row in table.page.object_list])
    context = {
        "table": table,
        "filter_form": filterset.form,
        "more_filters": filterset.narrowing_besides_search,
        "can_create": request.user.can(Capability.CHANGE),
        "page_sizes": PAGE_SIZES,
        "per_page": table.paginator.per_page,
        "title": LIST_TITLE,
    }
    template = "meetings/meeting_list.html#results" if request.htmx else "meetings/meeting_list.html"
    return render(request, template, context)


@require_POST
def meeting_export(request: HttpRequest) -> FileResponse:
    """The list as filtered on the page (the filters ride in the query string), as xlsx."""
    require_capability(request.user, Capability.VIEW)
    filterset = meeting_filterset(fetched_by=request.user, filters=request.GET)
    buffer = io.BytesIO()
    meetings_xlsx(filterset.qs[:EXPORT_MAX], buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=export_filename())


def meeting_create(request: HttpRequest) -> HttpResponse:
    """Plan a meeting, or record one already held: first the org (?org=), then the meeting."""
    require_capability(request.user, Capability.CHANGE)
    orgs = Organization.objects.changeable_by(request.user).active()
    value = request.GET.get("org", "")
    if not value:
        only = list(orgs.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            return redirect(f"{reverse('meetings:create')}?org={only[0]}")
        form = OrgPickForm(orgs=orgs)
        return render(request, "meetings/meeting_org_pick.html", {"form": form, "title": "安排会议"})
    if not value.isdigit():
        raise Http404
    try:
        org = orgs.get(pk=int(value))
    except Organization.DoesNotExist:
        raise Http404 from None
    people = _people(request.user, org)
    form = MeetingForm(request.POST or None, org=org, people=people, seats=services.committee_member_ids(org))
    return _meeting_form(
        request,
        form,
        partial(services.create_meeting, by=request.user, org=org),
        meeting=None,
        title=f"{org.name} 安排会议",
        success=lambda m: f"已登记会议：{m.topic}",
        intro=_invitees_intro(form),
    )


def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    attendance = meeting_attendance(meeting)
    user = request.user
    can_change = user.can(Capability.CHANGE, meeting.org.path)
    editable = meeting.status != MeetingStatus.CANCELLED and meeting.review_state not in (
        ReviewState.SUBMITTED,
        ReviewState.PASSED,
    )
    context = {
        "meeting": meeting,
        "activities": meeting_activities([meeting])[meeting.pk],
        "attendance": attendance,
        "can_change": can_change,
        "editable": can_change and editable,
        # Recording it as held is offered once it has started (a fact is never in the future).
        "can_record": can_change and editable and meeting.starts_at <= timezone.now(),
        "can_tick": editable and services.may_tick_attendance(user, meeting),
        "can_submit": can_change
        and meeting.status == MeetingStatus.HELD
        and meeting.review_state in (ReviewState.DRAFT, ReviewState.RETURNED),
        "can_review": meeting.review_state == ReviewState.SUBMITTED and services.may_review(user, meeting),
        "can_cancel": can_change and meeting.status == MeetingStatus.PLANNED,
        "can_view_list": user.can(Capability.VIEW),
        "attendance_form": AttendanceForm(),
        "title": meeting.topic,
    }
    return render(request, "meetings/meeting_detail.html", context)


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Capability.CHANGE)
    activities = services.meeting_activity_codes(meeting)
    form = MeetingEditForm(
        request.POST or None,
        meeting=meeting,
        activities=activities,
        invitees=services.meeting_invitee_ids(meeting),
        people=_people(request.user, meeting.org),
        seats=services.committee_member_ids(meeting.org),
    )
    return _meeting_form(
        request,
        form,
        partial(services.update_meeting, by=request.user, meeting=meeting),
        meeting=meeting,
        title=f"编辑会议：{meeting.topic}",
        success="已保存",
        intro="" if "invitees" in form.fields or meeting.status != MeetingStatus.PLANNED else _invitees_intro(form),
    )


def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the meeting as held (or correct its record): minutes, resolutions, each invitee's attendance."""
    meeting = _meeting(request, pk, Capability.CHANGE)
    rows = meeting_attendance(meeting).rows
    form = RecordForm(request.POST or None, meeting=meeting, rows=rows)

    def action(**data):
        return services.record_meeting(
            by=request.user,
            meeting=meeting,
            minutes=data["minutes"],
            resolutions=data.get("resolutions", ""),
            attendance=form.marks(),
            version=data.get("version"),
        )

    result = submit(request, form, action)
    if result is not None:
        messages.success(request, "已登记会议记录" + ("（补录）" if result.backfilled else ""))
        return redirect("meetings:detail", result.pk)
    context = {"form": form, "meeting": meeting, "title": f"登记会议记录：{meeting.topic}", "crumbs": _crumbs(meeting)}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/meeting_record.html", context, status=status)


@require_POST
def meeting_attendance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick one invitee present or absent (HTMX from the detail page; a plain POST redirects back)."""
    meeting = _meeting(request, pk)
    if not services.may_tick_attendance(request.user, meeting):
        raise Http404
    form = AttendanceForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.set_attendance(
                by=request.user, meeting=meeting, member_id=form.cleaned_data["member"], mark=form.mark()
            )
        except (ValidationError, PermissionDenied) as refused:
            error = " ".join(getattr(refused, "messages", [str(refused)]))
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "已登记出席情况")
        return redirect("meetings:detail", meeting.pk)
    summary = meeting_attendance(meeting)
    # The attendance table, and the rate above it out of band (hx-swap-oob).
    context = {"meeting": meeting, "attendance": summary, "can_tick": True, "tick_error": error, "oob": True}
    return render(request, "meetings/meeting_detail.html#attendance", context, status=200)


@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Capability.CHANGE)
    return post_action(
        request,
        partial(services.cancel_meeting, by=request.user, meeting=meeting),
        success="会议已取消",
        done_url=reverse("meetings:detail", args=[meeting.pk]),
    )


@require_POST
def meeting_submit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, Capability.CHANGE)
    return post_action(
        request,
        partial(services.submit_for_review, by=request.user, meeting=meeting),
        success="已提交上级党组织审核",
        done_url=reverse("meetings:detail", args=[meeting.pk]),
    )


def meeting_review(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _reviewable(request, pk)
    form = ReviewForm(request.POST or None, version_of=meeting)
    return _meeting_form(
        request,
        form,
        partial(services.review_meeting, by=request.user, meeting=meeting),
        meeting=meeting,
        title=f"审核会议记录：{meeting.topic}",
        success=lambda m: "审核通过" if m.review_state == ReviewState.PASSED else "已退回补充",
        intro=f"{meeting.org.name}，{meeting.get_review_state_display()}。",
        submit_label="提交审核结果",
    )
