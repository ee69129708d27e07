"""发展党员 (DOMAIN.md §5) and the 出口 (党章 第九条).

`Applicant` is one person's development record (发展档案) from the application to 转正, or, for a 预备党员 who came
onto the roster without pipeline history, from 转正's steps only (`origin` ROSTER). Each recorded step is a
`StepRecord` (its date, the people it names, the deciding meeting and its vote, the rules it was flagged by);
an extension of the 预备期 opens a new `round` of steps 22–24. `Review` rows are the half-yearly 考察 records;
`Document` rows the uploads of a record or of a case. `ExitCase` is the 处置 of an unqualified member with its
`CaseAction`s. The rules themselves live in rules.py (pure); services.py applies them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from dangjian.core.concurrency import VersionedModel
from dangjian.core.models import BaseModel
from dangjian.core.scope import ScopedQuerySet
from dangjian.members.choices import ETHNICITY_CHOICES, Category, Education, Gender
from dangjian.members.validation import cross_field_errors
from dangjian.members.validators import validate_id_number, validate_phone

from . import rules
from .choices import (
    ActionKind,
    CaseSource,
    CaseState,
    Measure,
    Origin,
    Outcome,
    ReviewKind,
    Role,
    State,
)

STEP_CHOICES = [(step.number, f"{step.number}. {step.label}") for step in rules.STEPS]
STAGE_CHOICES = list(enumerate(rules.STAGES))


class ApplicantQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(member__user=user)


class Applicant(BaseModel, VersionedModel):
    """One person's development record. Until acceptance the person is not on the roster: the fields the roster
    needs are kept here and copied to the new `member` when the upper committee approves (step 17)."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="所在党支部", db_index=False
    )
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False, blank=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number = models.CharField("公民身份号码", max_length=18, validators=[validate_id_number])
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    position = models.CharField("工作岗位/职务", max_length=100)
    phone = models.CharField("联系电话", max_length=20, validators=[validate_phone])
    origin = models.CharField("来源", max_length=20, choices=Origin.choices, default=Origin.PIPELINE)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PIPELINE)
    # The highest step recorded (its stage is the funnel's), and what comes next: stored on every write
    # (services.refresh_due) so the funnel and the due/overdue lists are one indexed query.
    last_step = models.PositiveSmallIntegerField("已完成步骤", choices=STEP_CHOICES, default=1)
    stage = models.PositiveSmallIntegerField("所处阶段", choices=STAGE_CHOICES, default=0)
    next_step = models.PositiveSmallIntegerField("下一步骤", choices=STEP_CHOICES, null=True, blank=True)
    due_on = models.DateField("下一步期限", null=True, blank=True)  # the latest day the next step is in time
    ready_on = models.DateField("下一步最早日期", null=True, blank=True)  # the earliest day it may be recorded
    review_due_on = models.DateField("下次考察记录期限", null=True, blank=True)  # half-yearly 考察
    member = models.OneToOneField(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development",
        verbose_name="花名册记录",
    )
    accepted_on = models.DateField("支部大会接收日期", null=True, blank=True)  # step 15: the 预备期 starts
    extended_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    round = models.PositiveSmallIntegerField("转正讨论轮次", default=0)  # 1 after an extension
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    ended_reason = models.CharField("终止原因", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="建档人"
    )

    objects = ApplicantQuerySet.as_manager()

    class Meta:
        verbose_name = "发展对象档案"
        verbose_name_plural = "发展对象档案"
        ordering = ["org__path", "name_pinyin", "id"]
        indexes = [
            models.Index(fields=["org", "state", "stage"], name="applicant_org_state_idx"),
            models.Index(fields=["state", "due_on"], name="applicant_due_idx", condition=Q(due_on__isnull=False)),
            models.Index(
                fields=["state", "review_due_on"], name="applicant_review_idx", condition=Q(review_due_on__isnull=False)
            ),
            models.Index(fields=["name_pinyin"], name="applicant_pinyin_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # One open record per person: an ended one may be followed by a new application.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~Q(state=State.ENDED),
                name="applicant_open_id_number",
                violation_error_message="该公民身份号码已有进行中的发展档案",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The ID number agrees with the birth date and gender, as on the roster the person will join.
        errors = cross_field_errors(
            id_number=self.id_number,
            birth_date=self.birth_date,
            gender=self.gender,
            category=Category.PROBATIONARY,
            joined_on=None,
            full_member_on=None,
        )
        if errors:
            raise ValidationError(errors)

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class StepRecordQuerySet(ScopedQuerySet):
    org_path_lookup = "applicant__org__path"

    def own_records(self, user):
        return Q(applicant__member__user=user)


class StepRecord(BaseModel):
    """One recorded step: its date and note, the deciding meeting with its vote (15, 23), 23's decision, and the
    flags the rules raised (a late 谈话 or 审批: recorded, not refused)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="steps", verbose_name="档案")
    step = models.PositiveSmallIntegerField("步骤", choices=STEP_CHOICES)
    round = models.PositiveSmallIntegerField("轮次", default=0)
    done_on = models.DateField("日期")
    note = models.TextField("情况说明", blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="会议"
    )
    voting_members = models.PositiveIntegerField("应到会有表决权人数", null=True, blank=True)
    present_voting = models.PositiveIntegerField("实到会有表决权人数", null=True, blank=True)
    in_favour = models.PositiveIntegerField("赞成人数", null=True, blank=True)
    decision = models.CharField("支部大会决定", max_length=20, blank=True, choices=list(rules.DECISIONS.items()))
    extend_months = models.PositiveSmallIntegerField("延长月数", default=0)
    flags = models.JSONField("提示", default=list, blank=True)  # [{"rule": code, "message": Chinese}]
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = StepRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "发展步骤记录"
        verbose_name_plural = "发展步骤记录"
        ordering = ["applicant", "step", "round"]
        constraints = [models.UniqueConstraint(fields=["applicant", "step", "round"], name="steprecord_once")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.get_step_display()} {self.done_on}"

    @property
    def spec(self) -> rules.Step:
        return rules.BY_NUMBER[self.step]


class StepPerson(models.Model):
    """A person a step names (谈话人, 培养联系人, 入党介绍人): a full member of the branch on the step's date."""

    record = models.ForeignKey(StepRecord, on_delete=models.CASCADE, related_name="people", verbose_name="步骤")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    role = models.CharField("身份", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "步骤人员"
        verbose_name_plural = "步骤人员"
        constraints = [models.UniqueConstraint(fields=["record", "member"], name="stepperson_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"


class ReviewQuerySet(ScopedQuerySet):
    org_path_lookup = "applicant__org__path"

    def own_records(self, user):
        return Q(applicant__member__user=user)


class Review(BaseModel):
    """A half-yearly 考察 record of an 积极分子 or a 预备党员."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="reviews", verbose_name="档案")
    kind = models.CharField("类型", max_length=20, choices=ReviewKind.choices)
    done_on = models.DateField("考察日期")
    content = models.TextField("考察意见", max_length=4000, validators=[MaxLengthValidator(4000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "考察记录"
        verbose_name_plural = "考察记录"
        ordering = ["applicant", "-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.applicant} {self.done_on}"


class CaseQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class ExitCase(BaseModel, VersionedModel):
    """The 处置 of an unqualified member: opened from a flag or by hand, closed by a person's decision. Closing it
    as 劝退, 除名 or 自行脱党 takes the member off the register (members.services.member_change_status)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部", db_index=False
    )
    source = models.CharField("线索来源", max_length=20, choices=CaseSource.choices)
    source_note = models.CharField("线索说明", max_length=500, blank=True)
    opened_on = models.DateField("立案日期")
    measure = models.CharField("处置方式", max_length=20, choices=Measure.choices, blank=True)
    deadline = models.DateField("改正期限", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=CaseState.choices, default=CaseState.OPEN)
    outcome = models.CharField("处理结果", max_length=20, choices=Outcome.choices, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    decision = models.TextField("决定内容", blank=True, max_length=4000, validators=[MaxLengthValidator(4000)])
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="立案人"
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "不合格党员处置"
        verbose_name_plural = "不合格党员处置"
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["org", "state"], name="exitcase_org_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state=CaseState.OPEN),
                name="exitcase_one_open",
                violation_error_message="该党员已有处置中的案件",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_source_display()}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class CaseActionQuerySet(ScopedQuerySet):
    org_path_lookup = "case__org__path"


class CaseAction(BaseModel):
    case = models.ForeignKey(ExitCase, on_delete=models.CASCADE, related_name="actions", verbose_name="案件")
    kind = models.CharField("类型", max_length=20, choices=ActionKind.choices)
    done_on = models.DateField("日期")
    note = models.TextField("情况", max_length=4000, validators=[MaxLengthValidator(4000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="登记人"
    )

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        verbose_name = "处置过程记录"
        verbose_name_plural = "处置过程记录"
        ordering = ["case", "done_on", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.done_on}"


class DocumentQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class Document(BaseModel):
    """An uploaded file of a development record (optionally of one step) or of a case: content-checked like a
    meeting's attachments (meetings.parts.check_attachment), stored privately, served through a scoped view."""

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="党支部", db_index=False
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, null=True, blank=True, related_name="documents", verbose_name="档案"
    )
    record = models.ForeignKey(
        StepRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name="步骤"
    )
    case = models.ForeignKey(
        ExitCase, on_delete=models.CASCADE, null=True, blank=True, related_name="documents", verbose_name="案件"
    )
    file = models.FileField("文件", upload_to="development/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="上传人"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "材料"
        verbose_name_plural = "材料"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org"], name="document_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(applicant__isnull=False) | Q(case__isnull=False), name="document_has_owner"
            )
        ]

    def __str__(self) -> str:
        return self.name
