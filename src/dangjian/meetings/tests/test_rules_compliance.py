"""meetings.rules' compliance rules, table-driven, each case quoting DOMAIN.md §3."""

from datetime import date

import pytest

from dangjian.meetings import rules
from dangjian.meetings.choices import Activity
from dangjian.meetings.rules import DUE, MET, MISSED, Branch, HeldActivity, branch_compliance

BRANCH = Branch(pk=1, path="00010001", has_committee=True, groups=("000100010001", "000100010002"), secretary=7)
SMALL = Branch(pk=2, path="00010002")  # 5 members, a secretary and no committee
GENERAL = "0001"
TODAY = date(2026, 12, 15)  # December 2026 is unfinished: its months, its quarter and its year are "due"


def held(activity, day, org=BRANCH.path, lecturer=None):
    return HeldActivity(org, activity, day, lecturer)


def states(branch, history, months, activity, today=TODAY, per_year=4):
    found = branch_compliance(branch, history, months=months, today=today, lectures_per_year=per_year)
    return [(o.last, o.state) for o in found if o.activity == activity]


Q1 = [(2026, 1), (2026, 2), (2026, 3)]

CASES = [
    # "支部委员会会议 | 1 per month": a branch that held 支委会 in January and March misses February.
    (
        "committee_monthly_january_and_march_held_february_missed",
        BRANCH,
        [held(Activity.COMMITTEE, date(2026, 1, 8)), held(Activity.COMMITTEE, date(2026, 3, 2))],
        Q1,
        Activity.COMMITTEE,
        [((2026, 1), MET), ((2026, 2), MISSED), ((2026, 3), MET)],
    ),
    # "支部党员大会 | 1 per quarter": one 党员大会 in a quarter is enough.
    (
        "assembly_one_in_the_quarter_is_enough",
        BRANCH,
        [held(Activity.ASSEMBLY, date(2026, 2, 20))],
        Q1,
        Activity.ASSEMBLY,
        [((2026, 3), MET)],
    ),
    (
        "assembly_none_in_the_quarter_is_missed",
        BRANCH,
        [held(Activity.ASSEMBLY, date(2026, 4, 1))],
        Q1,
        Activity.ASSEMBLY,
        [((2026, 3), MISSED)],
    ),
    # "支部委员会会议 … only branches that have a committee": a branch of 5 without a committee owes no 支委会.
    ("committee_not_owed_without_a_committee", SMALL, [], Q1, Activity.COMMITTEE, []),
    # "主题党日 … may be combined with the above": a combined meeting counts for both types.
    (
        "combined_meeting_counts_as_theme_day",
        BRANCH,
        [held(Activity.THEME_DAY, date(2026, 1, 5)), held(Activity.COMMITTEE, date(2026, 1, 5))],
        [(2026, 1)],
        Activity.THEME_DAY,
        [((2026, 1), MET)],
    ),
    (
        "combined_meeting_counts_as_committee",
        BRANCH,
        [held(Activity.THEME_DAY, date(2026, 1, 5)), held(Activity.COMMITTEE, date(2026, 1, 5))],
        [(2026, 1)],
        Activity.COMMITTEE,
        [((2026, 1), MET)],
    ),
    # Meetings held by an ancestor (a 党总支's 党员大会) count for each branch below it.
    (
        "general_branch_assembly_counts_for_its_branches",
        BRANCH,
        [held(Activity.ASSEMBLY, date(2026, 1, 9), org=GENERAL)],
        Q1,
        Activity.ASSEMBLY,
        [((2026, 3), MET)],
    ),
    # … but not its committee's meeting: 支委会 is the branch's own.
    (
        "general_branch_committee_does_not_count",
        BRANCH,
        [held(Activity.COMMITTEE, date(2026, 1, 9), org=GENERAL)],
        [(2026, 1)],
        Activity.COMMITTEE,
        [((2026, 1), MISSED)],
    ),
    # "党小组会 | 1 per month | per party group": two groups owe two, one held is not enough.
    (
        "group_meeting_per_group",
        BRANCH,
        [held(Activity.GROUP, date(2026, 1, 9), org="000100010001")],
        [(2026, 1)],
        Activity.GROUP,
        [((2026, 1), MISSED)],
    ),
    (
        "group_meeting_every_group_held",
        BRANCH,
        [
            held(Activity.GROUP, date(2026, 1, 9), org="000100010001"),
            held(Activity.GROUP, date(2026, 1, 19), org="000100010001"),
            held(Activity.GROUP, date(2026, 1, 29), org="000100010002"),
        ],
        [(2026, 1)],
        Activity.GROUP,
        [((2026, 1), MET)],
    ),
    ("no_groups_no_group_meeting", SMALL, [], [(2026, 1)], Activity.GROUP, []),
    # "党课 | 1 per quarter … | the secretary gives ≥1 per year".
    (
        "secretary_lecture_once_a_year",
        BRANCH,
        [held(Activity.LECTURE, date(2025, 5, 9), lecturer=7)],
        [(2025, 12)],
        rules.SECRETARY_LECTURE,
        [((2025, 12), MET)],
    ),
    (
        "lecture_by_someone_else_is_not_the_secretarys",
        BRANCH,
        [held(Activity.LECTURE, date(2025, 5, 9), lecturer=8)],
        [(2025, 12)],
        rules.SECRETARY_LECTURE,
        [((2025, 12), MISSED)],
    ),
    ("no_secretary_no_secretary_lecture", SMALL, [], [(2025, 12)], rules.SECRETARY_LECTURE, []),
    # "组织生活会 | 1 per year, normally in Q4" and "民主评议党员 | 1 per year".
    (
        "life_meeting_yearly",
        BRANCH,
        [held(Activity.LIFE_MEETING, date(2025, 1, 9))],
        [(2025, 11), (2025, 12)],
        Activity.LIFE_MEETING,
        [((2025, 12), MET)],
    ),
    ("appraisal_yearly_missed", BRANCH, [], [(2025, 12)], Activity.APPRAISAL, [((2025, 12), MISSED)]),
    # "Periods: … The current (unfinished) period is due, not missed, until it ends."
    ("current_month_is_due", BRANCH, [], [(2026, 12)], Activity.THEME_DAY, [((2026, 12), DUE)]),
    ("current_year_is_due", BRANCH, [], [(2026, 12)], Activity.APPRAISAL, [((2026, 12), DUE)]),
    ("last_month_is_missed", BRANCH, [], [(2026, 11)], Activity.THEME_DAY, [((2026, 11), MISSED)]),
    # Founded mid-period: obligations start with the first full month after the founding day.
    (
        "founded_mid_february_owes_from_march",
        Branch(pk=3, path="00010003", established_on=date(2026, 2, 10)),
        [],
        Q1,
        Activity.THEME_DAY,
        [((2026, 3), MISSED)],
    ),
    (
        "founded_mid_quarter_owes_no_quarter",
        Branch(pk=3, path="00010003", established_on=date(2026, 2, 10)),
        [],
        Q1,
        Activity.ASSEMBLY,
        [],
    ),
    (
        "founded_on_the_first_owes_that_month",
        Branch(pk=3, path="00010003", established_on=date(2026, 1, 1)),
        [],
        Q1,
        Activity.ASSEMBLY,
        [((2026, 3), MISSED)],
    ),
]


@pytest.mark.parametrize(
    ("branch", "history", "months", "activity", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rules(branch, history, months, activity, expected):
    assert states(branch, history, months, activity) == expected


@pytest.mark.parametrize(
    ("per_year", "ends"),
    [(4, [(2026, 3), (2026, 6), (2026, 9), (2026, 12)]), (2, [(2026, 6), (2026, 12)]), (1, [(2026, 12)])],
)
def test_lectures_per_year_is_a_setting(per_year, ends):
    """ "党课 | 1 per quarter (configurable …)": MEETING_LECTURES_PER_YEAR sets the periods."""
    months = rules.months_between((2026, 1), (2026, 12))
    found = states(SMALL, [], months, Activity.LECTURE, today=date(2027, 1, 5), per_year=per_year)
    assert [last for last, _ in found] == ends


def test_lectures_per_year_must_divide_twelve():
    with pytest.raises(ValueError, match="12 的约数"):
        rules.period_months(Activity.LECTURE, 5)


def test_cell_counts_by_unit():
    found = branch_compliance(
        BRANCH,
        [held(Activity.GROUP, date(2026, 11, 9), org="000100010001"), held(Activity.THEME_DAY, date(2026, 11, 9))],
        months=[(2026, 11)],
        today=TODAY,
    )
    counts = rules.cell_counts(found)
    # 支委会 missed, 2 groups' 党小组会 (1 met, 1 missed), 主题党日 met.
    assert (counts.required, counts.met, counts.missed, counts.due) == (4, 2, 2, 0)
    assert counts.share == 0.5
    assert rules.CellCounts().share is None
