"""Scope cases of the development URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta

from dangjian.core import clock
from dangjian.core.tests.scope_walk import CHANGE_A, VIEWERS, Case, obj
from dangjian.development.choices import CaseSource
from dangjian.development.models import Document, ExitCase

SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
SEES_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}


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


def _case_document(side: str):
    def target(w):
        (pk,), _ = _case(side)(w)
        case = ExitCase.objects.unrestricted().get(pk=pk)
        document, _ = Document.objects.unrestricted().get_or_create(
            case=case,
            defaults={
                "org": case.org,
                "file": "development/x.pdf",
                "name": "x.pdf",
                "size": 3,
                "content_type": "application/pdf",
            },
        )
        return [document.pk], ""

    return target


CASES: dict[str, Case] = {
    # the records (views.py)
    "development:list": Case(a_ok=VIEWERS, post=False),
    "development:detail": Case(a_ok=VIEWERS, a=lambda w: ([1], ""), post=False),  # placeholder: the pipeline lane's
    # the overview (overview_views.py)
    "development:funnel": Case(a_ok=VIEWERS, post=False),
    "development:due": Case(a_ok=VIEWERS, post=False),
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
    "development:case_document": Case(
        a_ok=SEES_A, b_ok=SEES_B, a=_case_document("a"), b=_case_document("b"), post=False, ok_status=404
    ),
}
