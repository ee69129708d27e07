"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from dangjian.core.api import ERROR_RESPONSES, WRITE_RESPONSES, OrgRef, PageParams, choices_help, paginate
from dangjian.core.permissions import require_capability
from dangjian.core.roles import Capability
from dangjian.orgs.selectors import visible_org_or_404

from . import surveys
from .choices import Audience, SurveyState
from .models import Survey

router = Router(tags=["党员之声"])

# ── proposals

# ── commitments

# ── inquiries

# ── surveys


class SurveyParams(Schema):
    org: int | None = Field(None, ge=1, le=10**18, description="发起组织 ID（含下级组织）")
    state: SurveyState | None = Field(
        None, description=choices_help(SurveyState.choices) + "（已过截止日期的算已结束）"
    )
    q: str = Field("", max_length=50, description="标题包含")


class SurveyOut(Schema):
    id: int
    version: int
    org: OrgRef
    title: str
    intro: str
    audience: Audience = Field(description=choices_help(Audience.choices))
    anonymous: bool
    state: str = Field(description="状态（已过截止日期的算已结束）")
    opens_on: date | None
    closes_on: date
    questions: int
    responses: int

    @staticmethod
    def resolve_state(obj: Survey) -> str:
        return surveys.shown_state(obj)

    @staticmethod
    def resolve_questions(obj: Survey) -> int:
        return obj.n_questions

    @staticmethod
    def resolve_responses(obj: Survey) -> int:
        return obj.n_responses


class SurveyPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SurveyOut]


@router.get("/surveys", response={200: SurveyPage, **ERROR_RESPONSES}, url_name="voice_surveys", summary="问卷")
def survey_list(request: HttpRequest, filters: Query[SurveyParams], pages: Query[PageParams]):
    """您权限范围内组织发起的问卷（与“问卷调查”页面相同），按截止日期倒序。"""
    user = request.auth
    require_capability(user, Capability.VIEW)
    org = visible_org_or_404(user, filters.org)
    rows = surveys.surveys_of(user, state=filters.state or "", q=filters.q.strip(), org=org)
    return paginate(rows.order_by("-closes_on", "-id"), page=pages.page, page_size=pages.page_size)


def _visible_survey(user, survey_id: int) -> Survey:
    require_capability(user, Capability.VIEW)
    survey = Survey.objects.visible_to(user).select_related("org").filter(pk=survey_id).first()
    if survey is None or survey.state == SurveyState.DRAFT:
        raise Http404
    return survey


class OptionOut(Schema):
    label: str
    count: int
    percent: float


class QuestionResultOut(Schema):
    position: int
    kind: str
    text: str
    answered: int
    options: list[OptionOut]
    average: float | None
    texts: list[str] = Field(description="文字回答（匿名问卷随机排列，不含填写人）")


class GroupOut(Schema):
    label: str
    responses: int


class ResultsOut(Schema):
    survey: int
    anonymous: bool
    responses: int
    questions: list[QuestionResultOut]
    by_depth: list[GroupOut]
    by_kind: list[GroupOut]
    hidden_groups: int = Field(description="匿名问卷中因答卷少于 3 份而不显示的分组数")


@router.get(
    "/surveys/{int:survey_id}/results",
    response={200: ResultsOut, **ERROR_RESPONSES},
    url_name="voice_survey_results",
    summary="问卷结果",
)
def survey_results(request: HttpRequest, survey_id: int):
    """各题选项的人次与比例、1–5分题的平均分与分布、文字回答，以及按组织层级、类型的答卷数（与结果页相同）。"""
    survey = _visible_survey(request.auth, survey_id)
    r = surveys.results(survey)
    questions = [
        {
            "position": q.question.position,
            "kind": q.question.kind,
            "text": q.question.text,
            "answered": q.answered,
            "options": [vars(o) for o in q.options],
            "average": q.average,
            "texts": q.texts,
        }
        for q in r.questions
    ]
    return {
        "survey": survey.pk,
        "anonymous": survey.anonymous,
        "responses": r.responses,
        "questions": questions,
        "by_depth": [vars(g) for g in r.by_depth],
        "by_kind": [vars(g) for g in r.by_kind],
        "hidden_groups": r.hidden_groups,
    }


class RawOut(Schema):
    org: str | None = Field(description="填写组织（匿名问卷为空）")
    name: str | None = Field(description="填写人（匿名问卷为空）")
    answered_on: date | None
    answers: list[str] = Field(description="按题目顺序的回答（多选以“；”分隔）")


class RawPage(Schema):
    questions: list[str]
    results: list[RawOut]


@router.get(
    "/surveys/{int:survey_id}/answers",
    response={200: RawPage, **ERROR_RESPONSES},
    url_name="voice_survey_answers",
    summary="问卷原始答卷",
)
def survey_answers(request: HttpRequest, survey_id: int):
    """每份答卷一行：实名问卷带组织、姓名和日期；匿名问卷不含任何身份信息，且随机排列。"""
    survey = _visible_survey(request.auth, survey_id)
    questions, rows = surveys.raw_rows(survey, limit=10_000)
    out = [
        {
            "org": None if survey.anonymous else r.org,
            "name": None if survey.anonymous else (r.name or None),
            "answered_on": r.answered_on,
            "answers": r.cells,
        }
        for r in rows
    ]
    return {"questions": [q.text for q in questions], "results": out}


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    org: int | None = Field(None, ge=1, le=10**18, description="以组织名义填写时的组织 ID（组织问卷必填）")
    answers: dict[int, int | list[int] | str | None] = Field(
        description="题目 ID → 选项序号（从 0 起）、多选的序号列表、1–5 分或文字", max_length=100
    )


class AnsweredOut(Schema):
    survey: int
    anonymous: bool


@router.post(
    "/surveys/{int:survey_id}/answers",
    response={201: AnsweredOut, **WRITE_RESPONSES},
    url_name="voice_survey_answer",
    summary="填写问卷",
)
def survey_answer(request: HttpRequest, survey_id: int, payload: AnswerIn):
    """以党员本人（党员问卷）或所维护组织（组织问卷，给出 org）的名义填写一次。不在填写范围内：404；回答有误或已
    填写过：422，附中文原因，不写入任何内容。匿名问卷的答卷不记录填写人。"""
    user = request.auth
    found = surveys.answerable_or_none(user, survey_id, payload.org)
    if found is None:
        raise Http404
    survey, org = found
    surveys.answer(by=user, survey=survey, answers=payload.answers, org=org)
    return Status(201, {"survey": survey.pk, "anonymous": survey.anonymous})


# ── consultations
