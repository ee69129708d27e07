"""Scope cases of the development URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import clock
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case, obj
from dangjian.development import documents, services
from dangjian.development.choices import CaseSource
from dangjian.development.models import Applicant, ExitCase

from .dev_world import new_applicant, person

# ── the records ──
SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
SEES_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _record(side: str):
    """A record in branch A (its secretary's) or branch B (its secretary's)."""

    def target(w):
        return [_applicant(w, side).pk], ""

    return target


# ── 出口 ──
def _case(side: str):
    """An open case of branch A's (or B's) member, written as exits.open_case would."""

    def target(w):
        member = w.member_a2 if side == "a" else w.member_b
        case, _ = ExitCase.objects.unrestricted().get_or_create(
            member=member,
            defaults={
                "org": member.org,
                "source": CaseSource.MANUAL,
                "opened_on": clock.today() - timedelta(days=3),
                "source_note": "群众反映",
            },
        )
        return [case.pk], ""

    return target


def _applicant(w, side: str):
    if side == "a":
        return new_applicant(w, 91)
    applied_on = clock.today() - timedelta(days=400)
    return services.create_applicant(by=w.secretary_b, org=w.branch_b, applied_on=applied_on, **person(92))


def _document(side: str):
    def target(w):
        applicant = _applicant(w, side)
        by = w.secretary_a if side == "a" else w.secretary_b
        upload = SimpleUploadedFile("申请书.png", PNG, content_type="image/png")
        return [documents.add_document(by=by, file=upload, applicant=applicant).pk], ""

    return target


def _records(**kwargs) -> Case:
    return Case(a=_record("a"), b=_record("b"), **kwargs)


# ── the overview and the API ──
def _org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


def _talk(w, args):
    """Step 2 (谈话) of the record, by a full member of its branch."""
    applicant = Applicant.objects.unrestricted().get(pk=args[0])
    talker = w.member_a2 if applicant.org_id == w.branch_a.pk else w.member_b
    return {"step": 2, "done_on": str(clock.today()), "people": [talker.pk], "version": applicant.version}


CASES: dict[str, Case] = {
    # the records (views.py)
    "development:list": Case(a_ok=VIEWERS, post=False),
    "development:export": Case(a_ok=VIEWERS, post=False),
    "development:create": Case(a_ok=CHANGE_A | CHANGE_B),
    "development:detail": _records(a_ok=SEES_A, b_ok=SEES_B, post=False),
    "development:person_file": _records(a_ok=SEES_A, b_ok=SEES_B, post=False),
    "development:edit": _records(a_ok=CHANGE_A, b_ok=CHANGE_B),
    "development:step": _records(a_ok=CHANGE_A, b_ok=CHANGE_B),
    "development:end": _records(a_ok=CHANGE_A, b_ok=CHANGE_B),
    "development:review_add": _records(a_ok=CHANGE_A, b_ok=CHANGE_B, get=False),
    "development:document_add": _records(a_ok=CHANGE_A, b_ok=CHANGE_B, get=False),
    "development:document": Case(a_ok=SEES_A, b_ok=SEES_B, a=_document("a"), b=_document("b"), post=False),
    "development:document_delete": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_document("a"), b=_document("b"), get=False),
    # the overview (overview_views.py)
    "development:funnel": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:due": Case(
        a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a", "&kind=probation"), b=_org("branch_b"), post=False
    ),
    "development:due_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:stats": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "development:stats_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    # 预备党员 on the roster (probation_views.py)
    "development:probation": Case(a_ok=VIEWERS, post=False),
    "development:probation_export": Case(a_ok=VIEWERS, post=False),
    "development:probation_start": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=obj("member_a"), b=obj("member_b"), get=False),
    # 出口 (case_views.py)
    "development:cases": Case(a_ok=VIEWERS, post=False),
    "development:cases_export": Case(a_ok=VIEWERS, post=False),
    "development:candidates": Case(a_ok=VIEWERS, post=False),
    "development:case_create": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?member={w.member_a2.pk}"),
        b=lambda w: ([], f"?member={w.member_b.pk}"),
    ),
    "development:case": Case(a_ok=SEES_A, b_ok=SEES_B, a=_case("a"), b=_case("b"), post=False),
    "development:case_action": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_case("a"), b=_case("b")),
    "development:case_measure": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_case("a"), b=_case("b")),
    "development:case_close": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_case("a"), b=_case("b")),
    "development:case_upload": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_case("a"), b=_case("b"), get=False),
}

API_CASES = {
    # the overview (api.py)
    "api:development_applicants": ApiCase(
        a_ok=A_SIDE, b_ok=B_SIDE, a=_org("branch_a", "&page_size=100"), b=_org("branch_b", "&page_size=100")
    ),
    "api:development_applicant": ApiCase(a_ok=SEES_A, b_ok=SEES_B, a=_record("a"), b=_record("b")),
    "api:development_step": ApiCase(
        a_ok=CHANGE_A, b_ok=CHANGE_B, a=_record("a"), b=_record("b"), method="post", body=_talk
    ),
    "api:development_funnel": ApiCase(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b")),
}
