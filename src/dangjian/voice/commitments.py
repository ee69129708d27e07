"""承诺践诺 (issue 16): each year a member publishes their own 年初承诺 (content and measurable terms; org = their
branch then) and a branch publishes its own (by its secretary or committee: CHANGE on the org); 践诺 mid-year and
year-end (one Fulfilment per phase, evidence optional, checked by content); 评诺 by the branch (CHANGE on the
commitment's org; a branch's own commitment by the org above it) after the year-end 践诺. A commitment is edited
(version checked) until it is graded.

Readings where the issue is silent: mid-year 践诺 from 1 July of the year, year-end from 1 December (MID_FROM,
END_FROM); 评诺 only once the year-end 践诺 is recorded; a commitment for this year or, in December, the next.

Selectors: the org's year (every active member of the subtree with their commitment or 未承诺, 践诺 done, grade) in
two queries whatever the rows; counts per org rolled up (core.scope.roll_up) in one."""

import os
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.meetings.parts import check_attachment
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .choices import CommitmentGrade, Phase
from .models import Commitment, Fulfilment

#: 践诺 of a phase may be recorded from this (month, day) of the commitment's year on (our reading: 年中 from
#: July, 年终 from December; the issue says only "mid-year and year-end"). Late records stay possible.
MID_FROM = (7, 1)
END_FROM = (12, 1)
PHASE_FROM = {Phase.MID: MID_FROM, Phase.END: END_FROM}
#: The staff reminder of missing commitments starts in this month (January: a year's commitments are made early).
COMMIT_REMIND_FROM_MONTH = 1
#: Evidence of a 践诺: at most this size (and an image, PDF or Word file by its content).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

#: Who wrote a row: set by the service from `by` (null once the user is deleted), never a user input.
WRITERS = ["created_by", "graded_by", "recorded_by"]
ERR_NOT_A_MEMBER = "您的账号未关联党员信息，不能发布个人承诺"
ERR_NO_BRANCH = "您的党员信息未关联所在党组织，不能发布个人承诺"
ERR_ORG_SCOPE = "您无权为该组织发布或修改承诺"
ERR_DISSOLVED = "该组织已撤销，不能发布承诺"
ERR_EDIT_SCOPE = "您无权修改该承诺"
ERR_YEAR = "承诺年度应为今年（12月起也可发布下一年度）"
ERR_SECOND = "{year}年度已发布过承诺，不能重复发布（可修改已发布的承诺）"
ERR_GRADED = "该承诺已评诺，不能再修改或践诺"
ERR_FUTURE = "日期不能晚于今天"
ERR_PUBLISHED_YEAR = "公开日期不能早于承诺年度的上一年"
ERR_PHASE = "践诺阶段应为年中践诺或年终践诺"
ERR_PHASE_EARLY = "{phase}自{year}年{month}月{day}日起登记"
ERR_PHASE_TWICE = "该承诺已登记过{phase}"
ERR_BEFORE_PUBLISH = "践诺日期不能早于承诺公开日期"
ERR_GRADE_SCOPE = "您无权对该承诺评诺"
ERR_GRADE_BEFORE_END = "尚未登记年终践诺，不能评诺"
ERR_GRADE = "评诺等次应为优秀、良好、一般或较差"
ERR_GRADE_OWN = "不能对本人的承诺评诺"
ERR_EVIDENCE_SIZE = "佐证材料不能超过 10 MB"
ERR_BLANK = "请填写{label}"

FIELDS = ("year", "content", "measures", "published_on")

# The list's states (?state=).
NONE, PUBLISHED, MID_DONE, END_DONE, GRADED = "none", "published", "mid", "end", "graded"
STATES = [
    (NONE, "未承诺"),
    (PUBLISHED, "已承诺（未践诺）"),
    (MID_DONE, "已年中践诺"),
    (END_DONE, "已年终践诺（待评诺）"),
    (GRADED, "已评诺"),
]
STATE_LABELS = dict(STATES)


def phase_opens(phase: str, year: int) -> date:
    month, day = PHASE_FROM[phase]
    return date(year, month, day)


def year_allowed(year: int, today: date | None = None) -> bool:
    today = today or clock.today()
    return year == today.year or (year == today.year + 1 and today.month == 12)


def parent_path(org: Organization) -> str | None:
    return org.path[: -Organization.steplen] or None


def grader_path(commitment: Commitment) -> str:
    """Who grades: a member's commitment, their branch (CHANGE on its org); a branch's own, the org above it (the
    branch itself when it has none)."""
    if commitment.member_id is None:
        return parent_path(commitment.org) or commitment.org.path
    return commitment.org.path


def _check_text(content: str, measures: str) -> None:
    errors = {}
    if not (content or "").strip():
        errors["content"] = ERR_BLANK.format(label="承诺事项")
    if not (measures or "").strip():
        errors["measures"] = ERR_BLANK.format(label="可衡量的标准")
    if errors:
        raise ValidationError(errors)


def _check_dates(year: int, published_on: date) -> None:
    today = clock.today()
    errors = {}
    if year is None or not year_allowed(year, today):
        errors["year"] = ERR_YEAR
    if published_on is None or published_on > today:
        errors["published_on"] = ERR_FUTURE
    elif year is not None and published_on.year < year - 1:
        errors["published_on"] = ERR_PUBLISHED_YEAR
    if errors:
        raise ValidationError(errors)


def _create(*, by, org, member, year, content, measures, published_on) -> Commitment:
    _check_text(content, measures)
    _check_dates(year, published_on)
    # The one-per-year rows, whoever sees them: the constraint would refuse them anyway (a clear message first).
    existing = Commitment.objects.unrestricted().filter(year=year)
    existing = existing.filter(member=member) if member is not None else existing.filter(org=org, member__isnull=True)
    if existing.exists():
        raise ValidationError({"year": ERR_SECOND.format(year=year)})
    commitment = Commitment(
        org=org,
        member=member,
        year=year,
        content=content.strip(),
        measures=measures.strip(),
        published_on=published_on,
        created_by=by,
    )
    commitment.full_clean(exclude=WRITERS)
    commitment.save()
    return commitment


@transaction.atomic
def publish_own(*, by, year: int, content: str, measures: str, published_on: date) -> Commitment:
    """A member's own 年初承诺 for `year` (their Member record; org = their branch now)."""
    member = getattr(by, "member", None) if by.is_authenticated else None
    if member is None:
        raise PermissionDenied(ERR_NOT_A_MEMBER)
    if member.org_id is None:
        raise PermissionDenied(ERR_NO_BRANCH)
    # Lock the member so two submissions of the same form cannot both pass the one-per-year check.
    Member.objects.unrestricted().select_for_update().filter(pk=member.pk).order_by().first()  # the user's own record
    return _create(
        by=by, org=member.org, member=member, year=year, content=content, measures=measures, published_on=published_on
    )


@transaction.atomic
def publish_org(*, by, org: Organization, year: int, content: str, measures: str, published_on: date) -> Commitment:
    """A branch's own 年初承诺 for `year`, by its secretary or committee (CHANGE on the org)."""
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_ORG_SCOPE)
    if org.dissolved_on is not None:
        raise ValidationError({"org": ERR_DISSOLVED})
    # The org checked above, locked so two submissions cannot both pass the one-per-year check.
    Organization.objects.unrestricted().select_for_update().filter(pk=org.pk).order_by().first()
    return _create(
        by=by, org=org, member=None, year=year, content=content, measures=measures, published_on=published_on
    )


def may_edit(user, commitment: Commitment) -> bool:
    """The member themselves (their own); a branch's commitment: CHANGE on the branch."""
    if not user.is_authenticated:
        return False
    if commitment.member_id is not None:
        return commitment.member.user_id == user.pk
    return user.can(Capability.CHANGE, commitment.org.path)


def may_grade(user, commitment: Commitment) -> bool:
    if not user.is_authenticated or not user.can(Capability.CHANGE, grader_path(commitment)):
        return False
    return commitment.member_id is None or commitment.member.user_id != user.pk


def _locked(by, commitment: Commitment) -> Commitment:
    """The commitment locked, if `by` sees it (PermissionDenied otherwise). Seen first, then locked alone: a lock
    over the scope's outer joins (a member's own rows) is refused by PostgreSQL."""
    if not Commitment.objects.visible_to(by).filter(pk=commitment.pk).exists():
        raise PermissionDenied(ERR_EDIT_SCOPE)
    # The row just found in the user's scope, locked by its key.
    locked = Commitment.objects.unrestricted().select_for_update().filter(pk=commitment.pk).order_by().first()
    if locked is None:
        raise PermissionDenied(ERR_EDIT_SCOPE)
    return locked


@transaction.atomic
def update_commitment(
    *, by, commitment: Commitment, version: int | None, content: str, measures: str, published_on: date
) -> Commitment:
    """Change the content, terms or date of a commitment not yet graded (its year and owner stay)."""
    locked = _locked(by, commitment)
    if not may_edit(by, locked):
        raise PermissionDenied(ERR_EDIT_SCOPE)
    check_version(locked, version)
    if locked.grade:
        raise ValidationError(ERR_GRADED)
    _check_text(content, measures)
    today = clock.today()
    if published_on is None or published_on > today:
        raise ValidationError({"published_on": ERR_FUTURE})
    if published_on.year < locked.year - 1:
        raise ValidationError({"published_on": ERR_PUBLISHED_YEAR})
    locked.content, locked.measures, locked.published_on = content.strip(), measures.strip(), published_on
    locked.full_clean(exclude=WRITERS)
    locked.save()
    return locked


@transaction.atomic
def fulfil(*, by, commitment: Commitment, phase: str, done: str, recorded_on: date, evidence=None) -> Fulfilment:
    """践诺 of a phase (one each): what was done, with optional evidence; by whoever may edit the commitment."""
    locked = _locked(by, commitment)
    if not may_edit(by, locked):
        raise PermissionDenied(ERR_EDIT_SCOPE)
    if locked.grade:
        raise ValidationError(ERR_GRADED)
    if phase not in PHASE_FROM:
        raise ValidationError({"phase": ERR_PHASE})
    label = Phase(phase).label
    if not (done or "").strip():
        raise ValidationError({"done": ERR_BLANK.format(label="践诺情况")})
    today = clock.today()
    opens = phase_opens(phase, locked.year)
    if today < opens:
        month, day = PHASE_FROM[phase]
        raise ValidationError({"phase": ERR_PHASE_EARLY.format(phase=label, year=locked.year, month=month, day=day)})
    if recorded_on is None or recorded_on > today:
        raise ValidationError({"recorded_on": ERR_FUTURE})
    if recorded_on < locked.published_on:
        raise ValidationError({"recorded_on": ERR_BEFORE_PUBLISH})
    if Fulfilment.objects.unrestricted().filter(commitment=locked, phase=phase).exists():  # the locked row's own
        raise ValidationError({"phase": ERR_PHASE_TWICE.format(phase=label)})
    row = Fulfilment(commitment=locked, phase=phase, done=done.strip(), recorded_on=recorded_on, recorded_by=by)
    if evidence:
        if (evidence.size or 0) > EVIDENCE_MAX_BYTES:
            raise ValidationError({"evidence": ERR_EVIDENCE_SIZE})
        try:
            name, _type = check_attachment(evidence)
        except ValidationError as refused:
            raise ValidationError({"evidence": refused.message_dict.get("file", refused.messages)}) from None
        row.evidence.save(f"e{os.path.splitext(name)[1].lower()}", evidence, save=False)
    try:
        row.full_clean(exclude=WRITERS)
        row.save()
    except Exception:
        if row.evidence:
            row.evidence.delete(save=False)
        raise
    locked.save(update_fields=["updated_at"])  # the commitment's page shows it moved on
    return row


@transaction.atomic
def grade(*, by, commitment: Commitment, version: int | None, grade: str, note: str = "") -> Commitment:
    """评诺: the branch grades a commitment once its year-end 践诺 is recorded; a grade may be changed (versioned)."""
    locked = _locked(by, commitment)
    if not by.can(Capability.CHANGE, grader_path(locked)):
        raise PermissionDenied(ERR_GRADE_SCOPE)
    if locked.member_id is not None and locked.member.user_id == by.pk:
        raise PermissionDenied(ERR_GRADE_OWN)
    check_version(locked, version)
    errors = {}
    if grade not in CommitmentGrade.values:
        errors["grade"] = ERR_GRADE
    if not Fulfilment.objects.unrestricted().filter(commitment=locked, phase=Phase.END).exists():  # its own
        errors["__all__"] = ERR_GRADE_BEFORE_END
    if errors:
        raise ValidationError(errors)
    locked.grade, locked.grade_note = grade, (note or "").strip()
    locked.graded_on, locked.graded_by = clock.today(), by
    locked.full_clean(exclude=WRITERS)
    locked.save()
    return locked


# ── selectors ────────────────────────────────────────────────────────────────────────────────────────────────────


def fulfilments() -> Prefetch:
    """A commitment's own 践诺 (unrestricted: whoever reached the commitment reads its records)."""
    return Prefetch("fulfilments", queryset=Fulfilment.objects.unrestricted().order_by("phase"))


def _own_commitments(year: int) -> QuerySet[Commitment]:
    """A member's commitment of `year` for an Exists/Subquery on the outer member row (unrestricted: the outer
    queryset is the user's scope; a member's commitment belongs to that member)."""
    return Commitment.objects.unrestricted().filter(member=OuterRef("pk"), year=year)


def members_of_year(user, org: Organization, year: int) -> QuerySet[Member]:
    """Every active member of `org`'s subtree the user sees, annotated with their commitment of `year` (c_id,
    c_grade), whether mid/end 践诺 are done (c_mid, c_end) and their state (c_state): one query."""
    mine = _own_commitments(year)
    phase = Fulfilment.objects.unrestricted().filter(commitment__member=OuterRef("pk"), commitment__year=year)
    rows = (
        Member.objects.visible_to(user)
        .active()
        .filter(subtree_q("org__path", [org.path]))
        .select_related("org")
        .annotate(
            c_id=Subquery(mine.values("pk")[:1]),
            c_grade=Coalesce(Subquery(mine.values("grade")[:1]), Value("")),
            c_mid=Exists(phase.filter(phase=Phase.MID)),
            c_end=Exists(phase.filter(phase=Phase.END)),
        )
    )
    return rows.annotate(
        c_state=Case(
            When(c_id__isnull=True, then=Value(NONE)),
            When(~Q(c_grade=""), then=Value(GRADED)),
            When(c_end=True, then=Value(END_DONE)),
            When(c_mid=True, then=Value(MID_DONE)),
            default=Value(PUBLISHED),
            output_field=CharField(),
        )
    )


def filtered_members(user, org: Organization, year: int, *, state: str = "", q: str = "") -> QuerySet[Member]:
    rows = members_of_year(user, org, year)
    if state in STATE_LABELS:
        rows = rows.filter(c_state=state)
    q = (q or "").strip()
    if q:
        rows = rows.filter(
            Q(name__contains=q) | Q(name_pinyin__startswith=q.lower()) | Q(name_initials__startswith=q.lower())
        )
    return rows.order_by("org__path", "name_pinyin", "pk")


@dataclass
class OrgLine:
    org: Organization
    members: int
    committed: int
    mid: int
    end: int
    graded: int

    @property
    def missing(self) -> int:
        return self.members - self.committed


def counts_by_org(user, org: Organization, year: int) -> tuple[list[OrgLine], OrgLine]:
    """The figures of `org` (total) and of each org directly under it, rolled up from members' own branches: two
    queries whatever the tree."""
    rows = members_of_year(user, org, year).order_by()
    grouped = rows.values_list("org__path", "c_state").annotate(n=Count("pk")).values_list("org__path", "c_state", "n")
    by_path = roll_up(grouped, steplen=Organization.steplen)
    children = list(
        Organization.objects.visible_to(user)
        .filter(path__startswith=org.path, depth=org.depth + 1, dissolved_on__isnull=True)
        .order_by("path")
    )

    def line(o: Organization) -> OrgLine:
        c = by_path.get(o.path, {})
        total = sum(c.values())
        graded = c.get(GRADED, 0)
        end = c.get(END_DONE, 0) + graded
        # 年中 at least: a member past it (year-end recorded) counts as having passed the mid-year stage
        return OrgLine(o, total, total - c.get(NONE, 0), c.get(MID_DONE, 0) + end, end, graded)

    return [line(o) for o in children], line(org)


def commitments_for(user, member_ids: list[int], year: int) -> dict[int, Commitment]:
    """The commitments of `year` of these members (the page's), with their fulfilments: two queries."""
    rows = (
        Commitment.objects.visible_to(user)
        .filter(member_id__in=member_ids, year=year)
        .prefetch_related(fulfilments())
        .select_related("org")
    )
    return {c.member_id: c for c in rows}


def org_commitment(user, org: Organization, year: int) -> Commitment | None:
    return (
        Commitment.objects.visible_to(user)
        .filter(org=org, year=year, member__isnull=True)
        .select_related("org", "graded_by")
        .prefetch_related(fulfilments())
        .first()
    )


def own_commitment(user, year: int) -> Commitment | None:
    return (
        Commitment.objects.visible_to(user)
        .filter(member__user=user, year=year)
        .select_related("org", "member", "graded_by")
        .prefetch_related(fulfilments())
        .first()
    )


def commitment_get(user, pk: int) -> Commitment:
    return (
        Commitment.objects.visible_to(user)
        .select_related("org", "member", "graded_by", "created_by")
        .prefetch_related(fulfilments())
        .get(pk=pk)
    )


def phases_of(commitment: Commitment) -> dict[str, Fulfilment]:
    return {f.phase: f for f in commitment.fulfilments.all()}


def due_phase(commitment: Commitment, today: date | None = None) -> str | None:
    """The phase whose 践诺 is open and not yet recorded (year-end first), None when none is due."""
    today = today or clock.today()
    if commitment.grade:
        return None
    done = phases_of(commitment)
    for phase in (Phase.END, Phase.MID):
        if today >= phase_opens(phase, commitment.year) and phase not in done:
            return phase
    return None


# ── reminders' counts (one COUNT each) ────────────────────────────────────────────────────────────────────────────


def uncommitted_count(user, year: int) -> int:
    """Active members the user may change (their branches) without a commitment of `year`."""
    return Member.objects.changeable_by(user).active().filter(~Exists(_own_commitments(year))).count()


def missing_phase_count(user, year: int, today: date | None = None) -> int:
    """Commitments of `year` the user may change whose open 践诺 is missing (mid after 1 July, end after 1 Dec)."""
    today = today or clock.today()
    opened = [p for p in (Phase.MID, Phase.END) if today >= phase_opens(p, year)]
    if not opened:
        return 0
    rows = Commitment.objects.changeable_by(user).filter(year=year, grade="")
    missing = Q()
    for p in opened:
        missing |= ~Exists(Fulfilment.objects.unrestricted().filter(commitment=OuterRef("pk"), phase=p))  # own rows
    return rows.filter(missing).count()


def pending_grades(user) -> QuerySet[Commitment]:
    """Commitments the user may change with the year-end 践诺 recorded and no grade (评诺 pending)."""
    end = Fulfilment.objects.unrestricted().filter(commitment=OuterRef("pk"), phase=Phase.END)  # the row's own
    rows = Commitment.objects.changeable_by(user).filter(grade="", member__isnull=False).filter(Exists(end))
    return rows.exclude(member__user=user)


def pending_grade_count(user) -> int:
    return pending_grades(user).count()
