"""发展党员's rules (DOMAIN.md §5): every duration the day before, the day and the day after its period's last day;
order; and generated step sequences held to an oracle written here from DOMAIN.md, with dateutil's month arithmetic."""

from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import event, given, settings
from hypothesis import strategies as st

from dangjian.development import rules
from dangjian.development.rules import (
    CANCEL,
    CONFIRM,
    EXTEND,
    STAGES,
    STEPS,
    Facts,
    check_step,
    probation_end,
    vote_passes,
)

TODAY = date(2030, 6, 30)
DAY = timedelta(days=1)
ADULT = date(1990, 5, 5)


def facts(**kwargs) -> Facts:
    return Facts(**{"today": TODAY, "birth_date": ADULT, **kwargs})


def history_until(step: int, day: date) -> dict[int, date]:
    """Every step before `step` recorded on `day` (each check looks only at the step asked about)."""
    return {n: day for n in range(1, step)}


def codes(findings) -> set[str]:
    return {finding.rule for finding in findings}


# ── The data ──────────────────────────────────────────────────────────────────────────────────────────────────────


def test_the_25_steps_in_5_stages_each_after_an_earlier_step():
    assert [step.number for step in STEPS] == list(range(1, 26))
    assert [stage for stage in STAGES if any(step.stage == stage for step in STEPS)] == list(STAGES)
    assert [step.stage for step in STEPS] == sorted((step.stage for step in STEPS), key=STAGES.index)
    for step in STEPS[1:]:
        assert step.predecessors and all(before < step.number for before in step.predecessors)
    assert len({step.code for step in STEPS}) == 25


def test_every_step_and_every_duration_names_its_source():
    for step in STEPS:
        assert "《" in step.source or "第" in step.source, step
        for duration in (step.min_after, step.max_after):
            if duration:
                assert "（《" in duration.rule and "第" in duration.rule


def test_the_numbers_are_those_of_domain_md():
    assert (rules.MIN_AGE, rules.TALK_WITHIN_MONTHS, rules.ACTIVIST_MIN_MONTHS, rules.PROBATION_MONTHS) == (
        18,
        1,
        12,
        12,
    )
    assert (rules.EXTEND_MIN_MONTHS, rules.EXTEND_MAX_MONTHS, rules.APPROVAL_WITHIN_MONTHS) == (6, 12, 3)


# ── Every duration: the day before, the day, the day after ───────────────────────────────────────────────────────

ANCHORS = [date(2024, 3, 10), date(2024, 1, 31), date(2024, 2, 29), date(2024, 8, 31), date(2023, 11, 30)]


@pytest.mark.parametrize("anchor", ANCHORS)
@pytest.mark.parametrize(
    ("step", "after", "months", "late_flag"),
    [(2, 1, 1, rules.RULE_TALK), (17, 15, 3, rules.RULE_APPROVAL), (24, 23, 3, rules.RULE_CONFIRM_APPROVAL)],
)
def test_a_late_talk_or_approval_is_flagged_not_refused(anchor, step, after, months, late_flag):
    history = history_until(step, anchor - timedelta(days=400)) | {after: anchor}
    last = anchor + relativedelta(months=months)
    for day, late in ((last - DAY, False), (last, False), (last + DAY, True)):
        verdict = check_step(history, step, day, facts())
        assert verdict.accepted, (day, verdict)
        assert [flag.message for flag in verdict.flags] == ([late_flag] if late else []), day


@pytest.mark.parametrize("anchor", ANCHORS)
def test_a_candidate_only_after_a_year_as_activist(anchor):
    history = history_until(7, anchor)
    last = anchor + relativedelta(years=1)
    assert [f.message for f in check_step(history, 7, last - DAY, facts()).refusals] == [rules.RULE_ACTIVIST]
    assert check_step(history, 7, last, facts()).accepted
    assert check_step(history, 7, last + DAY, facts()).accepted


@pytest.mark.parametrize("anchor", ANCHORS)
@pytest.mark.parametrize(("decision", "extended"), [(CONFIRM, 0), (CONFIRM, 6), (CONFIRM, 12), (EXTEND, 0)])
def test_the_probation_ends_a_year_from_the_branch_meeting_plus_its_extension(anchor, decision, extended):
    history = history_until(23, anchor) | {15: anchor}
    last = anchor + relativedelta(months=12 + extended)
    assert probation_end(anchor, extended) == last
    f = facts(decision=decision, extended_months=extended, extend_months=6 if decision == EXTEND else 0)
    assert codes(check_step(history, 23, last - DAY, f).refusals) == {"probation"}
    assert check_step(history, 23, last, f).accepted
    assert check_step(history, 23, last + DAY, f).accepted


def test_cancelling_the_probation_needs_no_end_of_it():
    history = history_until(23, date(2024, 3, 10))
    assert check_step(history, 23, date(2024, 3, 11), facts(decision=CANCEL)).accepted


@pytest.mark.parametrize(
    ("months", "accepted"), [(0, False), (5, False), (6, True), (7, True), (11, True), (12, True), (13, False)]
)
def test_an_extension_is_six_months_to_a_year(months, accepted):
    history = history_until(23, date(2024, 3, 10))
    verdict = check_step(history, 23, date(2025, 3, 10), facts(decision=EXTEND, extend_months=months))
    assert verdict.accepted is accepted
    if not accepted:
        assert [f.message for f in verdict.refusals] == [rules.RULE_EXTEND_LENGTH]


def test_the_probation_is_extended_once():
    history = history_until(23, date(2024, 3, 10))
    verdict = check_step(history, 23, date(2025, 9, 10), facts(decision=EXTEND, extend_months=6, extended_months=6))
    assert [f.message for f in verdict.refusals] == [rules.RULE_EXTEND_ONCE]
    assert check_step(history, 23, date(2025, 9, 10), facts(decision=CONFIRM, extended_months=6)).accepted


def test_the_branch_meeting_on_probation_must_say_what_it_decided():
    history = history_until(23, date(2024, 3, 10))
    assert codes(check_step(history, 23, date(2025, 3, 10), facts()).refusals) == {"decision"}


@pytest.mark.parametrize(
    ("birth", "eighteenth"),
    [
        (date(2006, 3, 10), date(2024, 3, 10)),
        (date(2008, 2, 29), date(2026, 2, 28)),  # no 29 February: the month's last day (民法典 第二百零二条)
        (date(2004, 2, 29), date(2022, 2, 28)),
        (date(2006, 12, 31), date(2024, 12, 31)),
    ],
)
def test_an_applicant_is_eighteen_on_the_application_date(birth, eighteenth):
    f = facts(birth_date=birth)
    assert [x.message for x in check_step({}, 1, eighteenth - DAY, f).refusals] == [rules.RULE_AGE]
    assert check_step({}, 1, eighteenth, f).accepted
    assert check_step({}, 1, eighteenth + DAY, f).accepted


def test_an_application_without_a_birth_date_is_refused():
    assert codes(check_step({}, 1, date(2024, 1, 1), facts(birth_date=None)).refusals) == {"age"}


def test_no_step_in_the_future():
    assert codes(check_step({}, 1, TODAY + DAY, facts()).refusals) == {"future"}
    assert check_step({}, 1, TODAY, facts()).accepted


# ── Order ─────────────────────────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("step", [n for n in range(2, 26)])
def test_no_step_before_its_predecessor_or_without_it(step):
    day = date(2026, 5, 20)
    history = history_until(step, day - timedelta(days=800))
    (before, *_) = rules.BY_NUMBER[step].predecessors
    history[before] = day
    refused = check_step(history, step, day - DAY, facts(decision=CANCEL))
    assert "order" in codes(refused.refusals)
    assert rules.RULE_ORDER in refused.refusals[0].message
    assert "order" not in codes(check_step(history, step, day, facts(decision=CANCEL)).refusals)  # the same day is fine
    del history[before]
    assert "order" in codes(check_step(history, step, day, facts(decision=CANCEL)).refusals)


def test_oath_and_placement_follow_the_approval_not_the_filing():
    history = history_until(18, date(2025, 1, 1))  # 1..17
    assert check_step(history, 19, date(2025, 1, 2), facts()).accepted
    assert check_step(history, 20, date(2025, 1, 2), facts()).accepted
    assert not check_step(history | {20: date(2025, 1, 3)}, 21, date(2025, 1, 2), facts()).accepted


def test_an_unknown_step_is_an_error():
    with pytest.raises(ValueError):
        check_step({}, 26, date(2024, 1, 1), facts())


# ── The branch meeting's vote (DOMAIN.md §5 step 15; 预备党员 have no vote, §8) ──────────────────────────────────────


@pytest.mark.parametrize(
    ("voting", "present", "favour", "failed"),
    [
        (10, 5, 5, {"quorum", "majority"}),
        (10, 6, 5, {"majority"}),  # more than half present, but half of ALL in favour is not more than half
        (10, 6, 6, set()),
        (10, 10, 5, {"majority"}),
        (9, 4, 4, {"quorum", "majority"}),
        (9, 5, 5, set()),
        (1, 1, 1, set()),
        (2, 1, 1, {"quorum", "majority"}),
        (3, 2, 2, set()),
    ],
)
def test_more_than_half_present_and_more_than_half_of_all_in_favour(voting, present, favour, failed):
    verdict = vote_passes(voting, present, favour)
    assert codes(verdict.refusals) == failed
    assert verdict.accepted is (not failed)


@pytest.mark.parametrize(("voting", "present", "favour"), [(0, 0, 0), (5, 6, 1), (5, 3, 4), (5, -1, 0)])
def test_an_impossible_count_is_an_error(voting, present, favour):
    with pytest.raises(ValueError):
        vote_passes(voting, present, favour)


# ── Generated sequences against an oracle ────────────────────────────────────────────────────────────────────────

#: DOMAIN.md §5's order, stated again here: each step after the one before, except 宣誓 and 编入 after the 审批
#: (not the 备案), and the 考察 after the 编入.
ORACLE_BEFORE = {19: 17, 20: 17, 21: 20}


def oracle(history, step, on, f: Facts) -> tuple[set[str], set[str]]:
    """(refusal codes, flag codes) from DOMAIN.md §5, with dateutil's month arithmetic."""
    refused, flagged = set(), set()
    if on > f.today:
        refused.add("future")
    if step > 1:
        before = ORACLE_BEFORE.get(step, step - 1)
        if before not in history or on < history[before]:
            refused.add("order")
    if step == 1 and (f.birth_date is None or on < f.birth_date + relativedelta(years=18)):
        refused.add("age")
    if step == 7 and 4 in history and on < history[4] + relativedelta(years=1):
        refused.add("min")
    for late_step, anchor, months in ((2, 1, 1), (17, 15, 3), (24, 23, 3)):
        if step == late_step and anchor in history and on > history[anchor] + relativedelta(months=months):
            flagged.add("late")
    if step == 23:
        if f.decision not in (CONFIRM, EXTEND, CANCEL):
            refused.add("decision")
        else:
            if f.decision == EXTEND and f.extended_months:
                refused.add("extend_once")
            if f.decision == EXTEND and not 6 <= f.extend_months <= 12:
                refused.add("extend_length")
            probation_over = 15 not in history or on >= history[15] + relativedelta(months=12 + f.extended_months)
            if f.decision != CANCEL and not probation_over:
                refused.add("probation")
    return refused, flagged


#: An attempt at the step after the last one accepted (so sequences get deep), or at any step.
NEXT = 0
attempts = st.lists(
    st.tuples(
        st.integers(min_value=-60, max_value=25).map(lambda n: max(n, NEXT)),  # the next step 70% of the time
        st.integers(min_value=-2, max_value=2) | st.integers(min_value=0, max_value=60) | st.integers(-40, -3),
        st.sampled_from([CONFIRM, EXTEND, CANCEL, None]),
        st.integers(min_value=0, max_value=14),
        st.sampled_from([0, 0, 6, 12]),
    ),
    min_size=40,
    max_size=100,
)


def near(history, step, extended, start) -> date:
    """Where the attempts cluster: around the end of a minimum (so its edges are tried), else the latest step."""
    if step == 7 and 4 in history:
        return history[4] + relativedelta(years=1)
    if step == 23 and 15 in history:
        return history[15] + relativedelta(months=12 + extended)
    return max(history.values(), default=start)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
    birth=st.dates(min_value=date(1960, 1, 1), max_value=date(2008, 12, 31)),  # None: the table test above
    tries=attempts,
)
def test_generated_sequences_accept_exactly_what_the_oracle_allows(start, birth, tries):
    """Each attempt (a step, a day, a decision) is checked against the history accepted so far: the verdict's refusals
    and flags are the oracle's, so an illegal order or an illegal duration is never accepted; the accepted history
    is in order and keeps every minimum."""
    today = start + timedelta(days=1500)
    history: dict[int, date] = {}
    for step, offset, decision, extend, extended in tries:
        step = step or min(max(history, default=0) + 1, 25)
        on = near(history, step, extended, start) + timedelta(days=offset)
        f = Facts(today=today, birth_date=birth, decision=decision, extend_months=extend, extended_months=extended)
        verdict = check_step(history, step, on, f)
        refused, flagged = oracle(history, step, on, f)
        assert (codes(verdict.refusals), codes(verdict.flags)) == (refused, flagged)
        if verdict.accepted and step not in history:
            history[step] = on
    for step, day in history.items():
        assert day <= today
        if step > 1:
            assert history[ORACLE_BEFORE.get(step, step - 1)] <= day
        if step == 7:
            assert day >= history[4] + relativedelta(years=1)
    event(f"steps accepted: {len(history) // 5 * 5}+")


@settings(max_examples=200, deadline=None)
@given(
    activist=st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31)),
    short=st.integers(min_value=1, max_value=366),
)
def test_a_candidate_earlier_than_a_year_is_always_refused(activist, short):
    history = history_until(7, activist)
    on = activist + relativedelta(years=1) - timedelta(days=short)
    assert "min" in codes(check_step(history, 7, on, Facts(today=date(2035, 1, 1), birth_date=ADULT)).refusals)
