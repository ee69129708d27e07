"""The meetings' part of scale data set L (see dangjian.core.scale), producer 70, after the roster and its history:
`years` of organisational life for every 党支部 up to today, COPYed on PostgreSQL (executemany elsewhere).

Per branch and month a 主题党日 (in the last month of a quarter most branches combine it with the 党课), a
支委会 where the branch has a committee, a 党小组会 per group; a 党员大会 each quarter (with the 党课 where the
主题党日 did not have it) and in December a 组织生活会 with 民主评议党员 (self-criticism, criticism, 整改 items,
ratings). About one branch in ten is lax and misses months; most invitees are present, absences carry a reason, and
a few members attended nothing for the last 7–12 months (the six-month flag). Records are mostly passed, some
returned with a comment, the last week's still drafts or submitted; a few past meetings were never recorded, a few
were 补录. Each year the secretary talks with the committee members and some members (谈心谈话).

Every MeetingActivity copies its meeting's org, day and held state (as services.sync_activities does); every
attendance row carries the member's branch on the meeting's day (internal moves read from the roster's history).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from dangjian.core.scale import (
    ADMIN_USERNAME,
    ScaleContext,
    foreign_keys_checked_at_the_end,
    reset_sequence,
    scale_producer,
    write_rows,
)
from dangjian.members.choices import Status, TransferKind
from dangjian.members.models import Member, StatusChange, Transfer
from dangjian.members.scale import MADE_CURRENT_SEATS, MADE_CURRENT_TERMS, scale_members
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.scale import scale_orgs

from .cells import refresh_cells
from .choices import (
    AbsenceReason,
    Activity,
    CriticismKind,
    MeetingStatus,
    Presence,
    Rating,
    ReviewState,
    SignedBy,
    TalkKind,
)
from .models import AppraisalRating, Attendance, LifeMeetingItem, Meeting, MeetingActivity, Rectification, Talk
from .rules import BACKFILL_DAYS

#: Share of branches that are lax (miss a quarter of their meetings); the others miss one in a hundred.
LAX_SHARE = 0.10
LAX_SKIP, SKIP = 0.25, 0.01
#: Share of branches holding the quarter's 党课 with the 主题党日 (the others with the 党员大会).
LECTURE_WITH_THEME_DAY = 0.7
#: Chance an invitee is present; a few meetings are poorly attended (the < 2/3 reminder).
PRESENT, POOR_PRESENT, POOR_SHARE = 0.92, 0.55, 0.03
#: Share of staff members who attended nothing in the last 7–12 months.
AWAY_SHARE = 0.004
#: Past meetings never recorded (still 计划: overdue) and cancelled ones.
UNRECORDED_SHARE, CANCELLED_SHARE = 0.01, 0.005
#: Records entered more than BACKFILL_DAYS after the meeting (补录).
BACKFILL_SHARE = 0.04
#: Branches flushed to the database at a time (rows of every table for them are kept in memory until then).
CHUNK_BRANCHES = 100

THEME_DAY_TOPICS = [
    "学习贯彻党的二十大精神主题党日", "重温入党誓词主题党日", "“学思想、强党性”主题党日", "党员志愿服务主题党日",
    "参观红色教育基地主题党日", "“我为群众办实事”主题党日", "学习党章党规主题党日", "廉洁文化教育主题党日",
    "“七一”主题党日", "“国家安全教育”主题党日", "读书分享主题党日", "结对共建主题党日",
]  # fmt: skip
LECTURE_TOPICS = [
    "书记讲党课：坚定理想信念", "党课：深刻领会“两个确立”的决定性意义", "党课：以高质量党建引领业务发展",
    "党课：加强作风建设", "党课：学习习近平文化思想", "党课：全面从严治党永远在路上",
]  # fmt: skip
COMMITTEE_TOPICS = [
    "研究本月支部工作安排", "研究发展党员工作", "研究党费收缴情况", "研究主题党日活动方案", "研究意识形态工作",
    "研究党风廉政建设工作", "研究季度党建工作要点",
]  # fmt: skip
GROUP_TOPICS = ["党小组集中学习", "党小组学习讨论", "党小组专题学习", "党小组交流研讨"]
ASSEMBLY_TOPICS = [
    "季度支部党员大会：通报支部工作", "支部党员大会：讨论预备党员转正", "支部党员大会：学习传达上级会议精神",
    "支部党员大会：讨论接收预备党员", "支部党员大会：半年工作总结",
]  # fmt: skip
LIFE_TOPIC = "{year}年度组织生活会暨民主评议党员"
RETURN_COMMENTS = [
    "会议记录过于简单，请补充讨论内容", "缺少参会人员签到表，请补充上传", "缺席人员未注明原因，请补充",
    "决议事项不明确，请补充", "党课讲稿未上传，请补充附件",
]  # fmt: skip
ABSENCE_NOTES: dict[str, list[str]] = {
    AbsenceReason.LEAVE: ["事假", "年休假", "家中有事请假"],
    AbsenceReason.BUSINESS: ["外出调研", "参加上级会议", "出差"],
    AbsenceReason.SICK: ["病假", "住院治疗"],
    AbsenceReason.OTHER: ["值班", "参加培训"],
}
ABSENCE_REASONS = [
    r.value for r in (AbsenceReason.LEAVE, AbsenceReason.BUSINESS, AbsenceReason.SICK, AbsenceReason.OTHER)
]
ABSENCE_CUM = [50, 80, 95, 100]
AWAY_NOTE = "未请假，联系不上"
#: Share of those present who signed in by themselves (the others: the recorder, or the paper sheet for 补录).
SELF_SIGNED = 0.65
# Plain strings for the hot loop (an enum member's attribute lookup costs more than the row).
_PRESENT, _ABSENT, _UNKNOWN = Presence.PRESENT.value, Presence.ABSENT.value, Presence.UNKNOWN.value
_SELF, _RECORDER, _SHEET = SignedBy.SELF.value, SignedBy.RECORDER.value, SignedBy.SHEET.value
_OTHER = AbsenceReason.OTHER.value
SELF_CRITICISM = [
    "理论学习不够系统深入，满足于完成规定学时。", "工作中有时存在求稳怕乱思想，创新意识不强。",
    "联系群众不够紧密，深入基层调研少。", "批评与自我批评开展不够经常，有“老好人”思想。",
]  # fmt: skip
CRITICISM = [
    "建议加强理论学习，把学习成果更多转化为工作实效。", "希望在工作中更加主动担当，敢于啃硬骨头。",
    "建议多与年轻同志交流谈心，发挥传帮带作用。",
]  # fmt: skip
RECTIFICATIONS = [
    "制定个人学习计划，每月撰写一篇学习体会。", "建立支部联系群众台账，每季度开展一次走访。",
    "规范“三会一课”会议记录，按月报送上级党组织。", "落实谈心谈话制度，年内与每名党员谈话一次。",
]  # fmt: skip
TALK_SUMMARIES = [
    "交流思想工作情况，听取对支部工作的意见建议。", "了解工作和家庭困难，鼓励其发挥党员先锋模范作用。",
    "就履职尽责、廉洁自律进行提醒。", "谈心谈话，交流近期学习体会。",
]  # fmt: skip
MINUTES = "会议由{host}主持，应到{invited}人，实到{present}人。\n\n{topic}。与会党员结合工作实际进行了交流发言。"

#: Columns written, by model (attnames; the table's own id is written only for meetings, which the rows below need).
MEETING_FIELDS = [
    "id", "created_at", "updated_at", "version", "org_id", "topic", "starts_at", "ends_at", "place", "host_id",
    "recorder_id", "lecturer_id", "status", "minutes", "resolutions", "recorded_at", "backfilled", "review_state",
    "review_comment", "reviewed_by_id", "reviewed_at", "signin_secret", "created_by_id",
]  # fmt: skip
ACTIVITY_FIELDS = ["meeting_id", "activity", "org_id", "held_on", "held"]
ATTENDANCE_FIELDS = [
    "created_at", "updated_at", "meeting_id", "member_id", "org_id", "presence", "absence_reason", "absence_note",
    "signed_in_at", "signed_by",
]  # fmt: skip
RATING_FIELDS = [
    "created_at", "updated_at", "meeting_id", "member_id", "rating", "votes_excellent", "votes_qualified",
    "votes_basic", "votes_unqualified",
]  # fmt: skip
ITEM_FIELDS = ["created_at", "updated_at", "meeting_id", "member_id", "kind", "content"]
RECTIFICATION_FIELDS = [
    "created_at", "updated_at", "version", "meeting_id", "content", "owner_id", "deadline", "done_on",
]  # fmt: skip
TALK_FIELDS = [
    "created_at", "updated_at", "version", "org_id", "talker_id", "talkee_id", "held_on", "kind", "summary",
    "recorded_by_id",
]  # fmt: skip

TABLES = [
    (Meeting, MEETING_FIELDS, "会议"),
    (MeetingActivity, ACTIVITY_FIELDS, "会议活动类型"),
    (Attendance, ATTENDANCE_FIELDS, "参会记录"),
    (AppraisalRating, RATING_FIELDS, "民主评议等次"),
    (LifeMeetingItem, ITEM_FIELDS, "批评与自我批评"),
    (Rectification, RECTIFICATION_FIELDS, "整改事项"),
    (Talk, TALK_FIELDS, "谈心谈话"),
]

FOREVER = date.max


@dataclass(slots=True)
class Stint:
    """A member in one branch's register from `start` (inclusive) to `end` (exclusive)."""

    member_id: int
    group_id: int | None
    start: date
    end: date
    away_from: date  # attended nothing from this day on (FOREVER: always came)


def next_id(model) -> int:
    from django.db.models import Max

    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _months(today: date, years: int) -> list[date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=k) for k in range(12 * years - 1, -1, -1)]


def branch_stints(ctx: ScaleContext) -> dict[int, list[Stint]]:
    """Branch id → the members in its register at some time: moved members in their former branch until the move,
    exits until their status changed, each from the day they joined."""
    rng = ctx.rng
    members = scale_members(ctx)
    if not members:
        return {}
    low, high = min(m.id for m in members), max(m.id for m in members)
    joined = dict(Member.objects.filter(pk__gte=low, pk__lte=high).values_list("pk", "joined_on"))
    exits = dict(
        StatusChange.objects.filter(member_id__gte=low, member_id__lte=high).values_list("member_id", "changed_on")
    )
    moves = {
        member_id: (day, from_org)
        for member_id, day, from_org in Transfer.objects.filter(
            member_id__gte=low, member_id__lte=high, kind=TransferKind.INTERNAL
        ).values_list("member_id", "transferred_on", "from_org_id")
    }
    by_branch: dict[int, list[Stint]] = defaultdict(list)
    for m in members:
        start = joined.get(m.id, ctx.today)
        end = exits.get(m.id, FOREVER) if m.status != Status.ACTIVE else FOREVER
        away = FOREVER
        if m.status == Status.ACTIVE and m.rank == "staff" and rng.random() < AWAY_SHARE:
            away = ctx.today - relativedelta(months=rng.randint(7, 12))
        if m.id in moves:
            day, from_org = moves[m.id]
            by_branch[from_org].append(Stint(m.id, None, start, day, away))
            start = day
        by_branch[m.org_id].append(Stint(m.id, m.group_id, start, end, away))
    return by_branch


class BranchPeople:
    """What one branch's meetings need: its people over time, its committee, its 党小组 (ids)."""

    def __init__(self, org_id: int, department: str, stints: list[Stint], seats: dict[str, int], groups: list[int]):
        self.org_id = org_id
        self.department = department
        self.stints = stints
        self.seats = seats  # role → member id (the current committee)
        self.groups = groups
        first = stints[0].member_id if stints else None
        self.secretary = seats.get(CommitteeRole.SECRETARY, first)
        self.recorder = seats.get(CommitteeRole.ORGANIZATION) or seats.get(CommitteeRole.PUBLICITY) or self.secretary
        self.has_committee = len(seats) >= 3

    def invitees(self, day: date, group_id: int | None = None) -> list[Stint]:
        return [s for s in self.stints if s.start <= day < s.end and (group_id is None or s.group_id == group_id)]


class Writer:
    """Generates meetings with their parts, keeps the rows, and writes them in bulk on flush() (shared with the
    demo set, meetings/demo.py)."""

    def __init__(self, *, rng, today: date, names: dict[int, str], counts: dict[str, int]):
        self.rng = rng
        self.today = today
        self.counts = counts
        self.tz = ZoneInfo(settings.TIME_ZONE)
        # Now, or the end of the set's day when it is made for a day in the past.
        day_end = datetime(self.today.year, self.today.month, self.today.day, 23, 59, tzinfo=self.tz)
        self.now = min(timezone.now(), day_end)
        self.rows: dict[type, list[tuple]] = {model: [] for model, _, _ in TABLES}
        self.meeting_id = next_id(Meeting)
        self.names = names
        self.future = True  # False: no meeting after now (the demo plans its own through the service)

    # --- one meeting ---

    def meeting(
        self,
        branch: BranchPeople,
        org_id: int,
        activities: list[str],
        topic: str,
        day: date,
        hour: int,
        invitees: list[Stint],
        *,
        secretary_user: int | None,
        reviewer: int | None,
        lecturer: int | None = None,
    ) -> tuple[int, list[int]] | None:
        """Write one meeting with its activities and attendance; (id, present member ids) if it was held."""
        rng = self.rng
        starts = datetime(day.year, day.month, day.day, hour, rng.choice((0, 30)), tzinfo=self.tz)
        ends = starts + timedelta(minutes=rng.choice((60, 90, 120)))
        past = ends <= self.now
        if not past and not self.future:
            return None
        status = MeetingStatus.HELD if past else MeetingStatus.PLANNED
        draw = rng.random()
        if past and draw < UNRECORDED_SHARE and (self.today - day).days > 7:
            status = MeetingStatus.PLANNED  # never recorded: overdue
        elif past and draw < UNRECORDED_SHARE + CANCELLED_SHARE:
            status = MeetingStatus.CANCELLED
        held = status == MeetingStatus.HELD
        created = starts - timedelta(days=rng.randint(3, 14))
        recorded_at = reviewed_at = None
        backfilled = False
        review_state, comment, reviewed_by = ReviewState.DRAFT, "", None
        if held:
            if rng.random() < BACKFILL_SHARE and (self.now - ends).days > BACKFILL_DAYS + 2:
                backfilled = True
                recorded_at = min(self.now, ends + timedelta(days=rng.randint(BACKFILL_DAYS + 1, 40)))
            else:
                recorded_at = min(self.now, ends + timedelta(hours=rng.randint(1, 72)))
            age = (self.today - day).days
            draw = rng.random()
            if age <= 7:
                review_state = ReviewState.DRAFT if draw < 0.5 else ReviewState.SUBMITTED
            elif draw < (0.05 if age <= 30 else 0.04):
                review_state = ReviewState.RETURNED
                comment = rng.choice(RETURN_COMMENTS)
            elif draw < (0.35 if age <= 30 else 0.06):
                review_state = ReviewState.SUBMITTED
            else:
                review_state = ReviewState.PASSED
            if review_state in (ReviewState.PASSED, ReviewState.RETURNED):
                reviewed_by = reviewer
                reviewed_at = min(self.now, recorded_at + timedelta(days=rng.randint(1, 10)))
        meeting_id = self.meeting_id
        self.meeting_id += 1
        poor = rng.random() < POOR_SHARE
        chance = POOR_PRESENT if poor else PRESENT
        attendance = self.rows[Attendance]
        append = attendance.append
        present: list[int] = []
        stamp = recorded_at or created
        org_id_ = branch.org_id
        random = rng.random
        if not held:
            for s in invitees:
                append((created, stamp, meeting_id, s.member_id, org_id_, _UNKNOWN, "", "", None, ""))
        else:
            # One draw a person: below `chance` present, and then (scaled to 0–1) signed in by themselves in the
            # first SELF_SIGNED of it, at one of the 16 minutes before the start; above it absent.
            signins = [starts - timedelta(minutes=k) for k in range(16)]
            for s in invitees:
                member_id = s.member_id
                if day >= s.away_from:
                    row = (_ABSENT, _OTHER, AWAY_NOTE, None, "")
                elif (r := random()) < chance:
                    present.append(member_id)
                    u = r / chance
                    if backfilled:
                        row = (_PRESENT, "", "", None, _SHEET)
                    elif u < SELF_SIGNED:
                        row = (_PRESENT, "", "", signins[int(u / SELF_SIGNED * 16)], _SELF)
                    else:
                        row = (_PRESENT, "", "", None, _RECORDER)
                else:
                    reason = rng.choices(ABSENCE_REASONS, cum_weights=ABSENCE_CUM)[0]
                    row = (_ABSENT, reason, rng.choice(ABSENCE_NOTES[reason]), None, "")
                append((created, stamp, meeting_id, member_id, org_id_, *row))
        host = branch.secretary
        minutes = (
            MINUTES.format(host=self.names.get(host, ""), invited=len(invitees), present=len(present), topic=topic)
            if held
            else ""
        )
        self.rows[Meeting].append(
            (
                meeting_id, created, reviewed_at or stamp, 1, org_id, topic, starts, ends,
                f"{branch.department or '机关'}会议室", host, branch.recorder, lecturer, status, minutes, "",
                recorded_at, backfilled, review_state, comment, reviewed_by, reviewed_at,
                f"{rng.getrandbits(128):032x}", secretary_user,
            )
        )  # fmt: skip
        for activity in sorted(set(activities)):
            self.rows[MeetingActivity].append((meeting_id, activity, org_id, day, held))
        return (meeting_id, present) if held else None

    # --- one branch over the years ---

    def branch(
        self,
        branch: BranchPeople,
        months: list[date],
        *,
        secretary_user,
        reviewer,
        missed: frozenset[date] = frozenset(),
        life_meeting: bool = True,
        lax: bool | None = None,
    ) -> None:
        """The branch's meetings month by month; none at all in the `missed` months. A lax branch (drawn when
        `lax` is None) misses a quarter of its meetings."""
        rng = self.rng
        drawn = rng.random() < LAX_SHARE
        lax = drawn if lax is None else lax
        skip = LAX_SKIP if lax else SKIP
        lecture_with_theme_day = rng.random() < LECTURE_WITH_THEME_DAY
        users = {"secretary_user": secretary_user, "reviewer": reviewer}
        org_id = branch.org_id
        for month in months:
            if month in missed:
                continue
            last = (month + relativedelta(months=1) - timedelta(days=1)).day
            quarter_end = month.month % 3 == 0
            # 主题党日
            if rng.random() >= skip:
                day = month.replace(day=rng.randint(5, min(last, 28)))
                activities = [Activity.THEME_DAY]
                lecturer = None
                if quarter_end and lecture_with_theme_day:
                    activities.append(Activity.LECTURE)
                    lecturer = branch.secretary
                topic = rng.choice(THEME_DAY_TOPICS)
                self.meeting(
                    branch, org_id, activities, topic, day, 14, branch.invitees(day), lecturer=lecturer, **users
                )
            # 支委会
            if branch.has_committee and rng.random() >= skip:
                day = month.replace(day=rng.randint(1, 10))
                seated = set(branch.seats.values())
                invitees = [s for s in branch.invitees(day) if s.member_id in seated]
                self.meeting(
                    branch, org_id, [Activity.COMMITTEE], rng.choice(COMMITTEE_TOPICS), day, 9, invitees, **users
                )
            # 党小组会
            for group_id in branch.groups:
                if rng.random() >= skip:
                    day = month.replace(day=rng.randint(10, min(last, 25)))
                    invitees = branch.invitees(day, group_id)
                    self.meeting(
                        branch, group_id, [Activity.GROUP], rng.choice(GROUP_TOPICS), day, 12, invitees, **users
                    )
            # 党员大会, quarterly
            if quarter_end and rng.random() >= skip:
                day = month.replace(day=rng.randint(12, min(last, 26)))
                activities = [Activity.ASSEMBLY]
                lecturer = None
                if not lecture_with_theme_day:
                    activities.append(Activity.LECTURE)
                    lecturer = branch.secretary
                topic = rng.choice(ASSEMBLY_TOPICS)
                self.meeting(
                    branch, org_id, activities, topic, day, 15, branch.invitees(day), lecturer=lecturer, **users
                )
            # 组织生活会 + 民主评议党员, in December
            if life_meeting and month.month == 12 and rng.random() >= skip / 2:
                self.life_and_appraisal(branch, month.replace(day=rng.randint(15, 28)), **users)
        self.talks(branch, months, secretary_user)

    def life_and_appraisal(self, branch: BranchPeople, day: date, **users) -> int | None:
        """The year's 组织生活会 with 民主评议党员; its id if held."""
        topic = LIFE_TOPIC.format(year=day.year)
        activities = [Activity.LIFE_MEETING, Activity.APPRAISAL]
        done = self.meeting(branch, branch.org_id, activities, topic, day, 9, branch.invitees(day), **users)
        if done:
            self.life_parts(branch, *done, day)
        return done[0] if done else None

    def life_parts(self, branch: BranchPeople, meeting_id: int, present: list[int], day: date) -> None:
        """Self-criticism and criticism of the committee members, two 整改 items, everyone present rated."""
        rng = self.rng
        stamp = datetime(day.year, day.month, day.day, 12, tzinfo=self.tz)
        seated = [m for m in branch.seats.values() if m in present] or present[:1]
        for member_id in seated:
            self.rows[LifeMeetingItem].append(
                (stamp, stamp, meeting_id, member_id, CriticismKind.SELF, rng.choice(SELF_CRITICISM))
            )
            self.rows[LifeMeetingItem].append(
                (stamp, stamp, meeting_id, member_id, CriticismKind.OTHERS, rng.choice(CRITICISM))
            )
        for content in rng.sample(RECTIFICATIONS, 2) if seated else []:
            deadline = day + timedelta(days=rng.choice((60, 90, 120)))
            done_on = None
            if deadline < self.today - timedelta(days=40):
                done_on = deadline - timedelta(days=rng.randint(0, 40))  # long done
            elif deadline < self.today and rng.random() < 0.7:
                done_on = min(self.today, deadline - timedelta(days=rng.randint(0, 20)))  # the rest: overdue
            owner = rng.choice(seated)
            self.rows[Rectification].append((stamp, stamp, 1, meeting_id, content, owner, deadline, done_on))
        voters = len(present)
        for member_id in present:
            draw = rng.random()
            rating = Rating.EXCELLENT if draw < 0.22 else Rating.QUALIFIED if draw < 0.995 else Rating.BASIC
            if rating == Rating.EXCELLENT:
                excellent = rng.randint(voters // 2 + 1, voters) if voters else 0
            else:
                excellent = rng.randint(0, voters // 3)
            basic = rng.randint(voters // 2, voters) if rating == Rating.BASIC else 0
            qualified = max(0, voters - excellent - basic)
            votes = (excellent, qualified, basic, 0)
            self.rows[AppraisalRating].append((stamp, stamp, meeting_id, member_id, rating, *votes))

    def talks(self, branch: BranchPeople, months: list[date], recorded_by: int | None) -> None:
        """Each year: the secretary with every other committee member and a few members."""
        rng = self.rng
        talker = branch.secretary
        if talker is None:
            return
        for year in sorted({m.year for m in months}):
            start = max(months[0], date(year, 1, 1))
            end = min(self.today, date(year, 12, 31))
            if end < start:
                continue
            day_in = branch.invitees(end) or branch.invitees(start)
            people = [s.member_id for s in day_in if s.member_id != talker]
            others = [m for m in branch.seats.values() if m != talker]
            chosen = others + rng.sample(people, min(len(people), 4))
            for talkee in dict.fromkeys(chosen):
                day = start + timedelta(days=rng.randint(0, (end - start).days))
                stamp = datetime(day.year, day.month, day.day, 17, tzinfo=self.tz)
                kind = TalkKind.HEART if rng.random() < 0.85 else rng.choice((TalkKind.REMINDER, TalkKind.INTEGRITY))
                self.rows[Talk].append(
                    (stamp, stamp, 1, branch.org_id, talker, talkee, day, kind, rng.choice(TALK_SUMMARIES), recorded_by)
                )

    def flush(self) -> None:
        for model, fields, label in TABLES:
            rows = self.rows[model]
            write_rows(model, fields, rows)
            self.counts[label] = self.counts.get(label, 0) + len(rows)
            rows.clear()


@scale_producer(order=70)
def produce_meetings(ctx: ScaleContext) -> None:
    """`years` of meetings, attendance, reviews, 组织生活会 and talks for every branch (see the module's text)."""
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    if not branches:
        return
    stints = branch_stints(ctx)
    seats: dict[tuple[int, str], int] = ctx.made.get(MADE_CURRENT_SEATS, {})
    terms: dict[int, int] = ctx.made.get(MADE_CURRENT_TERMS, {})
    by_term: dict[int, dict[str, int]] = defaultdict(dict)
    for (term_id, role), member_id in seats.items():
        by_term[term_id][role] = member_id
    groups: dict[int, list[int]] = defaultdict(list)
    for org in scale_orgs(ctx, OrgKind.GROUP):
        groups[org.parent_id].append(org.id)
    organs = [o for o in scale_orgs(ctx, OrgKind.COMMITTEE) if o.depth == 2]
    reviewers = {o.id: ctx.users.get(f"gw_admin_{n:03d}") for n, o in enumerate(organs, start=1)}
    admin = ctx.users.get(ADMIN_USERNAME)
    months = _months(ctx.today, ctx.years)
    names = {m.id: m.name for m in scale_members(ctx)}
    with foreign_keys_checked_at_the_end([model for model, _, _ in TABLES]):
        producer = Writer(rng=ctx.rng, today=ctx.today, names=names, counts=ctx.counts)
        label = "组织生活（党支部）"
        ctx.report(label, 0, len(branches))
        for n, org in enumerate(branches, start=1):
            seated = by_term.get(terms.get(org.id), {})
            branch = BranchPeople(org.id, org.department, stints.get(org.id, []), seated, groups.get(org.id, []))
            producer.branch(
                branch,
                months,
                secretary_user=ctx.users.get(f"gw_shuji_{n:04d}"),
                reviewer=reviewers.get(org.organ_id) or admin,
            )
            if n % CHUNK_BRANCHES == 0:
                producer.flush()
                ctx.report(label, n, len(branches))
        producer.flush()
        ctx.report(label, len(branches), len(branches))
    reset_sequence(Meeting)
    label = "组织生活落实情况（党支部 × 月）"
    ctx.report(label, 0, len(branches))
    ctx.counts[label] = refresh_cells(today=ctx.today)  # the heat map's materialised cells (meetings.cells)
    ctx.report(label, len(branches), len(branches))
