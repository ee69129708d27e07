"""问卷调查's pages for those who run surveys: the list (filters, search, xlsx), the draft and its questions, one
survey with who has answered, and the results (charts, xlsx of the raw answers). Thin: the services decide."""

import io

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.core import clock
from dangjian.core.generic import form_action, post_action
from dangjian.core.paging import PAGE_SIZES, page_size
from dangjian.core.params import id_param
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.selectors import visible_org_or_404

from . import surveys
from .choices import Audience, QuestionKind, SurveyState
from .models import Question, Survey
from .survey_forms import QuestionForm, SurveyForm

LIST_TITLE = "问卷调查"
SEARCH_MAX = 50
EXPORT_MAX = 10_000
#: The raw answers' xlsx holds at most this many responses (the whole committee at L: 100,000).
RAW_MAX = 200_000
SORTS = {"closes": ("-closes_on", "-id"), "title": ("title", "id"), "created": ("-created_at", "-id")}


def _filtered(request: HttpRequest):
    require_capability(request.user, Capability.VIEW)
    org = visible_org_or_404(request.user, id_param(request, "org"))
    state = request.GET.get("state", "")
    state = state if state in SurveyState.values else ""
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORTS else "closes"
    rows = surveys.surveys_of(request.user, state=state, q=q, org=org).order_by(*SORTS[sort])
    return rows, {"org": org, "state": state, "q": q, "sort": sort}


def survey_list(request: HttpRequest) -> HttpResponse:
    rows, filters = _filtered(request)
    page = Paginator(rows, page_size(request)).get_page(request.GET.get("page"))
    today = clock.today()
    for s in page.object_list:
        s.shown_state = surveys.shown_state(s, today)
    context = {
        "title": LIST_TITLE,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "filters": filters,
        "states": SurveyState.choices,
        "query": request.GET.urlencode(),
        "can_create": request.user.can(Capability.CHANGE),
        "state_labels": dict(SurveyState.choices),
    }
    return render(request, "voice/survey_list.html", context)


def survey_list_export(request: HttpRequest) -> FileResponse:
    import xlsxwriter

    rows, _filters = _filtered(request)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    sheet = workbook.add_worksheet("问卷")
    bold = workbook.add_format({"bold": True})
    heads = ["标题", "发起组织", "填写对象", "匿名", "状态", "开始日期", "截止日期", "题目数", "答卷数"]
    sheet.write_row(0, 0, heads, bold)
    labels = dict(SurveyState.choices)
    today = clock.today()
    for line, s in enumerate(rows[:EXPORT_MAX], start=1):
        values = [s.title, s.org.name, s.get_audience_display(), "是" if s.anonymous else "否"]
        values += [labels[surveys.shown_state(s, today)], s.opens_on.isoformat() if s.opens_on else ""]
        sheet.write_row(line, 0, [*values, s.closes_on.isoformat()])
        sheet.write_number(line, 7, s.n_questions)
        sheet.write_number(line, 8, s.n_responses)
    sheet.set_column(0, len(heads) - 1, 16)
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"问卷_{today:%Y%m%d}.xlsx")


def _visible(request: HttpRequest, pk: int) -> Survey:
    require_capability(request.user, Capability.VIEW)
    try:
        return surveys.survey_get(request.user, pk)
    except Survey.DoesNotExist:
        raise Http404 from None


def _changeable(request: HttpRequest, pk: int) -> Survey:
    require_capability(request.user, Capability.CHANGE)
    return get_object_or_404(Survey.objects.changeable_by(request.user).select_related("org"), pk=pk)


def _question(request: HttpRequest, pk: int) -> Question:
    require_capability(request.user, Capability.CHANGE)
    return get_object_or_404(Question.objects.changeable_by(request.user).select_related("survey__org"), pk=pk)


def _crumbs() -> list[tuple[str, str]]:
    return [(LIST_TITLE, reverse("voice:surveys"))]


def survey_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.CHANGE)
    org = visible_org_or_404(request.user, id_param(request, "org"))
    initial = {"org": org, "targets": [org] if org else [], "audience": Audience.MEMBERS}
    form = SurveyForm(request.POST or None, user=request.user, initial=initial)

    def action(**data):
        data.pop("version", None)
        return surveys.create_survey(by=request.user, **data)

    return form_action(
        request,
        form,
        action,
        success="问卷草稿已保存，请添加题目",
        done_url=lambda s: reverse("voice:survey", args=[s.pk]),
        title="发起问卷",
        breadcrumbs=_crumbs(),
        cancel_url=reverse("voice:surveys"),
    )


def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _changeable(request, pk)
    initial = {
        "title": survey.title,
        "intro": survey.intro,
        "audience": survey.audience,
        "anonymous": survey.anonymous,
        "closes_on": survey.closes_on,
        "targets": [t.pk for t in surveys.targets_of(survey)],
    }
    form = SurveyForm(request.POST or None, user=request.user, survey=survey, initial=initial)

    def action(**data):
        return surveys.update_survey(by=request.user, survey=survey, **data)

    url = reverse("voice:survey", args=[survey.pk])
    return form_action(
        request,
        form,
        action,
        success="问卷已保存",
        done_url=url,
        title=f"修改问卷：{survey.title}",
        breadcrumbs=[*_crumbs(), (survey.title, url)],
        cancel_url=url,
    )


@require_POST
def survey_delete(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _changeable(request, pk)
    return post_action(
        request,
        lambda: surveys.delete_survey(by=request.user, survey=survey),
        success="问卷草稿已删除",
        done_url=reverse("voice:surveys"),
    )


@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _changeable(request, pk)
    version = id_param_post(request, "version")
    return post_action(
        request,
        lambda: surveys.open_survey(by=request.user, survey=survey, version=version),
        success="问卷已开始填写",
        done_url=reverse("voice:survey", args=[pk]),
    )


@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _changeable(request, pk)
    version = id_param_post(request, "version")
    return post_action(
        request,
        lambda: surveys.close_survey(by=request.user, survey=survey, version=version),
        success="问卷已结束",
        done_url=reverse("voice:survey", args=[pk]),
    )


def id_param_post(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _changeable(request, pk)
    form = QuestionForm(request.POST or None, initial={"kind": QuestionKind.SINGLE, "required": True})
    url = reverse("voice:survey", args=[survey.pk])
    return form_action(
        request,
        form,
        lambda **data: surveys.add_question(by=request.user, survey=survey, **data),
        success="题目已添加",
        done_url=url,
        title=f"添加题目：{survey.title}",
        breadcrumbs=[*_crumbs(), (survey.title, url)],
        cancel_url=url,
    )


def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    survey = question.survey
    initial = {
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "choices": "\n".join(question.choices),
    }
    form = QuestionForm(request.POST or None, initial=initial)
    url = reverse("voice:survey", args=[survey.pk])
    return form_action(
        request,
        form,
        lambda **data: surveys.update_question(by=request.user, question=question, **data),
        success="题目已保存",
        done_url=url,
        title=f"修改第{question.position}题",
        breadcrumbs=[*_crumbs(), (survey.title, url)],
        cancel_url=url,
    )


@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    return post_action(
        request,
        lambda: surveys.delete_question(by=request.user, question=question),
        success="题目已删除",
        done_url=reverse("voice:survey", args=[question.survey_id]),
    )


@require_POST
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    step = -1 if request.POST.get("step") == "up" else 1
    return post_action(
        request,
        lambda: surveys.move_question(by=request.user, question=question, step=step),
        success="题目顺序已调整",
        done_url=reverse("voice:survey", args=[question.survey_id]),
    )


def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One survey: its questions (the builder while a draft), and who has answered."""
    survey = _visible(request, pk)
    can_change = request.user.can(Capability.CHANGE, survey.org.path)
    today = clock.today()
    track = surveys.tracking(request.user, survey) if survey.state != SurveyState.DRAFT else None
    context = {
        "title": survey.title,
        "s": survey,
        "shown_state": surveys.shown_state(survey, today),
        "state_labels": dict(SurveyState.choices),
        "questions": surveys.questions_of(survey),
        "targets": surveys.targets_of(survey),
        "can_build": can_change and survey.state == SurveyState.DRAFT,
        "can_close": can_change and survey.state == SurveyState.OPEN,
        "track": track,
        "members": survey.audience == Audience.MEMBERS,
    }
    return render(request, "voice/survey_detail.html", context)


def _chart(prefix: str, labels: list[str], values: list[int]) -> dict:
    return {"id": prefix, "data": {"labels": labels, "values": values, "series": [{"name": "人次", "values": values}]}}


def _groups(groups) -> tuple[list[str], list[int]]:
    return [g.label for g in groups], [g.responses for g in groups]


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _visible(request, pk)
    if survey.state == SurveyState.DRAFT:
        raise Http404
    result = surveys.results(survey)
    for i, qr in enumerate(result.questions):
        qr.chart = (
            _chart(f"q-chart-{i}", [o.label for o in qr.options], [o.count for o in qr.options]) if qr.options else None
        )
    context = {
        "title": f"问卷结果：{survey.title}",
        "s": survey,
        "r": result,
        "depth_chart": _chart("depth-chart", *_groups(result.by_depth)),
        "kind_chart": _chart("kind-chart", *_groups(result.by_kind)),
        "min_group": surveys.ANON_MIN_GROUP,
    }
    return render(request, "voice/survey_results.html", context)


def survey_results_export(request: HttpRequest, pk: int) -> FileResponse:
    """The raw answers, one row per response: named — org, name, date; anonymous — no identity, random order."""
    import xlsxwriter

    survey = _visible(request, pk)
    if survey.state == SurveyState.DRAFT:
        raise Http404
    questions, rows = surveys.raw_rows(survey, limit=RAW_MAX)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "constant_memory": True}
    )
    sheet = workbook.add_worksheet("答卷")
    bold = workbook.add_format({"bold": True})
    identity = [] if survey.anonymous else ["组织", "填写人", "填写日期"]
    sheet.write_row(0, 0, [*identity, *(f"{q.position}. {q.text}" for q in questions)], bold)
    for line, row in enumerate(rows, start=1):
        if survey.anonymous:
            sheet.write_row(line, 0, row.cells)
        else:
            day = row.answered_on.isoformat() if row.answered_on else ""
            sheet.write_row(line, 0, [row.org, row.name, day, *row.cells])
    workbook.close()
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"问卷答卷_{survey.pk}_{clock.today():%Y%m%d}.xlsx")
