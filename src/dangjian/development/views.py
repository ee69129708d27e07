"""The record pages (发展党员 "入口"): the list with its export, a new record, one person's file with its steps,
考察 records, documents and its .docx. Thin views: each fetches and authorises (404 outside the scope), then hands
over to one service in services.py / documents.py."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.concurrency import StaleEdit
from dangjian.core.generic import form_error, form_page, post_action, stale_on_form, submit
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param, row_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.core.storage import private_download
from dangjian.members import personal
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import documents, person_file, rules, selectors, services
from .choices import Origin, State
from .forms import PERSON_FIELDS, DocumentForm, EndForm, PersonForm, ReviewForm, StepForm
from .models import STAGE_CHOICES, Applicant, Document, Review, StepRecord

LIST_TITLE = "发展对象"
EXPORT_MAX = 5000
SORT_LABELS = {"name": "姓名", "stage": "阶段（靠后在前）", "due": "下一步期限", "org": "党支部"}


# ── fetching ──────────────────────────────────────────────────────────────────────────────────────────────────────
def _visible(request: HttpRequest, pk: int) -> Applicant:
    require_capability(request.user, Capability.VIEW)
    try:
        return Applicant.objects.visible_to(request.user).select_related("org").get(pk=pk)
    except Applicant.DoesNotExist:
        raise Http404 from None


def _changeable(request: HttpRequest, pk: int) -> Applicant:
    require_capability(request.user, Capability.CHANGE)
    try:
        return Applicant.objects.changeable_by(request.user).select_related("org").get(pk=pk)
    except Applicant.DoesNotExist:
        raise Http404 from None


def _detail_url(applicant: Applicant) -> str:
    return reverse("development:detail", args=[applicant.pk])


def _crumbs(applicant: Applicant | None = None) -> list[tuple[str, str]]:
    crumbs = [(LIST_TITLE, reverse("development:list"))]
    if applicant is not None:
        crumbs.append((applicant.name, _detail_url(applicant)))
    return crumbs


def sees_personal(user, applicant: Applicant) -> bool:
    return personal.sees_personal_data_at(user, org_path=applicant.org.path, member_user_id=None)


def masked(user, applicant: Applicant) -> tuple[str, str]:
    """(ID number, phone) as the user may see them."""
    if sees_personal(user, applicant):
        return applicant.id_number, applicant.phone
    return personal.mask_id_number(applicant.id_number), personal.mask_phone(applicant.phone)


# ── the list ──────────────────────────────────────────────────────────────────────────────────────────────────────
def _filtered(request: HttpRequest):
    """The records of the user's scope as the query asks (?q= ?org= ?stage= ?state= ?overdue=1 ?sort=)."""
    org = row_param(request, "org", Organization.objects.visible_to(request.user))
    q = request.GET.get("q", "").strip()[:50]
    stage = request.GET.get("stage", "")
    stage = stage if stage in {str(value) for value, _label in STAGE_CHOICES} else ""
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    overdue = request.GET.get("overdue") == "1"
    sort = request.GET.get("sort", "")
    sort = sort if sort in selectors.RECORD_SORTS else "org"
    filters = {"q": q, "org": org, "stage": stage, "state": state, "overdue": overdue, "sort": sort}
    rows = selectors.records(fetched_by=request.user, **filters)
    return rows, filters


def applicant_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW)
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    for applicant in page.object_list:
        applicant.overdue = bool(
            applicant.due_on and applicant.due_on < today and applicant.state in (State.PIPELINE, State.PROBATION)
        )
    context = {
        "title": LIST_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "per_page": page.paginator.per_page,
        "filters": filters,
        "stages": STAGE_CHOICES,
        "states": State.choices,
        "sorts": SORT_LABELS.items(),
        "orgs": Organization.objects.visible_to(request.user).filter(dissolved_on__isnull=True).order_by("path"),
        "can_create": request.user.can(Capability.CHANGE),
        "query": request.GET.urlencode(),
    }
    return render(request, "development/applicant_list.html", context)


def applicant_export(request: HttpRequest) -> FileResponse:
    """The list as filtered, as xlsx (ID numbers and phones masked where the user may not see them)."""
    import xlsxwriter

    require_capability(request.user, Capability.VIEW)
    rows, _filters = _filtered(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("发展对象")
    bold = workbook.add_format({"bold": True})
    heads = [
        "姓名",
        "性别",
        "出生日期",
        "公民身份号码",
        "联系电话",
        "党支部",
        "状态",
        "阶段",
        "已完成步骤",
        "下一步骤",
        "下一步期限",
    ]
    sheet.write_row(0, 0, heads, bold)
    for line, a in enumerate(rows[:EXPORT_MAX], start=1):
        id_number, phone = masked(request.user, a)
        sees = sees_personal(request.user, a)
        sheet.write_row(
            line,
            0,
            [
                a.name,
                a.get_gender_display(),
                a.birth_date.isoformat() if sees else "",
                id_number,
                phone,
                a.org.name,
                a.get_state_display(),
                a.get_stage_display(),
                a.get_last_step_display(),
                a.get_next_step_display() if a.next_step else "",
                a.due_on.isoformat() if a.due_on else "",
            ],
        )
    sheet.set_column(0, len(heads) - 1, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"发展对象_{clock.today():%Y%m%d}.xlsx")


# ── new record, particulars ───────────────────────────────────────────────────────────────────────────────────────
def _branches(user):
    return Organization.objects.changeable_by(user).filter(kind=OrgKind.BRANCH, dissolved_on__isnull=True)


def applicant_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org_pk = id_param(request, "org")
    form = PersonForm(request.POST or None, orgs=_branches(request.user).order_by("path"), initial={"org": org_pk})

    def action(org, applied_on, note, **person):
        try:
            return services.create_applicant(by=request.user, org=org, applied_on=applied_on, note=note, **person)
        except ValidationError as refused:
            if hasattr(refused, "error_dict") and "done_on" in refused.error_dict:
                refused.error_dict["applied_on"] = refused.error_dict.pop("done_on")
            raise

    applicant = submit(request, form, action)
    if applicant is not None:
        messages.success(request, f"已为 {applicant.name} 建立发展档案")
        return redirect(_detail_url(applicant))
    return form_page(
        request,
        form,
        title="新建发展档案",
        breadcrumbs=_crumbs(),
        cancel_url=reverse("development:list"),
        intro="从递交入党申请书开始建档（第1步）。申请人须年满十八岁（以递交申请书之日计）。",
        submit_label="建档",
    )


def applicant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _changeable(request, pk)
    initial = {name: getattr(applicant, name) for name in PERSON_FIELDS}
    form = PersonForm(request.POST or None, initial=initial, version_of=applicant)

    def action(**data):
        return services.update_applicant(by=request.user, applicant=applicant, **data)

    if submit(request, form, action) is not None:
        messages.success(request, "已保存")
        return redirect(_detail_url(applicant))
    return form_page(
        request,
        form,
        title=f"修改 {applicant.name} 的基本信息",
        breadcrumbs=_crumbs(applicant),
        cancel_url=_detail_url(applicant),
        intro="接收为预备党员后，基本信息以花名册为准。",
    )


# ── one person's file ─────────────────────────────────────────────────────────────────────────────────────────────
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _visible(request, pk)
    user = request.user
    stages, records = selectors.timeline(user, applicant)
    id_number, phone = masked(user, applicant)
    can_change = services.may_change(user, applicant)
    open_ = applicant.state in (State.PIPELINE, State.PROBATION, State.CONFIRMED) and applicant.next_step
    next_upper = applicant.next_step in rules.UPPER_STEPS
    today = clock.today()
    context = {
        "title": applicant.name,
        "a": applicant,
        "id_number": id_number,
        "phone": phone,
        "birth_date": applicant.birth_date if sees_personal(user, applicant) else None,
        "stages": stages,
        # the record was fetched in scope: its own reviews and documents
        "reviews": list(Review.objects.unrestricted().filter(applicant=applicant).select_related("recorded_by")),
        "documents": list(Document.objects.unrestricted().filter(applicant=applicant).select_related("record")),
        "can_change": can_change,
        "can_step": bool(open_) and (services.may_record_upper(user, applicant.org) if next_upper else can_change),
        "can_step_any": bool(open_) and can_change,
        "can_review": can_change and services.review_kind(applicant) is not None,
        "can_end": can_change and applicant.state == State.PIPELINE,
        "can_edit": can_change and applicant.state == State.PIPELINE,
        "overdue": bool(applicant.due_on and applicant.due_on < today and applicant.state != State.CONFIRMED),
        "review_overdue": bool(applicant.review_due_on and applicant.review_due_on < today),
        "roster": applicant.origin == Origin.ROSTER,
        "review_form": ReviewForm(initial={"done_on": today}),
        "document_form": DocumentForm(records=_own_steps(applicant)),
        "today": today,
    }
    return render(request, "development/applicant_detail.html", context)


# ── a step ────────────────────────────────────────────────────────────────────────────────────────────────────────
def step_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the record's next step (or ?step=N / the posted step): its form by step; the rule's text on refusal."""
    applicant = _changeable(request, pk)
    raw = request.POST.get("step") or request.GET.get("step") or ""
    number = int(raw) if raw.isdigit() and int(raw) in rules.BY_NUMBER else applicant.next_step
    if number is None:
        messages.info(request, "该档案没有待登记的步骤")
        return redirect(_detail_url(applicant))
    spec = rules.BY_NUMBER[number]
    upper_only = number in rules.UPPER_STEPS and not services.may_record_upper(request.user, applicant.org)
    form = StepForm(
        request.POST or None,
        step=number,
        people=selectors.step_people(applicant) if number in rules.PEOPLE else (),
        meetings=selectors.step_meetings(request.user, applicant) if number in rules.VOTE_STEPS else (),
        version_of=applicant,
        initial={"done_on": clock.today()},
    )
    if request.method == "POST" and not upper_only and form.is_valid():
        try:
            record = services.record_step(by=request.user, applicant=applicant, **form.service_kwargs())
        except StaleEdit as refused:
            stale_on_form(form, refused)
        except ValidationError as refused:
            form_error(form, refused)
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"已登记：{spec.number}. {spec.label}（{record.done_on:%Y-%m-%d}）")
            for flag in record.flags:
                messages.warning(request, flag["message"])
            return redirect(_detail_url(applicant))
    context = {
        "title": f"登记步骤：{spec.number}. {spec.label}",
        "a": applicant,
        "spec": spec,
        "form": form,
        "upper_only": upper_only,
        "breadcrumbs": _crumbs(applicant),
        "cancel_url": _detail_url(applicant),
        "is_next": number == applicant.next_step,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "development/step_form.html", context, status=status)


# ── reviews, end ──────────────────────────────────────────────────────────────────────────────────────────────────
@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _changeable(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(applicant))
    return post_action(
        request,
        lambda: services.add_review(by=request.user, applicant=applicant, **form.cleaned_data),
        success="已新增考察记录",
        done_url=_detail_url(applicant) + "#reviews",
    )


def applicant_end(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _changeable(request, pk)
    form = EndForm(request.POST or None, version_of=applicant, initial={"ended_on": clock.today()})

    def action(**data):
        return services.end_applicant(by=request.user, applicant=applicant, **data)

    if submit(request, form, action) is not None:
        messages.success(request, f"已终止 {applicant.name} 的发展档案")
        return redirect(_detail_url(applicant))
    return form_page(
        request,
        form,
        title=f"终止 {applicant.name} 的发展档案",
        breadcrumbs=_crumbs(applicant),
        cancel_url=_detail_url(applicant),
        intro="终止后不能再登记步骤；本人可重新递交申请书另行建档。预备党员的资格须经支部大会讨论（第23步）取消。",
        submit_label="终止档案",
    )


def _own_steps(applicant: Applicant):
    # The record was fetched in scope: its own steps.
    return StepRecord.objects.unrestricted().filter(applicant=applicant).order_by("step", "round")


# ── documents ─────────────────────────────────────────────────────────────────────────────────────────────────────
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = _changeable(request, pk)
    form = DocumentForm(request.POST, request.FILES, records=_own_steps(applicant))
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件" if "file" in form.errors else "请选择本档案已登记的步骤")
        return redirect(_detail_url(applicant) + "#documents")
    data = form.cleaned_data
    return post_action(
        request,
        lambda: documents.add_document(by=request.user, file=data["file"], applicant=applicant, record=data["record"]),
        success=lambda d: f"已上传 {d.name}",
        done_url=_detail_url(applicant) + "#documents",
    )


def document_download(request: HttpRequest, pk: int) -> FileResponse:
    require_capability(request.user, Capability.VIEW)
    try:
        document = documents.document_for_download(fetched_by=request.user, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None
    return private_download(document.file, document.name, document.content_type)


@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    document = Document.objects.changeable_by(request.user).select_related("org").filter(pk=pk).first()
    if document is None or document.applicant_id is None:
        raise Http404
    return post_action(
        request,
        lambda: documents.delete_document(by=request.user, document=document),
        success=f"已删除 {document.name}",
        done_url=reverse("development:detail", args=[document.applicant_id]) + "#documents",
    )


# ── the .docx ─────────────────────────────────────────────────────────────────────────────────────────────────────
def applicant_person_file(request: HttpRequest, pk: int) -> FileResponse:
    applicant = _visible(request, pk)
    _stages, records = selectors.timeline(request.user, applicant)
    id_number, phone = masked(request.user, applicant)
    # the record was fetched in scope: its own reviews and documents
    buffer = person_file.person_docx(
        applicant,
        records=records,
        reviews=list(Review.objects.unrestricted().filter(applicant=applicant)),
        documents=list(Document.objects.unrestricted().filter(applicant=applicant)),
        id_number=id_number,
        phone=phone,
        birth_date=applicant.birth_date if sees_personal(request.user, applicant) else None,
    )
    return FileResponse(buffer, as_attachment=True, filename=f"发展党员工作档案_{applicant.name}.docx")
