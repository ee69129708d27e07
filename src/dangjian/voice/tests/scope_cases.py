"""Scope cases of the voice URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, VIEWERS, ApiCase, Case
from dangjian.members.tests.factories import MemberFactory
from dangjian.voice import proposals, surveys
from dangjian.voice.choices import Phase
from dangjian.voice.models import Commitment, Fulfilment, Inquiry, Proposal, Survey

from .commitments_world import commitment_of, promise_of
from .inquiries_world import inquiry_of
from .proposals_world import member_b_login, proposal_of, upload
from .surveys_world import good_answers, survey_of

CASES: dict[str, Case] = {}
API_CASES: dict[str, ApiCase] = {}

# ── proposals
_P_VIEW_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
_P_VIEW_B = {"admin", "secretary_b", "inspector"}
_P_CHANGE_B = {"admin", "secretary_b"}


def _p_org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}&page_size=100{query}")


def _p_user(w, side: str):
    return w.member_user_a if side == "a" else member_b_login(w)


def _proposal(side: str, *extra):
    """A proposal 待审查 of branch A's member 王小明 (or branch B's 李秀英), with a file."""

    def target(w):
        return [proposal_of(_p_user(w, side), files=[upload()]).pk, *extra], ""

    return target


def _adopted(side: str):
    """A proposal of branch A (or B) accepted by the admin (立案), not yet assigned."""

    def target(w):
        p = proposal_of(_p_user(w, side))
        return [proposals.move(w.admin, p, "accept", {}).pk], ""

    return target


def _proposal_file(side: str):
    def target(w):
        p = proposal_of(_p_user(w, side), files=[upload()])
        return [p.files.unrestricted().get().pk], ""

    return target


def _p_body(w, args):
    return {"name": "accept", "facts": {}, "version": Proposal.objects.unrestricted().get(pk=args[0]).version}


def _p_create_body(w, args):
    return {"title": "接口提交的提案", "category": "party", "content": "建议加强支部标准化建设。"}


_EVERYONE = set(PERSONAS)
CASES |= {
    "voice:proposals": Case(a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False),
    "voice:proposals_export": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    "voice:proposal_stats": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    "voice:proposal_stats_export": Case(
        a_ok=_P_VIEW_A, b_ok=_P_VIEW_B, a=_p_org("branch_a"), b=_p_org("branch_b"), post=False
    ),
    # a member's own pages: staff without a member record get the page saying so
    "voice:my_proposals": Case(a_ok=_EVERYONE, post=False),
    "voice:proposal_create": Case(a_ok=_EVERYONE, post=False),
    # every logged-in user of the organ (no proposal adopted in the walk: nothing of the other side shows)
    "voice:proposals_public": Case(a_ok=_EVERYONE, post=False),
    "voice:proposal": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal("a"), b=_proposal("b"), post=False),
    # the proposer and the reviewers play a part (an empty POST: 400 with the form); anyone else 404
    "voice:proposal_move": Case(
        a_ok=CHANGE_A | {"member_user_a"},
        b_ok=_P_CHANGE_B,
        a=_proposal("a", "accept"),
        b=_proposal("b", "accept"),
        get=False,
    ),
    "voice:proposal_file": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal_file("a"), b=_proposal_file("b"), post=False),
    # an adopted proposal listed for 整改 by who may change the org handling it (not yet assigned: its branch)
    "voice:proposal_problem": Case(a_ok=CHANGE_A, b_ok=_P_CHANGE_B, a=_adopted("a"), b=_adopted("b"), ok_status=200),
}

API_CASES |= {
    "api:voice_proposals": ApiCase(
        a_ok=A_SIDE, b_ok=B_SIDE, a=_p_org("branch_a"), b=_p_org("branch_b"), also_post=True
    ),
    "api:voice_proposal": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=_proposal("a"), b=_proposal("b")),
    "api:voice_proposal_create": ApiCase(
        a_ok={"member_user_a"},
        method="post",
        body=_p_create_body,
        ok_status=201,
        refused={p: 403 for p in PERSONAS if p != "member_user_a"},
    ),
    # branch A's only: its proposer's token is refused the reviewer's move (422), while branch B's is not theirs (404)
    "api:voice_proposal_moves": ApiCase(
        a_ok=CHANGE_A, a=_proposal("a"), method="post", body=_p_body, refused={"member_user_a": 422}
    ),
}

# ── commitments
_SEES_A = VIEWERS - {"secretary_b"}
_SEES_B = B_SIDE
_CHANGE_B = {"admin", "secretary_b"}


def _cm_org(attr: str):
    return lambda w: ([], f"?org={getattr(w, attr).pk}")


def _member_commitment(attr: str, phases=(), evidence=False):
    return lambda w: ([commitment_of(getattr(w, attr), phases=phases, evidence=evidence).pk], "")


def _branch_commitment(attr: str):
    return lambda w: ([commitment_of(org=getattr(w, attr)).pk], "")


def _evidence(attr: str):
    def target(w):
        c = commitment_of(getattr(w, attr), phases=(Phase.MID,), evidence=True)
        return [Fulfilment.objects.unrestricted().get(commitment=c).pk], ""

    return target


def _promise(attr: str):
    return lambda w: ([promise_of(getattr(w, attr)).pk], "")


CASES |= {
    "voice:commitments": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:commitments_export": Case(
        a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False
    ),
    "voice:commitment": Case(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_member_commitment("member_a"), b=_member_commitment("member_b"), post=False
    ),
    # a member's commitment: only the member edits it and records 践诺; a branch's own: its secretary
    "voice:commitment_edit": Case(
        a_ok={"member_user_a"}, b_ok=_CHANGE_B, a=_member_commitment("member_a"), b=_branch_commitment("branch_b")
    ),
    "voice:commitment_fulfil": Case(
        a_ok={"member_user_a"}, b_ok=_CHANGE_B, a=_member_commitment("member_a"), b=_branch_commitment("branch_b")
    ),
    "voice:commitment_grade": Case(
        a_ok=CHANGE_A,
        b_ok=_CHANGE_B,
        a=_member_commitment("member_a", phases=(Phase.MID, Phase.END)),
        b=_member_commitment("member_b", phases=(Phase.MID, Phase.END)),
        get=False,
    ),
    "voice:fulfilment_evidence": Case(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_evidence("member_a"), b=_evidence("member_b"), post=False
    ),
    "voice:my_commitment": Case(a_ok=set(PERSONAS), post=False),
    "voice:my_commitment_publish": Case(a_ok={"member_user_a"}),
    "voice:org_commitment": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:org_commitment_publish": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_cm_org("branch_a"), b=_cm_org("branch_b")),
    "voice:promises": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:promises_export": Case(a_ok=_SEES_A, b_ok=_SEES_B, a=_cm_org("branch_a"), b=_cm_org("branch_b"), post=False),
    "voice:promises_public": Case(a_ok=set(PERSONAS), post=False),
    "voice:promise_create": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_cm_org("branch_a"), b=_cm_org("branch_b")),
    "voice:promise_edit": Case(a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_promise("branch_a"), b=_promise("branch_b")),
    "voice:promise_toggle": Case(
        a_ok=CHANGE_A, b_ok=_CHANGE_B, a=_promise("branch_a"), b=_promise("branch_b"), get=False
    ),
}


def _grade_body(w, args):
    return {
        "grade": "good",
        "note": "较好完成承诺",
        "version": Commitment.objects.unrestricted().get(pk=args[0]).version,
    }


API_CASES |= {
    "api:voice_commitments": ApiCase(
        a_ok=A_SIDE,
        b_ok=_SEES_B,
        a=lambda w: ([], f"?org={commitment_of(w.member_a).org_id}&page_size=100"),
        b=lambda w: ([], f"?org={commitment_of(w.member_b).org_id}&page_size=100"),
    ),
    "api:voice_commitment": ApiCase(
        a_ok=A_SIDE, b_ok=_SEES_B, a=_member_commitment("member_a"), b=_member_commitment("member_b")
    ),
    "api:voice_commitment_grade": ApiCase(
        a_ok=CHANGE_A,
        b_ok=_CHANGE_B,
        a=_member_commitment("member_a", phases=(Phase.MID, Phase.END)),
        b=_member_commitment("member_b", phases=(Phase.MID, Phase.END)),
        method="post",
        body=_grade_body,
    ),
    "api:voice_promises": ApiCase(a_ok=set(PERSONAS), a=lambda w: ([promise_of(w.branch_a).pk][:0], "?page_size=100")),
}

# ── inquiries
# An inquiry of branch A (first person 王小明, member_user_a's record) or of branch B (李秀英). Who sees one: the
# scope of its org (and the holder/first person); who acts on it: the holder, or CHANGE on the holder's org.
_INQ_SEES_A = {"admin", "secretary_a", "committee_member_a", "member_user_a", "inspector"}
_INQ_SEES_B = {"admin", "secretary_b", "inspector"}
_INQ_ACT_A = {"admin", "secretary_a", "committee_member_a", "member_user_a"}
_INQ_ACT_B = {"admin", "secretary_b"}


def _inquiry(side: str):
    def target(w):
        return [inquiry_of(w.member_a if side == "a" else w.member_b).pk], ""

    return target


def _inquiry_org(side: str, path: str = ""):
    def target(w):
        inquiry_of(w.member_a if side == "a" else w.member_b)
        org = w.branch_a if side == "a" else w.branch_b
        return [], f"?org={org.pk}{path}"

    return target


def _inquiry_version(w, args):
    return {"version": Inquiry.objects.unrestricted().get(pk=args[0]).version}


def _handoff_body(w, args):
    inquiry = Inquiry.objects.unrestricted().select_related("org").get(pk=args[0])
    to = w.member_a2 if inquiry.org_id == w.branch_a.pk else MemberFactory(name="赵财务", org=w.branch_b)
    return {"to_member": to.pk, "note": "请协助办理", "version": inquiry.version}


def _close_body(w, args):
    return {"result": "已当面答复", "satisfaction": "satisfied", **_inquiry_version(w, args)}


def _create_body(w, args):
    return {
        "asker": "赵来访",
        "channel": "phone",
        "content": "咨询组织关系转接",
        "asked_at": "2020-01-01T09:00:00+08:00",
        "first_person": w.member_a.pk,
    }


CASES |= {
    "voice:inquiries": Case(
        a_ok=_INQ_SEES_A - {"member_user_a"}, b_ok=_INQ_SEES_B, a=_inquiry_org("a"), b=_inquiry_org("b"), post=False
    ),
    "voice:inquiries_export": Case(
        a_ok=_INQ_SEES_A - {"member_user_a"}, b_ok=_INQ_SEES_B, a=_inquiry_org("a"), b=_inquiry_org("b"), post=False
    ),
    "voice:inquiry_stats": Case(
        a_ok=_INQ_SEES_A - {"member_user_a"}, b_ok=_INQ_SEES_B, a=_inquiry_org("a"), b=_inquiry_org("b"), post=False
    ),
    "voice:inquiry_stats_export": Case(
        a_ok=_INQ_SEES_A - {"member_user_a"}, b_ok=_INQ_SEES_B, a=_inquiry_org("a"), b=_inquiry_org("b"), post=False
    ),
    # everyone with a login: their own items; recording: a member (own record) or staff
    "voice:my_inquiries": Case(a_ok=set(PERSONAS), post=False),
    "voice:inquiry_create": Case(a_ok={"admin", "secretary_a", "committee_member_a", "member_user_a", "secretary_b"}),
    "voice:inquiry": Case(a_ok=_INQ_SEES_A, b_ok=_INQ_SEES_B, a=_inquiry("a"), b=_inquiry("b"), post=False),
    "voice:inquiry_handoff": Case(a_ok=_INQ_ACT_A, b_ok=_INQ_ACT_B, a=_inquiry("a"), b=_inquiry("b"), get=False),
    "voice:inquiry_close": Case(a_ok=_INQ_ACT_A, b_ok=_INQ_ACT_B, a=_inquiry("a"), b=_inquiry("b"), get=False),
}


def _api_inquiries(side: str):
    def target(w):
        _inquiry(side)(w)
        org = w.branch_a if side == "a" else w.branch_b
        return [], f"?org={org.pk}&page_size=100"

    return target


API_CASES |= {
    # a member's token lists the items they recorded or hold
    "api:voice_inquiries": ApiCase(
        a_ok=_INQ_SEES_A,
        b_ok=_INQ_SEES_B,
        a=_api_inquiries("a"),
        b=_api_inquiries("b"),
        also_post=True,
    ),
    "api:voice_inquiry": ApiCase(a_ok=_INQ_SEES_A, b_ok=_INQ_SEES_B, a=_inquiry("a"), b=_inquiry("b")),
    # for 王小明 (branch A): his own login or A's staff; B's secretary may record, but not for him
    "api:voice_inquiry_create": ApiCase(
        a_ok=_INQ_ACT_A,
        refused={"secretary_b": 422},
        method="post",
        body=_create_body,
        ok_status=201,
    ),
    # 王小明 holds A's item but sees no one to hand it to (422); B's side is walked by the page's case
    "api:voice_inquiry_handoff": ApiCase(
        a_ok={"admin", "secretary_a", "committee_member_a"},
        a=_inquiry("a"),
        method="post",
        body=_handoff_body,
        refused={"member_user_a": 422},
    ),
    "api:voice_inquiry_close": ApiCase(
        a_ok=_INQ_ACT_A, b_ok=_INQ_ACT_B, a=_inquiry("a"), b=_inquiry("b"), method="post", body=_close_body
    ),
}


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


def _consultation_cases() -> tuple[dict[str, Case], dict[str, ApiCase]]:
    from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, VIEWERS

    from .consultations_world import consultation_of, opinion_of, problem_of

    sees_a = {"admin", "secretary_a", "committee_member_a", "inspector"}
    change_b = {"admin", "secretary_b"}

    def org(attr, query=""):
        return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")

    def both(make, query="?page_size=100"):
        def target(w):
            make(w, "a"), make(w, "b")
            return [], query

        return target

    def one(make, name):
        return lambda w: ([make(w, name).pk], "")

    def opinion(name):
        return lambda w: ([opinion_of(w, name).pk], "")

    pages = {
        "voice:consultations": Case(a_ok=VIEWERS, a=both(consultation_of), post=False),
        "voice:consultations_export": Case(a_ok=VIEWERS, a=both(consultation_of), post=False),
        "voice:consultation_create": Case(a_ok=CHANGE_A, b_ok=change_b, a=org("branch_a"), b=org("branch_b")),
        "voice:consultation": Case(
            a_ok=sees_a, b_ok=B_SIDE, a=one(consultation_of, "a"), b=one(consultation_of, "b"), post=False
        ),
        "voice:consultation_edit": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(consultation_of, "a"), b=one(consultation_of, "b")
        ),
        "voice:opinion_add": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(consultation_of, "a"), b=one(consultation_of, "b")
        ),
        "voice:opinion_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b")),
        "voice:opinion_delete": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b"), get=False),
        "voice:opinion_problem": Case(a_ok=CHANGE_A, b_ok=change_b, a=opinion("a"), b=opinion("b")),
        # a member sees the problems they own; everyone else with a grant their scope's
        "voice:problems": Case(a_ok=set(PERSONAS), a=both(problem_of), post=False),
        "voice:problems_export": Case(a_ok=set(PERSONAS), a=both(problem_of), post=False),
        "voice:problem_summary": Case(a_ok=VIEWERS, a=both(problem_of, ""), post=False),
        "voice:problem_create": Case(a_ok=CHANGE_A, b_ok=change_b, a=org("branch_a"), b=org("branch_b")),
        "voice:problem": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=one(problem_of, "a"), b=one(problem_of, "b"), post=False),
        "voice:problem_edit": Case(a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b")),
        "voice:problem_start": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b"), get=False
        ),
        "voice:problem_finish": Case(a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b")),
        "voice:problem_reopen": Case(
            a_ok=CHANGE_A, b_ok=change_b, a=one(problem_of, "a"), b=one(problem_of, "b"), get=False
        ),
    }
    api = {
        "api:voice_consultations": ApiCase(
            a_ok=sees_a,
            b_ok=B_SIDE,
            a=lambda w: (consultation_of(w, "a"), ([], f"?org={w.branch_a.pk}&page_size=100"))[1],
            b=lambda w: (consultation_of(w, "b"), ([], f"?org={w.branch_b.pk}&page_size=100"))[1],
        ),
        "api:voice_problems": ApiCase(a_ok=set(PERSONAS), a=both(problem_of)),
        "api:voice_problem_summary": ApiCase(
            a_ok=sees_a,
            b_ok=B_SIDE,
            a=lambda w: (problem_of(w, "a"), ([], f"?org={w.branch_a.pk}"))[1],
            b=lambda w: (problem_of(w, "b"), ([], f"?org={w.branch_b.pk}"))[1],
        ),
    }
    return pages, api


_pages, _api = _consultation_cases()
CASES |= _pages
API_CASES |= _api
