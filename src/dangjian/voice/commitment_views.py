"""承诺践诺 pages: the org's commitments of a year (every member with theirs or 未承诺; filters, search, xlsx; the
figures per org below), a commitment's page (terms, 践诺, the 评诺 form), edit and 践诺 forms, the evidence, 我的承诺
(a member's own: publish, 践诺 — on a phone) and a branch's own commitment. Thin: reads and writes in
commitments.py."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.forms import LongSelect
from dangjian.core.generic import submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.shell import active_grant
from dangjian.core.storage import private_download
from dangjian.meetings.parts import ALLOWED_SUFFIXES
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization
from dangjian.study.central_views import xlsx

from . import commitments
from .choices import Phase
from .commitment_forms import CommitmentForm, FulfilmentForm, GradeForm
from .models import Commitment, Fulfilment

TITLE = "承诺践诺"
NO_MEMBER = "您的账号未关联党员信息"
SEARCH_MAX = 50
EXPORT_MAX = 10_000
#: The years the year filter offers, this one first.
YEARS_SHOWN = 6


def _year(request: HttpRequest) -> int:
    """?year=: four digits from 2000 to next year; anything else is this year."""
    value = request.GET.get("year", "")
    today = clock.today()
    if value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= today.year + 1:
        return int(value)
    return today.year


def _years() -> list[int]:
    today = clock.today()
    return list(range(today.year + (1 if today.month == 12 else 0), today.year - YEARS_SHOWN, -1))


def _org(request: HttpRequest, queryset=None) -> Organization:
    """?org= (an org the user sees, else 404); absent: the org of the user's grant, else the top they see."""
    visible = queryset if queryset is not None else Organization.objects.visible_to(request.user)
    org = row_param(request, "org", visible)
    if org is not None:
        return org
    grant = active_grant(request)
    org = visible.filter(pk=grant.org_id).first() if grant is not None else None
    org = org or visible.order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


def org_select(user, chosen: Organization | None, *, blank: str | None = None) -> str:
    """The org filter written out in Python (core.forms.LongSelect): a committee's tree has thousands of orgs."""
    orgs = (
        Organization.objects.visible_to(user)
        .filter(dissolved_on__isnull=True)
        .exclude(kind=OrgKind.GROUP)
        .order_by("path")
        .values_list("pk", "name")
    )
    choices = [("", blank), *orgs] if blank is not None else list(orgs)
    widget = LongSelect(attrs={"class": "form-select form-select-sm", "aria-label": "党组织"}, choices=choices)
    return widget.render("org", chosen.pk if chosen else "")


def _filtered(request: HttpRequest):
    org, year = _org(request), _year(request)
    state = request.GET.get("state", "")
    state = state if state in commitments.STATE_LABELS else ""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    rows = commitments.filtered_members(request.user, org, year, state=state, q=q)
    return rows, {"org": org, "year": year, "state": state, "q": q}


def commitment_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    found = commitments.commitments_for(request.user, [m.pk for m in page.object_list], filters["year"])
    for member in page.object_list:
        member.commitment = found.get(member.pk)
        member.state_label = commitments.STATE_LABELS[member.c_state]
    lines, total = commitments.counts_by_org(request.user, filters["org"], filters["year"])
    context = {
        "title": TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "states": commitments.STATES,
        "years": _years(),
        "org_select": org_select(request.user, filters["org"]),
        "lines": lines,
        "total": total,
        "query": request.GET.urlencode(),
    }
    return render(request, "voice/commitment_list.html", context)


def commitment_export(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    members = list(rows[:EXPORT_MAX])
    found = commitments.commitments_for(request.user, [m.pk for m in members], filters["year"])
    header = ["党员", "党支部", "状态", "承诺事项", "可衡量的标准", "公开日期"]
    header += ["年中践诺", "年终践诺", "评诺等次", "评诺意见"]
    out = []
    for m in members:
        c = found.get(m.pk)
        phases = commitments.phases_of(c) if c else {}
        mid, end = phases.get(Phase.MID), phases.get(Phase.END)
        out.append(
            [
                m.name,
                m.org.name,
                commitments.STATE_LABELS[m.c_state],
                c.content if c else "",
                c.measures if c else "",
                c.published_on.isoformat() if c else "",
                mid.done if mid else "",
                end.done if end else "",
                c.get_grade_display() if c else "",
                c.grade_note if c else "",
            ]
        )
    year = filters["year"]
    buffer = xlsx(f"{year}年承诺践诺", header, out, widths={3: 40, 4: 30, 6: 30, 7: 30})
    return FileResponse(buffer, as_attachment=True, filename=f"承诺践诺_{filters['org'].name}_{year}.xlsx")


def _visible(request: HttpRequest, pk: int) -> Commitment:
    try:
        return commitments.commitment_get(request.user, pk)
    except Commitment.DoesNotExist:
        raise Http404 from None


def _detail(request: HttpRequest, commitment: Commitment, grade_form: GradeForm | None = None) -> HttpResponse:
    phases = commitments.phases_of(commitment)
    can_grade = commitments.may_grade(request.user, commitment) and Phase.END in phases
    if can_grade and grade_form is None:
        grade_form = GradeForm(
            version_of=commitment, initial={"grade": commitment.grade, "note": commitment.grade_note}
        )
    can_edit = commitments.may_edit(request.user, commitment) and not commitment.grade
    context = {
        "title": f"{commitment.member.name if commitment.member_id else commitment.org.name} {commitment.year}年承诺",
        "c": commitment,
        "mid": phases.get(Phase.MID),
        "end": phases.get(Phase.END),
        "due": commitments.due_phase(commitment) if can_edit else None,
        "can_edit": can_edit,
        "grade_form": grade_form if can_grade else None,
        "sees_list": request.user.can(Capability.VIEW),
        "mid_from": commitments.phase_opens(Phase.MID, commitment.year),
        "end_from": commitments.phase_opens(Phase.END, commitment.year),
    }
    status = 400 if grade_form is not None and grade_form.is_bound and grade_form.errors else 200
    return render(request, "voice/commitment_detail.html", context, status=status)


def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


def _form_page(request, form, *, title: str, cancel_url: str, intro: str = "", multipart: bool = False):
    context = {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro, "multipart": multipart}
    return render(request, "voice/commitment_form.html", context, status=400 if form.is_bound and form.errors else 200)


def _editable(request: HttpRequest, pk: int) -> Commitment:
    commitment = _visible(request, pk)
    if not commitments.may_edit(request.user, commitment):
        raise Http404
    return commitment


def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = _editable(request, pk)
    form = CommitmentForm(request.POST or None, commitment=commitment)
    done = submit(
        request, form, lambda **data: commitments.update_commitment(by=request.user, commitment=commitment, **data)
    )
    if done is not None:
        messages.success(request, f"已保存{done.year}年承诺")
        return redirect("voice:commitment", pk=done.pk)
    url = reverse("voice:commitment", args=[commitment.pk])
    return _form_page(request, form, title="修改承诺", cancel_url=url)


def commitment_fulfil(request: HttpRequest, pk: int) -> HttpResponse:
    """践诺: one phase's record with optional evidence (the member themselves; a branch's, its secretary)."""
    commitment = _editable(request, pk)
    due = commitments.due_phase(commitment) or Phase.MID
    form = FulfilmentForm(
        request.POST or None, request.FILES or None, initial={"phase": due, "recorded_on": clock.today()}
    )
    done = submit(request, form, lambda **data: commitments.fulfil(by=request.user, commitment=commitment, **data))
    if done is not None:
        messages.success(request, f"已登记{done.get_phase_display()}")
        return redirect("voice:commitment", pk=commitment.pk)
    url = reverse("voice:commitment", args=[commitment.pk])
    intro = (
        f"年中践诺自 {commitments.phase_opens(Phase.MID, commitment.year):%Y-%m-%d} 起、"
        f"年终践诺自 {commitments.phase_opens(Phase.END, commitment.year):%Y-%m-%d} 起登记。"
    )
    return _form_page(request, form, title="登记践诺", cancel_url=url, intro=intro, multipart=True)


@require_POST
def commitment_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """评诺 by who may change the commitment's branch (a branch's own: the org above); anyone else 404."""
    require_capability(request.user, Capability.CHANGE)
    commitment = _visible(request, pk)
    if not commitments.may_grade(request.user, commitment):
        raise Http404
    form = GradeForm(request.POST, version_of=commitment)
    done = submit(request, form, lambda **data: commitments.grade(by=request.user, commitment=commitment, **data))
    if done is None:
        return _detail(request, commitment, form)
    messages.success(request, f"已评诺：{done.get_grade_display()}")
    return redirect("voice:commitment", pk=done.pk)


def evidence(request: HttpRequest, pk: int) -> FileResponse:
    row = Fulfilment.objects.visible_to(request.user).filter(pk=pk).first()
    if row is None or not row.evidence:
        raise Http404
    suffix = "." + row.evidence.name.rsplit(".", 1)[-1].lower() if "." in row.evidence.name else ""
    content_type = ALLOWED_SUFFIXES.get(suffix, ("", "application/octet-stream"))[1]
    return private_download(row.evidence, f"佐证材料{suffix}", content_type)


# ── 我的承诺 ──────────────────────────────────────────────────────────────────────────────────────────────────────


def _own_member(user):
    return getattr(user, "member", None) if user.is_authenticated else None


def my_commitment(request: HttpRequest) -> HttpResponse:
    member = _own_member(request.user)
    today = clock.today()
    year = _year(request)
    commitment = commitments.own_commitment(request.user, year) if member is not None else None
    phases = commitments.phases_of(commitment) if commitment else {}
    context = {
        "title": "我的承诺",
        "member": member,
        "no_member": NO_MEMBER,
        "year": year,
        "years": _years(),
        "c": commitment,
        "mid": phases.get(Phase.MID),
        "end": phases.get(Phase.END),
        "due": commitments.due_phase(commitment, today) if commitment else None,
        "can_publish": member is not None and commitment is None and commitments.year_allowed(year, today),
    }
    return render(request, "voice/commitment_mine.html", context)


def my_commitment_publish(request: HttpRequest) -> HttpResponse:
    member = _own_member(request.user)
    if member is None:
        raise Http404
    today = clock.today()
    form = CommitmentForm(request.POST or None, initial={"year": _year(request), "published_on": today})
    done = submit(request, form, lambda **data: commitments.publish_own(by=request.user, **data))
    if done is not None:
        messages.success(request, f"已发布{done.year}年承诺")
        return redirect(f"{reverse('voice:my_commitment')}?year={done.year}")
    return _form_page(request, form, title="发布年初承诺", cancel_url=reverse("voice:my_commitment"))


# ── a branch's own commitment ─────────────────────────────────────────────────────────────────────────────────────


def org_commitment(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    org, year = _org(request), _year(request)
    commitment = commitments.org_commitment(request.user, org, year)
    phases = commitments.phases_of(commitment) if commitment else {}
    context = {
        "mid": phases.get(Phase.MID),
        "end": phases.get(Phase.END),
        "title": "组织承诺",
        "org": org,
        "year": year,
        "years": _years(),
        "org_select": org_select(request.user, org),
        "c": commitment,
        "can_publish": commitment is None
        and request.user.can(Capability.CHANGE, org.path)
        and org.dissolved_on is None
        and commitments.year_allowed(year),
    }
    return render(request, "voice/commitment_org.html", context)


def org_commitment_publish(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    changeable = Organization.objects.changeable_by(request.user).filter(dissolved_on__isnull=True)
    org = _org(request, changeable)
    form = CommitmentForm(request.POST or None, initial={"year": _year(request), "published_on": clock.today()})
    done = submit(request, form, lambda **data: commitments.publish_org(by=request.user, org=org, **data))
    if done is not None:
        messages.success(request, f"已发布{org.name}{done.year}年承诺")
        return redirect(f"{reverse('voice:org_commitment')}?org={org.pk}&year={done.year}")
    cancel = f"{reverse('voice:org_commitment')}?org={org.pk}"
    return _form_page(request, form, title=f"发布组织承诺：{org.name}", cancel_url=cancel)
