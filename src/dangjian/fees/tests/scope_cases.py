"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

import uuid

from dangjian.core import clock
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case, obj
from dangjian.fees import ledger, rules
from dangjian.fees.models import LedgerLine
from dangjian.fees.payments import record_payment

from .fee_world import fee_world
from .remit_world import remittance_of

SEES_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
SEES_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}


def _with_fees(query):
    def target(w):
        fee_world(w)
        return [], query(w)

    return target


def _org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


def _payment(attr: str):
    """A payment of this month by the member of branch A or B (their line written first)."""

    def target(w):
        member, by = (w.member_a, w.secretary_a) if attr == "a" else (w.member_b, w.secretary_b)
        ledger.seed_roster_bases()
        month = rules.month_first(clock.today())
        ledger.generate_month(month)
        line = LedgerLine.objects.unrestricted().get(member=member, month=month)
        payment = record_payment(
            by=by,
            member=member,
            months=[month],
            amount_fen=line.owed_fen,
            paid_on=clock.today(),
            method="cash",
            submission_key=uuid.uuid5(uuid.NAMESPACE_OID, f"scope-{attr}"),
        )
        return [payment.pk], ""

    return target


CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
    # bases and the yearly 核定
    "fees:bases": Case(a_ok=VIEWERS, post=False),
    "fees:bases_export": Case(a_ok=VIEWERS, post=False),
    "fees:member": Case(a_ok=SEES_A, b_ok=SEES_B, a=obj("member_a"), b=obj("member_b")),
    "fees:check": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "fees:check_download": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "fees:check_confirm": Case(a_ok=CHANGE_A, a=lambda w: ([], f"?org={w.branch_a.pk}"), get=False),
    # payments
    "fees:pay": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?member={w.member_a.pk}"),
        b=lambda w: ([], f"?member={w.member_b.pk}"),
    ),
    "fees:pay_month": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:pay_import": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:payments": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:payments_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:payment_reverse": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_payment("a"), b=_payment("b")),
    # remittances, reconciliation, reports
    "fees:remit": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:remit_reverse": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([remittance_of(w.branch_a).pk], ""),
        b=lambda w: ([remittance_of(w.branch_b).pk], ""),
    ),
    "fees:remit_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:reconcile": Case(
        a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a", "&view=children"), b=_org("branch_b"), post=False
    ),
    "fees:reconcile_totals": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:reconcile_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report_print": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:report_export": Case(a_ok=SEES_A, b_ok=SEES_B, a=_org("branch_a"), b=_org("branch_b"), post=False),
    # a member's own page: everyone signed in (a login without a member record: a page saying so)
    "fees:mine": Case(a_ok=VIEWERS | {"member_user_a"}, a=_with_fees(lambda w: ""), post=False),
}

API_CASES = {
    name: ApiCase(
        a_ok=A_SIDE,
        b_ok=B_SIDE,
        a=_with_fees(lambda w: f"?org={w.branch_a.pk}&page_size=100"),
        b=_with_fees(lambda w: f"?org={w.branch_b.pk}&page_size=100"),
    )
    for name in ("api:fee_bases", "api:fee_ledger", "api:fee_payments")
}
