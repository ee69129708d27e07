"""The development records of demo data set S (development/demo.py): every stage and state in several branches,
the personas' branches populated, overdue steps and a 考察 record due, two 预备党员 near 转正 (one from the pipeline,
one from the roster), a 处置 case; the rows are the services' own (stored fields as refresh_due computes them)."""

from collections import Counter
from datetime import timedelta

import pytest

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.development import rules, services
from dangjian.development.choices import Origin, State
from dangjian.development.models import Applicant, ExitCase, Review, StepPerson, StepRecord


@pytest.fixture
def demo_set(db):
    return demo_seed(today=clock.today())


def test_every_stage_and_state_for_every_persona(demo_set):
    today = clock.today()
    records = Applicant.objects.unrestricted().select_related("org")
    assert demo_set.counts["发展档案"] == records.count()
    stages = Counter(a.stage for a in records if a.state == State.PIPELINE)
    assert all(stages[stage] > 0 for stage in range(4)), stages
    states = Counter(a.state for a in records)
    assert all(states[state] > 0 for state in State.values), states
    assert records.values("org").distinct().count() >= 8
    for code in ("ZB01", "ZB02"):  # the secretaries' branches: a record at each stage
        mine = [a for a in records if a.org.code == code]
        assert {a.stage for a in mine} == {0, 1, 2, 3, 4}, code
    # overdue: a 谈话 not held after a month, an 审批 not given after three; a 考察 record due
    open_ = records.filter(state__in=[State.PIPELINE, State.PROBATION])
    assert open_.filter(next_step=2, due_on__lt=today).exists()
    assert open_.filter(next_step=17, due_on__lt=today).exists()
    assert open_.filter(review_due_on__lt=today).exists()
    assert StepRecord.objects.unrestricted().filter(step=2).exclude(flags=[]).exists()  # a late 谈话, flagged
    # two 预备党员 near 转正: one from the pipeline, one from the roster
    near = open_.filter(state=State.PROBATION, due_on__gte=today, due_on__lte=today + timedelta(days=30))
    assert {a.origin for a in near} == {Origin.PIPELINE, Origin.ROSTER}
    for record in near:
        assert record.due_on == rules.probation_end(record.accepted_on)
    confirmed = records.get(state=State.CONFIRMED)
    assert confirmed.member.category == "full" and confirmed.member.full_member_on == confirmed.full_member_on
    assert records.filter(extended_months=rules.EXTEND_MIN_MONTHS, round=1).exists()
    assert StepRecord.objects.unrestricted().filter(step=15, meeting__isnull=False).exists()
    assert StepPerson.objects.count() > 0 and Review.objects.unrestricted().count() >= 3
    assert ExitCase.objects.unrestricted().count() == demo_set.counts["处置案件"] == 1
    for applicant in records:
        before = (applicant.last_step, applicant.stage, applicant.next_step, applicant.due_on, applicant.review_due_on)
        services.refresh_due(applicant)
        applicant.refresh_from_db()
        assert before == (
            applicant.last_step, applicant.stage, applicant.next_step, applicant.due_on, applicant.review_due_on
        )  # fmt: skip
