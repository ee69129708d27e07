"""The workbench's pages: the stored flags (meetings:flags) and the calendar (meetings:calendar)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.paging import page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.models import Organization

from . import calendar as cal
from .choices import MeetingStatus, Presence
from .flags import REFRESH_INTERVAL, absence_window, flag_sources, flags_visible_to, last_computed, may_refresh
from .models import Attendance, Flag, Meeting


def _org_param(request: HttpRequest) -> Organization | None:
    """?org=: an org the user sees, else 404 (its existence is not disclosed); absent or empty: none."""
    return row_param(request, "org", Organization.objects.visible_to(request.user))


#: Without a kind chosen, each other module's kind shows its first rows beneath organisational life's, with its count.
EXTRA_PREVIEW = 10


def flag_list(request: HttpRequest) -> HttpResponse:
    """The stored flags of the user's scope, by kind and org; the six-month list shows each member's last attended
    meeting and their absence reasons in the window. Other modules' kinds (flags.flag_source) are listed in the
    filter; chosen, their rows are the list, each with its reason; otherwise their first rows follow, per kind."""
    require_capability(request.user, Capability.VIEW)
    org = _org_param(request)
    kind = request.GET.get("kind", "")
    sources = {source.kind: source for source in flag_sources()}
    if kind not in Flag.Kind.values and kind not in sources:
        kind = ""
    query = "&".join(p for p in (f"kind={kind}" if kind else "", f"org={org.pk}" if org else "") if p)
    kinds = [*Flag.Kind.choices, *((s.kind, s.label) for s in sources.values())]
    if kind in sources:
        page = Paginator(sources[kind].reader(request.user, org), page_size(request)).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "rows": list(page.object_list),
            "kind": kind,
            "org": org,
            "kinds": kinds,
            "query": query,
            "can_refresh": may_refresh(request.user),
            "extra_label": sources[kind].label,
        }
        return render(request, "meetings/workbench_flags.html", context)
    flags = flags_visible_to(request.user).select_related("org", "member")
    if org is not None:
        flags = flags.filter(org__path__startswith=org.path)
    if kind:
        flags = flags.filter(kind=kind)
    flags = flags.order_by("org__path", "kind", "member__name_pinyin", "id")
    page = Paginator(flags, page_size(request)).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    member_ids = [f.member_id for f in rows if f.member_id]
    last, reasons = {}, {}
    if member_ids:
        first, end = absence_window(clock.today())
        attended = (
            Attendance.objects.visible_to(request.user)
            .filter(member_id__in=member_ids, presence=Presence.PRESENT, meeting__status=MeetingStatus.HELD)
            .values_list("member_id")
            .annotate(last=Max("meeting__starts_at"))
            .order_by()
        )
        last = dict(attended)
        absences = (
            Attendance.objects.visible_to(request.user)
            .filter(
                member_id__in=member_ids,
                presence=Presence.ABSENT,
                meeting__status=MeetingStatus.HELD,
                meeting__starts_at__gte=cal._aware(first),
                meeting__starts_at__lt=cal._aware(end),
            )
            .values_list("member_id", "absence_reason")
            .annotate(n=Count("id"))
            .order_by("member_id", "absence_reason")
        )
        labels = dict(Attendance._meta.get_field("absence_reason").choices)
        for member_id, reason, n in absences:
            reasons.setdefault(member_id, []).append(f"{labels.get(reason, '未说明原因')}{n}次")
    for f in rows:
        f.last_attended = last.get(f.member_id)
        f.reasons = "、".join(reasons.get(f.member_id, []))
    extras = []
    if not kind:
        for source in sources.values():
            found = source.reader(request.user, org)
            extras.append((source, found.count(), list(found[:EXTRA_PREVIEW])))
    context = {
        "page": page,
        "rows": rows,
        "kind": kind,
        "org": org,
        "kinds": kinds,
        "query": query,
        "can_refresh": may_refresh(request.user),
        "extras": [e for e in extras if e[1]],
    }
    return render(request, "meetings/workbench_flags.html", context)


@require_POST
def flag_refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the flags now (the nightly task, once, in the background): committee staff, at most once in
    REFRESH_INTERVAL."""
    if not may_refresh(request.user):
        raise Http404
    last = last_computed()
    if last is not None and timezone.now() - last < REFRESH_INTERVAL:
        minutes = int(REFRESH_INTERVAL.total_seconds() // 60)
        messages.info(request, f"提醒已于 {timezone.localtime(last):%H:%M} 计算，{minutes} 分钟内不再重复计算。")
        return redirect("meetings:flags")
    from .tasks import refresh_flags_now

    refresh_flags_now()
    messages.success(request, "已开始重新计算组织生活提醒，稍后刷新本页查看。")
    return redirect("meetings:flags")


def calendar_view(request: HttpRequest) -> HttpResponse:
    """One month of meetings, of the user's scope or of one org's subtree: a grid on desktop, a list on phones."""
    org = _org_param(request)
    today = clock.today()
    first, error = cal.parse_month(request.GET.get("month"), today)
    meetings = Meeting.objects.visible_to(request.user)
    if org is not None:
        meetings = meetings.filter(org__path__startswith=org.path)
    rows = cal.month_meetings(meetings, first)
    for m in rows:
        m.url = reverse("meetings:detail", args=[m.pk])
    month = cal.build_month(rows, first)
    base = f"?org={org.pk}&" if org else "?"
    context = {
        "month": month,
        "org": org,
        "error": error,
        "prev_url": f"{base}month={month.previous:%Y-%m}",
        "next_url": f"{base}month={month.next:%Y-%m}",
        "today_url": f"{base}month={today:%Y-%m}",
        "weekdays": "一二三四五六日",
        "max_meetings": cal.MAX_MEETINGS,
    }
    return render(request, "meetings/workbench_calendar.html", context)
