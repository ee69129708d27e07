"""学习培训 (DOMAIN.md §6, issue 15): yearly training plans, study sessions (a meeting that carries 学时), 中心组
speeches and outcomes, members' self-reported study, and the 学时 per member and year derived from them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.concurrency import VersionedModel
from dangjian.core.models import BaseModel
from dangjian.core.scope import ScopedQuerySet

from .choices import OutcomeKind, OutcomeState, ReportState, StudyKind

HOURS = {"max_digits": 4, "decimal_places": 1}
TOTAL_HOURS = {"max_digits": 7, "decimal_places": 1}


class OrgScoped(ScopedQuerySet):
    org_path_lookup = "org__path"


class PlanItem(BaseModel, VersionedModel):
    """One item of an org's yearly training plan (年度培训计划)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    year = models.PositiveSmallIntegerField("年度")
    topic = models.CharField("培训主题", max_length=200)
    kind = models.CharField("培训形式", max_length=20, choices=StudyKind.choices)
    month = models.PositiveSmallIntegerField("计划月份")
    audience = models.CharField("培训对象", max_length=200)
    planned_hours = models.DecimalField("计划学时", **HOURS)
    note = models.CharField("备注", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = OrgScoped.as_manager()

    class Meta:
        verbose_name = "培训计划项目"
        verbose_name_plural = "培训计划项目"
        ordering = ["org", "year", "month", "id"]
        indexes = [models.Index(fields=["org", "year", "month"], name="plan_org_year_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plan_month_range"),
            models.CheckConstraint(condition=Q(planned_hours__gt=0), name="plan_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 {self.topic}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class SessionQuerySet(OrgScoped):
    def own_records(self, user):
        # A member sees the sessions they were invited to (the meeting's attendance), wherever the org is.
        from dangjian.meetings.models import Attendance  # noqa: PLC0415  (a subquery of the meeting's own rows)

        return Q(meeting_id__in=Attendance.objects.unrestricted().filter(member__user=user).values("meeting_id"))


class Session(BaseModel, VersionedModel):
    """A study session: a meeting (its time, place, invitees, QR sign-in, attachments and minutes are the meeting's)
    that carries 学时. Each meeting has at most one, so an attended 党课 that is also a session counts once. The
    meeting's org and local day are copied here (services.sync_session) so the counts read this table."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="study_session", verbose_name="会议"
    )
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="组织")
    held_on = models.DateField("日期")
    kind = models.CharField("学习形式", max_length=20, choices=StudyKind.choices)
    hours = models.DecimalField("学时", **HOURS)
    speaker = models.CharField("主讲人/领学人", max_length=100, blank=True)  # an invited expert need not be a member
    lead = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="领学人"
    )
    plan_item = models.ForeignKey(
        PlanItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="对应培训计划",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "学习场次"
        verbose_name_plural = "学习场次"
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["org", "held_on"], name="session_org_day_idx"),
            models.Index(fields=["held_on"], name="session_day_idx"),
            models.Index(fields=["kind", "held_on"], name="session_kind_day_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="session_hours_positive")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.meeting.topic}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class SessionPartQuerySet(ScopedQuerySet):
    org_path_lookup = "session__org__path"


class Speech(BaseModel):
    """中心组: one member's 研讨发言 at a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="speeches", verbose_name="学习场次")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="发言人")
    title = models.CharField("发言题目", max_length=200)
    content = models.TextField("发言要点", max_length=20000)

    objects = SessionPartQuerySet.as_manager()

    class Meta:
        verbose_name = "研讨发言"
        verbose_name_plural = "研讨发言"
        ordering = ["session", "id"]

    def __str__(self) -> str:
        return f"{self.member}：{self.title}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.session.org.path}


class Outcome(BaseModel, VersionedModel):
    """中心组: a 调研成果 or other result of a session and how it was turned into practice (转化)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="outcomes", verbose_name="学习场次")
    title = models.CharField("成果名称", max_length=200)
    kind = models.CharField("成果类型", max_length=20, choices=OutcomeKind.choices)
    owner = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    due_on = models.DateField("转化时限", null=True, blank=True)
    state = models.CharField("转化情况", max_length=20, choices=OutcomeState.choices, default=OutcomeState.OPEN)
    done_on = models.DateField("转化完成日期", null=True, blank=True)
    result = models.TextField("转化成效", max_length=5000, blank=True)

    objects = SessionPartQuerySet.as_manager()

    class Meta:
        verbose_name = "学习成果转化"
        verbose_name_plural = "学习成果转化"
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="outcome_state_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.session.org.path}


class ReportQuerySet(OrgScoped):
    def own_records(self, user):
        return Q(member__user=user)


class Report(BaseModel, VersionedModel):
    """A member's own study outside the org's sessions (外出培训, 网络学习 …), with a certificate; it counts once the
    branch approves it (认定). `org` is the member's branch when reported: that branch's secretary reviews it."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="study_reports", verbose_name="党员"
    )
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部")
    course = models.CharField("课程/培训名称", max_length=200)
    provider = models.CharField("举办单位/平台", max_length=200)
    kind = models.CharField("学习形式", max_length=20, choices=StudyKind.choices)
    studied_on = models.DateField("学习日期")
    hours = models.DecimalField("学时", **HOURS)
    certificate = models.FileField("证书/证明", upload_to="study/%Y/%m/")
    certificate_name = models.CharField("证明文件名", max_length=200)
    certificate_type = models.CharField("证明类型", max_length=100)
    certificate_size = models.PositiveIntegerField("证明大小（字节）")
    state = models.CharField("认定状态", max_length=20, choices=ReportState.choices, default=ReportState.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_comment = models.CharField("审核意见", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="填报人"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "自学学时申报"
        verbose_name_plural = "自学学时申报"
        ordering = ["-studied_on", "-id"]
        indexes = [
            models.Index(fields=["org", "state"], name="report_org_state_idx"),
            models.Index(fields=["member", "studied_on"], name="report_member_day_idx"),
        ]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="report_hours_range")]

    def __str__(self) -> str:
        return f"{self.member} {self.course}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class MemberYearQuerySet(ScopedQuerySet):
    org_path_lookup = "member__org__path"

    def own_records(self, user):
        return Q(member__user=user)


class MemberYear(models.Model):
    """A member's 学时 of one year: derived (services.refresh_hours) from the sessions they attended and their
    approved reports, inside every write that changes either, so the whole tree's summary is one grouped read. A
    member with no row has 0."""

    # The reverse name lets a members' query join its year's row (selectors.with_hours: a FilteredRelation).
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="study_years", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    session_hours = models.DecimalField("集中学习学时", default=0, **TOTAL_HOURS)
    report_hours = models.DecimalField("自学认定学时", default=0, **TOTAL_HOURS)
    hours = models.DecimalField("学时合计", default=0, **TOTAL_HOURS)
    computed_at = models.DateTimeField("计算时间")

    objects = MemberYearQuerySet.as_manager()

    class Meta:
        verbose_name = "年度学时"
        verbose_name_plural = "年度学时"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="member_year_unique")]
        indexes = [models.Index(fields=["year", "member"], name="member_year_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.hours}"
