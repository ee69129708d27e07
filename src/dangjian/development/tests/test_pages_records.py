"""The record pages: the list (search, filters, sort, export), a new record, a step through its form (accepted, and
each refusal showing its rule's text with nothing written), reviews, end, documents, masking, query counts."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from dangjian.core import clock
from dangjian.development import rules, services
from dangjian.development.choices import State
from dangjian.development.models import Applicant, Document, Review, StepPerson, StepRecord
from dangjian.meetings.parts import ERR_MISMATCH

from .dev_world import assembly_meeting, dev_world, earliest, new_applicant, person, walk

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def d(world, clock):
    return dev_world(world)


def _list(client, query=""):
    response = client.get(reverse("development:list") + query)
    assert response.status_code == 200
    return response.content.decode()


# ── the list ──────────────────────────────────────────────────────────────────────────────────────────────────────
def test_list_searches_by_name_and_pinyin_and_filters(world, d, client_for):
    first = walk(world, d, new_applicant(world, 1, name="刘洋"), until=8)
    second = new_applicant(world, 2, name="陈静", applied_on=clock.today() - timedelta(days=10))
    client = client_for(world.secretary_a)
    both = _list(client)
    assert "刘洋" in both and "陈静" in both
    assert "陈静" not in _list(client, "?q=刘") and "刘洋" in _list(client, "?q=刘")
    assert "刘洋" not in _list(client, "?q=chen") and "陈静" in _list(client, "?q=chenj")
    assert first.stage == 2 and second.stage == 0
    stage2 = _list(client, "?stage=2")
    assert "刘洋" in stage2 and "陈静" not in stage2
    assert "刘洋" not in _list(client, f"?state={State.ENDED}")
    # 陈静's 谈话 is due within a month of the application (10 days ago): not overdue; 刘洋's next step has no limit.
    assert "陈静" not in _list(client, "?overdue=1")
    Applicant.objects.unrestricted().filter(pk=second.pk).update(due_on=clock.today() - timedelta(days=1))
    overdue = _list(client, "?overdue=1")
    assert "陈静" in overdue and "刘洋" not in overdue and "逾期" in overdue
    assert client.get(reverse("development:list") + f"?org={world.branch_b.pk}").status_code == 404
    by_stage = _list(client, "?sort=stage")
    assert by_stage.index("刘洋") < by_stage.index("陈静")
    by_name = _list(client, "?sort=name")
    assert by_name.index("陈静") < by_name.index("刘洋")  # chen before liu
    assert "刘洋" not in _list(client_for(world.secretary_b))
    admin = client_for(world.admin)
    assert "刘洋" not in _list(admin, f"?org={world.branch_b.pk}") and "刘洋" in _list(
        admin, f"?org={world.branch_a.pk}"
    )


def test_export_masks_id_numbers_without_the_personal_data_right(world, d, client_for):
    applicant = new_applicant(world, 1)

    def rows(user):
        response = client_for(user).get(reverse("development:export"))
        assert response.status_code == 200
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        return book.get_sheet_by_index(0).to_python()

    full = rows(world.secretary_a)
    assert full[0][3] == "公民身份号码" and full[1][0] == applicant.name and full[1][3] == applicant.id_number
    masked = rows(world.committee_member_a)
    assert masked[1][0] == applicant.name and masked[1][3] != applicant.id_number
    assert masked[1][3].endswith(applicant.id_number[-4:]) and "*" in masked[1][3]


def test_list_query_count_does_not_grow_with_rows(world, d, client_for):
    client = client_for(world.secretary_a)
    new_applicant(world, 1)
    with CaptureQueriesContext(connection) as one:
        _list(client)
    for n in range(2, 7):
        new_applicant(world, n)
    with CaptureQueriesContext(connection) as many:
        assert "申请人6" in _list(client)
    assert len(many) == len(one)


# ── new record, edit, end ─────────────────────────────────────────────────────────────────────────────────────────
def _create(client, world, **overrides):
    data = person(7) | {"org": world.branch_a.pk, "applied_on": clock.today() - timedelta(days=5)} | overrides
    return client.post(reverse("development:create"), data)


def test_create_makes_the_record_with_its_application(world, d, client_for):
    response = _create(client_for(world.secretary_a), world, ethnicity="汉族")
    applicant = Applicant.objects.unrestricted().get()
    assert response.status_code == 302 and response["Location"] == reverse("development:detail", args=[applicant.pk])
    assert applicant.name == "申请人7" and applicant.next_step == 2
    assert StepRecord.objects.unrestricted().get(applicant=applicant).step == 1


def test_create_refuses_an_applicant_under_18_and_a_duplicate_id_number(world, d, client_for):
    client = client_for(world.secretary_a)
    today = clock.today()
    young = today - timedelta(days=17 * 365)
    response = _create(client, world, ethnicity="汉族", **person(8, born=young), applied_on=today)
    assert response.status_code == 400 and rules.RULE_AGE in response.content.decode()
    assert not Applicant.objects.unrestricted().exists()
    existing = new_applicant(world, 9)
    response = _create(client, world, ethnicity="汉族", id_number=existing.id_number)
    assert response.status_code == 400 and services.ERR_ID_OPEN in response.content.decode()
    assert Applicant.objects.unrestricted().count() == 1


def test_edit_checks_the_version(world, d, client_for):
    applicant = new_applicant(world, 1)
    client = client_for(world.secretary_a)
    data = person(1) | {"ethnicity": "汉族", "position": "主任科员", "version": applicant.version}
    assert client.post(reverse("development:edit", args=[applicant.pk]), data).status_code == 302
    applicant.refresh_from_db()
    assert applicant.position == "主任科员"
    stale = data | {"position": "处长"}  # the old version again
    response = client.post(reverse("development:edit", args=[applicant.pk]), stale)
    assert response.status_code == 400 and "保存失败" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.position == "主任科员"


def test_end_needs_a_reason_and_ends_the_record(world, d, client_for):
    applicant = new_applicant(world, 1)
    client = client_for(world.secretary_a)
    url = reverse("development:end", args=[applicant.pk])
    base = {"ended_on": clock.today(), "version": applicant.version}
    assert client.post(url, base | {"reason": ""}).status_code == 400
    assert client.post(url, base | {"reason": "本人撤回申请"}).status_code == 302
    applicant.refresh_from_db()
    assert applicant.state == State.ENDED and applicant.ended_reason == "本人撤回申请"
    assert "登记下一步" not in client.get(reverse("development:detail", args=[applicant.pk])).content.decode()


# ── steps ─────────────────────────────────────────────────────────────────────────────────────────────────────────
def _step(client, applicant, step, **data):
    applicant.refresh_from_db()
    payload = {"step": step, "version": applicant.version} | data
    return client.post(reverse("development:step", args=[applicant.pk]), payload)


def test_a_step_with_people_is_recorded_through_the_form(world, d, client_for):
    applicant = new_applicant(world, 1)
    client = client_for(world.secretary_a)
    page = client.get(reverse("development:step", args=[applicant.pk])).content.decode()
    assert "党组织派人谈话" in page and "张宏伟" in page and "赵预备" not in page  # full members only
    response = _step(client, applicant, 2, done_on=earliest(applicant, 2), people=[world.member_a2.pk], note="谈话")
    assert response.status_code == 302
    record = StepRecord.objects.unrestricted().get(applicant=applicant, step=2)
    assert [p.member_id for p in StepPerson.objects.filter(record=record)] == [world.member_a2.pk]
    detail = client.get(reverse("development:detail", args=[applicant.pk])).content.decode()
    assert "谈话人：张宏伟" in detail


def test_a_late_talk_is_saved_with_its_warning(world, d, client_for):
    applicant = new_applicant(world, 1)
    client = client_for(world.secretary_a)
    late = earliest(applicant, 2) + timedelta(days=60)
    response = _step(client, applicant, 2, done_on=late, people=[world.member_a2.pk])
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert rules.RULE_TALK in page


@pytest.mark.parametrize("who", ["probationary", "other_branch"])
def test_an_unfit_sponsor_is_refused_with_the_rule(world, d, client_for, who):
    applicant = walk(world, d, new_applicant(world, 1), until=7)
    other = d.probationary.pk if who == "probationary" else world.member_b.pk
    text = rules.RULE_PEOPLE_FULL if who == "probationary" else rules.RULE_PEOPLE_BRANCH
    response = _step(
        client_for(world.secretary_a), applicant, 8, done_on=earliest(applicant, 8), people=[d.full[0].pk, other]
    )
    assert response.status_code == 400 and text in response.content.decode()
    assert world.member_b.name not in response.content.decode()  # another branch's member is not named
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=8).exists()


def test_a_vote_without_a_quorum_is_refused_with_the_rule(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=14)
    on = earliest(applicant, 15)
    meeting = assembly_meeting(world, on, present=3)
    client = client_for(world.secretary_a)
    page = client.get(reverse("development:step", args=[applicant.pk])).content.decode()
    assert f'value="{meeting.pk}"' in page
    response = _step(client, applicant, 15, done_on=on, meeting=meeting.pk, in_favour=3)
    assert response.status_code == 400 and rules.RULE_QUORUM in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.accepted_on is None and applicant.last_step == 14


def test_typed_vote_figures_pass_and_the_upper_step_is_for_the_committee(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=14)
    client = client_for(world.secretary_a)
    on = earliest(applicant, 15)
    response = _step(client, applicant, 15, done_on=on, voting_members=7, present_voting=6, in_favour=6)
    assert response.status_code == 302
    applicant = walk(world, d, applicant, until=16)
    page = client.get(reverse("development:step", args=[applicant.pk])).content.decode()
    assert 'data-testid="upper-only"' in page and 'data-testid="step-form"' not in page
    response = _step(client, applicant, 17, done_on=earliest(applicant, 17))
    assert response.status_code == 200 and not StepRecord.objects.unrestricted().filter(step=17).exists()
    response = _step(client_for(world.admin), applicant, 17, done_on=earliest(applicant, 17))
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.state == State.PROBATION and applicant.member_id


def test_confirmation_before_the_year_is_up_is_refused_with_the_rule(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=22)
    early = rules.probation_end(applicant.accepted_on) - timedelta(days=1)
    figures = {"voting_members": 7, "present_voting": 7, "in_favour": 7}
    response = _step(client_for(world.secretary_a), applicant, 23, done_on=early, decision=rules.CONFIRM, **figures)
    assert response.status_code == 400 and rules.RULE_PROBATION in response.content.decode()
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=23).exists()


def test_detail_shows_the_timeline_masked_and_its_query_count_is_flat(world, d, client_for):
    short = walk(world, d, new_applicant(world, 1), until=16)
    long = walk(world, d, new_applicant(world, 2), until=23)
    secretary, member = client_for(world.secretary_a), None
    with CaptureQueriesContext(connection) as few:
        secretary.get(reverse("development:detail", args=[short.pk]))
    with CaptureQueriesContext(connection) as more:
        page = secretary.get(reverse("development:detail", args=[long.pk])).content.decode()
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]
    assert long.id_number in page and "入党介绍人" in page and "决定：按期转正" in page
    assert 'data-testid="next"' in page and 'data-step="24"' in page
    member = client_for(world.committee_member_a)
    masked = member.get(reverse("development:detail", args=[long.pk])).content.decode()
    assert long.id_number not in masked and long.phone not in masked


def test_a_chosen_step_other_than_the_next_one_may_be_recorded(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=17)
    assert applicant.next_step == 18  # 备案; 宣誓 (19) follows the approval too
    client = client_for(world.secretary_a)
    detail = client.get(reverse("development:detail", args=[applicant.pk])).content.decode()
    assert 'data-testid="record-19"' in detail and 'data-testid="record-21"' not in detail
    on = StepRecord.objects.unrestricted().get(applicant=applicant, step=17).done_on
    assert _step(client, applicant, 19, done_on=on).status_code == 302
    assert StepRecord.objects.unrestricted().filter(applicant=applicant, step=19).exists()


def test_a_roster_record_shows_the_confirmation_steps_only(world, d, client_for):
    record = services.probation_record(by=world.secretary_a, member=d.probationary)
    page = client_for(world.secretary_a).get(reverse("development:detail", args=[record.pk])).content.decode()
    assert 'data-testid="roster-note"' in page
    assert 'data-step="22"' in page and 'data-step="5"' not in page


def test_a_review_is_added(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=5)
    client = client_for(world.secretary_a)
    url = reverse("development:review_add", args=[applicant.pk])
    assert client.post(url, {"done_on": clock.today(), "content": "表现良好"}).status_code == 302
    assert Review.objects.unrestricted().get(applicant=applicant).content == "表现良好"
    assert "表现良好" in client.get(reverse("development:detail", args=[applicant.pk])).content.decode()


# ── documents ─────────────────────────────────────────────────────────────────────────────────────────────────────
def test_upload_is_content_checked_and_downloads_with_its_name(world, d, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant = new_applicant(world, 1)
    client = client_for(world.secretary_a)
    url = reverse("development:document_add", args=[applicant.pk])
    fake = SimpleUploadedFile("入党申请书.pdf", PNG, content_type="application/pdf")
    response = client.post(url, {"file": fake}, follow=True)
    assert ERR_MISMATCH.split("{")[0] in response.content.decode()
    assert not Document.objects.unrestricted().exists()
    real = SimpleUploadedFile("入党申请书.png", PNG, content_type="image/png")
    client.post(url, {"file": real})
    document = Document.objects.unrestricted().get()
    response = client.get(reverse("development:document", args=[document.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"] and ".png" in response["Content-Disposition"]
    assert client_for(world.secretary_b).get(reverse("development:document", args=[document.pk])).status_code == 404
    client = client_for(world.secretary_a)
    assert client.post(reverse("development:document_delete", args=[document.pk])).status_code == 302
    assert not Document.objects.unrestricted().exists()


def test_a_material_belongs_to_one_of_the_records_steps(world, d, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    applicant = walk(world, d, new_applicant(world, 1), until=2)
    talk = StepRecord.objects.unrestricted().get(applicant=applicant, step=2)
    other = StepRecord.objects.unrestricted().get(applicant=new_applicant(world, 2), step=1)
    client = client_for(world.secretary_a)
    url = reverse("development:document_add", args=[applicant.pk])
    upload = SimpleUploadedFile("谈话记录.png", PNG, content_type="image/png")
    response = client.post(url, {"file": upload, "record": other.pk}, follow=True)
    assert "请选择本档案已登记的步骤" in response.content.decode()
    assert not Document.objects.unrestricted().exists()
    upload = SimpleUploadedFile("谈话记录.png", PNG, content_type="image/png")
    client.post(url, {"file": upload, "record": talk.pk})
    assert Document.objects.unrestricted().get().record == talk
    page = client.get(reverse("development:detail", args=[applicant.pk])).content.decode()
    assert "（第2步 党组织派人谈话）" in page  # in the list of materials
    assert "材料：<a" in page  # and beside the step on the timeline
