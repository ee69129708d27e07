"""Scope cases of the project's own and core's URLs: how each answers every persona (see scope_walk.py)."""

from django.core.files.base import ContentFile

from dangjian.core.models import Job
from dangjian.core.services import token_create
from dangjian.core.tests.scope_walk import PERSONAS, ApiCase, Case, obj


def job_of(user, output: str = "") -> Job:
    job = Job.objects.create(kind="test", title="导出花名册", created_by=user, status=Job.Status.SUCCEEDED)
    if output:
        job.output_file.save(output, ContentFile(b"xlsx"), save=True)
        job.result = {"filename": output}
        job.save()
    return job


CASES: dict[str, Case] = {
    "login": Case(a_ok=set(PERSONAS), ok_status=302, post=False),  # signed-in users are sent home
    "logout": Case(a_ok=set(PERSONAS), get=False, post=False),
    "password_change": Case(a_ok=set(PERSONAS), post=False),
    "password_change_done": Case(a_ok=set(PERSONAS), post=False),
    "core:home": Case(a_ok=set(PERSONAS), post=False),
    "core:scope_switch": Case(a_ok=set(PERSONAS), get=False, post=False),  # tested in test_views_shell
    # The audit log: committee admins and inspectors (纪检/监督), each of their own subtree.
    "core:audit": Case(a_ok={"admin", "inspector"}),
    "core:audit_export": Case(a_ok={"admin", "inspector"}, get=False),
    # 账号与权限: committee admins and secretaries (each sees the accounts of their own scope).
    "core:grants": Case(a_ok={"admin", "secretary_a", "secretary_b"}),
    # A member's login: managed by branch A's secretary and the admin; secretary B's login by the admin only.
    "core:password_reset": Case(
        a_ok={"admin", "secretary_a"}, b_ok={"admin"}, a=obj("member_user_a"), b=obj("secretary_b"), get=False
    ),
    "core:unlock": Case(
        a_ok={"admin", "secretary_a"}, b_ok={"admin"}, a=obj("member_user_a"), b=obj("secretary_b"), get=False
    ),
    # The one download of a result page: without the page's signed rows it is 404 for everyone
    # (test_accounts_credentials.py downloads with them).
    "core:credentials_download": Case(a_ok=set(), get=False),
    "core:grant_revoke": Case(
        a_ok={"admin"},
        b_ok={"admin"},
        a=lambda w: ([w.secretary_a.grants[0].pk], ""),
        b=lambda w: ([w.secretary_b.grants[0].pk], ""),
        get=False,
    ),
    # Two-step login is off in these tests: the code page sends everyone on (test_second_factor.py has it on).
    "core:second_factor": Case(a_ok=set(PERSONAS), ok_status=302, post=False),
    "core:second_factor_reset": Case(a_ok={"admin"}, a=lambda w: ([w.secretary_a.pk], ""), get=False),
    # A job and its file belong to whoever started it (secretary A here), whatever their roles.
    "core:job_detail": Case(a_ok={"secretary_a"}, a=lambda w: ([job_of(w.secretary_a).pk], ""), post=False),
    "core:job_download": Case(
        a_ok={"secretary_a"}, a=lambda w: ([job_of(w.secretary_a, "out.xlsx").pk], ""), post=False
    ),
    # The system's state: administrators (committee admins, superusers); the probe answers anyone, even signed out.
    "core:health": Case(a_ok={"admin"}),
    "core:healthz": Case(a_ok=set(PERSONAS), post=False),
    # API tokens: every user with a grant has their own; only the owner sees or revokes one.
    "core:tokens": Case(a_ok=set(PERSONAS), post=False),
    "core:token_revoke": Case(
        a_ok={"secretary_a"}, a=lambda w: ([token_create(acting_user=w.secretary_a, name="集成")[0].pk], ""), get=False
    ),
}

API_CASES: dict[str, ApiCase] = {
    "api:api-root": ApiCase(public=True),
    "api:openapi-json": ApiCase(public=True),
    "api:openapi-view": ApiCase(public=True),
}
