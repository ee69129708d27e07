"""The 首问负责 register's services: record, hand on, close, and who may; refusals in Chinese with nothing written;
overdue in reminders; statistics."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.core.concurrency import StaleEdit
from dangjian.core.reminders import reminders_for
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.tests.factories import OrgFactory
from dangjian.voice import inquiries
from dangjian.voice.choices import Channel, InquiryState, Satisfaction
from dangjian.voice.models import HandOff, Inquiry

from .inquiries_world import PHONE, inquiry_of, promise_of


def counts() -> tuple[int, int]:
    return Inquiry.objects.unrestricted().count(), HandOff.objects.unrestricted().count()


def record(by, **kwargs):
    data = {
        "asker": "赵来访",
        "asker_phone": PHONE,
        "channel": Channel.VISIT,
        "content": "咨询党员组织关系转接手续",
        "asked_at": timezone.now() - timedelta(hours=1),
    }
    return inquiries.record_inquiry(by=by, **(data | kwargs))


def test_a_member_records_as_the_first_person_with_the_default_limit(world, clock):
    inquiry = record(world.member_user_a)
    assert inquiry.first_person == world.member_a
    assert inquiry.holder == world.member_a and inquiry.org == world.branch_a == inquiry.holder_org
    asked_day = timezone.localdate(inquiry.asked_at)
    assert inquiry.due_on == asked_day + timedelta(days=inquiries.DEFAULT_LIMIT_DAYS)
    assert inquiry.state == InquiryState.OPEN


def test_the_promise_gives_the_limit(world, clock):
    promise = promise_of(world.branch_a, days=2)
    inquiry = record(world.member_user_a, promise=promise)
    assert inquiry.due_on == timezone.localdate(inquiry.asked_at) + timedelta(days=2)


def test_staff_record_for_a_member_of_their_scope_only(world, clock):
    inquiry = record(world.secretary_a, first_person=world.member_a2)
    assert inquiry.first_person == world.member_a2
    before = counts()
    with pytest.raises(ValidationError) as error:
        record(world.secretary_b, first_person=world.member_a)
    assert inquiries.ERR_FIRST_PERSON in str(error.value)
    assert counts() == before


def test_a_future_time_is_refused(world, clock):
    before = counts()
    with pytest.raises(ValidationError) as error:
        record(world.member_user_a, asked_at=timezone.now() + timedelta(hours=2))
    assert "受理时间不能晚于今天" in str(error.value)
    assert counts() == before


def test_no_member_record_no_recording(world, clock):
    before = counts()
    with pytest.raises(ValidationError) as error:
        record(world.inspector)
    assert inquiries.ERR_NO_MEMBER in str(error.value)
    assert counts() == before


def test_a_promise_of_another_branch_is_refused(world, clock):
    promise = promise_of(world.branch_b)
    before = counts()
    with pytest.raises(ValidationError) as error:
        record(world.member_user_a, promise=promise)
    assert inquiries.ERR_PROMISE in str(error.value)
    assert counts() == before


def test_hand_on_makes_a_chain_and_the_receivers_promise_sets_the_limit(world, clock):
    promise = promise_of(world.branch_a, days=3)
    inquiry = record(world.secretary_a, first_person=world.member_a, promise=promise)
    dept = OrgFactory(name="人事处党支部", code="C", parent=world.general)
    clerk = MemberFactory(name="钱人事", org=dept)
    promise_of(dept, item=promise.item, days=10)
    link = inquiries.hand_on(by=world.admin, inquiry=inquiry, to_member=clerk, note="属人事处职责", version=1)
    inquiry.refresh_from_db()
    assert link.from_member == world.member_a and link.to_org == dept
    assert link.due_on == clock.today() + timedelta(days=10) == inquiry.due_on
    assert inquiry.holder == clerk and inquiry.holder_org == dept and inquiry.version == 2
    # back to branch A: its own promise of the item counts from today
    second = inquiries.hand_on(by=world.admin, inquiry=inquiry, to_member=world.member_a2, note="退回", version=2)
    assert second.due_on == clock.today() + timedelta(days=3)
    chain = inquiries.inquiry_with_chain(fetched_by=world.admin, pk=inquiry.pk).chain
    assert [h.to_member for h in chain] == [clerk, world.member_a2]


def test_without_a_promise_the_receiver_has_the_remaining_limit(world, clock):
    inquiry = inquiry_of(world.member_a, due_in=2)
    link = inquiries.hand_on(by=world.secretary_a, inquiry=inquiry, to_member=world.member_a2, note="请办理", version=1)
    assert link.due_on == clock.today() + timedelta(days=2)


def test_handing_to_someone_outside_the_scope_is_refused(world, clock):
    inquiry = inquiry_of(world.member_a)
    before = counts()
    with pytest.raises(ValidationError) as error:
        inquiries.hand_on(by=world.secretary_a, inquiry=inquiry, to_member=world.member_b, note="请办理", version=1)
    assert inquiries.ERR_RECEIVER in str(error.value)
    assert counts() == before
    inquiry.refresh_from_db()
    assert inquiry.holder == world.member_a and inquiry.version == 1


def test_only_the_holder_or_the_holders_org_may_act(world, clock):
    inquiry = inquiry_of(world.member_a)
    before = counts()
    for outsider in (world.secretary_b, world.inspector):
        with pytest.raises(PermissionDenied) as error:
            inquiries.close_inquiry(by=outsider, inquiry=inquiry, result="好", satisfaction="satisfied", version=1)
        assert str(error.value) == inquiries.ERR_NOT_HOLDER
    assert counts() == before
    # the holder closes it
    done = inquiries.close_inquiry(
        by=world.member_user_a, inquiry=inquiry, result="当面答复", satisfaction=Satisfaction.BASIC, version=1
    )
    assert done.state == InquiryState.CLOSED and done.satisfaction == Satisfaction.BASIC and done.closed_at


def test_closing_a_closed_one_or_handing_it_on_is_refused(world, clock):
    inquiry = inquiry_of(world.member_a, closed=True)
    before = counts()
    with pytest.raises(ValidationError) as error:
        inquiries.close_inquiry(
            by=world.secretary_a, inquiry=inquiry, result="再", satisfaction="satisfied", version=None
        )
    assert inquiries.ERR_CLOSED in str(error.value)
    with pytest.raises(ValidationError) as error:
        inquiries.hand_on(by=world.secretary_a, inquiry=inquiry, to_member=world.member_a2, note="再", version=None)
    assert inquiries.ERR_CLOSED in str(error.value)
    assert counts() == before


def test_a_stale_version_and_bad_input_are_refused(world, clock):
    inquiry = inquiry_of(world.member_a)
    before = counts()
    with pytest.raises(StaleEdit):
        inquiries.close_inquiry(by=world.secretary_a, inquiry=inquiry, result="好", satisfaction="satisfied", version=7)
    with pytest.raises(ValidationError) as error:
        inquiries.close_inquiry(by=world.secretary_a, inquiry=inquiry, result=" ", satisfaction="great", version=1)
    assert inquiries.ERR_RESULT in str(error.value) and inquiries.ERR_SATISFACTION in str(error.value)
    with pytest.raises(ValidationError) as error:
        inquiries.hand_on(by=world.secretary_a, inquiry=inquiry, to_member=world.member_a, note="x", version=1)
    assert inquiries.ERR_RECEIVER_SELF in str(error.value)
    assert counts() == before


def test_overdue_items_in_reminders(world, clock):
    inquiry_of(world.member_a, due_in=-1)
    inquiry_of(world.member_a, due_in=0)  # due today: not yet overdue
    inquiry_of(world.member_a, due_in=-3, closed=True)
    mine = [r.title for r in reminders_for(world.member_user_a) if "首问" in r.title]
    assert mine == ["您经办的1项首问事项已超过办结时限"]
    staff = [r.title for r in reminders_for(world.secretary_a) if "首问" in r.title]
    assert staff == ["1项首问事项超过办结时限仍未办结"]
    assert not [r for r in reminders_for(world.secretary_b) if "首问" in r.title]


def test_an_overdue_hand_off_shows_for_the_receiving_department(world, clock):
    inquiry_of(world.member_a, holder=world.member_b, due_in=-2)
    assert inquiries.overdue_in_scope_count(world.secretary_b) == 1
    assert inquiries.overdue_in_scope_count(world.secretary_a) == 0
    assert inquiries.inquiries_for(world.secretary_b).count() == 1  # held in B's scope: B follows it


def test_statistics_per_org_rolled_up_and_per_person(world, clock):
    inquiry_of(world.member_a, closed=True)
    inquiry_of(world.member_a, holder=world.member_a2, due_in=-1)
    inquiry_of(world.member_b)
    by_org = dict(inquiries.stats_by_org(fetched_by=world.admin))
    assert by_org[world.branch_a].received == 2 and by_org[world.branch_a].handed_on == 1
    assert by_org[world.branch_a].closed == 1 and by_org[world.branch_a].on_time_percent == 100
    assert by_org[world.branch_a].overdue == 1
    assert by_org[world.committee].received == 3  # rolled up
    assert by_org[world.general].received == 2
    by_person = dict(inquiries.stats_by_person(fetched_by=world.admin))
    assert by_person[world.member_a].received == 2 and by_person[world.member_a].handed_on == 1
    assert by_person[world.member_a].satisfaction[Satisfaction.SATISFIED] == 1
    assert by_person[world.member_a2].overdue == 1
    assert world.branch_b not in dict(inquiries.stats_by_org(fetched_by=world.secretary_a))


def test_statistics_read_a_fixed_number_of_queries(world, clock, django_assert_max_num_queries):
    for _ in range(3):
        inquiry_of(world.member_a, holder=world.member_a2)
    with django_assert_max_num_queries(5):
        inquiries.stats_by_org(fetched_by=world.admin)
    with django_assert_max_num_queries(5):
        inquiries.stats_by_person(fetched_by=world.admin)


def test_another_organ_is_outside(world, clock):
    root = OrgFactory(name="另一机关党委", kind=OrgKind.COMMITTEE, code="QT")
    other = OrgFactory(name="另一机关支部", code="QT1", parent=root)
    stranger = MemberFactory(name="孙外单位", org=other)
    inquiry = inquiry_of(world.member_a)
    with pytest.raises(ValidationError):
        inquiries.hand_on(by=world.secretary_a, inquiry=inquiry, to_member=stranger, note="请办理", version=1)
