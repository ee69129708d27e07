"""座谈会/个别交流: recording one (linked to a meeting or a talk: its date and people from there), opinions, an
opinion made a problem; who may; refusals in Chinese with nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dangjian.voice import consultations
from dangjian.voice.choices import ConsultationKind, ProblemSource
from dangjian.voice.models import Consultation, Opinion, Problem

from .consultations_world import consultation_of, held_meeting, opinion_of, talk_of

pytestmark = pytest.mark.django_db


def test_record_a_forum(world, clock):
    c = consultation_of(world)
    assert (c.org, c.kind, c.recorded_by, c.held_on) == (
        world.branch_a, ConsultationKind.FORUM, world.secretary_a, clock.today() - timedelta(days=1)
    )  # fmt: skip


def test_linked_meeting_gives_date_and_participants(world, clock):
    meeting = held_meeting(world.branch_a, world.secretary_a, present=[world.member_a, world.member_a2])
    c = consultation_of(world, held_on=None, participants="", meeting=meeting)
    assert c.held_on == timezone.localtime(meeting.starts_at).date()
    assert set(c.participants.split("、")) == {"王小明", "张宏伟"}


def test_linked_talk(world, clock):
    talk = talk_of(world.branch_a, world.member_a2, world.member_a)
    c = consultation_of(world, kind=ConsultationKind.PERSONAL, held_on=None, participants="", talk=talk)
    assert (c.held_on, c.participants) == (talk.held_on, "张宏伟、王小明")


def test_links_refused(world, clock):
    other = held_meeting(world.branch_b, world.secretary_b)
    with pytest.raises(ValidationError) as error:
        consultation_of(world, meeting=other)
    assert "本组织已召开的会议" in str(error.value)
    mine = held_meeting(world.branch_a, world.secretary_a)
    with pytest.raises(ValidationError) as error:
        consultation_of(world, kind=ConsultationKind.PERSONAL, meeting=mine)
    assert "座谈会" in str(error.value)
    talk = talk_of(world.branch_a, world.member_a2, world.member_a)
    with pytest.raises(ValidationError):
        consultation_of(world, meeting=mine, talk=talk)
    with pytest.raises(ValidationError):
        consultation_of(world, talk=talk_of(world.branch_b, world.member_b, world.member_b))
    assert Consultation.objects.unrestricted().count() == 0


def test_future_date_refused(world, clock, tomorrow):
    with pytest.raises(ValidationError) as error:
        consultation_of(world, held_on=tomorrow)
    assert "held_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        consultation_of(world, held_on=None)
    assert "请填写日期" in str(error.value)
    assert Consultation.objects.unrestricted().count() == 0


@pytest.mark.parametrize("user", ["secretary_b", "inspector", "member_user_a"])
def test_only_who_may_change_the_org(world, clock, user):
    with pytest.raises(PermissionDenied):
        consultations.create_consultation(
            by=getattr(world, user), org=world.branch_a, kind="forum", topic="t",
            held_on=clock.today(), participants="全体",
        )  # fmt: skip
    c = consultation_of(world)
    with pytest.raises(PermissionDenied):
        consultations.add_opinion(by=getattr(world, user), consultation=c, content="意见")
    assert Opinion.objects.unrestricted().count() == 0


def test_edit_versioned(world, clock):
    c = consultation_of(world)
    c = consultations.update_consultation(
        by=world.committee_member_a, consultation=c, version=c.version, kind="forum", topic="新主题",
        held_on=clock.today(), participants="支委",
    )  # fmt: skip
    assert (c.topic, c.version) == ("新主题", 2)


def test_opinions_add_edit_delete(world, clock):
    o = opinion_of(world)
    o = consultations.update_opinion(by=world.secretary_a, opinion=o, content="改后的意见", raised_by="")
    assert (o.content, o.raised_by) == ("改后的意见", "")
    with pytest.raises(ValidationError):
        consultations.update_opinion(by=world.secretary_a, opinion=o, content="  ")
    with pytest.raises(PermissionDenied):
        consultations.delete_opinion(by=world.secretary_b, opinion=o)
    consultations.delete_opinion(by=world.secretary_a, opinion=o)
    assert Opinion.objects.unrestricted().count() == 0


def test_opinion_to_problem(world, clock):
    o = opinion_of(world)
    p = consultations.opinion_to_problem(
        by=world.secretary_a, opinion=o, description=o.content, measure="改进",
        owner=world.member_a, deadline=clock.today() + timedelta(days=30), year=clock.today().year,
    )  # fmt: skip
    assert (p.source, p.opinion, p.org) == (ProblemSource.TALK, o, world.branch_a)
    with pytest.raises(ValidationError) as error:
        consultations.delete_opinion(by=world.secretary_a, opinion=o)
    assert "已转为问题" in str(error.value)
    with pytest.raises(ValidationError):
        consultations.opinion_to_problem(
            by=world.secretary_a, opinion=o, description="x", measure="y",
            owner=world.member_b, deadline=clock.today(), year=clock.today().year,
        )  # fmt: skip
    assert Problem.objects.unrestricted().count() == 1


def test_list_filters_and_counts(world, clock, django_assert_max_num_queries):
    opinion_of(world)
    consultation_of(world, topic="个别谈", kind=ConsultationKind.PERSONAL)
    consultation_of(world, "b")
    rows = consultations.consultations_of(fetched_by=world.admin, org=world.branch_a)
    assert sorted(c.opinion_count for c in rows) == [0, 1]
    assert consultations.consultations_of(fetched_by=world.secretary_b).count() == 1
    assert [c.topic for c in consultations.consultations_of(fetched_by=world.admin, q="个别")] == ["个别谈"]
    assert consultations.consultations_of(fetched_by=world.member_user_a).count() == 0
