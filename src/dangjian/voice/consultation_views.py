"""座谈会/个别交流: the list (filters, xlsx), new and edit (pick a held meeting or a talk of the org), one record with
its opinions (add, edit, delete, 转为问题). Thin: consultations.py reads and writes."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.forms import LongSelect
from dangjian.core.generic import form_action, post_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.shell import active_grant
from dangjian.orgs.models import Organization
from dangjian.study.central_views import xlsx

from . import consultations
from .choices import ConsultationKind
from .consultation_forms import ConsultationForm, FindingProblemForm, OpinionForm
from .models import Consultation, Opinion

TITLE = "座谈交流"
EXPORT_MAX = 10_000


def org_select(user, chosen: Organization | None) -> str:
    """The org filter written out in Python (core.forms.LongSelect): a committee's tree has thousands of orgs."""
    orgs = (
        Organization.objects.visible_to(user)
        .filter(dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "name")
    )
    widget = LongSelect(
        attrs={"class": "form-select form-select-sm", "aria-label": "组织"}, choices=[("", "全部组织"), *orgs]
    )
    return widget.render("org", chosen.pk if chosen else "")


def _year(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= clock.today().year:
        return int(value)
    return None


def _filtered(request: HttpRequest):
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    kind = request.GET.get("kind", "")
    kind = kind if kind in ConsultationKind.values else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort in consultations.SORTS else ""
    filters = {"org": org, "kind": kind, "year": _year(request), "q": request.GET.get("q", "")[:50], "sort": sort}
    return consultations.consultations_of(fetched_by=request.user, **filters), filters


def consultation_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    context = {
        "title": TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "kinds": ConsultationKind.choices,
        "years": list(range(today.year, today.year - 10, -1)),
        "org_select": org_select(request.user, filters["org"]),
        "can_add": request.user.can(Capability.CHANGE),
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/consultation_list.html", context)


def consultation_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    rows, _filters = _filtered(request)
    header = ["日期", "形式", "组织", "主题", "参加人员/交流对象", "意见建议条数", "关联记录"]
    lines = [
        [
            c.held_on.isoformat(),
            c.get_kind_display(),
            c.org.name,
            c.topic,
            c.participants,
            c.opinion_count,
            "会议记录" if c.meeting_id else ("谈话记录" if c.talk_id else ""),
        ]
        for c in rows[:EXPORT_MAX]
    ]
    buffer = xlsx(TITLE, header, lines, widths={3: 36, 4: 36})
    return FileResponse(buffer, as_attachment=True, filename=f"座谈交流_{clock.today():%Y%m%d}.xlsx")


def _changeable_orgs(user):
    return Organization.objects.changeable_by(user).filter(dissolved_on__isnull=True).order_by("path")


def _create_org(request: HttpRequest) -> Organization:
    """?org= (an org the user may change, else 404); absent: the org of the grant worked under, else the first."""
    orgs = _changeable_orgs(request.user)
    org = row_param(request, "org", orgs)
    if org is None:
        grant = active_grant(request)
        org = (orgs.filter(pk=grant.org_id).first() if grant is not None else None) or orgs.first()
    if org is None:
        raise Http404
    return org


def consultation_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org = _create_org(request)
    form = ConsultationForm(request.POST or None, user=request.user, org=org)
    return form_action(
        request,
        form,
        lambda **data: consultations.create_consultation(by=request.user, org=org, **data),
        success=lambda c: f"已登记{c.get_kind_display()}“{c.topic}”",
        done_url=lambda c: reverse("voice:consultation", args=[c.pk]),
        title=f"登记座谈会/个别交流：{org.name}",
        breadcrumbs=[(TITLE, reverse("voice:consultations"))],
        cancel_url=reverse("voice:consultations"),
        intro="其他组织的座谈交流：在列表中筛选该组织后点击“登记”。",
    )


def _get(request: HttpRequest, pk: int, capability: str = Capability.VIEW) -> Consultation:
    try:
        return consultations.consultation_get(fetched_by=request.user, pk=pk, capability=capability)
    except Consultation.DoesNotExist:
        raise Http404 from None


def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _get(request, pk)
    can_change = request.user.can(Capability.CHANGE, consultation.org.path)
    opinions = consultations.opinions_of(consultation, request.user)
    context = {
        "title": consultation.topic,
        "c": consultation,
        "opinions": opinions,
        "can_change": can_change,
        "opinion_form": OpinionForm() if can_change else None,
    }
    if can_change and opinions:
        # the choices once for every opinion's 转为问题 form (a queryset in the template would query per opinion)
        form = FindingProblemForm(org=consultation.org)
        context["owners"] = list(form.fields["owner"].queryset.values_list("pk", "name"))
        context["problem_years"] = form.fields["year"].choices
        context["this_year"] = form.fields["year"].initial
    return render(request, "voice/consultation_detail.html", context)


def consultation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    consultation = _get(request, pk, Capability.CHANGE)
    form = ConsultationForm(request.POST or None, user=request.user, org=consultation.org, consultation=consultation)
    url = reverse("voice:consultation", args=[pk])
    return form_action(
        request,
        form,
        lambda **data: consultations.update_consultation(by=request.user, consultation=consultation, **data),
        success=lambda c: f"已保存“{c.topic}”",
        done_url=url,
        title="修改座谈交流",
        breadcrumbs=[(TITLE, reverse("voice:consultations")), (consultation.topic, url)],
        cancel_url=url,
        intro=consultation.org.name,
    )


def opinion_add(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    consultation = _get(request, pk, Capability.CHANGE)
    url = reverse("voice:consultation", args=[pk])
    return form_action(
        request,
        OpinionForm(request.POST or None),
        lambda **data: consultations.add_opinion(by=request.user, consultation=consultation, **data),
        success="已添加意见建议",
        done_url=url,
        title="添加意见建议",
        breadcrumbs=[(TITLE, reverse("voice:consultations")), (consultation.topic, url)],
        cancel_url=url,
    )


def _opinion(request: HttpRequest, pk: int) -> Opinion:
    require_capability(request.user, Capability.CHANGE)
    opinion = Opinion.objects.changeable_by(request.user).select_related("consultation__org").filter(pk=pk).first()
    if opinion is None:
        raise Http404
    return opinion


def opinion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    url = reverse("voice:consultation", args=[opinion.consultation_id])
    initial = {"content": opinion.content, "raised_by": opinion.raised_by}
    return form_action(
        request,
        OpinionForm(request.POST or None, initial=initial),
        lambda **data: consultations.update_opinion(by=request.user, opinion=opinion, **data),
        success="已保存意见建议",
        done_url=url,
        title="修改意见建议",
        breadcrumbs=[(TITLE, reverse("voice:consultations")), (opinion.consultation.topic, url)],
        cancel_url=url,
    )


@require_POST
def opinion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    return post_action(
        request,
        lambda: consultations.delete_opinion(by=request.user, opinion=opinion),
        success="已删除意见建议",
        done_url=reverse("voice:consultation", args=[opinion.consultation_id]),
    )


def opinion_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """转为问题: the opinion as a problem of the consultation's org."""
    opinion = _opinion(request, pk)
    org = opinion.consultation.org
    url = reverse("voice:consultation", args=[opinion.consultation_id])
    form = FindingProblemForm(request.POST or None, org=org, initial={"description": opinion.content})
    return form_action(
        request,
        form,
        lambda **data: consultations.opinion_to_problem(by=request.user, opinion=opinion, **data),
        success=lambda p: "已转为问题清单中的问题",
        done_url=lambda p: reverse("voice:problem", args=[p.pk]),
        title="意见建议转为问题",
        breadcrumbs=[(TITLE, reverse("voice:consultations")), (opinion.consultation.topic, url)],
        cancel_url=url,
        intro=f"{org.name}：{opinion.content[:100]}",
    )
