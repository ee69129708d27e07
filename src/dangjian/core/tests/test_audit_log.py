"""The audit log as an inspector reads it: Chinese labels, names, masking, scope, filters, export, IPs, logins."""

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core import audit_log
from dangjian.core.audit import audit_event, job_context
from dangjian.core.audit_log import AuditFilter, audit_entries, present
from dangjian.core.models import RoleGrant, User
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Dangjian#2026"  # UserFactory's password
IP = "203.0.113.7"


def entries_of(obj, action=None):
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).order_by(
        "-timestamp", "-id"
    )
    return entries.filter(action=action) if action is not None else entries


def row_of(entry, viewer):
    return present([entry], viewer)[0]


def changes(row) -> dict[str, tuple[str, str]]:
    return {c.label: (c.old.text, c.new.text) for c in row.changes}


def test_an_edit_in_words_verbose_names_choice_labels_old_and_new(world):
    world.member_a.education = "postgraduate"
    world.member_a.save()
    row = row_of(entries_of(world.member_a, LogEntry.Action.UPDATE).first(), world.admin)
    assert (row.kind_label, row.model_label) == ("修改", "党员")
    assert changes(row)["学历"][1] == "研究生"
    assert "education" not in changes(row) and "版本" not in changes(row) and "version" not in changes(row)


def test_a_new_member_names_its_org_and_hides_internal_fields(world):
    member = MemberFactory(name="赵新", org=world.branch_a, group=world.group_a)
    row = row_of(entries_of(member, LogEntry.Action.CREATE).get(), world.admin)
    shown = changes(row)
    assert row.kind_label == "新增"
    assert shown["所在党支部"] == ("—", "办公室党支部") and shown["所在党小组"] == ("—", "第一党小组")
    assert shown["性别"][1] in {"男", "女"}
    labels = set(shown)
    assert not labels & {"id", "name_pinyin", "name_initials", "version", "created_at", "updated_at"}
    assert all("members.Member.None" not in new for _, new in shown.values())
    org_row = row_of(entries_of(world.branch_a, LogEntry.Action.CREATE).get(), world.admin)
    assert not set(changes(org_row)) & {"path", "depth", "numchild", "路径", "层级"}
    assert "group_members" not in (entries_of(world.branch_a).first().changes or {})


def test_a_foreign_key_shows_the_objects_name_or_that_it_was_deleted(world):
    grant = RoleGrant.objects.create(user=world.secretary_b, role=Role.SECRETARY, org=world.branch_a)
    shown = changes(row_of(entries_of(grant, LogEntry.Action.CREATE).get(), world.admin))
    assert shown["组织"][1] == "办公室党支部"
    assert shown["用户"][1] == str(world.secretary_b)
    assert shown["角色"][1] == "支部书记"
    entry = entries_of(grant, LogEntry.Action.CREATE).get()
    entry.changes["user"] = ["None", "987654"]
    assert changes(row_of(entry, world.admin))["用户"][1] == "（已删除，编号 987654）"


def test_an_inspector_reads_personal_data_masked_in_changes_an_admin_the_birth_date(world):
    member = MemberFactory(org=world.branch_a, birth_date=date(1990, 5, 17))
    entry = entries_of(member, LogEntry.Action.CREATE).get()
    for viewer in (world.inspector, world.admin):  # ID number and phone are masked when written, for everyone
        shown = changes(row_of(entry, viewer))
        assert member.id_number not in str(shown) and member.phone not in str(shown)
        assert shown["公民身份号码"][1].endswith(member.id_number[-4:]) and shown["公民身份号码"][1].startswith("*")
    assert changes(row_of(entry, world.inspector))["出生日期"][1] == "****-**-**"
    assert changes(row_of(entry, world.admin))["出生日期"][1] == "1990-05-17"
    member.phone, member.birth_date = "13912345678", date(1991, 1, 1)
    member.save()
    update = changes(row_of(entries_of(member, LogEntry.Action.UPDATE).first(), world.inspector))
    assert update["出生日期"] == ("****-**-**", "****-**-**")
    assert "13912345678" not in str(update) and update["联系电话"][1].endswith("5678")
    page = Client()
    page.force_login(world.inspector)
    html = page.get(reverse("core:audit")).content.decode()
    assert "1991-01-01" not in html and "13912345678" not in html and member.id_number not in html


def test_the_inspector_reads_the_log_of_its_subtree_only(world):
    for path, label in ((world.branch_a.path, "甲支部的事件"), (world.branch_b.path, "乙支部的事件")):
        audit_event(actor=world.admin, target=Member, object_repr=label, action=LogEntry.Action.ACCESS, org_path=path)
    inspector_b = UserFactory(username="inspector_b")
    RoleGrant.objects.create(user=inspector_b, role=Role.INSPECTOR, org=world.branch_b)
    client = Client()
    client.force_login(inspector_b)
    page = client.get(reverse("core:audit")).content.decode()
    assert "乙支部的事件" in page and "甲支部的事件" not in page
    client.force_login(world.inspector)  # over the whole tree
    page = client.get(reverse("core:audit")).content.decode()
    assert "乙支部的事件" in page and "甲支部的事件" in page


def test_the_page_shows_labels_and_a_long_value_cut_with_the_whole_one_click_away(world, client_for):
    world.member_a.position = "长" * 100
    world.member_a.save()
    page = client_for(world.admin).get(reverse("core:audit")).content.decode()
    assert "修改" in page and "工作岗位/职务" in page and "<details" in page
    assert "长" * 80 + "…" in page and "长" * 100 in page  # short in the summary, whole inside
    assert "members.Member.None" not in page and ">create<" not in page


def at(day: date):
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_filters_time_range_kind_model_operator_org(world):
    LogEntry.objects.all().delete()
    e_a = audit_event(actor=world.secretary_a, target=Member, object_repr="甲", action=2, org_path=world.branch_a.path)
    e_b = audit_event(actor=world.secretary_b, target=Member, object_repr="乙", action=0, org_path=world.branch_b.path)
    e_x = audit_event(
        actor=world.admin, target=Member, object_repr="导出", action=3, org_path=world.committee.path, data={"rows": 3}
    )
    e_u = audit_event(actor=world.admin, target=User, object_repr="用户", action=1, org_path=world.committee.path)
    e_v = audit_event(actor=world.admin, target=User, object_repr="查看", action=3, org_path=world.committee.path)
    LogEntry.objects.filter(pk=e_a.pk).update(timestamp=at(date(2026, 3, 1)))
    LogEntry.objects.filter(pk=e_b.pk).update(timestamp=at(date(2026, 3, 5)))

    def found(**query):
        f = AuditFilter.from_query(query)
        assert not f.errors
        return set(audit_entries(world.admin, f).values_list("pk", flat=True))

    assert found(date_from="2026-03-01", date_to="2026-03-04") == {e_a.pk}
    assert found(date_from="2026-03-05", date_to="2026-03-05") == {e_b.pk}
    assert found(kind="delete") == {e_a.pk}
    assert found(kind="export") == {e_x.pk}
    assert found(kind="create") == {e_b.pk}
    assert found(kind="access") == {e_v.pk}  # no "event" key in its data: still matched (not NULL in SQL)
    assert found(model="user") == {e_u.pk, e_v.pk}
    assert found(actor="secretary_b") == {e_b.pk}
    assert found(org="财务处") == {e_b.pk}
    assert found(org="第一党总支") == {e_a.pk}
    assert AuditFilter.from_query({"date_from": "2026-13-01"}).errors == [audit_log.ERR_DATE]


def test_pages_past_a_capped_count_and_the_deepest_page(world, client_for, monkeypatch):
    monkeypatch.setattr(audit_log, "COUNT_CAP", 5)
    monkeypatch.setattr(audit_log, "PAGE_SIZE", 2)
    LogEntry.objects.all().delete()
    for n in range(9):
        audit_event(actor=world.admin, target=Member, object_repr=f"事件{n}", action=3, org_path=world.committee.path)
    client = client_for(world.admin)
    page = client.get(reverse("core:audit") + "?page=4").content.decode()
    # Newest first: page 4 holds the 7th and 8th newest; the total is not counted past the cap, the pages go on.
    assert "事件2" in page and "事件1" in page and "事件3" not in page
    assert "超过 5 条记录" in page and "第 4 页" in page and "page=5" in page and "page=3" in page
    last = client.get(reverse("core:audit") + "?page=5").content.decode()
    assert "事件0" in last and "page=6" not in last
    assert "没有记录" in client.get(reverse("core:audit") + "?page=99").content.decode()  # past the end
    monkeypatch.setattr(audit_log, "MAX_PAGE", 3)
    deepest = client.get(reverse("core:audit") + "?page=4").content.decode()
    assert "第 3 页" in deepest and "page=4" not in deepest
    monkeypatch.setattr(audit_log, "COUNT_CAP", 100)
    monkeypatch.setattr(audit_log, "MAX_PAGE", 2000)
    assert "共 9 条记录" in client.get(reverse("core:audit")).content.decode()
    assert "事件0" in client.get(reverse("core:audit") + "?page=99").content.decode()  # counted: the last page


def export(client, **filters):
    return client.post(reverse("core:audit_export"), filters, REMOTE_ADDR=IP)


def sheet_rows(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_the_export_holds_the_filtered_rows_and_is_audited_with_the_ip(world, client_for):
    for path, label in ((world.branch_a.path, "甲支部的事件"), (world.branch_b.path, "乙支部的事件")):
        audit_event(actor=world.admin, target=Member, object_repr=label, action=LogEntry.Action.ACCESS, org_path=path)
    response = export(client_for(world.inspector), org="财务处", kind="access")
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][:4] == ["时间", "操作人", "IP 地址", "操作"]
    assert [r[5] for r in rows[1:]] == ["乙支部的事件"]
    entry = LogEntry.objects.filter(additional_data__event="export").get()
    assert (entry.actor, entry.remote_addr, entry.object_repr) == (world.inspector, IP, "审计日志导出")
    assert entry.additional_data["rows"] == 1 and entry.additional_data["filters"] == {
        "org": "财务处",
        "kind": "access",
    }
    assert row_of(entry, world.admin).kind_label == "导出"


def test_an_export_past_the_limit_asks_to_narrow_the_filter(world, client_for, monkeypatch):
    monkeypatch.setattr(audit_log, "EXPORT_MAX_ROWS", 1)
    for n in range(2):
        audit_event(actor=world.admin, target=Member, object_repr=f"事件{n}", action=3, org_path=world.committee.path)
    response = export(client_for(world.admin))
    assert response.status_code == 302
    assert not LogEntry.objects.filter(additional_data__event="export").exists()
    page = client_for(world.admin).get(response.url).content.decode()
    assert "请缩小时间范围" in page


def test_a_page_edit_records_the_ip(world, client_for):
    grant = world.secretary_a.grants[0]
    response = client_for(world.admin).post(reverse("core:grant_revoke", args=[grant.pk]), REMOTE_ADDR=IP)
    assert response.status_code == 302
    entry = entries_of(grant, LogEntry.Action.UPDATE).first()
    assert (entry.actor, entry.remote_addr) == (world.admin, IP)


def test_x_forwarded_for_only_from_a_trusted_proxy(world, client_for, settings):
    grant = world.secretary_a.grants[0]
    headers = {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.9", "REMOTE_ADDR": "10.0.0.1"}
    settings.TRUST_X_FORWARDED_FOR = False
    client_for(world.admin).post(reverse("core:grant_revoke", args=[grant.pk]), **headers)
    assert entries_of(grant, LogEntry.Action.UPDATE).first().remote_addr == "10.0.0.1"
    settings.TRUST_X_FORWARDED_FOR = True  # the proxy appended the client's address last; the first is the client's
    client_for(world.admin).post(reverse("core:grant_revoke", args=[world.secretary_b.grants[0].pk]), **headers)
    assert entries_of(world.secretary_b.grants[0], LogEntry.Action.UPDATE).first().remote_addr == "198.51.100.9"


def test_logins_failed_logins_and_sign_outs_are_entries_with_ip_and_org(world):
    client = Client(REMOTE_ADDR=IP)
    LogEntry.objects.all().delete()
    client.post(reverse("login"), {"username": "secretary_a", "password": "wrong"})
    client.post(reverse("login"), {"username": "nobody_such", "password": "wrong"})
    client.post(reverse("login"), {"username": "secretary_a", "password": PASSWORD})
    client.post(reverse("logout"))
    entries = list(LogEntry.objects.order_by("id"))
    assert [e.additional_data["event"] for e in entries] == ["login_failed", "login_failed", "login", "logout"]
    assert {e.remote_addr for e in entries} == {IP}
    failed, unknown, login, logout = entries
    assert failed.object_id == world.secretary_a.pk and failed.actor is None
    assert failed.additional_data["org_path"] == world.branch_a.path
    assert unknown.object_repr == "nobody_such" and unknown.additional_data["org_path"] == world.committee.path
    assert "wrong" not in str(unknown.additional_data)
    assert login.actor == world.secretary_a and login.additional_data["org_path"] == world.branch_a.path
    assert [row_of(e, world.admin).kind_label for e in entries] == ["登录失败", "登录失败", "登录", "退出"]
    f = AuditFilter.from_query({"kind": "login_failed"})
    assert set(audit_entries(world.admin, f)) == {failed, unknown}
    # A branch's inspector sees the failed logins of its people, not those of unknown names (filed at the root).
    inspector_a = UserFactory(username="inspector_a")
    RoleGrant.objects.create(user=inspector_a, role=Role.INSPECTOR, org=world.branch_a)
    assert set(audit_entries(inspector_a, f)) == {failed}


def test_a_jobs_entries_name_its_user_ip_and_job(world):
    with job_context(actor=world.secretary_a, remote_addr="198.51.100.2", job_id=42):
        entry = audit_event(actor=None, target=Member, object_repr="导入", action=0, org_path=world.branch_a.path)
    entry.refresh_from_db()
    assert (entry.actor, entry.remote_addr, entry.additional_data["job"]) == (world.secretary_a, "198.51.100.2", 42)
    assert row_of(entry, world.admin).job == 42


def test_a_job_started_in_a_request_keeps_its_ip(world, client_for, django_capture_on_commit_callbacks):
    from dangjian.core.models import Job

    # The roster export starts a job, run after the request (as the worker would): its entry carries the IP of the
    # page that started it.
    client = client_for(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:export"), REMOTE_ADDR=IP)
    job = Job.objects.filter(created_by=world.secretary_a).latest("pk")
    assert job.remote_addr == IP
    entry = LogEntry.objects.filter(additional_data__has_key="rows").latest("pk")
    assert (entry.remote_addr, entry.actor, entry.additional_data["job"]) == (IP, world.secretary_a, job.pk)
    assert row_of(entry, world.admin).kind_label == "导出"


def test_the_scale_producer_writes_n_entries_fast(db):
    import time as clock_time

    from dangjian.core import clock
    from dangjian.core.scale import scale_seed

    before = LogEntry.objects.count()
    started = clock_time.perf_counter()
    result = scale_seed(members=40, orgs=8, audit_entries=600, today=clock.today())
    assert clock_time.perf_counter() - started < 30
    assert LogEntry.objects.count() - before == 600 == result.counts["审计日志"]
    entries = LogEntry.objects.all()
    assert all(e.remote_addr and e.timestamp for e in entries)
    assert all(e.additional_data["org_path"] for e in entries if e.object_repr != "gw_unknown")
    assert {row_of(e, e.actor or User(is_superuser=True)).kind_label for e in entries} >= {"新增", "修改", "登录"}


def test_an_api_token_write_records_the_ip_and_the_tokens_user(world, client):
    import json

    from dangjian.core.services import token_create

    _, key = token_create(acting_user=world.secretary_a, name="集成")
    response = client.patch(
        reverse("api:member_update", args=[world.member_a.pk]),
        json.dumps({"position": "副处长", "version": world.member_a.version}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 200, response.content
    entry = entries_of(world.member_a, LogEntry.Action.UPDATE).first()
    assert (entry.actor, entry.remote_addr) == (world.secretary_a, IP)
    assert changes(row_of(entry, world.admin))["工作岗位/职务"][1] == "副处长"
