"""Scope cases of the members URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from datetime import timedelta

from dangjian.core import clock
from dangjian.core.models import Job
from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, VIEWERS, ApiCase, Case, everything, obj
from dangjian.members.choices import TransferKind
from dangjian.members.importer.jobs import IMPORT_KIND
from dangjian.members.models import Member, Transfer


def import_job_of(user) -> Job:
    """A finished, clean preview: the one state that may be confirmed."""
    return Job.objects.create(
        kind=IMPORT_KIND,
        title="花名册导入预检",
        created_by=user,
        status=Job.Status.SUCCEEDED,
        params={"dry_run": True, "org_id": None, "update": False},
        result={"ok": True, "total_rows": 0, "mapping": [], "missing_columns": [], "preview": [], "errors": []},
    )


def letter_of(member, branch) -> Transfer:
    """A letter out of the system awaiting its receipt (the member stays on the branch's books as 转出)."""
    today = clock.today()
    return Transfer.objects.create(
        member=member,
        kind=TransferKind.OUT,
        transferred_on=today,
        from_org=branch,
        external_org="某市财政局机关党委",
        letter_number="组转字〔测试〕第0001号",
        letter_valid_until=today + timedelta(days=90),
    )


CASES: dict[str, Case] = {
    "members:list": Case(a_ok=VIEWERS, post=False),
    "members:export": Case(a_ok=VIEWERS, get=False),  # POST only: starts a job over the user's own scope
    "members:template": Case(a_ok=VIEWERS, post=False),
    "members:stats": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "members:stats_recount": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=obj("branch_a"),
        b=obj("branch_b"),
        get=False,
    ),
    "members:stats_export": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=lambda w: ([], f"?table=all&org={w.branch_a.pk}"),  # every table: a superset of each alone
        b=lambda w: ([], f"?table=all&org={w.branch_b.pk}"),
        post=False,
    ),
    "members:import": Case(a_ok={"admin", "secretary_a", "committee_member_a", "secretary_b"}),
    # An import job (preview or run) belongs to whoever uploaded the file.
    "members:import_job": Case(a_ok={"secretary_a"}, a=lambda w: ([import_job_of(w.secretary_a).pk], ""), post=False),
    "members:import_confirm": Case(
        a_ok={"secretary_a"}, a=lambda w: ([import_job_of(w.secretary_a).pk], ""), get=False
    ),
    # Logins for members: whoever may grant 党员 there (the secretary of the branch, the committee admin).
    "members:logins": Case(
        a_ok={"admin", "secretary_a"},
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "members:login_create": Case(
        a_ok={"admin", "secretary_a"}, b_ok={"admin", "secretary_b"}, a=obj("member_a2"), b=obj("member_b"), get=False
    ),
    "members:create": Case(a_ok={"admin", "secretary_a", "committee_member_a", "secretary_b"}),
    # The member form's group select for a branch: only a branch the persona may change (the form's own choices).
    "members:group_options": Case(
        a_ok=CHANGE_A,
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
        post=False,
    ),
    "members:detail": Case(
        a_ok=A_SIDE, b_ok={"admin", "secretary_b", "inspector"}, a=obj("member_a"), b=obj("member_b"), post=False
    ),
    "members:edit": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:status": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:transfer_out": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:transfer_in": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    "members:move": Case(a_ok=CHANGE_A, b_ok={"admin", "secretary_b"}, a=obj("member_a"), b=obj("member_b")),
    # --- transfers (介绍信, 回执): lane transfers ---
    "members:transfers": Case(a_ok=VIEWERS, post=False),
    "members:transfers_export": Case(a_ok=VIEWERS, post=False),
    "members:transfer_letter": Case(
        a_ok=VIEWERS - {"secretary_b"},
        b_ok={"admin", "secretary_b", "inspector"},
        a=lambda w: ([letter_of(w.member_a2, w.branch_a).pk], ""),
        b=lambda w: ([letter_of(w.member_b, w.branch_b).pk], ""),
        post=False,
    ),
    "members:transfer_receipt": Case(
        a_ok=CHANGE_A,
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([letter_of(w.member_a2, w.branch_a).pk], ""),
        b=lambda w: ([letter_of(w.member_b, w.branch_b).pk], ""),
    ),
    # --- end transfers ---
}

API_CASES: dict[str, ApiCase] = {
    # --- transfers: lane transfers ---
    "api:transfer_list": ApiCase(a_ok=VIEWERS, a=everything()),
    "api:transfer_receipt": ApiCase(
        a_ok=CHANGE_A,
        b_ok={"admin", "secretary_b"},
        a=lambda w: ([letter_of(w.member_a2, w.branch_a).pk], ""),
        b=lambda w: ([letter_of(w.member_b, w.branch_b).pk], ""),
        method="post",
        body=lambda w, args: {"received_on": clock.today().isoformat()},
    ),
    # --- end transfers ---
    "api:member_list": ApiCase(a_ok=VIEWERS, a=everything("&status=all")),
    "api:member_detail": ApiCase(a_ok=A_SIDE, b_ok=B_SIDE, a=obj("member_a"), b=obj("member_b")),
    "api:member_update": ApiCase(
        a_ok=CHANGE_A,
        b_ok={"admin", "secretary_b"},
        a=obj("member_a"),
        b=obj("member_b"),
        method="patch",
        body=lambda w, args: {"position": "接口修改", "version": Member.objects.unrestricted().get(pk=args[0]).version},
    ),
}
