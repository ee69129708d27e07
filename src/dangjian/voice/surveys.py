"""问卷调查 (issue 16): a survey's draft and questions, opening and closing, answering (as a member, or for an org),
who has answered, and the results. Services write in one transaction with the scope checked; selectors read with a
fixed number of queries.

Anonymity: an anonymous survey's Response has no member, no answerer, no date and a random key; the Participation
(that a member answered, for the tracking and "once") has no link to it. Neither is sent to the audit log
(apps.py), and nothing here logs the answer with the user. Breakdowns of an anonymous survey hide groups of fewer
than ANON_MIN_GROUP responses."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.members.choices import Status
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from .choices import Audience, QuestionKind, SurveyState
from .models import Answer, Participation, Question, Response, Survey, SurveyTarget

ERR_SCOPE = "您无权维护该问卷"
ERR_ORG_SCOPE = "您无权以该组织名义发起问卷"
ERR_NOT_DRAFT = "问卷已开始填写，不能再修改"
ERR_ANON_ORGS = "按组织填写的问卷不能匿名"
ERR_AUDIENCE = "填写对象应为党组织或党员"
ERR_TARGETS = "请至少选择一个发送对象"
ERR_TARGET_SCOPE = "发送对象应为发起组织及其下级组织"
ERR_CLOSES = "截止日期不能早于今天"
ERR_TITLE = "请填写标题"
ERR_KIND = "题型应为单选、多选、1–5分或文字"
ERR_QTEXT = "请填写题目"
ERR_CHOICES = "选择题应有 2 至 20 个选项，每个选项不超过 100 字"
ERR_MAX_QUESTIONS = "一份问卷最多 100 道题"
ERR_NO_QUESTION = "问卷至少要有一道题目才能开始填写"
ERR_NOT_OPEN = "问卷不在填写期内（未开始或已截止）"
ERR_NOT_OPENABLE = "只有草稿状态的问卷可以开始填写"
ERR_NOT_CLOSABLE = "只有进行中的问卷可以结束"
ERR_ANSWERED_ORG = "该组织已填写过此问卷"
ERR_ANSWERED_MEMBER = "您已填写过此问卷"
ERR_NOT_TARGET_ORG = "您无权以该组织名义填写此问卷，或该组织不在发送对象中"
ERR_NOT_TARGET_MEMBER = "您不在此问卷的填写范围内"
ERR_MOVE = "题目已在最前或最后"
ERR_CHOICE = "第{n}题的选项不存在"
ERR_ONE_CHOICE = "第{n}题只能选择一项"
ERR_REQUIRED = "第{n}题为必答题，请作答"
ERR_SCALE = "第{n}题应在 1 至 5 分之间"
ERR_TEXT = "第{n}题的文字回答不能超过 {limit} 字"
ERR_UNKNOWN_QUESTION = "答卷中有不属于此问卷的题目"

MAX_QUESTIONS = 100
MIN_CHOICES, MAX_CHOICES = 2, 20
CHOICE_MAX_LENGTH = 100
TEXT_MAX = 2000
SCALE = range(1, 6)
#: An anonymous survey's breakdown shows no group (org level, org kind) of fewer responses than this.
ANON_MIN_GROUP = 3
CLOSING_SOON_DAYS = 3


# ── reads ───────────────────────────────────────────────────────────────────────────────────────────────────────


def is_open(survey: Survey, today: date | None = None) -> bool:
    """Open for answers: state open and its closing day not past."""
    today = today or clock.today()
    return survey.state == SurveyState.OPEN and survey.closes_on >= today


def shown_state(survey: Survey, today: date | None = None) -> str:
    """The state as the pages show it: an open survey past its closing day counts as closed."""
    if survey.state == SurveyState.OPEN and not is_open(survey, today):
        return SurveyState.CLOSED
    return survey.state


def surveys_of(fetched_by, *, state: str = "", q: str = "", org: Organization | None = None) -> QuerySet[Survey]:
    """The surveys whose org the user sees, filtered (state as shown: an open one past its day is closed)."""
    rows = Survey.objects.visible_to(fetched_by).select_related("org")
    today = clock.today()
    if state == SurveyState.DRAFT:
        rows = rows.filter(state=SurveyState.DRAFT)
    elif state == SurveyState.OPEN:
        rows = rows.filter(state=SurveyState.OPEN, closes_on__gte=today)
    elif state == SurveyState.CLOSED:
        rows = rows.filter(Q(state=SurveyState.CLOSED) | Q(state=SurveyState.OPEN, closes_on__lt=today))
    if q:
        rows = rows.filter(title__icontains=q)
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rows.annotate(n_questions=Count("questions", distinct=True), n_responses=Count("responses", distinct=True))


def survey_get(fetched_by, pk: int) -> Survey:
    """A survey whose org the user sees (Survey.DoesNotExist otherwise)."""
    return Survey.objects.visible_to(fetched_by).select_related("org", "created_by").get(pk=pk)


def questions_of(survey: Survey) -> list[Question]:
    # The survey's own questions: the caller has fetched the survey within the user's scope (or as its answerer).
    return list(Question.objects.unrestricted().filter(survey=survey).order_by("position"))


def targets_of(survey: Survey) -> list[Organization]:
    # The survey's own targets (the caller holds the survey).
    rows = SurveyTarget.objects.unrestricted().filter(survey=survey).select_related("org").order_by("org__path")
    return [t.org for t in rows]


def creatable_orgs(user) -> QuerySet[Organization]:
    """Orgs the user may start a survey for (CHANGE on them), not dissolved, no 党小组."""
    return Organization.objects.changeable_by(user).filter(dissolved_on__isnull=True).exclude(kind=OrgKind.GROUP)


def _own_member(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.visible_to(user).filter(user=user, status=Status.ACTIVE).select_related("org").first()


def _targets_q(lookup: str, org_path: str) -> Q:
    """Rows whose target org (through `lookup`, e.g. "targets__org__path") is `org_path` or an ancestor of it (its
    subtree holds the org)."""
    steplen = Organization.steplen
    ancestors = [org_path[:end] for end in range(steplen, len(org_path) + 1, steplen)]
    return Q(**{f"{lookup}__in": ancestors})


def open_surveys_q(today: date | None = None) -> Q:
    today = today or clock.today()
    return Q(state=SurveyState.OPEN, closes_on__gte=today)


@dataclass
class Waiting:
    """A survey waiting for the user's answer: as a member (org None) or for an org."""

    survey: Survey
    org: Organization | None

    @property
    def closing_soon(self) -> bool:
        return (self.survey.closes_on - clock.today()).days <= CLOSING_SOON_DAYS


def waiting_for(user) -> list[Waiting]:
    """Open surveys the user has not answered yet: as a member (members' surveys sent to an org above their branch)
    and for each org they may change that a survey of orgs was sent to. Three queries at most."""
    if not user.is_authenticated:
        return []
    result: list[Waiting] = []
    # Surveys sent to the user: they are not in the user's scope (a committee's survey), so read on purpose
    # unrestricted, narrowed to the user's own branch and the orgs they may change.
    open_rows = Survey.objects.unrestricted().filter(open_surveys_q()).select_related("org")
    member = _own_member(user)
    if member is not None:
        rows = (
            open_rows.filter(_targets_q("targets__org__path", member.org.path), audience=Audience.MEMBERS)
            .exclude(participations__member=member)
            .distinct()
            .order_by("closes_on", "pk")
        )
        result += [Waiting(s, None) for s in rows]
    paths = user.scope_paths(Capability.CHANGE) if not user.is_superuser else []
    if paths:
        targets = (
            SurveyTarget.objects.unrestricted()
            .filter(subtree_q("org__path", paths), survey__in=open_rows.filter(audience=Audience.ORGS))
            .exclude(
                Exists(
                    Response.objects.unrestricted().filter(
                        survey_id=OuterRef("survey_id"), org_id=OuterRef("org_id"), for_org=True
                    )
                )
            )
            .select_related("survey__org", "org")
            .order_by("survey__closes_on", "survey_id", "org__path")
        )
        result += [Waiting(t.survey, t.org) for t in targets]
    return result


def answerable_or_none(user, survey_pk: int, org_pk: int | None) -> tuple[Survey, Organization | None] | None:
    """The survey the user may answer now (as a member, or for `org_pk`), else None (the page answers 404).
    The survey is read unrestricted: a committee's survey lies outside a member's scope; the check is who it was
    sent to."""
    survey = Survey.objects.unrestricted().select_related("org").filter(pk=survey_pk).first()
    if survey is None or survey.state == SurveyState.DRAFT:
        return None
    if survey.audience == Audience.ORGS:
        if org_pk is None:
            return None
        target = SurveyTarget.objects.unrestricted().select_related("org").filter(survey=survey, org_id=org_pk).first()
        if target is None or not user.can(Capability.CHANGE, target.org.path):
            return None
        return survey, target.org
    member = _own_member(user)
    if member is None or not _member_targeted(survey, member):
        return None
    return survey, None


def _member_targeted(survey: Survey, member: Member) -> bool:
    return SurveyTarget.objects.unrestricted().filter(_targets_q("org__path", member.org.path), survey=survey).exists()


def has_answered(user, survey: Survey, org: Organization | None) -> bool:
    if org is not None:
        return Response.objects.unrestricted().filter(survey=survey, org=org, for_org=True).exists()
    member = _own_member(user)
    return member is not None and Participation.objects.unrestricted().filter(survey=survey, member=member).exists()


# ── the draft ───────────────────────────────────────────────────────────────────────────────────────────────────


def _check_draft(*, org, title, audience, anonymous, closes_on, targets) -> None:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = ERR_TITLE
    if audience not in Audience.values:
        errors["audience"] = ERR_AUDIENCE
    elif audience == Audience.ORGS and anonymous:
        errors["anonymous"] = ERR_ANON_ORGS
    if closes_on is None or closes_on < clock.today():
        errors["closes_on"] = ERR_CLOSES
    if not targets:
        errors["targets"] = ERR_TARGETS
    elif any(not t.path.startswith(org.path) or t.dissolved_on is not None for t in targets):
        errors["targets"] = ERR_TARGET_SCOPE
    if errors:
        raise ValidationError(errors)


def _set_targets(survey: Survey, targets) -> None:
    SurveyTarget.objects.unrestricted().filter(survey=survey).delete()
    SurveyTarget.objects.bulk_create([SurveyTarget(survey=survey, org=t) for t in {t.pk: t for t in targets}.values()])


@transaction.atomic
def create_survey(
    *,
    by,
    org: Organization,
    title: str,
    intro: str = "",
    audience: str,
    anonymous: bool = False,
    closes_on: date,
    targets,
) -> Survey:
    """A draft of `org` (CHANGE on it), sent to `targets` (orgs of its subtree)."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_ORG_SCOPE)
    targets = list(targets)
    _check_draft(org=org, title=title, audience=audience, anonymous=anonymous, closes_on=closes_on, targets=targets)
    survey = Survey(
        org=org,
        title=title.strip(),
        intro=(intro or "").strip(),
        audience=audience,
        anonymous=bool(anonymous),
        closes_on=closes_on,
        created_by=by,
    )
    survey.full_clean()
    survey.save()
    _set_targets(survey, targets)
    return survey


def _locked(by, survey: Survey) -> Survey:
    locked = (
        Survey.objects.changeable_by(by).select_for_update(of=("self",)).select_related("org").filter(pk=survey.pk)
    ).first()
    if locked is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked


def _locked_draft(by, survey: Survey) -> Survey:
    locked = _locked(by, survey)
    if locked.state != SurveyState.DRAFT:
        raise ValidationError(ERR_NOT_DRAFT)
    return locked


@transaction.atomic
def update_survey(
    *,
    by,
    survey: Survey,
    version: int | None,
    title: str,
    intro: str = "",
    audience: str,
    anonymous: bool = False,
    closes_on: date,
    targets,
) -> Survey:
    """Change a draft (its org stays)."""
    locked = _locked_draft(by, survey)
    check_version(locked, version)
    targets = list(targets)
    _check_draft(
        org=locked.org, title=title, audience=audience, anonymous=anonymous, closes_on=closes_on, targets=targets
    )
    locked.title, locked.intro, locked.audience = title.strip(), (intro or "").strip(), audience
    locked.anonymous, locked.closes_on = bool(anonymous), closes_on
    locked.full_clean()
    locked.save()
    _set_targets(locked, targets)
    return locked


@transaction.atomic
def delete_survey(*, by, survey: Survey) -> None:
    """Delete a draft (nobody has answered it)."""
    locked = _locked_draft(by, survey)
    locked.delete()


def _clean_choices(kind: str, choices) -> list[str]:
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return []
    cleaned = [str(c).strip() for c in (choices or []) if str(c).strip()]
    if not MIN_CHOICES <= len(cleaned) <= MAX_CHOICES or any(len(c) > CHOICE_MAX_LENGTH for c in cleaned):
        raise ValidationError({"choices": ERR_CHOICES})
    return cleaned


def _check_question(kind: str, text: str) -> None:
    errors = {}
    if kind not in QuestionKind.values:
        errors["kind"] = ERR_KIND
    if not (text or "").strip():
        errors["text"] = ERR_QTEXT
    if errors:
        raise ValidationError(errors)


def _touch(survey: Survey) -> None:
    """A change of the questions is a change of the survey: its version moves (a builder open elsewhere is stale)."""
    survey.save(update_fields=["updated_at"])


@transaction.atomic
def add_question(*, by, survey: Survey, kind: str, text: str, required: bool = True, choices=None) -> Question:
    locked = _locked_draft(by, survey)
    _check_question(kind, text)
    cleaned = _clean_choices(kind, choices)
    # The survey's own questions (locked above).
    existing = Question.objects.unrestricted().filter(survey=locked)
    n = existing.count()
    if n >= MAX_QUESTIONS:
        raise ValidationError(ERR_MAX_QUESTIONS)
    question = Question(survey=locked, position=n + 1, kind=kind, text=text.strip(), required=bool(required))
    question.choices = cleaned
    question.full_clean()
    question.save()
    _touch(locked)
    return question


def _question_locked(by, question: Question) -> tuple[Survey, Question]:
    locked = _locked_draft(by, question.survey)
    current = Question.objects.unrestricted().filter(survey=locked, pk=question.pk).first()
    if current is None:
        raise PermissionDenied(ERR_SCOPE)
    return locked, current


@transaction.atomic
def update_question(*, by, question: Question, kind: str, text: str, required: bool = True, choices=None) -> Question:
    survey, current = _question_locked(by, question)
    _check_question(kind, text)
    current.choices = _clean_choices(kind, choices)
    current.kind, current.text, current.required = kind, text.strip(), bool(required)
    current.full_clean()
    current.save()
    _touch(survey)
    return current


@transaction.atomic
def delete_question(*, by, question: Question) -> None:
    survey, current = _question_locked(by, question)
    current.delete()
    # The later ones move up, one by one in order (the position is unique per survey).
    for q in Question.objects.unrestricted().filter(survey=survey, position__gt=current.position).order_by("position"):
        q.position -= 1
        q.save(update_fields=["position", "updated_at"])
    _touch(survey)


@transaction.atomic
def move_question(*, by, question: Question, step: int) -> Question:
    """Swap a question with the one before (step -1) or after (+1)."""
    survey, current = _question_locked(by, question)
    other = Question.objects.unrestricted().filter(survey=survey, position=current.position + step).first()
    if step not in (-1, 1) or other is None:
        raise ValidationError(ERR_MOVE)
    mine, theirs = current.position, other.position
    current.position = 0  # out of the way of the unique position
    current.save(update_fields=["position", "updated_at"])
    other.position = mine
    other.save(update_fields=["position", "updated_at"])
    current.position = theirs
    current.save(update_fields=["position", "updated_at"])
    _touch(survey)
    return current


@transaction.atomic
def open_survey(*, by, survey: Survey, version: int | None = None) -> Survey:
    """Start answering: at least one question, the closing day not past; opens today. Anonymity is fixed from now."""
    locked = _locked(by, survey)
    check_version(locked, version)
    if locked.state != SurveyState.DRAFT:
        raise ValidationError(ERR_NOT_OPENABLE)
    if not Question.objects.unrestricted().filter(survey=locked).exists():
        raise ValidationError(ERR_NO_QUESTION)
    if locked.closes_on < clock.today():
        raise ValidationError({"closes_on": ERR_CLOSES})
    locked.state, locked.opens_on = SurveyState.OPEN, clock.today()
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def close_survey(*, by, survey: Survey, version: int | None = None) -> Survey:
    locked = _locked(by, survey)
    check_version(locked, version)
    if locked.state != SurveyState.OPEN:
        raise ValidationError(ERR_NOT_CLOSABLE)
    locked.state = SurveyState.CLOSED
    locked.save()
    return locked


# ── answering ───────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Cell:
    question: Question
    choice: int | None = None
    value: int | None = None
    text: str = ""


def _as_int(raw) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().lstrip("-").isdigit() and len(raw) < 6:
        return int(raw.strip())
    return None


def check_answers(questions: list[Question], raw: dict) -> list[Cell]:
    """The answer to each question (`raw`: question id → an option's index, a list of them, 1–5, or a text) as rows,
    or a ValidationError listing every problem, numbered as the questions are."""
    by_id = {q.pk: q for q in questions}
    errors: list[str] = []
    keys = {_as_int(k) if not isinstance(k, int) else k for k in raw}
    if keys - set(by_id):
        errors.append(ERR_UNKNOWN_QUESTION)
    values = {(_as_int(k) if not isinstance(k, int) else k): v for k, v in raw.items()}
    cells: list[Cell] = []
    for q in questions:
        n = q.position
        value = values.get(q.pk)
        empty = value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())
        if empty:
            if q.required:
                errors.append(ERR_REQUIRED.format(n=n))
            continue
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picks = value if isinstance(value, list | tuple) else [value]
            if q.kind == QuestionKind.SINGLE and len(picks) > 1:
                errors.append(ERR_ONE_CHOICE.format(n=n))
                continue
            indexes = [_as_int(p) for p in picks]
            if any(i is None or not 0 <= i < len(q.choices) for i in indexes):
                errors.append(ERR_CHOICE.format(n=n))
                continue
            cells += [Cell(q, choice=i) for i in sorted(set(indexes))]
        elif q.kind == QuestionKind.SCALE:
            score = _as_int(value)
            if score not in SCALE:
                errors.append(ERR_SCALE.format(n=n))
                continue
            cells.append(Cell(q, value=score))
        else:
            text = str(value).strip()
            if len(text) > TEXT_MAX:
                errors.append(ERR_TEXT.format(n=n, limit=TEXT_MAX))
                continue
            cells.append(Cell(q, text=text))
    if errors:
        raise ValidationError(errors)
    return cells


def _write(survey: Survey, response: Response, cells: list[Cell]) -> Response:
    response.full_clean(validate_unique=False, validate_constraints=False)
    response.save(force_insert=True)
    answers = [
        Answer(response=response, question=c.question, choice=c.choice, value=c.value, text=c.text) for c in cells
    ]
    random.shuffle(answers)
    Answer.objects.bulk_create(answers)
    return response


def answer(*, by, survey: Survey, answers: dict, org: Organization | None = None) -> Response:
    """Answer `survey`: for `org` (a survey of orgs; CHANGE on a target org, once per org) or as the member the
    user is (a members' survey sent to an org above their branch, once). Everything in one transaction; any refusal
    writes nothing."""
    try:
        with transaction.atomic():
            return _answer(by=by, survey=survey, answers=answers, org=org)
    except IntegrityError:
        # Two answers at the same moment: the unique constraints let one through.
        raise ValidationError(ERR_ANSWERED_ORG if survey.audience == Audience.ORGS else ERR_ANSWERED_MEMBER) from None


def _answer(*, by, survey: Survey, answers: dict, org: Organization | None) -> Response:
    # The survey as stored now (it was sent to the user: outside their scope, a committee's; checked below).
    survey = Survey.objects.unrestricted().select_related("org").get(pk=survey.pk)
    if not is_open(survey):
        raise ValidationError(ERR_NOT_OPEN)
    if survey.audience == Audience.ORGS:
        if org is None or not by.can(Capability.CHANGE, org.path):
            raise PermissionDenied(ERR_NOT_TARGET_ORG)
        if not SurveyTarget.objects.unrestricted().filter(survey=survey, org=org).exists():
            raise PermissionDenied(ERR_NOT_TARGET_ORG)
        if Response.objects.unrestricted().filter(survey=survey, org=org, for_org=True).exists():
            raise ValidationError(ERR_ANSWERED_ORG)
        cells = check_answers(questions_of(survey), answers)
        response = Response(
            survey=survey, org=org, for_org=True, answered_by=by, answered_on=clock.today(), member=None
        )
        return _write(survey, response, cells)
    member = _own_member(by)
    if member is None or not _member_targeted(survey, member):
        raise PermissionDenied(ERR_NOT_TARGET_MEMBER)
    if Participation.objects.unrestricted().filter(survey=survey, member=member).exists():
        raise ValidationError(ERR_ANSWERED_MEMBER)
    cells = check_answers(questions_of(survey), answers)
    Participation.objects.create(survey=survey, member=member, org=member.org)
    if survey.anonymous:
        # No member, no answerer, no date: nothing on the row leads back to the person.
        response = Response(survey=survey, org=member.org, for_org=False)
    else:
        response = Response(
            survey=survey, org=member.org, for_org=False, member=member, answered_by=by, answered_on=clock.today()
        )
    return _write(survey, response, cells)


# ── tracking ────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class TrackRow:
    org: Organization
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.answered * 100 / self.total) if self.total else 0


@dataclass
class Tracking:
    orgs: list[TrackRow]
    missing: list[Member] = field(default_factory=list)  # members' surveys: who has not answered (names)
    answered: int = 0
    total: int = 0


def _target_orgs_q(targets: list[Organization], lookup: str) -> Q:
    return subtree_q(lookup, [t.path for t in targets])


def tracking(fetched_by, survey: Survey, *, missing_limit: int = 500) -> Tracking:
    """Who has answered. Orgs: each target, answered or not. Members: per target org (rolled up over its subtree)
    answered/total from Participation and the roster, and the names of who has not answered yet — for named and
    anonymous surveys alike (participation is not the answer). Limited to the user's scope; four queries."""
    targets = targets_of(survey)
    if survey.audience == Audience.ORGS:
        done = set(
            Response.objects.visible_to(fetched_by).filter(survey=survey, for_org=True).values_list("org_id", flat=True)
        )
        rows = [TrackRow(t, int(t.pk in done), 1) for t in targets]
        return Tracking(rows, answered=sum(r.answered for r in rows), total=len(rows))
    steplen = Organization.steplen
    in_targets = _target_orgs_q(targets, "org__path")
    members = Member.objects.visible_to(fetched_by).filter(in_targets, status=Status.ACTIVE)
    totals = members.values_list("org__path").annotate(n=Count("pk")).order_by()
    done = (
        Participation.objects.unrestricted()  # the survey's own rows; narrowed to members the user sees below
        .filter(survey=survey, member__in=members.values("pk"))
        .values_list("member__org__path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total_by = roll_up(((p, "n", n) for p, n in totals), steplen=steplen)
    done_by = roll_up(((p, "n", n) for p, n in done), steplen=steplen)
    rows = [TrackRow(t, done_by[t.path]["n"], total_by[t.path]["n"]) for t in targets if total_by[t.path]["n"]]
    missing = list(
        members.exclude(pk__in=Participation.objects.unrestricted().filter(survey=survey).values("member_id"))
        .select_related("org")
        .order_by("org__path", "name_pinyin", "pk")[:missing_limit]
    )
    answered = sum(n for _p, n in done)
    total = sum(n for _p, n in totals)
    return Tracking(rows, missing, answered, total)


# ── results ─────────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Option:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[Option] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class Group:
    label: str
    responses: int


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    by_depth: list[Group]
    by_kind: list[Group]
    hidden_groups: int = 0


DEPTH_LABELS = {1: "机关党委", 2: "第二级组织", 3: "第三级组织", 4: "第四级组织"}


def results(survey: Survey, *, text_limit: int = 200) -> Results:
    """Counts and percentages per option (GROUP BY question, choice), scale averages and distribution, text
    answers (anonymous: random order), and responses by org level and kind. The survey's own rows: the caller
    fetched the survey within the user's scope. Four queries whatever the size (multiple choice: shares of every
    response)."""
    questions = questions_of(survey)
    # By the survey's questions (the (question, choice) index), not through a join to the responses.
    answers = Answer.objects.unrestricted().filter(question_id__in=[q.pk for q in questions])
    # One pass over the survey's answers: (question, choice, value) counted; a text answer counts under (None, None).
    grouped = answers.values_list("question_id", "choice", "value").annotate(n=Count("*")).order_by()
    choice_counts: dict[int, Counter] = defaultdict(Counter)
    rows_by_q: Counter = Counter()
    for qid, choice, value, n in grouped:
        if choice is not None:
            choice_counts[qid][choice] += n
        elif value is not None:
            choice_counts[qid][value] += n
        rows_by_q[qid] += n
    # A question has one row per response that answered it; a multiple choice one per option ticked, so its base
    # is every response (the share of respondents who ticked each option; no COUNT(DISTINCT) over 100,000s of rows).
    n_responses, by_depth, by_kind, hidden = _breakdown(survey)
    answered_by_q = dict(rows_by_q)
    for q in questions:
        if q.kind == QuestionKind.MULTIPLE:
            answered_by_q[q.pk] = n_responses
    text_q = [q.pk for q in questions if q.kind == QuestionKind.TEXT]
    texts: dict[int, list[str]] = defaultdict(list)
    if text_q:
        text_rows = answers.filter(question_id__in=text_q).exclude(text="").values_list("question_id", "text")
        # Anonymous: no order that follows the answering (the key is random; shuffled anyway); named: the same.
        for qid, text in text_rows.order_by("pk")[: text_limit * len(text_q)]:
            texts[qid].append(text)
        for rows in texts.values():
            random.shuffle(rows)
    out = []
    for q in questions:
        answered = answered_by_q.get(q.pk, 0)
        result = QuestionResult(q, answered)
        counts = choice_counts.get(q.pk, Counter())
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            result.options = [
                Option(label, counts[i], round(counts[i] * 100 / answered, 1) if answered else 0.0)
                for i, label in enumerate(q.choices)
            ]
        elif q.kind == QuestionKind.SCALE:
            result.options = [
                Option(f"{v}分", counts[v], round(counts[v] * 100 / answered, 1) if answered else 0.0) for v in SCALE
            ]
            total = sum(v * counts[v] for v in SCALE)
            result.average = round(total / answered, 2) if answered else None
        else:
            result.texts = texts.get(q.pk, [])[:text_limit]
        out.append(result)
    return Results(survey, n_responses, out, by_depth, by_kind, hidden)


def _breakdown(survey: Survey) -> tuple[int, list[Group], list[Group], int]:
    rows = (
        Response.objects.unrestricted()
        .filter(survey=survey)
        .values_list("org__depth", "org__kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    depth: Counter = Counter()
    kind: Counter = Counter()
    for d, k, n in rows:
        depth[d] += n
        kind[k] += n
    kinds = dict(OrgKind.choices)
    groups_d = [Group(DEPTH_LABELS.get(d, f"第{d}级组织"), n) for d, n in sorted(depth.items())]
    groups_k = [Group(kinds.get(k, k), n) for k, n in sorted(kind.items())]
    hidden = 0
    if survey.anonymous:
        hidden = sum(1 for g in groups_d + groups_k if g.responses < ANON_MIN_GROUP)
        groups_d = [g for g in groups_d if g.responses >= ANON_MIN_GROUP]
        groups_k = [g for g in groups_k if g.responses >= ANON_MIN_GROUP]
    return sum(depth.values()), groups_d, groups_k, hidden


# ── raw answers (the export, the API) ───────────────────────────────────────────────────────────────────────────


@dataclass
class RawRow:
    org: str  # empty for anonymous surveys
    name: str  # empty for anonymous surveys and org answers' names
    answered_on: date | None
    cells: list[str]


def raw_rows(survey: Survey, *, limit: int = 200_000) -> tuple[list[Question], list[RawRow]]:
    """One row per response: named — org, name, date and the answers; anonymous — the answers only, in random
    order. Two queries (responses, answers)."""
    questions = questions_of(survey)
    position = {q.pk: i for i, q in enumerate(questions)}
    responses = list(
        Response.objects.unrestricted()  # the survey's own rows (the caller holds the survey in scope)
        .filter(survey=survey)
        .select_related("org", "member")
        .order_by("org__path", "answered_on", "pk")[:limit]
    )
    cells: dict = defaultdict(lambda: [[] for _ in questions])
    answers = (
        Answer.objects.unrestricted()
        .filter(question_id__in=[q.pk for q in questions])
        .values_list("response_id", "question_id", "choice", "value", "text")
    )
    by_q = {q.pk: q for q in questions}
    # Options in their order within a cell (the random keys give the rows no order of their own).
    for rid, qid, choice, value, text in answers.order_by("question_id", "choice"):
        q = by_q.get(qid)
        if q is None:
            continue
        if choice is not None:
            shown = q.choices[choice] if choice < len(q.choices) else str(choice)
        elif value is not None:
            shown = str(value)
        else:
            shown = text
        cells[rid][position[qid]].append(shown)
    rows = []
    for r in responses:
        joined = ["；".join(c) for c in cells[r.pk]]
        if survey.anonymous:
            rows.append(RawRow("", "", None, joined))
        else:
            name = r.member.name if r.member_id else ""
            rows.append(RawRow(r.org.name, name, r.answered_on, joined))
    if survey.anonymous:
        random.shuffle(rows)
    return questions, rows
