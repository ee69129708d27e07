"""Organisational life (DOMAIN.md §3): meetings with their activities, attendance, minutes and review; talks;
the flags a periodic task stores for the reminders and the workbench."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.concurrency import VersionedModel
from dangjian.core.models import BaseModel
from dangjian.core.scope import ScopedQuerySet

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


class MeetingQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def own_records(self, user):
        # A member sees the meetings they are invited to, wherever the holding org is (a subquery: a join would
        # repeat each meeting once per attendance).
        return Q(pk__in=Attendance.objects.unrestricted().filter(member__user=user).values("meeting_id"))


class Meeting(BaseModel, VersionedModel):
    """One meeting (or activity) held by an org: a 党小组 holds 党小组会, a 党总支 may hold a 党员大会 that counts for
    its branches. Planned first (or recorded straight away as held); its record is reviewed by the level above."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="meetings", verbose_name="召开组织"
    )
    topic = models.CharField("主题", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    host = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="主持人"
    )
    recorder = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="记录人"
    )
    lecturer = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="党课主讲人"
    )
    status = models.CharField("状态", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    minutes = models.TextField("会议记录", blank=True)  # plain text; paragraphs by blank lines, never HTML
    resolutions = models.TextField("决议事项", blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)  # when it was first recorded as held
    backfilled = models.BooleanField("补录", default=False)  # recorded > MEETING_BACKFILL_DAYS after the meeting
    review_state = models.CharField("审核状态", max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    review_comment = models.CharField("审核意见", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    # The QR sign-in's secret: rotating it invalidates every link issued before (meetings.signin).
    signin_secret = models.CharField("签到密钥", max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org", "starts_at"], name="meeting_org_starts_idx"),
            models.Index(fields=["starts_at"], name="meeting_starts_idx"),
            models.Index(fields=["review_state", "starts_at"], name="meeting_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="结束时间不能早于开始时间",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.topic}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class MeetingActivityQuerySet(ScopedQuerySet):
    org_path_lookup = "meeting__org__path"


class MeetingActivity(models.Model):
    """One activity a meeting counts as (a 主题党日 combined with a 党课 is two rows). The meeting's org and month are
    copied here so that compliance counts read this table alone, by (org, activity, month)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="activities", verbose_name="会议")
    activity = models.CharField("活动类型", max_length=20, choices=Activity.choices)
    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="召开组织")
    held_on = models.DateField("日期")
    held = models.BooleanField("已召开", default=False)  # the meeting's status is HELD

    objects = MeetingActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "会议活动类型"
        verbose_name_plural = "会议活动类型"
        constraints = [models.UniqueConstraint(fields=["meeting", "activity"], name="meeting_activity_unique")]
        indexes = [models.Index(fields=["org", "activity", "held_on"], name="activity_org_kind_day_idx")]

    def __str__(self) -> str:
        return self.get_activity_display()


class AttendanceQuerySet(ScopedQuerySet):
    # The member's branch at the time: a branch sees its members' attendance at a 党总支's meeting too.
    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(member__user=user)


class Attendance(BaseModel):
    """One invitee of a meeting: present, absent with a reason, or not yet recorded."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name="会议")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances", verbose_name="党员"
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部（会议时）"
    )
    presence = models.CharField("出席情况", max_length=20, choices=Presence.choices, default=Presence.UNKNOWN)
    absence_reason = models.CharField("缺席原因", max_length=20, choices=AbsenceReason.choices, blank=True)
    absence_note = models.CharField("缺席说明", max_length=200, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_by = models.CharField("签到方式", max_length=20, choices=SignedBy.choices, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "参会情况"
        verbose_name_plural = "参会情况"
        ordering = ["meeting", "member__name_pinyin", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]
        indexes = [
            models.Index(fields=["member", "presence"], name="attendance_member_idx"),
            models.Index(fields=["org", "presence"], name="attendance_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member}（{self.get_presence_display()}）"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class MeetingPartQuerySet(ScopedQuerySet):
    org_path_lookup = "meeting__org__path"


class Attachment(BaseModel):
    """A file of a meeting record (photo, PDF, Word): content-checked on upload, served only through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会议")
    file = models.FileField("文件", upload_to="meetings/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.meeting.org.path}


class LifeMeetingItem(BaseModel):
    """组织生活会: one person's 自我批评, or a criticism raised to them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="life_items", verbose_name="会议")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    kind = models.CharField("类型", max_length=20, choices=CriticismKind.choices)
    content = models.TextField("内容")

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = "批评与自我批评"
        verbose_name_plural = "批评与自我批评"
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return f"{self.member}：{self.get_kind_display()}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.meeting.org.path}


class Rectification(BaseModel, VersionedModel):
    """组织生活会: one 整改 item, with its owner and deadline."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rectifications", verbose_name="会议")
    content = models.TextField("整改事项")
    owner = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    deadline = models.DateField("整改时限")
    done_on = models.DateField("完成日期", null=True, blank=True)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["meeting", "deadline", "id"]

    def __str__(self) -> str:
        return self.content[:30]

    def get_additional_data(self) -> dict:
        return {"org_path": self.meeting.org.path}


class AppraisalRating(BaseModel):
    """民主评议党员: one member's rating, with the votes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ratings", verbose_name="会议")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    rating = models.CharField("评议等次", max_length=20, choices=Rating.choices)
    votes_excellent = models.PositiveIntegerField("优秀票", default=0)
    votes_qualified = models.PositiveIntegerField("合格票", default=0)
    votes_basic = models.PositiveIntegerField("基本合格票", default=0)
    votes_unqualified = models.PositiveIntegerField("不合格票", default=0)

    objects = MeetingPartQuerySet.as_manager()

    class Meta:
        verbose_name = "民主评议等次"
        verbose_name_plural = "民主评议等次"
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="rating_unique")]

    def __str__(self) -> str:
        return f"{self.member}：{self.get_rating_display()}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.meeting.org.path}


class TalkQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(talker__user=user) | Q(talkee__user=user)


class Talk(BaseModel, VersionedModel):
    """谈心谈话 (DOMAIN.md §3: at least once a year between committee members, and with the members)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    talker = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="谈话人")
    talkee = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="谈话对象")
    held_on = models.DateField("谈话日期")
    kind = models.CharField("谈话类型", max_length=20, choices=TalkKind.choices, default=TalkKind.HEART)
    summary = models.TextField("谈话要点")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "held_on"], name="talk_org_day_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.talker}—{self.talkee}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class FlagQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(member__user=user)


class Flag(models.Model):
    """A reminder the periodic task (meetings.tasks) computed and stored, so the home page reads them in constant
    queries: a meeting not yet held this month, an overdue item, a returned record, low attendance, a member with no
    attended organisational life for six consecutive months (a flag for people to review, never a status change)."""

    class Kind(models.TextChoices):
        DUE = "due", "本月会议未召开"
        OVERDUE = "overdue", "会议逾期未召开"
        RETURNED = "returned", "会议记录被退回"
        LOW_ATTENDANCE = "low_attendance", "参会率不足三分之二"
        ABSENT_SIX_MONTHS = "absent_six_months", "连续6个月未参加组织生活"
        UNRECORDED = "unrecorded", "会议记录未完成"

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="组织")
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="党员"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="会议"
    )
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    level = models.CharField("级别", max_length=10, default="warning")  # danger | warning | info
    message = models.CharField("内容", max_length=300)
    computed_at = models.DateTimeField("计算时间")

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活提醒"
        verbose_name_plural = "组织生活提醒"
        ordering = ["org", "kind", "id"]
        indexes = [models.Index(fields=["org", "kind"], name="flag_org_kind_idx")]

    def __str__(self) -> str:
        return self.message


class ComplianceCellQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class ComplianceCell(models.Model):
    """One branch's obligations shown in one month (meetings.rules: a quarter's in its last month, a year's in
    December), counted: `activity` "" is every activity together (one such row per branch and month, also when it
    owes nothing), otherwise one activity's. Derived data, materialised by meetings.cells.refresh_cells from the pure
    rules so the heat map and the home panel read thousands of branches in a few grouped queries; `as_of` is the
    first day of the month the rules took as "now" (a DUE of a month then still running is MISSED once it ends)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="党支部")
    month = models.DateField("月份")  # its first day
    activity = models.CharField("活动类型", max_length=20, blank=True)  # "": all; else an Activity or secretary_lecture
    required = models.PositiveIntegerField("应开", default=0)
    met = models.PositiveIntegerField("已开", default=0)
    missed = models.PositiveIntegerField("缺开", default=0)
    due = models.PositiveIntegerField("进行中", default=0)
    missing = models.CharField("缺开类型", max_length=200, blank=True)  # the missed activities' codes, comma-separated
    as_of = models.DateField("计算所据月份")
    computed_at = models.DateTimeField("计算时间")

    objects = ComplianceCellQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活落实情况"
        verbose_name_plural = "组织生活落实情况"
        constraints = [
            models.UniqueConstraint(fields=["org", "month", "activity"], name="compliance_cell_unique"),
        ]
        indexes = [models.Index(fields=["activity", "month", "org"], name="compliance_cell_read_idx")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m} {self.activity or '*'}"
