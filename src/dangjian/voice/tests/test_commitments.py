"""承诺践诺: each write and who may make it, the refusals (in Chinese, nothing written), the pages' scope and query
counts, reminders and the home panels."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.members.tests.factories import MemberFactory
from dangjian.voice import commitments
from dangjian.voice.choices import Phase
from dangjian.voice.models import Commitment, Fulfilment

from .commitments_world import PDF, commitment_of

pytestmark = pytest.mark.django_db


def counts():
    return Commitment.objects.unrestricted().count(), Fulfilment.objects.unrestricted().count()


def _publish(world, **changes):
    data = {
        "year": commitments.clock.today().year,
        "content": "带头办结群众诉求",
        "measures": "按期办结率100%",
        "published_on": commitments.clock.today(),
    }
    return commitments.publish_own(by=world.member_user_a, **(data | changes))


def test_a_member_publishes_their_own_commitment_once_a_year(world, clock):
    c = _publish(world)
    assert (c.member, c.org, c.year) == (world.member_a, world.branch_a, clock.today().year)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _publish(world)
    assert refused.value.message_dict["year"] == [commitments.ERR_SECOND.format(year=c.year)]
    assert counts() == before


def test_publishing_refuses_a_future_date_another_year_or_no_member(world, clock):
    today = clock.today()
    before = counts()
    with pytest.raises(ValidationError) as refused:
        _publish(world, published_on=today + timedelta(days=1))
    assert refused.value.message_dict["published_on"] == [commitments.ERR_FUTURE]
    with pytest.raises(ValidationError) as refused:
        _publish(world, year=today.year - 1)
    assert refused.value.message_dict["year"] == [commitments.ERR_YEAR]
    with pytest.raises(PermissionDenied, match=commitments.ERR_NOT_A_MEMBER):
        commitments.publish_own(by=world.secretary_a, year=today.year, content="x", measures="y", published_on=today)
    assert counts() == before


def test_a_branch_commitment_is_published_by_who_may_change_the_branch(world, clock):
    today = clock.today()
    data = {"year": today.year, "content": "建设模范机关", "measures": "年度考核优秀", "published_on": today}
    for user in (world.secretary_b, world.inspector, world.member_user_a):
        with pytest.raises(PermissionDenied):
            commitments.publish_org(by=user, org=world.branch_a, **data)
    assert counts() == (0, 0)
    c = commitments.publish_org(by=world.secretary_a, org=world.branch_a, **data)
    assert c.member is None and c.org == world.branch_a
    with pytest.raises(ValidationError):
        commitments.publish_org(by=world.committee_member_a, org=world.branch_a, **data)
    assert counts() == (1, 0)


def test_an_edit_is_versioned_and_stops_once_graded(world, clock):
    from dangjian.core.concurrency import StaleEdit

    c = _publish(world)
    today = clock.today()
    edited = commitments.update_commitment(
        by=world.member_user_a, commitment=c, version=c.version, content="新承诺", measures="新标准", published_on=today
    )
    assert edited.content == "新承诺"
    with pytest.raises(StaleEdit):
        commitments.update_commitment(
            by=world.member_user_a, commitment=c, version=c.version, content="旧", measures="旧", published_on=today
        )
    with pytest.raises(PermissionDenied):
        commitments.update_commitment(
            by=world.secretary_a, commitment=c, version=None, content="他人", measures="他人", published_on=today
        )
    Commitment.objects.unrestricted().filter(pk=c.pk).update(grade="good")
    with pytest.raises(ValidationError, match=commitments.ERR_GRADED):
        commitments.update_commitment(
            by=world.member_user_a, commitment=c, version=None, content="晚了", measures="晚了", published_on=today
        )
    assert Commitment.objects.unrestricted().get(pk=c.pk).content == "新承诺"


def test_fulfilment_waits_for_its_month_and_is_once_per_phase(world, clock):
    year = clock.today().year
    clock.set(date(year, 3, 10))
    c = commitment_of(world.member_a)
    before = counts()
    with pytest.raises(ValidationError) as refused:
        commitments.fulfil(
            by=world.member_user_a, commitment=c, phase=Phase.MID, done="做了", recorded_on=clock.today()
        )
    assert refused.value.message_dict["phase"] == [
        commitments.ERR_PHASE_EARLY.format(phase="年中践诺", year=year, month=7, day=1)
    ]
    assert counts() == before
    clock.set(date(year, 7, 1))
    with pytest.raises(ValidationError) as refused:
        commitments.fulfil(
            by=world.member_user_a, commitment=c, phase=Phase.MID, done="做了", recorded_on=date(year, 7, 2)
        )
    assert refused.value.message_dict["recorded_on"] == [commitments.ERR_FUTURE]
    with pytest.raises(ValidationError):
        commitments.fulfil(
            by=world.member_user_a, commitment=c, phase=Phase.END, done="做了", recorded_on=clock.today()
        )
    with pytest.raises(PermissionDenied):
        commitments.fulfil(by=world.secretary_a, commitment=c, phase=Phase.MID, done="代登", recorded_on=clock.today())
    assert counts() == before
    evidence = SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")
    row = commitments.fulfil(
        by=world.member_user_a, commitment=c, phase=Phase.MID, done="完成", recorded_on=clock.today(), evidence=evidence
    )
    assert row.evidence.name.endswith(".pdf")
    with pytest.raises(ValidationError) as refused:
        commitments.fulfil(by=world.member_user_a, commitment=c, phase=Phase.MID, done="又", recorded_on=clock.today())
    assert refused.value.message_dict["phase"] == [commitments.ERR_PHASE_TWICE.format(phase="年中践诺")]
    assert counts() == (before[0], before[1] + 1)


def test_evidence_is_checked_by_content_and_size(world, clock):
    year = clock.today().year
    clock.set(date(year, 12, 5))
    c = commitment_of(world.member_a)
    fake = SimpleUploadedFile("证明.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        commitments.fulfil(
            by=world.member_user_a, commitment=c, phase=Phase.END, done="完成", recorded_on=clock.today(), evidence=fake
        )
    assert "evidence" in refused.value.message_dict
    big = SimpleUploadedFile("证明.pdf", PDF + b"0" * commitments.EVIDENCE_MAX_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        commitments.fulfil(
            by=world.member_user_a, commitment=c, phase=Phase.END, done="完成", recorded_on=clock.today(), evidence=big
        )
    assert refused.value.message_dict["evidence"] == [commitments.ERR_EVIDENCE_SIZE]
    assert Fulfilment.objects.unrestricted().count() == 0


def test_grading_waits_for_the_year_end_fulfilment_and_is_the_branchs(world, clock):
    c = commitment_of(world.member_a, phases=(Phase.MID,))
    with pytest.raises(ValidationError) as refused:
        commitments.grade(by=world.secretary_a, commitment=c, version=c.version, grade="good")
    assert commitments.ERR_GRADE_BEFORE_END in refused.value.messages
    assert Commitment.objects.unrestricted().get(pk=c.pk).grade == ""
    Fulfilment.objects.create(commitment=c, phase=Phase.END, done="完成", recorded_on=clock.today())
    for user in (world.secretary_b, world.inspector):
        with pytest.raises(PermissionDenied):
            commitments.grade(by=user, commitment=c, version=None, grade="good")
    with pytest.raises(ValidationError):
        commitments.grade(by=world.secretary_a, commitment=c, version=c.version, grade="best")
    graded = commitments.grade(by=world.secretary_a, commitment=c, version=c.version, grade="excellent", note="好")
    assert (graded.grade, graded.graded_by, graded.graded_on) == ("excellent", world.secretary_a, clock.today())


def test_a_branch_commitment_is_graded_by_the_org_above(world, clock):
    c = commitment_of(org=world.branch_a, phases=(Phase.END,))
    assert not commitments.may_grade(world.secretary_a, c)
    with pytest.raises(PermissionDenied):
        commitments.grade(by=world.secretary_a, commitment=c, version=None, grade="good")
    assert commitments.grade(by=world.admin, commitment=c, version=None, grade="good").grade == "good"


def test_the_org_year_lists_every_member_and_rolls_counts_up(world, clock):
    commitment_of(world.member_a, phases=(Phase.MID, Phase.END), grade="good")
    rows = {m.pk: m.c_state for m in commitments.filtered_members(world.admin, world.committee, clock.today().year)}
    assert rows == {world.member_a.pk: commitments.GRADED, world.member_a2.pk: "none", world.member_b.pk: "none"}
    lines, total = commitments.counts_by_org(world.admin, world.committee, clock.today().year)
    assert (total.members, total.committed, total.graded, total.missing) == (3, 1, 1, 2)
    by_org = {line.org: line for line in lines}
    assert by_org[world.general].committed == 1 and by_org[world.branch_b].committed == 0
    only_b = commitments.filtered_members(world.secretary_b, world.branch_b, clock.today().year)
    assert [m.pk for m in only_b] == [world.member_b.pk]
    assert [m.pk for m in commitments.filtered_members(world.admin, world.committee, clock.today().year, q="王")] == [
        world.member_a.pk
    ]


def _page(client, url, n):
    return client.get(url)


def test_the_list_page_query_count_does_not_grow(world, clock, client_for, django_assert_max_num_queries):
    client = client_for(world.secretary_a)
    url = f"{reverse('voice:commitments')}?org={world.branch_a.pk}"
    commitment_of(world.member_a, phases=(Phase.MID,))
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    for _ in range(15):
        commitment_of(MemberFactory(org=world.branch_a), phases=(Phase.MID, Phase.END))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and "王小明" in response.content.decode()
    export = client.get(reverse("voice:commitments_export") + f"?org={world.branch_a.pk}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_member_publishes_and_records_on_their_pages(world, clock, client_for):
    year = clock.today().year
    client = client_for(world.member_user_a)
    assert "尚未发布" in client.get(reverse("voice:my_commitment")).content.decode()
    data = {
        "year": year,
        "content": "承诺带头学习",
        "measures": "全年学习12次",
        "published_on": clock.today().isoformat(),
    }
    response = client.post(reverse("voice:my_commitment_publish"), data)
    assert response.status_code == 302
    c = Commitment.objects.unrestricted().get(member=world.member_a)
    again = client.post(reverse("voice:my_commitment_publish"), data)
    assert again.status_code == 400 and "不能重复发布" in again.content.decode()
    assert client.get(reverse("voice:commitment", args=[c.pk])).status_code == 200
    if clock.today() < commitments.phase_opens(Phase.MID, year):
        form = {"phase": "mid", "done": "完成", "recorded_on": clock.today().isoformat()}
        refused = client.post(reverse("voice:commitment_fulfil", args=[c.pk]), form)
        assert refused.status_code == 400 and "年中践诺自" in refused.content.decode()
        assert Fulfilment.objects.unrestricted().count() == 0


def test_the_grade_form_on_the_page(world, clock, client_for):
    c = commitment_of(world.member_a, phases=(Phase.MID, Phase.END))
    client = client_for(world.secretary_a)
    assert 'data-testid="grade-form"' in client.get(reverse("voice:commitment", args=[c.pk])).content.decode()
    refused = client.post(reverse("voice:commitment_grade", args=[c.pk]), {"grade": "good"})
    assert refused.status_code == 400  # no version
    done = client.post(reverse("voice:commitment_grade", args=[c.pk]), {"grade": "good", "version": c.version})
    assert done.status_code == 302 and Commitment.objects.unrestricted().get(pk=c.pk).grade == "good"
    assert client_for(world.secretary_b).post(reverse("voice:commitment_grade", args=[c.pk]), {}).status_code == 404


def test_reminders_and_panels(world, clock, client_for):
    from dangjian.core.reminders import reminders_for

    year = clock.today().year
    clock.set(date(year, 12, 10))
    titles = [r.title for r in reminders_for(world.member_user_a)]
    assert f"您尚未发布{year}年承诺" in titles
    staff = [r.title for r in reminders_for(world.secretary_a)]
    assert any("尚未发布" in t for t in staff)
    c = commitment_of(world.member_a, year=year)
    Commitment.objects.unrestricted().filter(pk=c.pk).update(published_on=date(year, 1, 5))
    titles = [r.title for r in reminders_for(world.member_user_a)]
    assert f"请登记{year}年承诺的年终践诺" in titles
    assert any("未按时登记践诺" in t for t in (r.title for r in reminders_for(world.secretary_a)))
    Fulfilment.objects.create(commitment=c, phase=Phase.END, done="完成", recorded_on=date(year, 12, 2))
    assert any("待评诺" in r.title for r in reminders_for(world.secretary_a))
    assert commitments.uncommitted_count(world.secretary_b, year) == 1
    home = client_for(world.member_user_a).get("/")
    assert home.status_code == 200
