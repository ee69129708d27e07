"""The parts of a meeting's record and the talks (issue 12): attachments, 组织生活会 items and 整改, 民主评议 ratings,
谈心谈话. Writes (each one transaction, scope checked through the meeting's or the org's `changeable_by`, full_clean)
and reads (a fixed number of queries) side by side, as the module is small.

Who sees what: a part is seen with its meeting (whoever may open the meeting sees its files, items and 整改: an
invitee heard them), except the 民主评议 ratings, which are personnel judgements: only those with the view right over
the meeting's org see them.
"""

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.lib.filecheck import OLE_MAGIC, ZIP_MAGIC, size_text
from dangjian.core.roles import Capability
from dangjian.core.validators import check_not_future
from dangjian.members.models import Member
from dangjian.orgs.membership import membership
from dangjian.orgs.models import CommitteeSeat, Organization
from dangjian.orgs.selectors import current_terms

from .choices import Activity, MeetingStatus, Rating
from .models import (
    AppraisalRating,
    Attachment,
    Attendance,
    LifeMeetingItem,
    Meeting,
    MeetingActivity,
    Rectification,
    Talk,
)
from .rules import EXCELLENT_MAX

# ---------------------------------------------------------------------------------------------------------------
# Messages
ERR_OUT_OF_SCOPE = "您无权修改该会议"
ERR_TALK_OUT_OF_SCOPE = "您无权为该组织登记谈话"
ERR_EMPTY_FILE = "文件为空，请重新选择"
ERR_TOO_BIG = "文件大小为 {size}，超过上限（{limit}）"
ERR_SUFFIX = "不支持该文件类型（{suffix}），只能上传{allowed}"
ALLOWED_TEXT = "JPG、PNG 图片，PDF 或 Word（.doc/.docx）文件"
ERR_MISMATCH = "文件内容与扩展名不符（扩展名为“{suffix}”，内容{actual}）"
ERR_NOT_LIFE = "该会议不是组织生活会"
ERR_NOT_APPRAISAL = "该会议不是民主评议党员会议"
ERR_NOT_MEMBER = "{name}不是本组织的党员"
ERR_NOT_INVITEE = "{name}不在本次会议的应到人员中"
ERR_VOTES_OVER = "票数合计 {total} 超过应到人数 {limit}"
ERR_DONE_BEFORE = "完成日期不能早于会议日期"
ERR_SAME_PERSON = "谈话人与谈话对象不能是同一人"
ERR_MEMBER_HIDDEN = "找不到该党员"
WARN_EXCELLENT = "评为“优秀”的有 {n} 人，超过参评人数（{total} 人）的三分之一，请核实"
NOTICE_UNQUALIFIED = "需按党员出口程序处理（限期改正或除名），待“党员出口”模块上线后转入"
#: Bounds of the year exports and the talk list's year filter (a query parameter outside them is refused).
YEAR_MIN, YEAR_MAX = 2000, 2100

# ---------------------------------------------------------------------------------------------------------------
# Attachments: what a file is, by its first bytes and by its name; both must agree.

#: suffix → (kind, content type served)
ALLOWED_SUFFIXES: dict[str, tuple[str, str]] = {
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".png": ("png", "image/png"),
    ".pdf": ("pdf", "application/pdf"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".doc": ("doc", "application/msword"),
}
KIND_LABELS = {
    "jpeg": "是 JPG 图片",
    "png": "是 PNG 图片",
    "pdf": "是 PDF 文件",
    "docx": "是 Word（.docx）文件",
    "doc": "是 Word（.doc）文件",
    "zip": "是压缩包",
    "other": "无法识别",
}
#: The bytes read to tell the kind (the zip's directory is read separately for a .docx).
HEAD_BYTES = 16


def attachment_max_bytes() -> int:
    return int(getattr(settings, "MEETING_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def sniff(upload) -> str:
    """The kind of an uploaded file by its content: jpeg, png, pdf, docx (a zip holding word/document.xml), doc (an
    OLE container), zip (any other zip) or other."""
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE_MAGIC):
        return "doc"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "other"
        finally:
            upload.seek(0)
        return "docx" if "word/document.xml" in names else "zip"
    return "other"


def check_attachment(upload, suffixes: dict | None = None, allowed_text: str = ALLOWED_TEXT) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload; ValidationError keyed "file" otherwise. `suffixes`:
    a part of ALLOWED_SUFFIXES (a certificate: images and PDF), named in the message by `allowed_text`."""
    suffixes = ALLOWED_SUFFIXES if suffixes is None else suffixes
    name = os.path.basename(upload.name or "").strip()[:200] or "附件"
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": ERR_EMPTY_FILE})
    limit = attachment_max_bytes()
    if size > limit:
        raise ValidationError({"file": ERR_TOO_BIG.format(size=size_text(size), limit=size_text(limit))})
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in suffixes:
        raise ValidationError({"file": ERR_SUFFIX.format(suffix=suffix or "无扩展名", allowed=allowed_text)})
    expected, content_type = suffixes[suffix]
    actual = sniff(upload)
    if actual != expected:
        raise ValidationError({"file": ERR_MISMATCH.format(suffix=suffix, actual=KIND_LABELS[actual])})
    return name, content_type


def _changeable_meeting(by, meeting: Meeting) -> Meeting:
    """The meeting locked, if `by` may change it; PermissionDenied otherwise."""
    locked = Meeting.objects.changeable_by(by).select_for_update().filter(pk=meeting.pk).first()
    if locked is None:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    return locked


def activities_of(meeting: Meeting) -> set[str]:
    # The meeting's own rows: whoever reached the meeting reads its kinds.
    return set(MeetingActivity.objects.unrestricted().filter(meeting=meeting).values_list("activity", flat=True))


@transaction.atomic
def attachment_add(*, by, meeting: Meeting, file: UploadedFile) -> Attachment:
    """Store an uploaded file of the meeting privately (MEDIA_ROOT, 0600), after its size and content are checked."""
    meeting = _changeable_meeting(by, meeting)
    name, content_type = check_attachment(file)
    attachment = Attachment(meeting=meeting, name=name, size=file.size, content_type=content_type, uploaded_by=by)
    suffix = os.path.splitext(name)[1].lower()
    # The stored name is ours (the suffix only): the user's name is kept in `name` and given back on download.
    attachment.file.save(f"a{suffix}", file, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, by, attachment: Attachment) -> None:
    _changeable_meeting(by, attachment.meeting)
    stored = attachment.file.name
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)


def attachment_for_download(*, fetched_by, pk: int) -> Attachment:
    """The attachment, if `fetched_by` sees its meeting (an invitee too); DoesNotExist otherwise."""
    meetings = Meeting.objects.visible_to(fetched_by).values("pk")
    # Scoped through the meeting (visible_to above): an invitee sees the meeting's files without a grant.
    return Attachment.objects.unrestricted().select_related("meeting").get(pk=pk, meeting__in=meetings)


def changeable_attachment(*, by, pk: int) -> Attachment:
    return Attachment.objects.changeable_by(by).select_related("meeting__org").get(pk=pk)


# ---------------------------------------------------------------------------------------------------------------
# 组织生活会


def org_members(org: Organization, *, fetched_by) -> QuerySet[Member]:
    """Members in register of the org (its subtree) whom `fetched_by` may see, by name."""
    in_register = membership().in_register(org).values("pk")
    return Member.objects.visible_to(fetched_by).filter(pk__in=in_register).order_by("name_pinyin", "pk")


def invitees(meeting: Meeting, *, fetched_by) -> QuerySet[Member]:
    invited = Attendance.objects.unrestricted().filter(meeting=meeting).values("member_id")
    # (the meeting's own invitee list, the meeting being in reach; the members themselves are restricted below)
    return Member.objects.visible_to(fetched_by).filter(pk__in=invited).order_by("name_pinyin", "pk")


def _require_activity(meeting: Meeting, activity: str, message: str) -> None:
    if activity not in activities_of(meeting):
        raise ValidationError(message)


def _check_member(org: Organization, member: Member, field_name: str) -> None:
    # Membership of the org's register, beyond the user's scope on purpose (a rule, not a read shown).
    if not membership().in_register(org).filter(pk=member.pk).exists():
        raise ValidationError({field_name: ERR_NOT_MEMBER.format(name=member.name)})


@transaction.atomic
def life_item_save(
    *, by, meeting: Meeting, member: Member, kind: str, content: str, item: LifeMeetingItem | None = None
) -> LifeMeetingItem:
    """Add (or, `item`, change) one person's 自我批评 / 相互批评意见 of a 组织生活会."""
    meeting = _changeable_meeting(by, meeting)
    _require_activity(meeting, Activity.LIFE_MEETING, ERR_NOT_LIFE)
    _check_member(meeting.org, member, "member")
    if item is None:
        item = LifeMeetingItem(meeting=meeting)
    elif item.meeting_id != meeting.pk:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    item.member, item.kind, item.content = member, kind, content
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def life_item_delete(*, by, item: LifeMeetingItem) -> None:
    _changeable_meeting(by, item.meeting)
    item.delete()


@transaction.atomic
def rectification_save(
    *,
    by,
    meeting: Meeting,
    content: str,
    owner: Member,
    deadline: date,
    done_on: date | None = None,
    item: Rectification | None = None,
    version: int | None = None,
) -> Rectification:
    """Add (or, `item`, change) a 整改 item of a 组织生活会; the owner is one of the org's members; a completion is a
    fact (not in the future, not before the meeting)."""
    meeting = _changeable_meeting(by, meeting)
    _require_activity(meeting, Activity.LIFE_MEETING, ERR_NOT_LIFE)
    _check_member(meeting.org, owner, "owner")
    check_not_future(done_on=done_on)
    if done_on is not None and done_on < timezone.localtime(meeting.starts_at).date():
        raise ValidationError({"done_on": ERR_DONE_BEFORE})
    if item is None:
        item = Rectification(meeting=meeting)
    else:
        locked = Rectification.objects.changeable_by(by).select_for_update().filter(pk=item.pk).first()
        if locked is None or locked.meeting_id != meeting.pk:
            raise PermissionDenied(ERR_OUT_OF_SCOPE)
        check_version(locked, version)
        item = locked
    item.content, item.owner, item.deadline, item.done_on = content, owner, deadline, done_on
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def rectification_delete(*, by, item: Rectification) -> None:
    _changeable_meeting(by, item.meeting)
    item.delete()


def is_overdue(item: Rectification, today: date | None = None) -> bool:
    return item.done_on is None and item.deadline < (today or clock.today())


# ---------------------------------------------------------------------------------------------------------------
# 民主评议党员


@dataclass(frozen=True)
class RatingRow:
    member: Member
    rating: str  # "" = not rated
    votes_excellent: int = 0
    votes_qualified: int = 0
    votes_basic: int = 0
    votes_unqualified: int = 0

    @property
    def votes(self) -> int:
        return self.votes_excellent + self.votes_qualified + self.votes_basic + self.votes_unqualified


@dataclass
class AppraisalSummary:
    rated: int
    excellent: int
    unqualified: list[AppraisalRating] = field(default_factory=list)

    @property
    def too_many_excellent(self) -> bool:
        return excellent_over_limit(self.excellent, self.rated)

    @property
    def warnings(self) -> list[str]:
        out = []
        if self.too_many_excellent:
            out.append(WARN_EXCELLENT.format(n=self.excellent, total=self.rated))
        return out


def excellent_over_limit(excellent: int, rated: int) -> bool:
    """优秀 more than EXCELLENT_MAX (1/3) of those rated (DOMAIN.md §3): a warning, never a refusal."""
    num, den = EXCELLENT_MAX
    return excellent * den > rated * num


def appraisal_summary(ratings: Iterable[AppraisalRating]) -> AppraisalSummary:
    ratings = list(ratings)
    return AppraisalSummary(
        rated=len(ratings),
        excellent=sum(r.rating == Rating.EXCELLENT for r in ratings),
        unqualified=[r for r in ratings if r.rating == Rating.UNQUALIFIED],
    )


@transaction.atomic
def ratings_save(*, by, meeting: Meeting, rows: list[RatingRow]) -> AppraisalSummary:
    """Write the 民主评议 ratings of the meeting's invitees: a row with a rating is kept (votes with it), a row without
    one removes the member's rating. Votes per member are bounded by the number of invitees."""
    meeting = _changeable_meeting(by, meeting)
    _require_activity(meeting, Activity.APPRAISAL, ERR_NOT_APPRAISAL)
    # The meeting's own invitee list (the meeting is in the user's reach: locked above).
    invited = set(Attendance.objects.unrestricted().filter(meeting=meeting).values_list("member_id", flat=True))
    limit = len(invited)
    errors: dict[str, list[str]] = {}
    for row in rows:
        if row.member.pk not in invited:
            errors.setdefault("__all__", []).append(ERR_NOT_INVITEE.format(name=row.member.name))
        elif row.votes > limit:
            errors.setdefault(f"votes_{row.member.pk}", []).append(ERR_VOTES_OVER.format(total=row.votes, limit=limit))
    if errors:
        raise ValidationError(errors)
    existing = {r.member_id: r for r in AppraisalRating.objects.changeable_by(by).filter(meeting=meeting)}
    kept = []
    for row in rows:
        if not row.rating:
            continue
        rating = existing.get(row.member.pk) or AppraisalRating(meeting=meeting, member=row.member)
        rating.rating = row.rating
        rating.votes_excellent = row.votes_excellent
        rating.votes_qualified = row.votes_qualified
        rating.votes_basic = row.votes_basic
        rating.votes_unqualified = row.votes_unqualified
        rating.full_clean(validate_unique=False)
        rating.save()
        kept.append(rating)
    for member_id, rating in existing.items():
        if member_id not in {r.member_id for r in kept}:
            rating.delete()
    return appraisal_summary(kept)


# ---------------------------------------------------------------------------------------------------------------
# The detail page's sections (one read per part, whatever the number of rows)


@dataclass
class MeetingParts:
    meeting: Meeting
    can_change: bool
    is_life: bool
    is_appraisal: bool
    can_see_ratings: bool
    can_export_year: bool
    attachments: list[Attachment]
    life_items: list[LifeMeetingItem]
    rectifications: list[Rectification]
    ratings: list[AppraisalRating]
    summary: AppraisalSummary | None
    notice_unqualified: str = NOTICE_UNQUALIFIED


def meeting_parts(*, fetched_by, meeting: Meeting) -> MeetingParts:
    """What the detail page shows of a meeting the caller already fetched through visible_to: files, 组织生活会
    items and 整改 (overdue marked), 民主评议 ratings (to those with the view right over the org). 7 queries at most."""
    kinds = activities_of(meeting)
    can_change = Meeting.objects.changeable_by(fetched_by).filter(pk=meeting.pk).exists()
    is_life = Activity.LIFE_MEETING in kinds
    is_appraisal = Activity.APPRAISAL in kinds
    # The meeting was fetched through visible_to: its parts are seen with it (the module docstring says why).
    attachments = list(Attachment.objects.unrestricted().filter(meeting=meeting).select_related("uploaded_by"))
    life_items, rectifications, ratings = [], [], []
    if is_life:
        life_items = list(LifeMeetingItem.objects.unrestricted().filter(meeting=meeting).select_related("member"))
        rectifications = list(Rectification.objects.unrestricted().filter(meeting=meeting).select_related("owner"))
        today = clock.today()
        for item in rectifications:
            item.overdue = is_overdue(item, today)
    can_see_ratings = fetched_by.can(Capability.VIEW, meeting.org.path)
    # An invitee of a 党总支's meeting may not see that org: its year volume is then no link of theirs.
    can_export_year = Organization.objects.visible_to(fetched_by).filter(pk=meeting.org_id).exists()
    summary = None
    if is_appraisal and can_see_ratings:
        ratings = list(AppraisalRating.objects.visible_to(fetched_by).filter(meeting=meeting).select_related("member"))
        summary = appraisal_summary(ratings)
    return MeetingParts(
        meeting=meeting,
        can_change=can_change,
        is_life=is_life,
        is_appraisal=is_appraisal,
        can_see_ratings=can_see_ratings,
        can_export_year=can_export_year,
        attachments=attachments,
        life_items=life_items,
        rectifications=rectifications,
        ratings=ratings,
        summary=summary,
    )


# ---------------------------------------------------------------------------------------------------------------
# 谈心谈话


@transaction.atomic
def talk_save(
    *,
    by,
    org: Organization,
    talker: Member,
    talkee: Member,
    held_on: date,
    kind: str,
    summary: str,
    talk: Talk | None = None,
    version: int | None = None,
) -> Talk:
    """Record (or, `talk`, change) a talk of the org: talker and talkee among the members `by` sees, its date a fact."""
    if not Organization.objects.changeable_by(by).filter(pk=org.pk).exists():
        raise PermissionDenied(ERR_TALK_OUT_OF_SCOPE)
    visible = Member.objects.visible_to(by)
    for name, person in (("talker", talker), ("talkee", talkee)):
        if not visible.filter(pk=person.pk).exists():
            raise ValidationError({name: ERR_MEMBER_HIDDEN})
    if talker.pk == talkee.pk:
        raise ValidationError({"talkee": ERR_SAME_PERSON})
    check_not_future(held_on=held_on)
    if talk is None:
        talk = Talk(org=org, recorded_by=by)
    else:
        locked = Talk.objects.changeable_by(by).select_for_update().filter(pk=talk.pk).first()
        if locked is None:
            raise PermissionDenied(ERR_TALK_OUT_OF_SCOPE)
        check_version(locked, version)
        talk = locked
        talk.org = org
    talk.talker, talk.talkee, talk.held_on, talk.kind, talk.summary = talker, talkee, held_on, kind, summary
    talk.full_clean()
    talk.save()
    return talk


def talk_list(*, fetched_by, org: Organization | None = None, kind: str = "", year: int | None = None):
    talks = Talk.objects.visible_to(fetched_by).select_related("org", "talker", "talkee")
    if org is not None:
        talks = talks.filter(org__path__startswith=org.path)
    if kind:
        talks = talks.filter(kind=kind)
    if year is not None:
        talks = talks.filter(held_on__year=year)
    return talks.order_by("-held_on", "-id")


@dataclass
class TalkYear:
    """The yearly minimum of an org (DOMAIN.md §3), kept simple. What is counted: the talks this year whose talker
    sits on the org's current committee (`committee_talks`), beside the number of committee members
    (`committee_size`): each member of the committee should have talked at least once, so fewer talks than members
    is short; and the members in register of the org that nobody has talked with this year (`not_talked`)."""

    org: Organization
    year: int
    committee_size: int
    committee_talks: int
    committee_silent: list[Member]
    not_talked: list[Member]

    @property
    def short(self) -> bool:
        return bool(self.committee_silent) or bool(self.not_talked)


def talk_year(*, fetched_by, org: Organization, year: int) -> TalkYear:
    """The org's talks of `year` against the yearly minimum; a fixed number of queries (5)."""
    term = current_terms([org.pk]).get(org.pk)
    # The committee's composition is a figure the rule needs, whoever asks (the names shown are restricted below).
    seated = CommitteeSeat.objects.unrestricted().filter(term=term, ended_on__isnull=True) if term else None
    seats = list(seated.values_list("member_id", flat=True)) if term else []
    talks = Talk.objects.visible_to(fetched_by).filter(org=org, held_on__year=year)
    pairs = list(talks.values_list("talker_id", "talkee_id"))
    talkers = {a for a, _ in pairs}
    talkees = {b for _, b in pairs} | talkers
    members = list(org_members(org, fetched_by=fetched_by))
    by_pk = {m.pk: m for m in members}
    return TalkYear(
        org=org,
        year=year,
        committee_size=len(seats),
        committee_talks=sum(1 for a, _ in pairs if a in set(seats)),
        committee_silent=[by_pk[pk] for pk in seats if pk in by_pk and pk not in talkers],
        not_talked=[m for m in members if m.pk not in talkees],
    )


# ---------------------------------------------------------------------------------------------------------------
# Exports' reads


def _for_docx(fetched_by) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(fetched_by)
        .select_related("org", "host", "recorder", "lecturer")
        # The invitees of meetings fetched through visible_to: the 签到 list of each record.
        .prefetch_related(Prefetch("attendances", queryset=Attendance.objects.unrestricted().select_related("member")))
        .order_by("starts_at", "id")
    )


def meetings_for_docx(*, fetched_by, pks: list[int]) -> list[Meeting]:
    """The meetings with what their record needs (3 queries)."""
    return list(_for_docx(fetched_by).filter(pk__in=pks))


def held_meetings_of_year(*, fetched_by, org: Organization, year: int) -> list[Meeting]:
    """The org's HELD meetings of `year` that `fetched_by` sees, oldest first (3 queries)."""
    return list(_for_docx(fetched_by).filter(org=org, status=MeetingStatus.HELD, starts_at__year=year))
