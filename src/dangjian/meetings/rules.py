"""The regulations' numbers for organisational life (DOMAIN.md §3, 党章第九条), in one place."""

from .choices import Activity

#: A record entered more than this many days after the meeting is marked 补录 (DOMAIN.md §3).
BACKFILL_DAYS = 7
#: 党章 第九条: six consecutive months without organisational life (a flag for people, never a status change).
ABSENT_MONTHS_FLAG = 6
#: Attendance below this share is a reminder (issue 12: attendance < 2/3).
ATTENDANCE_MIN = (2, 3)
#: 民主评议党员: 优秀 normally no more than a third of the members rated (DOMAIN.md §3).
EXCELLENT_MAX = (1, 3)

#: Activities whose invitees are the whole org's members in register (a 党总支's 党员大会: its branches' members).
WHOLE_ORG_ACTIVITIES = frozenset(
    {Activity.ASSEMBLY, Activity.LECTURE, Activity.THEME_DAY, Activity.LIFE_MEETING, Activity.APPRAISAL}
)
