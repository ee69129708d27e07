"""Regulation numbers for organisations, each with its source (DOMAIN.md §1). Data, not code."""

from datetime import timedelta

from .choices import OrgKind

#: 支部条例 第五条: a unit with at least 3 full (正式) members sets up a branch.
MIN_FULL_MEMBERS_FOR_BRANCH = 3

#: 机关条例 (2019) 第七条 and 支部条例: a branch with at least 7 full (正式) members sets up a branch committee
#: (支委会) … ("有正式党员7人以上的党支部，应当设立党支部委员会")
MEMBERS_FOR_COMMITTEE = 7

#: 支部条例 第五条: a branch usually has no more than 50 members; 机关条例 (2019): 50–100 members → a 党总支 may
#: be set up. Above this the branch is reminded (info) to consider splitting.
BRANCH_USUAL_MAX_MEMBERS = 50
#: … of 3–5 members, at most 7 ("由3至5人组成，一般不超过7人").
COMMITTEE_SIZE_NORMAL = (3, 5)
COMMITTEE_SIZE_MAX = 7
#: Same articles: below 7 full members, a secretary and, if needed, a deputy secretary.
SMALL_BRANCH_MAX_LEADERS = 2

#: Term lengths in years: 2018 中办 opinion — 基层委员会 (机关党委) 5 years, 党总支 and 党支部 3 years
#: (党章 allows 3–5).
TERM_YEARS = {
    OrgKind.COMMITTEE: 5,
    OrgKind.GENERAL_BRANCH: 3,
    OrgKind.BRANCH: 3,
}

#: 选举条例 (2020): remind before a term expires …
TERM_REMIND_BEFORE = timedelta(days=91)  # 3 months
#: … and flag an election delayed past the normal maximum of 1 year.
TERM_OVERDUE_LIMIT = timedelta(days=365)
