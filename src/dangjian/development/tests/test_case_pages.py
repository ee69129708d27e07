"""The 出口 pages: a case from the candidates to its closing, the list's filters, export and query counts."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from dangjian.core import clock as core_clock
from dangjian.development import exits
from dangjian.development.choices import CaseSource, CaseState, Measure, Outcome
from dangjian.development.models import CaseAction, Document, ExitCase
from dangjian.meetings.models import Flag
from dangjian.meetings.tests.parts_world import png_bytes
from dangjian.members.choices import ExitKind, Status
from dangjian.members.models import Member, StatusChange
from dangjian.members.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def days_ago(n: int):
    return core_clock.today() - timedelta(days=n)


def test_from_a_flag_to_a_struck_off_member(world, clock, client_for):
    Flag.objects.create(
        org=world.branch_a,
        member=world.member_a2,
        kind=Flag.Kind.ABSENT_SIX_MONTHS,
        message="张宏伟连续6个月未参加组织生活",
        computed_at=timezone.now(),
    )
    client = client_for(world.secretary_a)
    page = client.get(reverse("development:candidates")).content.decode()
    create = f"{reverse('development:case_create')}?member={world.member_a2.pk}&source=absence"
    assert "张宏伟连续6个月未参加组织生活" in page and create in page
    form = client.get(create).content.decode()
    assert 'value="absence" selected' in form and "张宏伟" in form and "王小明" not in form
    response = client.post(
        create,
        {"member": world.member_a2.pk, "source": "absence", "source_note": "提示", "opened_on": days_ago(10)},
    )
    case = ExitCase.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("development:case", args=[case.pk])
    assert reverse("development:case_create") not in client.get(reverse("development:candidates")).content.decode()
    url = reverse("development:case_action", args=[case.pk])
    client.post(url, {"kind": "talk", "done_on": days_ago(9), "note": "谈话了解情况"})
    client.post(reverse("development:case_measure", args=[case.pk]), {"measure": "lapsed", "version": case.version})
    case.refresh_from_db()
    assert case.measure == Measure.LAPSED and CaseAction.objects.unrestricted().count() == 1
    upload = SimpleUploadedFile("决定.png", png_bytes())
    client.post(reverse("development:case_upload", args=[case.pk]), {"file": upload})
    document = Document.objects.unrestricted().get(case=case)
    download = client.get(reverse("development:document", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == png_bytes()
    page = client.get(reverse("development:case", args=[case.pk])).content.decode()
    assert "谈话了解情况" in page and "按自行脱党处理" in page and "决定.png" in page
    close = reverse("development:case_close", args=[case.pk])
    assert "确认结案" in client.get(close).content.decode()
    refused = client.post(
        close, {"outcome": "corrected", "closed_on": days_ago(1), "decision": "x", "version": case.version}
    )
    assert refused.status_code == 400 and "不符" in refused.content.decode()
    data = {"outcome": "lapsed", "closed_on": days_ago(1), "decision": "支部大会决定除名", "version": case.version}
    assert client.post(close, data).status_code == 302
    member = Member.objects.unrestricted().get(pk=world.member_a2.pk)
    assert (member.status, member.exit_kind) == (Status.EXPELLED, ExitKind.LAPSED)
    assert StatusChange.objects.unrestricted().filter(member=member, to_status=Status.EXPELLED).exists()
    page = client.get(reverse("development:case", args=[case.pk])).content.decode()
    assert 'data-testid="case-outcome"' in page and 'data-testid="action-form"' not in page


def test_the_inspector_reads_but_gets_no_forms(world, clock, client_for):
    case = exits.open_case(by=world.secretary_a, member=world.member_a2, source="manual", opened_on=days_ago(3))
    page = client_for(world.inspector).get(reverse("development:case", args=[case.pk])).content.decode()
    assert "张宏伟" in page and "action-form" not in page and "case-close" not in page and "upload-form" not in page


def _cases(world, n: int):
    for i in range(n):
        member = MemberFactory(org=world.branch_a, name=f"成员{i}")
        exits.open_case(by=world.secretary_a, member=member, source=CaseSource.RATING, opened_on=days_ago(i + 1))


def test_list_filters_search_and_export(world, clock, client_for):
    _cases(world, 3)
    case = exits.open_case(by=world.secretary_a, member=world.member_a2, source="manual", opened_on=days_ago(20))
    exits.close_case(by=world.secretary_a, case=case, outcome=Outcome.DROPPED, closed_on=days_ago(1), decision="撤销")
    client = client_for(world.secretary_a)
    url = reverse("development:cases")
    assert client.get(url).content.decode().count("data-case=") == 4
    assert client.get(url + "?state=closed").content.decode().count("data-case=") == 1
    assert client.get(url + "?source=rating").content.decode().count("data-case=") == 3
    assert client.get(url + "?q=张宏").content.decode().count("data-case=") == 1
    assert client.get(url + "?state=nonsense").status_code == 200  # ignored, not refused
    page = client.get(url + "?sort=opened").content.decode()
    assert page.index("张宏伟") < page.index("成员0")
    assert client_for(world.secretary_b).get(url).content.decode().count("data-case=") == 0
    response = client_for(world.secretary_a).get(reverse("development:cases_export") + "?state=open")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = [tuple(r) for r in book.get_sheet_by_index(0).to_python()]
    assert rows[0][0] == "党员" and len(rows) == 4 and {r[7] for r in rows[1:]} == {CaseState.OPEN.label}


@pytest.mark.parametrize("name", ["development:cases", "development:cases_export", "development:candidates"])
def test_query_counts_do_not_grow_with_rows(world, clock, client_for, django_assert_max_num_queries, name):
    client = client_for(world.secretary_a)
    _cases(world, 2)
    client.get(reverse(name))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(name))
    _cases(world, 0)
    for i in range(6):
        member = MemberFactory(org=world.branch_a, name=f"更多{i}")
        exits.open_case(by=world.secretary_a, member=member, source="manual", opened_on=days_ago(1))
        Flag.objects.create(
            org=world.branch_a, member=member, kind=Flag.Kind.ABSENT_SIX_MONTHS, message="x", computed_at=timezone.now()
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse(name))


def test_case_create_refuses_a_member_out_of_scope_on_the_form(world, clock, client_for):
    client = client_for(world.secretary_a)
    url = reverse("development:case_create")
    response = client.post(url, {"member": world.member_b.pk, "source": "manual", "opened_on": days_ago(1)})
    assert response.status_code == 400 and not ExitCase.objects.unrestricted().exists()
    assert client.get(url + f"?member={world.member_b.pk}").status_code == 404
