"""The services over the database: a whole walk to 转正, and each refusal writes nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core import clock
from dangjian.core.lib import idcard
from dangjian.core.lib.periods import add_months
from dangjian.development import rules, services
from dangjian.development.choices import Origin, State
from dangjian.development.models import Applicant, StepPerson, StepRecord
from dangjian.fees.models import LedgerLine
from dangjian.members.choices import Category, ExitKind, Status

from .dev_world import dev_world, earliest, new_applicant, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(world, clock):
    return dev_world(world)


def test_a_walk_to_full_membership_puts_the_person_on_the_roster_then_confirms_them(world, d):
    applicant = new_applicant(world)
    applicant = walk(world, d, applicant, until=16)
    assert applicant.state == State.PIPELINE and applicant.member is None
    applicant = walk(world, d, applicant, until=17)
    member = applicant.member
    assert applicant.state == State.PROBATION
    assert member.category == Category.PROBATIONARY and member.joined_on == applicant.accepted_on
    assert member.org == world.branch_a and member.status == Status.ACTIVE
    months = {line.month for line in LedgerLine.objects.unrestricted().filter(member=member)}
    first, now = applicant.accepted_on.replace(day=1), clock.today().replace(day=1)
    assert min(months) == first and max(months) == now  # owing from the 支部大会's month (DOMAIN.md §4)
    assert len(months) == (now.year - first.year) * 12 + now.month - first.month + 1
    applicant = walk(world, d, applicant, until=25)
    member.refresh_from_db()
    assert applicant.state == State.CONFIRMED
    assert member.category == Category.FULL
    assert member.full_member_on == rules.probation_end(applicant.accepted_on) == applicant.full_member_on
    assert applicant.next_step is None and applicant.due_on is None


def test_sponsors_must_be_full_members_of_the_branch(world, d):
    applicant = walk(world, d, new_applicant(world), until=7)
    on = earliest(applicant, 8)
    for people, text in (
        ([d.full[0].pk, d.probationary.pk], "预备党员不能担任"),
        ([d.full[0].pk, world.member_b.pk], "须为本支部在册党员"),
        ([d.full[0].pk], "入党介绍人须为2名"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.record_step(by=world.secretary_a, applicant=applicant, step=8, done_on=on, people=people)
        assert text in str(refused.value)
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=8).exists()
    assert not StepPerson.objects.filter(record__applicant=applicant, role="sponsor").exists()


def test_a_vote_without_a_quorum_is_refused_and_nothing_written(world, d):
    applicant = walk(world, d, new_applicant(world), until=14)
    on = earliest(applicant, 15)
    from .dev_world import assembly_meeting

    meeting = assembly_meeting(world, on, present=3)  # 3 of 7 full members present
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            by=world.secretary_a,
            applicant=applicant,
            step=15,
            done_on=on,
            meeting=meeting,
            vote=services.Vote(in_favour=3),
        )
    assert rules.RULE_QUORUM in str(refused.value)
    applicant.refresh_from_db()
    assert applicant.accepted_on is None and applicant.last_step == 14


def test_confirmation_before_the_year_is_up_is_refused(world, d):
    applicant = walk(world, d, new_applicant(world), until=22)
    accepted = applicant.accepted_on
    early = rules.probation_end(accepted) - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            by=world.secretary_a,
            applicant=applicant,
            step=23,
            done_on=early,
            vote=services.Vote(7, 7, 7),
            decision=rules.CONFIRM,
        )
    assert rules.RULE_PROBATION in str(refused.value)
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=23).exists()


def test_the_upper_committee_approves_not_the_branch(world, d):
    applicant = walk(world, d, new_applicant(world), until=16)
    with pytest.raises(PermissionDenied):
        services.record_step(by=world.secretary_a, applicant=applicant, step=17, done_on=earliest(applicant, 17))


def test_an_extension_opens_a_second_round_and_a_second_one_is_refused(world, d):
    applicant = walk(world, d, new_applicant(world, applied_on=clock.today() - timedelta(days=4 * 365)), until=22)
    extend = {23: {"decision": rules.EXTEND, "extend_months": 6}}
    applicant = walk(world, d, applicant, until=24, overrides=extend)
    assert applicant.round == 1 and applicant.extended_months == 6 and applicant.state == State.PROBATION
    assert applicant.next_step == 22
    assert applicant.ready_on == rules.probation_end(applicant.accepted_on, 6)
    applicant = walk(world, d, applicant, until=22)
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            by=world.secretary_a,
            applicant=applicant,
            step=23,
            done_on=earliest(applicant, 23),
            vote=services.Vote(7, 7, 7),
            decision=rules.EXTEND,
            extend_months=6,
        )
    assert rules.RULE_EXTEND_ONCE in str(refused.value)


def test_a_cancelled_qualification_takes_the_member_off_the_register(world, d):
    applicant = walk(world, d, new_applicant(world), until=22)
    applicant = walk(world, d, applicant, until=24, overrides={23: {"decision": rules.CANCEL}})
    member = applicant.member
    member.refresh_from_db()
    assert applicant.state == State.ENDED and applicant.ended_reason
    assert member.status == Status.EXPELLED and member.exit_kind == ExitKind.CANCELLED


def test_a_roster_probationer_gets_the_confirmation_steps_only(world, d):
    record = services.probation_record(by=world.secretary_a, member=d.probationary)
    assert record.origin == Origin.ROSTER and record.accepted_on == d.probationary.joined_on
    assert record.next_step == 22 and record.ready_on == rules.probation_end(d.probationary.joined_on)
    assert services.probation_record(by=world.secretary_a, member=d.probationary).pk == record.pk
    with pytest.raises(ValidationError):
        services.record_step(by=world.secretary_a, applicant=record, step=5, done_on=clock.today())


def test_an_applicant_under_18_is_refused(world, d):
    with pytest.raises(ValidationError) as refused:
        new_applicant(world, applied_on=clock.today(), born=add_months(clock.today(), -17 * 12))
    assert rules.RULE_AGE in str(refused.value)
    assert not Applicant.objects.unrestricted().exists()


def test_another_branch_cannot_touch_the_record(world, d):
    applicant = new_applicant(world)
    with pytest.raises(PermissionDenied):
        services.record_step(by=world.secretary_b, applicant=applicant, step=2, done_on=clock.today())


def test_the_id_number_must_agree_with_the_birth_date(world, d):
    with pytest.raises(ValidationError) as refused:
        new_applicant(world, id_number=idcard.make("110101", date(1990, 1, 1), 11, male=True))
    assert "birth_date" in refused.value.message_dict
    assert not Applicant.objects.unrestricted().exists()


def test_a_correction_of_the_birth_date_is_held_to_the_age_rule(world, d):
    applicant = new_applicant(world, applied_on=clock.today())
    young = clock.today().replace(year=clock.today().year - 17, day=1)
    with pytest.raises(ValidationError) as refused:
        services.update_applicant(
            by=world.secretary_a,
            applicant=applicant,
            birth_date=young,
            id_number=idcard.make("110101", young, 7, male=True),
        )
    assert rules.RULE_AGE in str(refused.value)


def test_a_note_longer_than_its_limit_is_refused(world, d):
    applicant = new_applicant(world)
    with pytest.raises(ValidationError) as refused:
        services.record_step(
            by=world.secretary_a,
            applicant=applicant,
            step=2,
            done_on=earliest(applicant, 2),
            people=[world.member_a2.pk],
            note="谈" * 2001,
        )
    assert "note" in refused.value.message_dict
    assert not StepRecord.objects.unrestricted().filter(applicant=applicant, step=2).exists()
