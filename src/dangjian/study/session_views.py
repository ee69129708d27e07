"""学习场次 pages: the sessions' list and its xlsx, a new session (a meeting carrying 学时), the meetings that could be
counted and counting one, a session's page with its attendance, its study facts' edit, and its removal. Thin views:
each fetches and authorises (404 outside the scope), then hands over to one service in services.py. Sign-in,
attendance, minutes and attachments are the meeting's (the meetings pages), linked from the session's page."""

import io
from functools import partial

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.meetings import services as meetings
from dangjian.meetings.choices import Activity, MeetingStatus, ReviewState
from dangjian.meetings.forms import OrgPickForm
from dangjian.meetings.selectors import meeting_activities, meetings_scoped
from dangjian.members.filters import org_options
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import visible_org_or_404

from . import selectors, services
from .choices import StudyKind
from .models import Session
from .session_forms import CountMeetingForm, SessionEditForm, SessionFilterForm, SessionForm, plan_years

LIST_TITLE = "学习场次"
EXPORT_MAX = 20_000
MEETING_PAGES = "签到与出席登记、会议记录、学习材料在会议页面办理"


def _crumbs(session: Session | None = None) -> list[tuple[str, str]]:
    crumbs = [(LIST_TITLE, reverse("study:sessions"))]
    if session is not None:
        crumbs.append((session.meeting.topic, reverse("study:session", args=[session.pk])))
    return crumbs


def _session_url(session: Session) -> str:
    return reverse("study:session", args=[session.pk])


def _session(request: HttpRequest, pk: int, capability: str = Capability.VIEW) -> Session:
    try:
        return selectors.session_get(fetched_by=request.user, pk=pk, capability=capability)
    except Session.DoesNotExist:
        raise Http404 from None


# --- the list ------------------------------------------------------------------------------------------------------


def _filtered(request: HttpRequest):
    org = visible_org_or_404(request.user, id_param(request, "org"))
    form = SessionFilterForm(request.GET)
    sessions = selectors.session_list(
        fetched_by=request.user,
        org=org,
        year=form.value("year"),
        kind=form.value("kind"),
        q=form.value("q"),
        sort=form.value("sort"),
    )
    return org, form, sessions


def session_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org, form, sessions = _filtered(request)
    page = Paginator(sessions, page_size(request)).get_page(request.GET.get("page"))
    orgs = Organization.objects.visible_to(request.user)
    context = {
        "title": LIST_TITLE,
        "org": org,
        "org_choices": org_options(orgs, selected=org.pk if org else None),
        "form": form,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "can_change": request.user.can(Capability.CHANGE),
    }
    return render(request, "study/session_list.html", context)


EXPORT_HEADERS = ["日期", "开始时间", "结束时间", "组织", "学习主题", "学习形式", "主讲人", "领学人", "地点", "学时",
                  "应到人数", "出席人数"]  # fmt: skip


def session_export(request: HttpRequest) -> FileResponse:
    """The list as filtered on the page, as xlsx."""
    require_capability(request.user, Capability.VIEW)
    _org, _form, sessions = _filtered(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_numbers": False, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(LIST_TITLE)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, EXPORT_HEADERS, bold)
    sheet.set_column(0, 2, 16)
    sheet.set_column(3, 4, 30)
    for number, s in enumerate(sessions[:EXPORT_MAX], start=1):
        starts, ends = timezone.localtime(s.meeting.starts_at), timezone.localtime(s.meeting.ends_at)
        sheet.write_row(
            number,
            0,
            [
                s.held_on.isoformat(),
                f"{starts:%H:%M}",
                f"{ends:%H:%M}",
                s.org.name,
                s.meeting.topic,
                s.get_kind_display(),
                s.speaker,
                s.lead.name if s.lead_id else "",
                s.meeting.place,
            ],
        )
        sheet.write_number(number, 9, float(s.hours))
        sheet.write_number(number, 10, s.invited)
        sheet.write_number(number, 11, s.present)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"学习场次_{clock.today():%Y%m%d}.xlsx")


# --- a new session ------------------------------------------------------------------------------------------------


def _default_org(request: HttpRequest, orgs):
    """The org a new session is most likely for: the user's own branch if they may change it, else the only org (or
    the top one) they may change."""
    member = getattr(request.user, "member", None)
    if member is not None and member.org_id and orgs.filter(pk=member.org_id).exists():
        return member.org_id
    top = list(orgs.order_by("path").values_list("pk", "depth")[:2])
    if len(top) == 1 or (top and top[0][1] < top[1][1]):
        return top[0][0]
    return None


def session_create(request: HttpRequest) -> HttpResponse:
    """A new study session: first the org (?org=, its members are the invitees), then the session."""
    require_capability(request.user, Capability.CHANGE)
    orgs = Organization.objects.changeable_by(request.user).active()
    pk = id_param(request, "org")
    kind = request.GET.get("kind", "")
    kind = kind if kind in StudyKind.values else ""  # ?kind=central from the 中心组 page: the form's first choice
    if pk is None:
        form = OrgPickForm(orgs=orgs.exclude(kind=OrgKind.GROUP), initial={"org": _default_org(request, orgs)})
        form.fields["org"].label = "组织"
        context = {"form": form, "title": "新建学习场次", "kind": kind}
        return render(request, "study/session_org_pick.html", context)
    org = orgs.filter(pk=pk).first()
    if org is None:
        raise Http404
    form = SessionForm(
        request.POST or None,
        org=org,
        people=selectors.session_people(request.user, org),
        plan_items=selectors.plan_items_for(org, plan_years()),
        seats=meetings.committee_member_ids(org),
        initial={"kind": kind} if kind else None,
    )
    return form_action(
        request,
        form,
        partial(services.create_session, by=request.user, org=org),
        success=lambda s: f"已登记学习场次：{s.meeting.topic}",
        done_url=_session_url,
        title=f"{org.name} 新建学习场次",
        breadcrumbs=_crumbs(),
        cancel_url=reverse("study:sessions"),
        intro=(
            "学习场次按会议登记：应到人员默认为本组织全体在册党员，可扫码签到或由记录人登记出席，"
            "出席的党员计入本场学时。已开过的党课、主题党日可直接“计入学时”，不必重复登记。"
        ),
        submit_label="登记",
    )


# --- counting a meeting already planned or held ---------------------------------------------------------------------


def countable_meetings(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    meetings_page = Paginator(selectors.countable_meetings(fetched_by=request.user), page_size(request))
    page = meetings_page.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    labels = meeting_activities(page.object_list)
    for meeting in page.object_list:
        meeting.activity_labels = labels[meeting.pk]
    context = {
        "title": "将已开会议计入学时",
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
    }
    return render(request, "study/countable.html", context)


def count_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meetings_scoped(request.user, Capability.CHANGE).select_related("org", "lecturer").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    counted = Session.objects.visible_to(request.user).filter(meeting=meeting).first()
    if counted is not None:
        messages.info(request, services.ERR_ALREADY_COUNTED)
        return redirect(_session_url(counted))
    activities = set(meetings.meeting_activity_codes(meeting))
    form = CountMeetingForm(
        request.POST or None,
        meeting=meeting,
        lecture=Activity.LECTURE in activities,
        plan_items=selectors.plan_items_for(meeting.org, [timezone.localtime(meeting.starts_at).year]),
    )
    back = reverse("study:countable")
    starts = timezone.localtime(meeting.starts_at)
    return form_action(
        request,
        form,
        partial(services.count_meeting, by=request.user, meeting=meeting),
        success=lambda s: f"已计入学时：{s.meeting.topic}",
        done_url=_session_url,
        title=f"计入学时：{meeting.topic}",
        breadcrumbs=[*_crumbs(), ("将已开会议计入学时", back)],
        cancel_url=back,
        intro=(
            f"{meeting.org.name}，{starts:%Y-%m-%d %H:%M}。会议的时间、地点、应到人员和出席情况不变，"
            "出席的党员计入本场学时；同一会议只计一次。"
        ),
        submit_label="计入学时",
    )


# --- one session --------------------------------------------------------------------------------------------------


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = request.user
    can_change = user.can(Capability.CHANGE, session.org.path)
    meeting = session.meeting
    # As the meeting's page offers it: once it has started, while its record is neither cancelled nor under review.
    open_record = meeting.status != MeetingStatus.CANCELLED and meeting.review_state not in (
        ReviewState.SUBMITTED,
        ReviewState.PASSED,
    )
    speeches, outcomes = selectors.session_parts(fetched_by=user, session=session)
    context = {
        "title": session.meeting.topic,
        "session": session,
        "meeting": session.meeting,
        "attendance": selectors.session_attendance(session),
        "can_change": can_change,
        "can_record": can_change and open_record and meeting.starts_at <= timezone.now(),
        "can_upload": can_change and meeting.status != MeetingStatus.CANCELLED,
        "can_view_list": user.can(Capability.VIEW),
        "is_central": session.kind == StudyKind.CENTRAL,
        "speeches": speeches,
        "outcomes": outcomes,
        "meeting_pages": MEETING_PAGES,
    }
    return render(request, "study/session_detail.html", context)


def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, Capability.CHANGE)
    form = SessionEditForm(
        request.POST or None,
        session=session,
        people=selectors.session_people(request.user, session.org),
        plan_items=selectors.plan_items_for(session.org, [session.held_on.year]),
    )
    crumbs = _crumbs(session)
    return form_action(
        request,
        form,
        partial(services.update_session, by=request.user, session=session),
        success="已保存",
        done_url=_session_url,
        title=f"编辑学习场次：{session.meeting.topic}",
        breadcrumbs=crumbs,
        cancel_url=crumbs[-1][1],
        intro=f"这里修改学时和学习信息；时间、地点和应到人员在会议页面修改（{MEETING_PAGES}）。",
    )


@require_POST
def session_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """No longer count the meeting as a study session (the meeting stays); a refusal goes back to the session."""
    session = _session(request, pk, Capability.CHANGE)
    try:
        services.remove_session(by=request.user, session=session)
    except (ValidationError, PermissionDenied) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
        return redirect(_session_url(session))
    messages.success(request, f"已不再计入学时：{session.meeting.topic}（会议保留在组织生活中）")
    return redirect("study:sessions")
