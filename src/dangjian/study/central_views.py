"""中心组学习: the sessions with their speeches and outcomes counted, a speech or an outcome added to a session, the
outcomes' list (学以致用: which were turned into practice, which are late) with its xlsx, an outcome's edit with its
转化. Thin: reads from selectors.py, writes from central.py. The session's own page (sessions lane) shows its
speeches and outcomes through templates/study/session_central.html (selectors.session_parts)."""

import io
from functools import partial

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, post_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.meetings import services as meetings
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from . import central, selectors
from .central_forms import OutcomeEditForm, OutcomeForm, SpeechForm
from .choices import OutcomeKind, OutcomeState
from .models import Outcome, Session, Speech

CENTRAL_TITLE = "中心组学习"
OUTCOMES_TITLE = "学习成果转化"
YEAR_MIN = 2000
EXPORT_MAX = 10_000
OUTCOME_INTRO = "成果转化完成后在“学习成果转化”中登记转化情况。"
OUTCOME_HEADER = [
    "成果名称",
    "成果类型",
    "学习日期",
    "学习主题",
    "组织",
    "责任人",
    "转化时限",
    "转化情况",
    "完成日期",
    "转化成效",
]


def xlsx(sheet_name: str, header: list[str], rows: list[list], *, widths: dict[int, int] | None = None) -> io.BytesIO:
    """A one-sheet workbook in memory; text is written as text (never a formula: an entry may begin with "=")."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet(sheet_name[:31])
    sheet.write_row(0, 0, header, workbook.add_format({"bold": True}))
    for line, row in enumerate(rows, start=1):
        sheet.write_row(line, 0, row)
    sheet.set_column(0, len(header) - 1, 14)
    for column, width in (widths or {}).items():
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    workbook.close()
    buffer.seek(0)
    return buffer


def _year(request: HttpRequest) -> int | None:
    """?year=: a year from 2000 to this one; absent or anything else: all years."""
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and len(value) == 4 and YEAR_MIN <= int(value) <= clock.today().year:
        return int(value)
    return None


def _years() -> list[int]:
    this = clock.today().year
    return list(range(this, this - 10, -1))


def _orgs(user):
    return Organization.objects.visible_to(user).filter(dissolved_on__isnull=True).order_by("path")


# --- the sessions ---------------------------------------------------------------------------------------------------


def central_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    year = _year(request)
    rows = selectors.central_sessions(fetched_by=request.user, year=year, org=org)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    context = {
        "title": CENTRAL_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "org": org,
        "year": year,
        "years": _years(),
        "orgs": _orgs(request.user),
        "can_create": request.user.can(Capability.CHANGE),
    }
    return render(request, "study/central_list.html", context)


# --- speeches and outcomes of a session -----------------------------------------------------------------------------


def _session(request: HttpRequest, pk: int) -> Session:
    """A session the user may change (404 otherwise)."""
    require_capability(request.user, Capability.CHANGE)
    session = Session.objects.changeable_by(request.user).select_related("meeting", "org").filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def _invitees(request: HttpRequest, session: Session):
    """The session's invitees the user sees, by name: the people who may speak or answer for an outcome."""
    ids = meetings.meeting_invitee_ids(session.meeting)
    return Member.objects.visible_to(request.user).filter(pk__in=ids).order_by("name", "pk")


def _session_url(session_id: int) -> str:
    return reverse("study:session", args=[session_id])


def _crumbs(session: Session) -> list[tuple[str, str]]:
    return [(CENTRAL_TITLE, reverse("study:central")), (str(session), _session_url(session.pk))]


def speech_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = SpeechForm(request.POST or None, members=_invitees(request, session))
    return form_action(
        request,
        form,
        lambda **data: central.add_speech(by=request.user, session=session, **data),
        success=lambda speech: f"已登记 {speech.member.name} 的研讨发言",
        done_url=_session_url(session.pk),
        title="登记研讨发言",
        breadcrumbs=_crumbs(session),
        cancel_url=_session_url(session.pk),
        intro=f"{session.org.name}　{session.held_on:%Y-%m-%d}　{session.meeting.topic}",
    )


@require_POST
def speech_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    speech = Speech.objects.changeable_by(request.user).select_related("session__org").filter(pk=pk).first()
    if speech is None:
        raise Http404
    return post_action(
        request,
        lambda: central.delete_speech(by=request.user, speech=speech),
        success="已删除该研讨发言",
        done_url=_session_url(speech.session_id),
    )


def _with_deadline(service):
    """The form's `deadline` is the service's due_on (and its refusal of due_on lands beside `deadline`)."""

    def action(*, deadline, **data):
        try:
            return service(due_on=deadline, **data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict") and "due_on" in refused.error_dict:
                refused.error_dict["deadline"] = refused.error_dict.pop("due_on")
            raise

    return action


def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = OutcomeForm(request.POST or None, members=_invitees(request, session))
    return form_action(
        request,
        form,
        _with_deadline(partial(central.add_outcome, by=request.user, session=session)),
        success=lambda outcome: f"已登记学习成果“{outcome.title}”",
        done_url=_session_url(session.pk),
        title="登记学习成果",
        breadcrumbs=_crumbs(session),
        cancel_url=_session_url(session.pk),
        intro=f"{session.org.name}　{session.held_on:%Y-%m-%d}　{session.meeting.topic}。{OUTCOME_INTRO}",
    )


def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    outcome = (
        Outcome.objects.changeable_by(request.user)
        .select_related("session__meeting", "session__org", "owner")
        .filter(pk=pk)
        .first()
    )
    if outcome is None:
        raise Http404
    session = outcome.session
    form = OutcomeEditForm(request.POST or None, members=_invitees(request, session), outcome=outcome)
    return form_action(
        request,
        form,
        _with_deadline(partial(central.update_outcome, by=request.user, outcome=outcome)),
        success=lambda saved: f"已保存学习成果“{saved.title}”",
        done_url=reverse("study:outcomes"),
        title="学习成果及转化情况",
        breadcrumbs=[(OUTCOMES_TITLE, reverse("study:outcomes")), (str(session), _session_url(session.pk))],
        cancel_url=reverse("study:outcomes"),
        intro=f"{session.org.name}　{session.held_on:%Y-%m-%d}　{session.meeting.topic}",
    )


# --- the outcomes ---------------------------------------------------------------------------------------------------


def _outcomes(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    sort = request.GET.get("sort", "")
    filters = {
        "org": org,
        "year": _year(request),
        "state": state if state in OutcomeState.values else "",
        "kind": kind if kind in OutcomeKind.values else "",
        "overdue": request.GET.get("overdue") == "1",
        "sort": sort if sort in selectors.OUTCOME_SORTS else "due",
    }
    return selectors.outcome_rows(fetched_by=request.user, **filters), filters


def outcome_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _outcomes(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    for outcome in page.object_list:
        outcome.can_change = request.user.can(Capability.CHANGE, outcome.session.org.path)
    context = {
        "title": OUTCOMES_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "filters": filters,
        "states": OutcomeState.choices,
        "kinds": OutcomeKind.choices,
        "sorts": [(key, label) for key, (label, _order) in selectors.OUTCOME_SORTS.items()],
        "years": _years(),
        "orgs": _orgs(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "study/outcome_list.html", context)


def outcome_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    rows, _filters = _outcomes(request)
    lines = [
        [
            o.title,
            o.get_kind_display(),
            o.session.held_on.isoformat(),
            o.session.meeting.topic,
            o.session.org.name,
            o.owner.name,
            o.due_on.isoformat() if o.due_on else "",
            o.get_state_display() + ("（逾期）" if o.overdue else ""),
            o.done_on.isoformat() if o.done_on else "",
            o.result,
        ]
        for o in rows[:EXPORT_MAX]
    ]
    buffer = xlsx("学习成果转化", OUTCOME_HEADER, lines, widths={0: 30, 3: 30, 4: 24, 9: 48})
    return FileResponse(buffer, as_attachment=True, filename=f"学习成果转化_{clock.today():%Y%m%d}.xlsx")
