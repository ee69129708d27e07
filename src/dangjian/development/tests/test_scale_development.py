"""The development records' part of scale data set L (development/scale.py), on the small set every producer's tests
build: records at every stage and state, steps the rules allow with their people, stored funnel fields as
services.refresh_due computes them, some overdue, 考察 records, a few 处置 cases; the same set for the same seed."""

from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count

from dangjian.core import clock
from dangjian.core.tests.scale_set import seed
from dangjian.development import rules, services
from dangjian.development.choices import CaseState, State
from dangjian.development.models import Applicant, CaseAction, ExitCase, Review, StepPerson, StepRecord
from dangjian.development.scale import MIN_RECORDS
from dangjian.members.choices import Category, Status

STORED = ("last_step", "stage", "next_step", "ready_on", "due_on", "review_due_on")


@pytest.fixture
def small(db):
    return seed(years=2)


def stored(applicant: Applicant) -> tuple:
    return tuple(getattr(applicant, name) for name in STORED)


def test_records_at_every_stage_and_state(small):
    records = Applicant.objects.unrestricted()
    assert records.count() == small.counts["发展档案"] >= MIN_RECORDS
    states = Counter(records.values_list("state", flat=True))
    assert states[State.PIPELINE] > records.count() / 2
    assert states[State.PROBATION] and states[State.CONFIRMED] and states[State.ENDED]
    stages = Counter(records.filter(state=State.PIPELINE).values_list("stage", flat=True))
    assert set(stages) == {0, 1, 2, 3}, stages
    assert records.values("org").distinct().count() > 10
    assert {a.org.kind for a in records.select_related("org")} == {"branch"}
    # 预备党员 and 已转正 are the roster's own people: their 支部大会 on the 入党日期
    for applicant in records.filter(state__in=[State.PROBATION, State.CONFIRMED]).select_related("member"):
        member = applicant.member
        assert member.org_id == applicant.org_id and member.id_number == applicant.id_number
        assert applicant.accepted_on == member.joined_on
        assert StepRecord.objects.get(applicant=applicant, step=15).done_on == member.joined_on
        if applicant.state == State.PROBATION:
            assert member.category == Category.PROBATIONARY
        else:
            assert member.category == Category.FULL and applicant.full_member_on == member.full_member_on
    assert not records.filter(state=State.PIPELINE, member__isnull=False).exists()


def test_steps_are_what_the_rules_allow_with_their_people(small):
    today = clock.today()
    for applicant in Applicant.objects.unrestricted().prefetch_related("steps"):
        history = {}
        for record in sorted(applicant.steps.all(), key=lambda r: r.step):
            facts = rules.Facts(today=today, birth_date=applicant.birth_date, decision=record.decision or None)
            verdict = rules.check_step(history, record.step, record.done_on, facts)
            assert verdict.accepted, (applicant, record.step, verdict.refusals)
            assert [f["rule"] for f in record.flags] == [f.rule for f in verdict.flags]
            if record.step in rules.VOTE_STEPS:
                assert rules.vote_passes(record.voting_members, record.present_voting, record.in_favour)
            history[record.step] = record.done_on
        assert sorted(history) == list(range(1, applicant.last_step + 1))
    talks = StepRecord.objects.unrestricted().filter(step=2)
    assert any(talk.flags for talk in talks)  # a few 谈话 came late: flagged
    people = StepPerson.objects.select_related("record__applicant", "member")
    assert people.count() == small.counts["步骤人员"] > 0
    for person in people:
        record = person.record
        assert person.role == rules.PEOPLE[record.step][0]
        member = person.member
        assert member.org_id == record.applicant.org_id and member.status == Status.ACTIVE
        assert member.category == Category.FULL and member.full_member_on <= record.done_on
    per_record = StepPerson.objects.values("record").annotate(n=Count("id"))
    assert {row["n"] for row in per_record.filter(record__step__in=[5, 8])} <= {2}


def test_stored_fields_are_what_refresh_due_computes(small):
    records = list(Applicant.objects.unrestricted().order_by("id"))
    sample = records[:: max(1, len(records) // 40)] + [a for a in records if a.review_due_on][:10]
    for applicant in sample:
        before = stored(applicant)
        services.refresh_due(applicant)
        applicant.refresh_from_db()
        assert stored(applicant) == before, applicant


def test_some_overdue_some_reviews(small):
    today = clock.today()
    open_ = Applicant.objects.unrestricted().filter(state__in=[State.PIPELINE, State.PROBATION])
    overdue = open_.filter(due_on__lt=today).count()
    total = Applicant.objects.unrestricted().count()
    assert 0 < overdue <= 0.2 * total
    assert open_.filter(next_step=2, due_on__lt=today).exists()  # a 谈话 not held a month after the application
    reviews = Review.objects.unrestricted()
    assert reviews.count() == small.counts["考察记录"] > 0
    assert not reviews.filter(done_on__gt=today).exists()
    assert Applicant.objects.unrestricted().filter(review_due_on__isnull=False).exists()


def test_a_handful_of_cases(small):
    cases = ExitCase.objects.unrestricted().select_related("member")
    assert 3 <= cases.count() == small.counts["处置案件"]
    for case in cases:
        assert case.member.org_id == case.org_id and case.member.status == Status.ACTIVE
        assert case.opened_on <= clock.today()
        assert CaseAction.objects.unrestricted().filter(case=case).count() == 1
    assert cases.filter(state=CaseState.OPEN).exists()


def test_the_same_seed_makes_the_same_records(db):
    class Undo(Exception):
        pass

    def snapshot():
        key = ("org__path", "id_number")
        rows = Applicant.objects.unrestricted().values_list(*key, "name", "state", "member__id_number", *STORED)
        steps = StepRecord.objects.unrestricted().values_list("applicant__id_number", "step", "done_on", "flags")
        people = StepPerson.objects.values_list("record__applicant__id_number", "record__step", "member__id_number")
        cases = ExitCase.objects.unrestricted().values_list("member__id_number", "source", "opened_on", "state")
        return [sorted(map(repr, q)) for q in (rows, steps, people, cases)]

    runs = []
    for seed_value in (7, 7, 8):
        with pytest.raises(Undo), transaction.atomic():
            seed(seed=seed_value, years=2)
            runs.append(snapshot())
            raise Undo
    assert runs[0] == runs[1] and runs[0][0]
    assert runs[0][0] != runs[2][0]
