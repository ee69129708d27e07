"""The meetings' part of demo data set S (see dangjian.core.demo), producer 70, after the roster and its history: a
year of organisational life for the 12 branches up to today, so every meetings page shows something to every demo
persona.

The months are written in bulk by the scale set's generator (meetings/scale.py: 主题党日, 党课, 支委会, 党小组会,
党员大会, the year's 组织生活会 with 民主评议, talks); on top of it, deterministically: 档案室 and 机关服务中心 missed
months, the personas' branches (办公室, 人事处) each have a record returned with a comment and one 补录, one member of
办公室 and one of 信息中心 attended nothing for eight months, and 办公室 and 人事处 have a meeting planned for next
week, made through services.create_meeting as a secretary would.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, DemoSummary, demo_producer, demo_summary
from dangjian.core.scale import reset_sequence
from dangjian.members.choices import Status, TransferKind
from dangjian.members.demo import demo_members
from dangjian.members.models import Member, Transfer
from dangjian.orgs.demo import BRANCHES, demo_committee, demo_groups, demo_orgs
from dangjian.orgs.models import CommitteeSeat

from .cells import refresh_cells
from .choices import Activity, MeetingStatus, ReviewState
from .models import Attendance, Meeting
from .scale import FOREVER, BranchPeople, Stint, Writer, _months
from .services import create_meeting

#: Branches that missed whole months (the compliance page's gaps), and how many months back.
MISSED = {"ZB10": (2, 3, 5), "ZB12": (1, 4)}
#: Branches (the secretaries' logins') that get a returned record and a 补录 for sure.
PERSONA_BRANCHES = ("ZB01", "ZB02")
#: Branches with a member who attended nothing for the last eight months.
AWAY_BRANCHES = ("ZB01", "ZB05")
RETURN_COMMENT = "会议记录过于简单，缺少党员发言要点；请补充后重新提交"
PLANNED = [
    ("ZB01", [Activity.THEME_DAY], "“学党史、悟思想”主题党日", 7, 14),
    ("ZB02", [Activity.COMMITTEE], "研究年度党员教育培训计划", 6, 9),
]
LABEL = "会议"


def branch_stints(ctx: DemoContext) -> dict[int, list[Stint]]:
    """Branch id → its people over the year: members who moved, came back or left are in register only while
    they were; the persona (dangyuan01) is never the one who stayed away."""
    people = [m for plan in BRANCHES for m in demo_members(ctx)[plan.code]]
    ids = [m.pk for m in people]
    fresh = {m.pk: m for m in Member.objects.filter(pk__in=ids)}  # statuses after the history producer
    moves: dict[int, tuple[date, int]] = {}
    back: dict[int, date] = {}
    for member_id, kind, day, from_org in Transfer.objects.filter(member_id__in=ids).values_list(
        "member_id", "kind", "transferred_on", "from_org_id"
    ):
        if kind == TransferKind.INTERNAL:
            moves[member_id] = (day, from_org)
        elif kind == TransferKind.IN:
            back[member_id] = day
    away: set[int] = set()
    for code in AWAY_BRANCHES:
        staff = [
            m
            for m in demo_members(ctx)[code][3:]
            if fresh[m.pk].status == Status.ACTIVE and not fresh[m.pk].user_id and m.pk not in moves | back
        ]
        away.add(ctx.rng.choice(staff).pk)
    away_from = ctx.today - relativedelta(months=8)
    by_branch: dict[int, list[Stint]] = defaultdict(list)
    for m in people:
        now = fresh[m.pk]
        start = max(now.joined_on, back.get(m.pk, date.min))
        end = FOREVER if now.status == Status.ACTIVE else (now.status_changed_on or ctx.today)
        gone = away_from if m.pk in away else FOREVER
        if m.pk in moves:
            day, from_org = moves[m.pk]
            by_branch[from_org].append(Stint(m.pk, None, start, day, gone))
            start = day
        by_branch[now.org_id].append(Stint(m.pk, now.group_id, start, end, gone))
    return by_branch


def current_seats(org_ids: list[int]) -> dict[int, dict[str, int]]:
    """Org id → role → member id of its current committee."""
    seats: dict[int, dict[str, int]] = defaultdict(dict)
    for org_id, role, member_id in (
        CommitteeSeat.objects.filter(term__org_id__in=org_ids, ended_on__isnull=True)
        .order_by("term__started_on")
        .values_list("term__org_id", "role", "member_id")
    ):
        seats[org_id][role] = member_id
    return seats


@demo_producer(order=70)
def produce_meetings(ctx: DemoContext) -> None:
    """A year of meetings in bulk, the fixed situations on top, and next week's through the service."""
    orgs = demo_orgs(ctx)
    branch_orgs = [orgs[plan.code] for plan in BRANCHES]
    stints = branch_stints(ctx)
    seats = current_seats([o.pk for o in branch_orgs])
    names = {m.pk: m.name for plan in BRANCHES for m in demo_members(ctx)[plan.code]}
    admin = ctx.users[ADMIN_USERNAME]
    secretaries = {"ZB01": ctx.users.get("shuji01"), "ZB02": ctx.users.get("shuji02")}
    months = _months(ctx.today, 1)
    writer = Writer(rng=ctx.rng, today=ctx.today, names=names, counts={})
    writer.future = False
    branches: dict[str, BranchPeople] = {}
    for plan, org in zip(BRANCHES, branch_orgs, strict=True):
        groups = [g.pk for g in demo_groups(ctx, plan.code)]
        branch = BranchPeople(org.pk, org.department, stints.get(org.pk, []), seats.get(org.pk, {}), groups)
        branches[plan.code] = branch
        missed = frozenset(months[-1 - k] for k in MISSED.get(plan.code, ()))
        user = secretaries.get(plan.code)
        writer.branch(
            branch,
            months,
            secretary_user=user.pk if user else admin.pk,
            reviewer=admin.pk,
            missed=missed,
            life_meeting=False,
            lax=False,  # the gaps are MISSED's, the same whatever the day
        )
        # The latest 组织生活会 at least a week past: this December's once it is under way, else last year's.
        if ctx.today.month == 12 and ctx.today.day >= 12:
            day = ctx.today.replace(day=ctx.rng.randint(1, ctx.today.day - 8))
        else:
            day = date(ctx.today.year - 1, 12, ctx.rng.randint(15, 26))
        if day.replace(day=1) not in missed:
            writer.life_and_appraisal(branch, day, secretary_user=user.pk if user else admin.pk, reviewer=admin.pk)
    writer.flush()
    reset_sequence(Meeting)  # the writer chose the ids: the service's meetings below take the next ones
    _persona_situations(ctx, [orgs[code] for code in PERSONA_BRANCHES], admin)
    _planned(ctx, branches)
    refresh_cells(today=ctx.today)  # the heat map's materialised cells (meetings.cells), written in bulk above


def _persona_situations(ctx: DemoContext, orgs, admin) -> None:
    """In each persona's branch: its latest passed 主题党日 older than a week returned with a comment, and one
    earlier meeting recorded as 补录 two weeks late."""
    week_ago = datetime.combine(ctx.today - timedelta(days=8), time(23, 59), ZoneInfo(settings.TIME_ZONE))
    for org in orgs:
        held = Meeting.objects.filter(
            org=org, status=MeetingStatus.HELD, starts_at__lt=week_ago, review_state=ReviewState.PASSED
        )
        theme_days = held.filter(activities__activity=Activity.THEME_DAY).order_by("-starts_at")
        returned = theme_days.first()
        if returned is not None:
            Meeting.objects.filter(pk=returned.pk).update(
                review_state=ReviewState.RETURNED,
                review_comment=RETURN_COMMENT,
                reviewed_by=admin,
                reviewed_at=min(returned.recorded_at + timedelta(days=2), week_ago),
            )
        late = held.exclude(pk=getattr(returned, "pk", None)).filter(backfilled=False).order_by("-starts_at")[2:3]
        for meeting in late:
            recorded = meeting.ends_at + timedelta(days=14)
            Meeting.objects.filter(pk=meeting.pk).update(
                backfilled=True, recorded_at=recorded, reviewed_at=recorded + timedelta(days=1)
            )


def _planned(ctx: DemoContext, branches: dict[str, BranchPeople]) -> None:
    """Next week's meetings, planned by the branch's secretary through the service (invitees by default)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    for code, activities, topic, days, hour in PLANNED:
        user = ctx.users.get("shuji01" if code == "ZB01" else "shuji02")
        org = demo_orgs(ctx)[code]
        day = ctx.today + timedelta(days=days)
        starts = datetime.combine(day, time(hour, 30), tz)
        host = branches[code].secretary
        create_meeting(
            by=user,
            org=org,
            activities=activities,
            topic=topic,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1, minutes=30),
            place=f"{org.department}会议室",
            host=Member.objects.get(pk=host) if host else None,
        )


@demo_summary(order=70)
def summarize_meetings(summary: DemoSummary) -> None:
    committee = demo_committee()
    if committee is None:
        return
    meetings = Meeting.objects.filter(org__path__startswith=committee.path)
    summary.counts[LABEL] = meetings.count()
    summary.counts["参会记录"] = Attendance.objects.filter(meeting__in=meetings).count()
