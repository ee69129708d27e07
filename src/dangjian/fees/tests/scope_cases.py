"""Scope cases of the fees URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import CHANGE_A, VIEWERS, Case, obj

# ── lane bases ──
VIEW_A = {"admin", "secretary_a", "committee_member_a", "inspector"}
VIEW_B = {"admin", "secretary_b", "inspector"}
CHANGE_B = {"admin", "secretary_b"}
# ── end lane bases ──

CASES: dict[str, Case] = {
    # ledger
    "fees:ledger": Case(a_ok=VIEWERS, post=False),
    # ── lane bases: 党费基数 and the yearly 核定 ──
    "fees:bases": Case(a_ok=VIEWERS, post=False),
    "fees:bases_export": Case(a_ok=VIEWERS, post=False),
    "fees:member": Case(a_ok=VIEW_A, b_ok=VIEW_B, a=obj("member_a"), b=obj("member_b")),
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
    # ── end lane bases ──
}

API_CASES: dict = {}

# ── lane payments ──
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A  # noqa: E402

CHANGE_B = {"admin", "secretary_b"}
SEES_A = VIEWERS - {"secretary_b"}
assert SEES_A <= A_SIDE


def _org(attr: str, query: str = ""):
    return lambda w: ([], f"?org={getattr(w, attr).pk}{query}")


def _payment(attr: str):
    """A payment of this month by the member of branch A or B (their line written first)."""

    def target(w):
        import uuid  # noqa: PLC0415

        from dangjian.core import clock  # noqa: PLC0415
        from dangjian.fees import ledger, rules  # noqa: PLC0415
        from dangjian.fees.models import LedgerLine  # noqa: PLC0415
        from dangjian.fees.payments import record_payment  # noqa: PLC0415

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


CASES |= {
    "fees:pay": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?member={w.member_a.pk}"),
        b=lambda w: ([], f"?member={w.member_b.pk}"),
    ),
    "fees:pay_month": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:pay_import": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_org("branch_a"), b=_org("branch_b")),
    "fees:payments": Case(a_ok=SEES_A, b_ok=B_SIDE, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:payments_export": Case(a_ok=SEES_A, b_ok=B_SIDE, a=_org("branch_a"), b=_org("branch_b"), post=False),
    "fees:payment_reverse": Case(a_ok=CHANGE_A, b_ok=CHANGE_B, a=_payment("a"), b=_payment("b")),
}
# ── end lane payments ──
