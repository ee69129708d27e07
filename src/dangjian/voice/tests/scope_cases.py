"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import ApiCase, Case
from dangjian.voice import surveys
from dangjian.voice.models import Survey

from .surveys_world import good_answers, survey_of

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals

# ── commitments

# ── inquiries


# ── surveys
def _survey(side: str, *, opened: bool = True, audience: str = "members", anonymous: bool = False):
    """A survey of branch A (its secretary's) or of branch B, sent to the branch itself."""

    def target(w):
        org, by = (w.branch_a, w.secretary_a) if side == "a" else (w.branch_b, w.secretary_b)
        return [survey_of(org, by, opened=opened, audience=audience, anonymous=anonymous).pk], ""

    return target


def _survey_question(side: str):
    def target(w):
        args, _query = _survey(side, opened=False)(w)
        return [surveys.questions_of(Survey.objects.unrestricted().get(pk=args[0]))[1].pk], ""

    return target


def _answer_members_a(w):
    """The committee's members' survey sent to branch A (its member 王小明 answers it)."""
    return [survey_of(w.committee, w.admin, targets=[w.branch_a]).pk], ""


def _answer_org_b(w):
    """The committee's survey of orgs sent to branch B, answered for it (?org=)."""
    survey = survey_of(w.committee, w.admin, audience="orgs", targets=[w.branch_b])
    return [survey.pk], f"?org={w.branch_b.pk}"


_S_SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_S_SEES_B = {"admin", "secretary_b", "inspector"}
_S_CHANGE_A = {"admin", "secretary_a", "committee_member_a"}
_S_CHANGE_B = {"admin", "secretary_b"}

CASES |= {
    "voice:surveys": Case(a_ok=_S_SEES_A | _S_SEES_B, a=lambda w: ([], "?page_size=100"), post=False),
    "voice:surveys_export": Case(a_ok=_S_SEES_A | _S_SEES_B, post=False),
    "voice:survey_create": Case(
        a_ok=_S_CHANGE_A,
        b_ok=_S_CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "voice:my_surveys": Case(a_ok=_S_SEES_A | _S_SEES_B | {"member_user_a"}, post=False),
    "voice:survey": Case(a_ok=_S_SEES_A, b_ok=_S_SEES_B, a=_survey("a"), b=_survey("b"), post=False),
    "voice:survey_edit": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey("a", opened=False), b=_survey("b", opened=False)
    ),
    "voice:survey_delete": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey("a", opened=False), b=_survey("b", opened=False), get=False
    ),
    "voice:survey_open": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey("a", opened=False), b=_survey("b", opened=False), get=False
    ),
    "voice:survey_close": Case(a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey("a"), b=_survey("b"), get=False),
    "voice:survey_question_add": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey("a", opened=False), b=_survey("b", opened=False)
    ),
    "voice:survey_question_edit": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey_question("a"), b=_survey_question("b")
    ),
    "voice:survey_question_delete": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey_question("a"), b=_survey_question("b"), get=False
    ),
    "voice:survey_question_move": Case(
        a_ok=_S_CHANGE_A, b_ok=_S_CHANGE_B, a=_survey_question("a"), b=_survey_question("b"), get=False
    ),
    "voice:survey_results": Case(a_ok=_S_SEES_A, b_ok=_S_SEES_B, a=_survey("a"), b=_survey("b"), post=False),
    "voice:survey_results_export": Case(
        a_ok=_S_SEES_A, b_ok=_S_SEES_B, a=_survey("a"), b=_survey("b", anonymous=True), post=False
    ),
    "voice:survey_answer": Case(a_ok={"member_user_a"}, b_ok=_S_CHANGE_B, a=_answer_members_a, b=_answer_org_b),
}


def _api_answer_body(w, args):
    survey = Survey.objects.unrestricted().get(pk=args[0])
    body = {"answers": {str(k): v for k, v in good_answers(survey).items()}}
    if survey.audience == "orgs":
        body["org"] = w.branch_b.pk
    return body


def _api_org_b(w):
    args, _query = _answer_org_b(w)
    return args, ""


API_CASES |= {
    "api:voice_surveys": ApiCase(
        a_ok=_S_SEES_A,
        b_ok=_S_SEES_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "api:voice_survey_results": ApiCase(a_ok=_S_SEES_A, b_ok=_S_SEES_B, a=_survey("a"), b=_survey("b")),
    "api:voice_survey_answers": ApiCase(
        a_ok=_S_SEES_A, b_ok=_S_SEES_B, a=_survey("a"), b=_survey("b", anonymous=True), also_post=True
    ),
    "api:voice_survey_answer": ApiCase(
        a_ok={"member_user_a"},
        b_ok=_S_CHANGE_B,
        a=_answer_members_a,
        b=_api_org_b,
        method="post",
        body=_api_answer_body,
        ok_status=201,
    ),
}

# ── consultations
