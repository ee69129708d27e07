"""Self-reported study on the pages: a member reports on the phone form (nothing counts until the branch approves),
each bad input refused with its Chinese message beside the field and nothing written, the branch's list (pending
first, filters, paging, xlsx, a fixed number of queries), one report with its certificate, the review (stale forms
refused), withdrawing, and who sees what."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.study import rules, services
from dangjian.study.choices import ReportState, StudyKind
from dangjian.study.models import MemberYear, Report

from .study_world import PDF, PNG, certificate, report_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(clock):
    return clock.set(clock.today())  # 10:00 in China today


def member_b_login(world):
    """A login for branch B's member 李秀英 (the world gives her none)."""
    user = UserFactory(username="member_b", full_name="李秀英")
    RoleGrant.objects.create(user=user, role=Role.MEMBER, org=world.branch_b)
    Member.objects.unrestricted().filter(pk=world.member_b.pk).update(user=user)
    return type(user).objects.get(pk=user.pk)


def hours_of(member, year: int) -> Decimal:
    row = MemberYear.objects.unrestricted().filter(member=member, year=year).first()
    return row.hours if row else Decimal(0)


def form_data(today, **overrides):
    data = {
        "course": "学习贯彻党的二十届四中全会精神网络专题班",
        "provider": "中国干部网络学院",
        "kind": StudyKind.ONLINE.value,
        "studied_on": today.isoformat(),
        "hours": "6.5",
        "certificate": SimpleUploadedFile("结业证书.png", PNG, content_type="image/png"),
    }
    return data | overrides


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def review(client, report, decision, comment="", version=None):
    data = {"decision": decision, "comment": comment, "version": version or report.version}
    return client.post(reverse("study:report_review", args=[report.pk]), data)


# ── reporting on the phone form ───────────────────────────────────────────────────────────────────────────────────
def test_the_form_offers_what_a_phone_needs(world, today, client_for):
    page = client_for(world.member_user_a).get(reverse("study:report_create")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*,application/pdf"' in page
    assert 'step="0.1"' in page
    assert f'max="{today.isoformat()}"' in page  # the date picker offers no day after today
    for kind in services.REPORT_KINDS:
        assert kind.label in page
    assert StudyKind.CENTRAL.label not in page
    assert "---------" not in page and "请选择…" in page


def test_a_member_reports_and_the_secretary_approves_on_the_pages(world, today, client_for):
    client = client_for(world.member_user_a)
    response = client.post(reverse("study:report_create"), form_data(today))
    assert response.status_code == 302
    report = Report.objects.unrestricted().get()
    assert (report.member, report.org, report.state) == (world.member_a, world.branch_a, ReportState.PENDING)
    assert (report.hours, report.certificate_type) == (Decimal("6.5"), "image/png")
    assert report.certificate_name == "结业证书.png"
    assert hours_of(world.member_a, today.year) == 0  # pending counts nothing
    mine = client.get(response["Location"]).content.decode()
    assert "待审核" in mine and "暂不计入" in mine and "学习贯彻党的二十届四中全会精神网络专题班" in mine

    secretary = client_for(world.secretary_a)
    listed = secretary.get(reverse("study:reports")).content.decode()
    assert "王小明" in listed and "中国干部网络学院" in listed and "待审核" in listed
    detail = secretary.get(reverse("study:report", args=[report.pk])).content.decode()
    assert f'<img src="{reverse("study:certificate", args=[report.pk])}"' in detail
    assert 'data-testid="review-form"' in detail
    response = review(secretary, report, services.REVIEW_APPROVE)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED and report.reviewed_by == world.secretary_a
    assert hours_of(world.member_a, today.year) == Decimal("6.5")

    mine = client_for(world.member_user_a).get(reverse("study:mine")).content.decode()
    assert '<div class="fs-3 fw-bold" data-testid="mine-hours">6.5</div>' in mine
    assert "已认定" in mine and "自学认定 6.5 学时" in mine


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"hours": "0"}, "hours", rules.ERR_HOURS_POSITIVE),
        ({"hours": "25"}, "hours", rules.ERR_HOURS_DAY),
        ({"hours": "2.55"}, "hours", "小数点后最多 1 位"),
        ({"hours": ""}, "hours", "请填写此项"),
        ({"kind": StudyKind.CENTRAL.value}, "kind", "请从列表中选择一项"),
        ({"course": "课" * 201}, "course", "最多 200 个字（现有 201 个）"),
        ({"certificate": SimpleUploadedFile("证书.txt", b"hello", content_type="text/plain")}, "certificate", ".txt"),
        ({"certificate": SimpleUploadedFile("证书.doc", PNG, content_type="image/png")}, "certificate", "PDF"),
        ({"certificate": SimpleUploadedFile("证书.png", PDF, content_type="image/png")}, "certificate", "是 PDF 文件"),
        (
            {"certificate": SimpleUploadedFile("证书.png", b"", content_type="image/png")},
            "certificate",
            "上传的文件是空的",
        ),
        ({"certificate": ""}, "certificate", "请填写此项"),
    ],
)
def test_bad_input_shows_its_message_beside_the_field_and_writes_nothing(
    world, today, client_for, settings, overrides, field, message
):
    response = client_for(world.member_user_a).post(reverse("study:report_create"), form_data(today, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    errors = response.context["form"].errors.get(field, [])
    assert any(message in e for e in errors), errors
    assert f'data-field="{field}"' in page  # beside its field, not at the top
    assert not Report.objects.unrestricted().exists()
    assert stored_files(settings) == []


def test_a_future_date_is_refused(world, today, tomorrow, client_for, settings):
    response = client_for(world.member_user_a).post(
        reverse("study:report_create"), form_data(today, studied_on=tomorrow.isoformat())
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不能晚于今天" in page and 'data-field="studied_on"' in page
    assert not Report.objects.unrestricted().exists()
    assert stored_files(settings) == []


def test_a_pdf_certificate_is_accepted_and_linked(world, today, client_for):
    data = form_data(today, certificate=SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"))
    assert client_for(world.member_user_a).post(reverse("study:report_create"), data).status_code == 302
    report = Report.objects.unrestricted().get()
    assert report.certificate_type == "application/pdf"
    page = client_for(world.secretary_a).get(reverse("study:report", args=[report.pk])).content.decode()
    assert "<img" not in page.split('data-testid="report-certificate"')[1].split("</div>\n</div>")[0]
    assert f'href="{reverse("study:certificate", args=[report.pk])}"' in page and "证明.pdf" in page
    response = client_for(world.secretary_a).get(reverse("study:certificate", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_login_without_a_member_record_gets_a_clear_page(world, today, client_for):
    client = client_for(world.secretary_a)
    response = client.get(reverse("study:report_create"))
    assert response.status_code == 200
    assert "您的账号未关联党员信息" in response.content.decode()
    response = client.post(reverse("study:report_create"), form_data(today))
    assert response.status_code == 200 and "您的账号未关联党员信息" in response.content.decode()
    assert not Report.objects.unrestricted().exists()


# ── who sees what ─────────────────────────────────────────────────────────────────────────────────────────────────
def test_member_bs_report_is_invisible_to_branch_a(world, today, client_for):
    theirs = report_of(member_b_login(world), days_ago=0)
    for user in (world.secretary_a, world.member_user_a, world.committee_member_a):
        client = client_for(user)
        for name in ("study:report", "study:certificate"):
            assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, (user, name)
        assert review(client, theirs, services.REVIEW_APPROVE).status_code == 404
        assert client.post(reverse("study:report_withdraw", args=[theirs.pk])).status_code == 404
    listed = client_for(world.secretary_a).get(reverse("study:reports")).content.decode()
    assert "李秀英" not in listed
    assert client_for(world.secretary_a).get(reverse("study:reports") + f"?org={world.branch_b.pk}").status_code == 404
    assert client_for(world.member_user_a).get(reverse("study:reports")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == ReportState.PENDING
    assert client_for(world.secretary_b).get(reverse("study:report", args=[theirs.pk])).status_code == 200


def test_a_member_sees_their_own_report_but_cannot_review_it(world, today, client_for):
    own = report_of(world.member_user_a, days_ago=0)
    client = client_for(world.member_user_a)
    page = client.get(reverse("study:report", args=[own.pk])).content.decode()
    assert "王小明" in page and "review-form" not in page and "撤回申报" in page
    assert client.get(reverse("study:certificate", args=[own.pk])).status_code == 200
    assert review(client, own, services.REVIEW_APPROVE).status_code == 404
    inspector = client_for(world.inspector)
    page = inspector.get(reverse("study:report", args=[own.pk])).content.decode()
    assert "王小明" in page and "review-form" not in page
    assert review(inspector, own, services.REVIEW_APPROVE).status_code == 404
    own.refresh_from_db()
    assert own.state == ReportState.PENDING


# ── review ────────────────────────────────────────────────────────────────────────────────────────────────────────
def test_rejecting_needs_a_reason_which_the_member_then_reads(world, today, client_for):
    report = report_of(world.member_user_a, days_ago=0)
    secretary = client_for(world.secretary_a)
    response = review(secretary, report, services.REVIEW_REJECT)
    assert response.status_code == 400
    assert services.ERR_REJECT_COMMENT in response.content.decode()
    assert 'data-field="comment"' in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert review(secretary, report, services.REVIEW_REJECT, "证书与所报课程不符").status_code == 302
    mine = client_for(world.member_user_a).get(reverse("study:mine")).content.decode()
    assert "未认定" in mine and "原因：证书与所报课程不符" in mine
    assert hours_of(world.member_a, today.year) == 0
    detail = secretary.get(reverse("study:report", args=[report.pk])).content.decode()
    assert "review-form" not in detail and "未认定原因：证书与所报课程不符" in detail


def test_a_stale_review_is_refused(world, today, client_for):
    report = report_of(world.member_user_a, days_ago=0)
    loaded = report.version
    services.review_report(by=world.committee_member_a, report=report, decision=services.REVIEW_APPROVE)
    response = review(client_for(world.secretary_a), report, services.REVIEW_REJECT, "重复", version=loaded)
    assert response.status_code == 400
    refused = response.content.decode().split('data-testid="review-refused">')[1].split("</div></div>")[0]
    assert "保存失败" in refused and 'data-testid="review-form"' not in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED and report.reviewed_by == world.committee_member_a


def test_a_stale_review_of_a_pending_report_shows_who_changed_it(world, today, client_for):
    report = report_of(world.member_user_a, days_ago=0)
    loaded = report.version
    Report.objects.unrestricted().get(pk=report.pk).save()  # someone else's save moves the version on
    response = review(client_for(world.secretary_a), report, services.REVIEW_APPROVE, version=loaded)
    assert response.status_code == 400
    assert "保存失败" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.PENDING
    assert hours_of(world.member_a, today.year) == 0


# ── withdraw ──────────────────────────────────────────────────────────────────────────────────────────────────────
def test_a_member_withdraws_their_pending_report_only(
    world, today, client_for, settings, django_capture_on_commit_callbacks
):
    pending = report_of(world.member_user_a, days_ago=0, course="待撤回的课程")
    approved = report_of(world.member_user_a, days_ago=0, course="已认定的课程")
    services.review_report(by=world.secretary_a, report=approved, decision=services.REVIEW_APPROVE)
    client = client_for(world.member_user_a)
    assert client.get(reverse("study:report_withdraw", args=[pending.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("study:report_withdraw", args=[pending.pk]))
    assert response.status_code == 302
    assert not Report.objects.unrestricted().filter(pk=pending.pk).exists()
    assert len(stored_files(settings)) == 1  # the withdrawn certificate is gone, the approved one stays
    response = client.post(reverse("study:report_withdraw", args=[approved.pk]), follow=True)
    assert services.ERR_WITHDRAW in response.content.decode()
    assert Report.objects.unrestricted().filter(pk=approved.pk).exists()
    # the secretary sees the report but it is not theirs to withdraw
    other = report_of(world.member_user_a, days_ago=0)
    assert client_for(world.secretary_a).post(reverse("study:report_withdraw", args=[other.pk])).status_code == 404
    assert Report.objects.unrestricted().filter(pk=other.pk).exists()


# ── the list and its export ───────────────────────────────────────────────────────────────────────────────────────
def test_the_list_shows_pending_first_and_filters(world, today, client_for):
    b_user = member_b_login(world)
    older = report_of(world.member_user_a, days_ago=0, course="较早的课程甲")
    approved = report_of(world.member_user_a, days_ago=0, course="已认定课程乙")
    services.review_report(by=world.secretary_a, report=approved, decision=services.REVIEW_APPROVE)
    newer = report_of(world.member_user_a, days_ago=0, course="待审核课程丙")
    report_of(b_user, days_ago=0, course="财务处的课程丁")
    client = client_for(world.admin)

    def page(query=""):
        response = client.get(reverse("study:reports") + query)
        assert response.status_code == 200
        return response.content.decode()

    everything = page()
    assert everything.index("待审核课程丙") < everything.index("较早的课程甲") < everything.index("已认定课程乙")
    assert "财务处的课程丁" in everything
    assert "已认定课程乙" not in page(f"?state={ReportState.PENDING}")
    assert "较早的课程甲" not in page(f"?state={ReportState.APPROVED}")
    assert f'<option value="{world.group_a.pk}"' not in everything  # a 党小组 has no reports of its own
    assert f'<option value="{world.branch_a.pk}" selected>' in page(f"?org={world.branch_a.pk}")
    branch_a = page(f"?org={world.branch_a.pk}")
    assert "财务处的课程丁" not in branch_a and "较早的课程甲" in branch_a
    assert "财务处的课程丁" not in page("?q=王") and "财务处的课程丁" in page("?q=李")
    assert "较早的课程甲" not in page("?q=lxy") and "较早的课程甲" in page("?q=wangx")
    assert "较早的课程甲" in page(f"?year={today.year}")
    last_year = page(f"?year={today.year - 1}")
    assert "较早的课程甲" not in last_year and "暂无自学学时申报" in last_year
    assert "年份应为" in page("?year=1999")
    assert client.get(reverse("study:reports") + "?org=x").status_code == 404
    assert [older.state, newer.state] == [ReportState.PENDING] * 2


def test_the_list_pages_and_its_queries_do_not_grow_with_rows(world, today, client_for):
    client = client_for(world.secretary_a)
    url = reverse("study:reports") + "?per_page=25"
    report_of(world.member_user_a, days_ago=0)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(30):
        report_of(world.member_user_a, days_ago=0, course=f"课程{n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
    assert "第 1 / 2 页，共 31 条" in response.content.decode()


def test_the_export_lists_the_filtered_reports(world, today, client_for):
    report_of(world.member_user_a, days_ago=0, course="导出的课程", hours="3.5")
    member_b_login(world)
    response = client_for(world.secretary_a).get(reverse("study:reports_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    heads = ["党员", "党支部", "课程/培训名称", "举办单位/平台", "学习形式", "学习日期", "学时", "认定状态"]
    assert rows[0][:8] == heads
    assert len(rows) == 2
    assert rows[1][:6] == ["王小明", "办公室党支部", "导出的课程", "中国干部网络学院", "网络学习", today.isoformat()]
    assert rows[1][6] == 3.5 and rows[1][7] == "待审核"
    empty = client_for(world.secretary_a).get(reverse("study:reports_export") + f"?state={ReportState.REJECTED}")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(empty.streaming_content))).get_sheet_by_index(0)
    assert len(rows.to_python()) == 1


def test_the_certificate_is_served_only_with_its_own_type(world, today, client_for):
    report = report_of(world.member_user_a, days_ago=0, file=certificate("截图.png", PNG))
    response = client_for(world.secretary_a).get(reverse("study:certificate", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert client_for(world.secretary_b).get(reverse("study:certificate", args=[report.pk])).status_code == 404


def test_reports_of_last_year_are_listed_under_their_year(world, today, client_for):
    report = report_of(world.member_user_a, days_ago=(today - today.replace(month=1, day=1)).days + 1)
    assert report.studied_on.year == today.year - 1
    page = client_for(world.secretary_a).get(reverse("study:reports") + f"?year={today.year - 1}").content.decode()
    assert f'data-report="{report.pk}"' in page
    assert (
        f'data-report="{report.pk}"'
        not in client_for(world.secretary_a).get(reverse("study:reports") + f"?year={today.year}").content.decode()
    )
