"""学习培训's part of scale data set L (see dangjian.core.scale), producer 95, after the meetings and the development
records: `years` of study (this year and the ones before, up to today, never later) for every 党支部 and for the
root's 中心组, COPYed on PostgreSQL (executemany elsewhere), the 学时 per member and year derived at the end.

- Each branch and year holds some 8–12 study sessions (fewer this year: as many as the months gone by call for).
  Its quarterly 党课 (written by meetings/scale.py as meetings with a 党课 activity) are counted as sessions of kind
  党课 — a study session that is also a 党课 counts once, and the 三会一课 cells (meetings.cells) stay as they were
  computed; the rest are new meetings with the activity 集中学习 ("study", no obligation of 三会一课), written by the
  meetings' own generator (meetings.scale.Writer: activities, attendance — most invitees present, absences with a
  reason — reviews), each with its Session row (kind, 1.5–4 学时, held_on the meeting's local day, the branch).
- The root's 中心组 (its committee) meets about monthly: sessions of kind 中心组学习 with 研讨发言 of members present
  and, every other session, an outcome to turn into practice (long past ones done, recent ones open, a few overdue).
- Each branch has a training plan per year (6–8 items); some sessions name the item they realise.
- Self-reports (自学申报): about half the members a year, nearly every committee member (who owes 56 学时);
  mostly approved, a few rejected, the last month's half pending. The certificate field names a placeholder,
  study/scale/cert.pdf, with its name, type and size filled: no file exists on disk for the L set (opening one from
  the page answers 404).
- Last, services.refresh_all(years) fills MemberYear for every member (set-based).

The spread leaves most members on pace and some behind (few sessions attended, no self-report); most committee
members need their self-reports to reach 56.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Min

from dangjian.core.scale import (
    ADMIN_USERNAME,
    ScaleContext,
    foreign_keys_checked_at_the_end,
    reset_sequence,
    scale_producer,
    write_rows,
)
from dangjian.meetings.choices import Activity
from dangjian.meetings.models import Attendance, Meeting, MeetingActivity
from dangjian.meetings.scale import AWAY_NOTE, FOREVER, TABLES, BranchPeople, Stint, Writer, branch_stints, next_id
from dangjian.members.scale import MADE_CURRENT_SEATS, MADE_CURRENT_TERMS, scale_members
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs, scale_root

from . import services
from .choices import PLAN_KINDS, REPORT_KINDS, OutcomeKind, OutcomeState, ReportState, StudyKind
from .models import MemberYear, Outcome, PlanItem, Report, Session, Speech

#: Sessions a branch holds in a whole year (its counted 党课 included).
SESSIONS_PER_YEAR = (8, 12)
#: 学时 of one session (half-hour steps) and of a 中心组 session.
SESSION_HOURS = [Decimal(h) for h in ("1.5", "2.5", "3", "3", "3.5", "3.5", "4", "4")]
CENTRAL_HOURS = [Decimal(h) for h in ("3", "3.5", "4")]
#: Share of a branch's held 党课 counted as study sessions.
LECTURE_COUNTED = 0.8
#: Training plan items per branch and year.
PLAN_ITEMS = (6, 8)
#: Chance a member (a committee member) reports self-study in a year, and how many reports then.
REPORT_SHARE, LEADER_REPORT_SHARE = 0.5, 0.9
REPORTS, LEADER_REPORTS = (1, 3), (3, 6)
REPORT_HOURS, LEADER_REPORT_HOURS = (3, 10), (4, 12)
#: Review of a report: rejected, pending (older ones; the last month's: half pending).
REJECTED_SHARE, PENDING_SHARE, RECENT_PENDING = 0.05, 0.03, 0.5
#: The placeholder certificate of every generated report (no file behind it).
CERTIFICATE = "study/scale/cert.pdf"
CERTIFICATE_NAME, CERTIFICATE_TYPE, CERTIFICATE_SIZE = "结业证书.pdf", "application/pdf", 184_320
#: Share of the root's 中心组 sessions with an outcome.
OUTCOME_SHARE = 0.5
CHUNK_BRANCHES = 100

STUDY_TOPICS = {
    StudyKind.CONCENTRATED: [
        "学习习近平新时代中国特色社会主义思想", "学习《中国共产党章程》", "学习《中国共产党纪律处分条例》",
        "学习贯彻全会精神", "学习《习近平谈治国理政》", "学习党史",
    ],
    StudyKind.SEMINAR: ["全面从严治党专题培训", "意识形态工作专题培训", "保密知识专题培训", "机关党建业务专题培训"],
    StudyKind.EXPERT: ["专家辅导：新质生产力", "专家辅导：法治政府建设", "专家辅导：数字政府建设"],
}  # fmt: skip
SESSION_KINDS = [StudyKind.CONCENTRATED] * 5 + [StudyKind.SEMINAR] * 2 + [StudyKind.EXPERT]
EXPERTS = ["省委党校 王教授", "市委党校 李教授", "省社科院 张研究员", "大学马克思主义学院 陈教授"]
CENTRAL_TOPICS = [
    "专题学习习近平总书记重要讲话精神", "学习贯彻全会精神研讨", "党纪学习教育专题研讨", "深化机关作风建设专题研讨",
    "学习《习近平著作选读》", "以高质量党建引领机关建设",
]  # fmt: skip
SPEECH_TITLES = ["结合分管工作谈体会", "把学习成果转化为工作实效", "坚持以人民为中心", "推动机关党建和业务深度融合"]
SPEECH_CONTENT = "一、深刻领会精神实质。二、查找差距不足。三、下一步工作打算：结合分管工作，抓好贯彻落实。"
OUTCOME_TITLES = {
    OutcomeKind.RESEARCH: "关于机关党建工作的调研报告",
    OutcomeKind.ARTICLE: "学习体会理论文章",
    OutcomeKind.RULE: "完善学习制度的实施办法",
    OutcomeKind.MEASURE: "为群众办实事工作举措",
}
PLAN_TOPICS = {
    StudyKind.CONCENTRATED: "集中学习党的创新理论",
    StudyKind.SEMINAR: "专题培训",
    StudyKind.LECTURE: "书记讲党课",
    StudyKind.OUTSIDE: "赴红色教育基地现场教学",
    StudyKind.EXPERT: "邀请专家辅导",
    StudyKind.ONLINE: "网络学院在线学习",
}
COURSES = {
    StudyKind.OUTSIDE: ("党性教育培训班", "市委党校"),
    StudyKind.ONLINE: ("干部网络学院专题课程", "干部网络学院"),
    StudyKind.SEMINAR: ("业务能力提升专题班", "省直机关工委"),
    StudyKind.EXPERT: ("专题讲座", "省社科院"),
}
REJECT_COMMENT = "证明材料不清晰，请重新提交"

PLAN_FIELDS = [
    "id", "created_at", "updated_at", "version", "org_id", "year", "topic", "kind", "month", "audience",
    "planned_hours", "note", "created_by_id",
]  # fmt: skip
SESSION_FIELDS = [
    "id", "created_at", "updated_at", "version", "meeting_id", "org_id", "held_on", "kind", "hours", "speaker",
    "lead_id", "plan_item_id", "created_by_id",
]  # fmt: skip
SPEECH_FIELDS = ["created_at", "updated_at", "session_id", "member_id", "title", "content"]
OUTCOME_FIELDS = [
    "created_at", "updated_at", "version", "session_id", "title", "kind", "owner_id", "due_on", "state", "done_on",
    "result",
]  # fmt: skip
REPORT_FIELDS = [
    "created_at", "updated_at", "version", "member_id", "org_id", "course", "provider", "kind", "studied_on", "hours",
    "certificate", "certificate_name", "certificate_type", "certificate_size", "state", "reviewed_by_id",
    "reviewed_at", "review_comment", "created_by_id",
]  # fmt: skip
STUDY_TABLES = [
    (PlanItem, PLAN_FIELDS, "培训计划项目"),
    (Session, SESSION_FIELDS, "学习场次"),
    (Speech, SPEECH_FIELDS, "研讨发言"),
    (Outcome, OUTCOME_FIELDS, "学习成果转化"),
    (Report, REPORT_FIELDS, "自学学时申报"),
]


def _stamp(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


class StudyWriter:
    """Keeps the study rows of some branches and writes them (after the meetings' rows) on flush() (shared with the
    demo set, study/demo.py)."""

    def __init__(self, writer: Writer, counts: dict[str, int]):
        self.writer, self.rng, self.today, self.counts = writer, writer.rng, writer.today, counts
        self.rows: dict[type, list[tuple]] = {model: [] for model, _, _ in STUDY_TABLES}
        self.plan_id = next_id(PlanItem)
        self.session_id = next_id(Session)

    def year_end(self, year: int) -> date:
        return min(self.today, date(year, 12, 31))

    def plan(self, org_id: int, year: int, user: int | None) -> dict[str, list[int]]:
        """The org's training plan of `year`: kind → item ids."""
        rng, items = self.rng, defaultdict(list)
        months = sorted(rng.sample(range(1, 13), rng.randint(*PLAN_ITEMS)))
        made = _stamp(date(year, 1, 1)) if date(year, 1, 1) <= self.today else _stamp(self.today)
        for month in months:
            kind = StudyKind.LECTURE if month % 3 == 0 else rng.choice(PLAN_KINDS)
            hours = Decimal(rng.choice((2, 3, 4, 8)))
            self.rows[PlanItem].append(
                (
                    self.plan_id, made, made, 1, org_id, year, f"{PLAN_TOPICS[kind]}（{month}月）", kind, month,
                    "全体党员", hours, "", user,
                )
            )  # fmt: skip
            items[kind].append(self.plan_id)
            self.plan_id += 1
        return items

    def session(self, meeting_id: int, org_id: int, day: date, kind: str, hours: Decimal, **facts) -> int:
        session_id = self.session_id
        self.session_id += 1
        stamp = _stamp(day)
        self.rows[Session].append(
            (
                session_id, stamp, stamp, 1, meeting_id, org_id, day, kind, hours, facts.get("speaker", ""),
                facts.get("lead"), facts.get("plan_item"), facts.get("user"),
            )
        )  # fmt: skip
        return session_id

    def branch_year(
        self,
        branch: BranchPeople,
        year: int,
        lectures: list[tuple[int, date]],
        *,
        user: int | None,
        reviewer: int | None,
    ) -> None:
        """One branch's plan and sessions of `year` up to today."""
        rng = self.rng
        start, end = date(year, 1, 1), self.year_end(year)
        if end < start:
            return
        plan = self.plan(branch.org_id, year, user)
        share = ((end - start).days + 1) / ((date(year, 12, 31) - start).days + 1)
        wanted = round(rng.randint(*SESSIONS_PER_YEAR) * share)
        speaker = self.writer.names.get(branch.secretary, "")

        def plan_item(kind: str) -> int | None:
            return rng.choice(plan[kind]) if plan.get(kind) and rng.random() < 0.6 else None

        counted = [lec for lec in lectures if rng.random() < LECTURE_COUNTED][:wanted]
        for meeting_id, day in counted:
            hours = rng.choice(SESSION_HOURS)
            self.session(
                meeting_id, branch.org_id, day, StudyKind.LECTURE, hours,
                speaker=speaker, lead=branch.secretary, plan_item=plan_item(StudyKind.LECTURE), user=user,
            )  # fmt: skip
        for _ in range(wanted - len(counted)):
            day = start + timedelta(days=rng.randint(0, (end - start).days))
            kind = rng.choice(SESSION_KINDS)
            topic = rng.choice(STUDY_TOPICS[kind])
            done = self.writer.meeting(
                branch, branch.org_id, [Activity.STUDY], topic, day, rng.choice((9, 14, 15)),
                branch.invitees(day), secretary_user=user, reviewer=reviewer,
            )  # fmt: skip
            if done is None:
                continue  # cancelled, never recorded, or later today: not counted
            self.session(
                done[0], branch.org_id, day, kind, rng.choice(SESSION_HOURS),
                speaker=rng.choice(EXPERTS) if kind == StudyKind.EXPERT else speaker,
                lead=branch.secretary, plan_item=plan_item(kind), user=user,
            )  # fmt: skip

    def central(self, root: BranchPeople, year: int, branch_on: Callable, user: int | None) -> None:
        """The root's 中心组 sessions of `year`: monthly, with speeches and outcomes."""
        rng, today = self.rng, self.today
        attendance = self.writer.rows[Attendance]
        lead_name = self.writer.names.get(root.secretary, "")
        for month in range(1, 13):
            day = date(year, month, rng.randint(3, 25))
            if day > today:
                break
            before = len(attendance)
            done = self.writer.meeting(
                root, root.org_id, [Activity.STUDY], rng.choice(CENTRAL_TOPICS), day, 9, root.invitees(day),
                secretary_user=user, reviewer=user,
            )  # fmt: skip
            # The attendance rows carry each member's branch on the day, not the committee (meetings.scale's rule).
            for i in range(before, len(attendance)):
                row = attendance[i]
                attendance[i] = (*row[:4], branch_on(row[3], day, row[4]), *row[5:])
            if done is None:
                continue
            meeting_id, present = done
            session_id = self.session(
                meeting_id, root.org_id, day, StudyKind.CENTRAL, rng.choice(CENTRAL_HOURS),
                speaker=lead_name, lead=root.secretary, user=user,
            )  # fmt: skip
            stamp = _stamp(day)
            for member_id in rng.sample(present, min(len(present), rng.randint(3, 5))):
                self.rows[Speech].append(
                    (stamp, stamp, session_id, member_id, rng.choice(SPEECH_TITLES), SPEECH_CONTENT)
                )
            if present and rng.random() < OUTCOME_SHARE:
                kind = rng.choice(list(OutcomeKind))
                due = day + timedelta(days=rng.choice((60, 90, 120)))
                done_on, state, result = None, OutcomeState.OPEN, ""
                if due < today - timedelta(days=30) and rng.random() < 0.85:
                    done_on = min(today, due - timedelta(days=rng.randint(0, 30)))
                    state, result = OutcomeState.DONE, "已形成制度文件并印发执行。"
                self.rows[Outcome].append(
                    (stamp, stamp, 1, session_id, OUTCOME_TITLES[kind], kind, rng.choice(present), due, state,
                     done_on, result)
                )  # fmt: skip

    def reports(self, member_id: int, org_id: int, years: list[int], leader: bool, reviewer: int | None) -> None:
        rng, today = self.rng, self.today
        share, count, hours = (
            (LEADER_REPORT_SHARE, LEADER_REPORTS, LEADER_REPORT_HOURS)
            if leader
            else (REPORT_SHARE, REPORTS, REPORT_HOURS)
        )
        for year in years:
            start, end = date(year, 1, 1), self.year_end(year)
            if end < start or rng.random() >= share:
                continue
            for _ in range(rng.randint(*count)):
                day = start + timedelta(days=rng.randint(0, (end - start).days))
                kind = rng.choice(REPORT_KINDS)
                course, provider = COURSES[kind]
                created = _stamp(day)
                draw = rng.random()
                if (today - day).days <= 30:
                    state = ReportState.PENDING if draw < RECENT_PENDING else ReportState.APPROVED
                elif draw < REJECTED_SHARE:
                    state = ReportState.REJECTED
                elif draw < REJECTED_SHARE + PENDING_SHARE:
                    state = ReportState.PENDING
                else:
                    state = ReportState.APPROVED
                reviewed_at, by, comment = None, None, ""
                if state != ReportState.PENDING:
                    reviewed_at = min(_stamp(today), created + timedelta(days=rng.randint(1, 10)))
                    by = reviewer
                    comment = REJECT_COMMENT if state == ReportState.REJECTED else ""
                self.rows[Report].append(
                    (
                        created, reviewed_at or created, 1, member_id, org_id, course, provider, kind, day,
                        Decimal(rng.randint(*hours)), CERTIFICATE, CERTIFICATE_NAME, CERTIFICATE_TYPE,
                        CERTIFICATE_SIZE, state, by, reviewed_at, comment, None,
                    )
                )  # fmt: skip

    def flush(self) -> None:
        self.writer.flush()
        for model, fields, label in STUDY_TABLES:
            rows = self.rows[model]
            write_rows(model, fields, rows)
            self.counts[label] = self.counts.get(label, 0) + len(rows)
            rows.clear()


def keep_away(stints: dict[int, list[Stint]], tz) -> None:
    """The members the meetings' producer made stay away (AWAY_NOTE on their absences) stay away from study too,
    from their first such absence; `branch_stints` drew its own (other) ones again: those come after all."""
    first = dict(
        Attendance.objects.filter(absence_note=AWAY_NOTE)
        .values("member_id")
        .annotate(first=Min("meeting__starts_at"))
        .values_list("member_id", "first")
        .order_by()
    )
    for rows in stints.values():
        for stint in rows:
            since = first.get(stint.member_id)
            stint.away_from = since.astimezone(tz).date() if since else FOREVER


def _lectures(branch_ids: list[int], years: list[int]) -> dict[int, dict[int, list[tuple[int, date]]]]:
    """Branch id → year → (meeting id, day) of its held 党课 (meetings/scale.py wrote them)."""
    found: dict[int, dict[int, list[tuple[int, date]]]] = defaultdict(lambda: defaultdict(list))
    low, high = min(branch_ids), max(branch_ids)
    rows = (
        MeetingActivity.objects.filter(
            activity=Activity.LECTURE, held=True, held_on__year__in=years, org_id__gte=low, org_id__lte=high
        )
        .order_by("held_on", "meeting_id")
        .values_list("org_id", "meeting_id", "held_on")
    )
    for org_id, meeting_id, day in rows.iterator(chunk_size=10_000):
        found[org_id][day.year].append((meeting_id, day))
    return found


def branch_on_day(stints: dict[int, list[Stint]]) -> Callable[[int, date, int], int]:
    """`branch_on(member_id, day, default)`: the branch whose register held the member on `day` (their stints)."""
    spans: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for org_id, rows in stints.items():
        for stint in rows:
            spans[stint.member_id].append((stint.start, stint.end, org_id))

    def branch_on(member_id: int, day: date, default: int) -> int:
        return next((org for start, end, org in spans.get(member_id, ()) if start <= day < end), default)

    return branch_on


@scale_producer(order=95)
def produce_study(ctx: ScaleContext) -> None:
    """Plans, sessions, 中心组 speeches and outcomes, self-reports, and the 学时 they add up to (the module's text)."""
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    members = scale_members(ctx)
    if not branches or not members:
        return
    today = ctx.today
    years = [today.year - k for k in range(min(ctx.years, 3) - 1, -1, -1)]
    stints = branch_stints(ctx)
    keep_away(stints, ZoneInfo(settings.TIME_ZONE))
    seats: dict[tuple[int, str], int] = ctx.made.get(MADE_CURRENT_SEATS, {})
    terms: dict[int, int] = ctx.made.get(MADE_CURRENT_TERMS, {})
    by_term: dict[int, dict[str, int]] = defaultdict(dict)
    for (term_id, role), member_id in seats.items():
        by_term[term_id][role] = member_id
    leaders = set(seats.values())
    admin = ctx.users.get(ADMIN_USERNAME)
    names = {m.id: m.name for m in members}
    lectures = _lectures([b.id for b in branches], years)
    writer = Writer(rng=ctx.rng, today=today, names=names, counts=ctx.counts)
    writer.future = False  # study is recorded once held: nothing after now
    study = StudyWriter(writer, ctx.counts)
    organs = [o for o in scale_orgs(ctx, OrgKind.COMMITTEE) if o.depth == 2]
    reviewers = {o.id: ctx.users.get(f"gw_admin_{n:03d}") for n, o in enumerate(organs, start=1)}
    tables = [model for model, _, _ in TABLES] + [model for model, _, _ in STUDY_TABLES]
    with foreign_keys_checked_at_the_end(tables):
        label = "学习培训（党支部）"
        ctx.report(label, 0, len(branches))
        for n, org in enumerate(branches, start=1):
            seated = by_term.get(terms.get(org.id), {})
            branch = BranchPeople(org.id, org.department, stints.get(org.id, []), seated, [])
            user = ctx.users.get(f"gw_shuji_{n:04d}")
            reviewer = reviewers.get(org.organ_id) or admin
            for year in years:
                study.branch_year(branch, year, lectures[org.id][year], user=user, reviewer=reviewer)
            for stint in branch.stints:
                if stint.end == FOREVER:  # in the register now: reports to this branch
                    study.reports(stint.member_id, org.id, years, stint.member_id in leaders, user or admin)
            if n % CHUNK_BRANCHES == 0:
                study.flush()
                ctx.report(label, n, len(branches))
        root = scale_root(ctx)
        committee = by_term.get(terms.get(root.id), {})
        if committee:
            people = [Stint(m, None, date.min, FOREVER, FOREVER) for m in dict.fromkeys(committee.values())]
            central = BranchPeople(root.id, root.department, people, committee, [])
            for year in years:
                study.central(central, year, branch_on_day(stints), admin)
        study.flush()
        ctx.report(label, len(branches), len(branches))
    for model in (Meeting, PlanItem, Session):
        reset_sequence(model)
    label = "年度学时"
    ctx.report(label, 0, 1)
    services.refresh_all(years)
    ctx.counts[label] = MemberYear.objects.unrestricted().filter(year__in=years).count()
    ctx.report(label, 1, 1)
