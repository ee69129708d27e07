"""党员之声 and service (issue 16): 党员提案, 承诺践诺 and departments' 服务承诺, the 首问负责 register, surveys (with
anonymous answers no one can trace), 座谈会/个别交流 and the 问题清单 their findings become."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.core.concurrency import VersionedModel
from dangjian.core.models import BaseModel
from dangjian.core.roles import Capability
from dangjian.core.scope import ScopedQuerySet, subtree_q

from .choices import (
    Audience,
    Channel,
    CommitmentGrade,
    ConsultationKind,
    InquiryState,
    Phase,
    ProblemSource,
    ProblemState,
    ProposalCategory,
    ProposalState,
    QuestionKind,
    Satisfaction,
    SurveyState,
)

LONG_TEXT = 10000


def _user(verbose_name: str, **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=verbose_name,
        **kwargs,
    )


def _org(verbose_name: str = "组织", **kwargs):
    return models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=verbose_name, **kwargs
    )


class OrgScoped(ScopedQuerySet):
    org_path_lookup = "org__path"


# ── 党员提案 ─────────────────────────────────────────────────────────────────────────────────────────────────────


class ProposalQuerySet(OrgScoped):
    #: The handling org's staff see (and reply to) what is assigned to them, wherever the proposer's branch lies.
    handler_path_lookup = "handler_org__path"

    def own_records(self, user):
        # The proposer follows their proposal wherever they have moved since.
        return Q(proposer__user=user)

    def restrict(self, user, capability: str = Capability.VIEW):
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return super().restrict(user, capability)
        paths = user.scope_paths(capability)
        # the rows of the org subtree, or handled in it, and (to read) the user's own
        q = subtree_q(self.org_path_lookup, paths) | subtree_q(self.handler_path_lookup, paths)
        if capability == Capability.VIEW:
            q |= self.own_records(user)
        return self._restricted(self.filter(q))


class Proposal(BaseModel, VersionedModel):
    """A member's 党员提案. `org` is the proposer's branch when it was submitted (it and its ancestors review it);
    `handler_org` the org or department it is assigned to (its staff reply). The states and moves: rules.py."""

    org = _org("提交时所在党组织")
    proposer = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="提案人")
    year = models.PositiveSmallIntegerField("年度")
    submitted_on = models.DateField("提交日期")
    title = models.CharField("标题", max_length=100)
    category = models.CharField("类别", max_length=20, choices=ProposalCategory.choices)
    content = models.TextField("内容", max_length=LONG_TEXT)
    state = models.CharField("状态", max_length=20, choices=ProposalState.choices, default=ProposalState.SUBMITTED)
    reviewed_on = models.DateField("审查日期", null=True, blank=True)
    reject_reason = models.CharField("不予立案理由", max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged", verbose_name="并入提案"
    )
    handler_org = _org("承办单位", null=True, blank=True)
    assigned_on = models.DateField("交办日期", null=True, blank=True)
    deadline = models.DateField("办理时限", null=True, blank=True)
    reply = models.TextField("答复内容", max_length=LONG_TEXT, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    asked_again = models.BooleanField("已申请再次答复", default=False)
    rating = models.CharField("提案人评价", max_length=20, choices=Satisfaction.choices, blank=True)
    rating_note = models.CharField("评价意见", max_length=500, blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "党员提案"
        verbose_name_plural = "党员提案"
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["org", "state", "submitted_on"], name="proposal_org_state_idx"),
            models.Index(fields=["handler_org", "state", "deadline"], name="proposal_handler_idx"),
            models.Index(fields=["year", "category"], name="proposal_year_cat_idx"),
            models.Index(fields=["state", "deadline"], name="proposal_state_deadline_idx"),
            models.Index(fields=["proposer", "submitted_on"], name="proposal_proposer_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class ProposalPartQuerySet(ProposalQuerySet):
    org_path_lookup = "proposal__org__path"
    handler_path_lookup = "proposal__handler_org__path"

    def own_records(self, user):
        return Q(proposal__proposer__user=user)


class ProposalFile(BaseModel):
    """An attachment of a proposal (checked by content: meetings.parts.check_attachment)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="files", verbose_name="提案")
    file = models.FileField("附件", upload_to="voice/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    uploaded_by = _user("上传人")

    objects = ProposalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "提案附件"
        verbose_name_plural = "提案附件"
        ordering = ["proposal", "id"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.proposal.org.path}


class ProposalEvent(BaseModel):
    """One move of a proposal (rules.MOVES, or "submit"): who, when, what they wrote — the proposal's timeline."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events", verbose_name="提案")
    move = models.CharField("操作", max_length=20)
    state = models.CharField("操作后状态", max_length=20, choices=ProposalState.choices)
    on = models.DateField("日期")
    by = _user("操作人")
    note = models.TextField("说明", max_length=LONG_TEXT, blank=True)

    objects = ProposalPartQuerySet.as_manager()

    class Meta:
        verbose_name = "提案办理记录"
        verbose_name_plural = "提案办理记录"
        ordering = ["proposal", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.move}"


# ── 承诺践诺, 服务承诺 ────────────────────────────────────────────────────────────────────────────────────────────


class CommitmentQuerySet(OrgScoped):
    def own_records(self, user):
        return Q(member__user=user)


class Commitment(BaseModel, VersionedModel):
    """年初承诺 of a member (`member` set) or of a branch (`member` empty) for a year, with measurable terms; 践诺 in
    Fulfilment; 评诺 (the branch's grade) here."""

    org = _org("党组织")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="党员"
    )
    year = models.PositiveSmallIntegerField("年度")
    content = models.TextField("承诺事项", max_length=LONG_TEXT)
    measures = models.TextField("可衡量的标准", max_length=LONG_TEXT)
    published_on = models.DateField("公开日期")
    grade = models.CharField("评诺等次", max_length=20, choices=CommitmentGrade.choices, blank=True)
    grade_note = models.CharField("评诺意见", max_length=500, blank=True)
    graded_on = models.DateField("评诺日期", null=True, blank=True)
    graded_by = _user("评诺人")
    created_by = _user("登记人")

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = "承诺"
        verbose_name_plural = "承诺"
        # not "member" (nullable): VersionedModel.save locks the row with the default ordering, and PostgreSQL
        # refuses FOR UPDATE over an outer join
        ordering = ["org", "-year", "id"]
        indexes = [models.Index(fields=["org", "year"], name="commitment_org_year_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year"], condition=Q(member__isnull=False), name="commitment_one_per_member_year"
            ),
            models.UniqueConstraint(
                fields=["org", "year"], condition=Q(member__isnull=True), name="commitment_one_per_org_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年承诺"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class CommitmentPartQuerySet(ScopedQuerySet):
    org_path_lookup = "commitment__org__path"

    def own_records(self, user):
        return Q(commitment__member__user=user)


class Fulfilment(BaseModel, VersionedModel):
    """践诺: what was done by mid-year or year-end, with evidence."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="fulfilments", verbose_name="承诺"
    )
    phase = models.CharField("阶段", max_length=10, choices=Phase.choices)
    done = models.TextField("践诺情况", max_length=LONG_TEXT)
    evidence = models.FileField("佐证材料", upload_to="voice/%Y/%m/", blank=True)
    recorded_on = models.DateField("登记日期")
    recorded_by = _user("登记人")

    objects = CommitmentPartQuerySet.as_manager()

    class Meta:
        verbose_name = "践诺记录"
        verbose_name_plural = "践诺记录"
        ordering = ["commitment", "phase"]
        constraints = [models.UniqueConstraint(fields=["commitment", "phase"], name="fulfilment_one_per_phase")]

    def __str__(self) -> str:
        return self.get_phase_display()

    def get_additional_data(self) -> dict:
        return {"org_path": self.commitment.org.path}


class ServicePromise(BaseModel, VersionedModel):
    """A department's public 服务承诺 (item, time limit, standard): a register the assessment module reads, and the
    time limit a 首问 request of that item gets."""

    org = _org("承诺部门（党组织）")
    item = models.CharField("服务事项", max_length=200)
    time_limit_days = models.PositiveSmallIntegerField("办结时限（天）")
    standard = models.TextField("服务标准", max_length=LONG_TEXT)
    active = models.BooleanField("有效", default=True)
    created_by = _user("登记人")

    objects = OrgScoped.as_manager()

    class Meta:
        verbose_name = "服务承诺"
        verbose_name_plural = "服务承诺"
        ordering = ["org", "item"]
        indexes = [models.Index(fields=["org", "active"], name="promise_org_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit_days__gte=1), name="promise_limit_positive"),
            models.UniqueConstraint(fields=["org", "item"], name="promise_one_item_per_org"),
        ]

    def __str__(self) -> str:
        return self.item

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


# ── 首问负责 ─────────────────────────────────────────────────────────────────────────────────────────────────────


class InquiryQuerySet(OrgScoped):
    def own_records(self, user):
        # The first person asked and whoever holds it now follow it, whatever their grants.
        return Q(first_person__user=user) | Q(holder__user=user)


class Inquiry(BaseModel, VersionedModel):
    """A request recorded by the first person asked (首问责任人): who asked, what, when, how; handled or handed on
    (HandOff, the chain); closed with the result and the asker's satisfaction. `org` is the first person's org."""

    org = _org("首问部门（党组织）")
    first_person = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="首问责任人"
    )
    asker = models.CharField("来访/来电人", max_length=50)
    asker_phone = models.CharField("联系电话", max_length=20, blank=True)  # personal data: masked by default
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    content = models.TextField("事项", max_length=LONG_TEXT)
    asked_at = models.DateTimeField("受理时间")
    promise = models.ForeignKey(
        ServicePromise, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="对应服务承诺"
    )
    due_on = models.DateField("办结时限")
    holder = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="当前经办人")
    holder_org = _org("当前经办部门")
    state = models.CharField("状态", max_length=10, choices=InquiryState.choices, default=InquiryState.OPEN)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result = models.TextField("办理结果", max_length=LONG_TEXT, blank=True)
    satisfaction = models.CharField("来访人满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    recorded_by = _user("登记人")

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name = "首问登记"
        verbose_name_plural = "首问登记"
        ordering = ["-asked_at", "-id"]
        indexes = [
            models.Index(fields=["org", "asked_at"], name="inquiry_org_idx"),
            models.Index(fields=["holder_org", "state", "due_on"], name="inquiry_holder_idx"),
            models.Index(fields=["state", "due_on"], name="inquiry_state_due_idx"),
        ]

    def __str__(self) -> str:
        return self.content[:30]

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class InquiryPartQuerySet(ScopedQuerySet):
    org_path_lookup = "inquiry__org__path"

    def own_records(self, user):
        return Q(inquiry__first_person__user=user) | Q(inquiry__holder__user=user)


class HandOff(BaseModel):
    """One link of a request's chain: from whom to whom, when, why, and by when the next holder must act."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="handoffs", verbose_name="首问登记")
    from_member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="移交人")
    to_member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="接收人")
    to_org = _org("接收部门")
    at = models.DateTimeField("移交时间")
    due_on = models.DateField("接收人办理时限")
    note = models.CharField("移交说明", max_length=500)
    by = _user("操作人")

    objects = InquiryPartQuerySet.as_manager()

    class Meta:
        verbose_name = "首问移交"
        verbose_name_plural = "首问移交"
        ordering = ["inquiry", "at", "id"]
        indexes = [models.Index(fields=["to_org", "at"], name="handoff_to_org_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} 移交"

    def get_additional_data(self) -> dict:
        return {"org_path": self.inquiry.org.path}


# ── 问卷调查 ─────────────────────────────────────────────────────────────────────────────────────────────────────


class Survey(BaseModel, VersionedModel):
    """A questionnaire of an org (usually the committee) sent to orgs of its subtree (one answer each) or to their
    members, anonymous or named — stated up front and fixed once it opens."""

    org = _org("发起组织")
    title = models.CharField("标题", max_length=100)
    intro = models.TextField("说明", max_length=LONG_TEXT, blank=True)
    audience = models.CharField("填写对象", max_length=10, choices=Audience.choices)
    anonymous = models.BooleanField("匿名", default=False)
    state = models.CharField("状态", max_length=10, choices=SurveyState.choices, default=SurveyState.DRAFT)
    opens_on = models.DateField("开始日期", null=True, blank=True)
    closes_on = models.DateField("截止日期")
    created_by = _user("发起人")

    objects = OrgScoped.as_manager()

    class Meta:
        verbose_name = "问卷"
        verbose_name_plural = "问卷"
        ordering = ["-closes_on", "-id"]
        indexes = [models.Index(fields=["org", "state", "closes_on"], name="survey_org_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(audience="members") | Q(anonymous=False), name="survey_orgs_named")
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class SurveyPartQuerySet(ScopedQuerySet):
    org_path_lookup = "survey__org__path"


class Question(BaseModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name="问卷")
    position = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=300)
    required = models.BooleanField("必答", default=True)
    choices = models.JSONField("选项", default=list, blank=True)  # single/multiple: the options' texts, in order

    objects = SurveyPartQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷题目"
        verbose_name_plural = "问卷题目"
        ordering = ["survey", "position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="question_position_unique")]

    def __str__(self) -> str:
        return self.text

    def get_additional_data(self) -> dict:
        return {"org_path": self.survey.org.path}


class SurveyTarget(models.Model):
    """An org the survey was sent to: for orgs, it answers once; for members, its subtree's members answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="targets", verbose_name="问卷")
    org = _org("发送对象")

    objects = SurveyPartQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷发送对象"
        verbose_name_plural = "问卷发送对象"
        constraints = [models.UniqueConstraint(fields=["survey", "org"], name="survey_target_unique")]

    def __str__(self) -> str:
        return f"问卷{self.survey_id} → 组织{self.org_id}"


class Participation(BaseModel):
    """That a member has answered a members' survey (for "who has answered" and one answer each). It says nothing
    of what they answered: an anonymous Response has no link to it (no key, no time, no ordered id)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations", verbose_name="问卷")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    org = _org("填写时所在党组织")

    objects = SurveyPartQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷填写情况"
        verbose_name_plural = "问卷填写情况"
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="participation_once")]
        indexes = [models.Index(fields=["survey", "org"], name="participation_org_idx")]


class Response(models.Model):
    """One filled questionnaire. Anonymous: `member` and `answered_by` empty, no timestamp, and a random key, so
    neither a column nor the order of ids leads back to the person (BaseModel's timestamps deliberately absent).
    `org`: the answering org (orgs' surveys; unique per survey) or the member's branch (for the breakdowns)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name="问卷")
    org = _org("组织")
    for_org = models.BooleanField("以组织名义填写", default=False)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="党员"
    )
    answered_by = _user("填写人", blank=True)
    answered_on = models.DateField("填写日期", null=True, blank=True)  # named answers only

    objects = SurveyPartQuerySet.as_manager()

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = "问卷答卷"
        constraints = [
            models.UniqueConstraint(fields=["survey", "org"], condition=Q(for_org=True), name="response_one_per_org"),
            models.UniqueConstraint(
                fields=["survey", "member"], condition=Q(member__isnull=False), name="response_one_per_member"
            ),
        ]
        indexes = [models.Index(fields=["survey", "org"], name="response_survey_org_idx")]

    def __str__(self) -> str:
        return "答卷"


class AnswerQuerySet(ScopedQuerySet):
    org_path_lookup = "response__survey__org__path"


class Answer(models.Model):
    """One question's answer: `choice` (an option's index; a multiple choice has a row per option ticked),
    `value` (1–5) or `text`. Random key, like its Response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name="答卷")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", verbose_name="题目")
    choice = models.PositiveSmallIntegerField("选项", null=True, blank=True)
    value = models.PositiveSmallIntegerField("分值", null=True, blank=True)
    text = models.TextField("文字回答", max_length=2000, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = "答案"
        verbose_name_plural = "答案"
        # (question, choice, value): the results count them in one pass over the index (no row read)
        indexes = [models.Index(fields=["question", "choice", "value"], name="answer_question_choice_idx")]

    def __str__(self) -> str:
        return "答案"


# ── 座谈会、个别交流 (征求意见), 问题清单 ────────────────────────────────────────────────────────────


class Consultation(BaseModel, VersionedModel):
    """A 座谈会 or 个别交流 held to hear opinions, and the opinions raised. Where organisational life recorded it (a
    meeting, or a 谈心谈话 of meetings.Talk), it points to that record: nothing typed twice."""

    org = _org("组织")
    kind = models.CharField("形式", max_length=10, choices=ConsultationKind.choices)
    held_on = models.DateField("日期")
    topic = models.CharField("主题", max_length=200)
    participants = models.CharField("参加人员/交流对象", max_length=500)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="会议记录"
    )
    talk = models.ForeignKey(
        "meetings.Talk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="谈话记录"
    )
    summary = models.TextField("情况记录", max_length=LONG_TEXT, blank=True)
    recorded_by = _user("登记人")

    objects = OrgScoped.as_manager()

    class Meta:
        verbose_name = "座谈交流"
        verbose_name_plural = "座谈交流"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org", "held_on"], name="consultation_org_day_idx")]

    def __str__(self) -> str:
        return self.topic

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class ConsultationPartQuerySet(ScopedQuerySet):
    org_path_lookup = "consultation__org__path"


class Opinion(BaseModel):
    """One opinion or suggestion raised at a 座谈会 or 个别交流."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="opinions", verbose_name="座谈交流"
    )
    content = models.TextField("意见建议", max_length=LONG_TEXT)
    raised_by = models.CharField("提出人", max_length=50, blank=True)

    objects = ConsultationPartQuerySet.as_manager()

    class Meta:
        verbose_name = "意见建议"
        verbose_name_plural = "意见建议"
        ordering = ["consultation", "id"]

    def __str__(self) -> str:
        return self.content[:30]

    def get_additional_data(self) -> dict:
        return {"org_path": self.consultation.org.path}


class ProblemQuerySet(OrgScoped):
    def own_records(self, user):
        # The owner (责任人) follows the problems they answer for, whatever their grants.
        return Q(owner__user=user)


class Problem(BaseModel, VersionedModel):
    """问题清单: a finding (from a survey, an opinion heard, a proposal or elsewhere) and its 整改: measure, owner,
    deadline, state. The plans/assessment module reads it (selectors)."""

    org = _org("责任党组织")
    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("来源", max_length=10, choices=ProblemSource.choices)
    survey = models.ForeignKey(
        Survey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="来源问卷"
    )
    opinion = models.ForeignKey(
        Opinion, on_delete=models.SET_NULL, null=True, blank=True, related_name="problems", verbose_name="来源意见"
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="来源提案"
    )
    description = models.TextField("问题描述", max_length=LONG_TEXT)
    measure = models.TextField("整改措施", max_length=LONG_TEXT)
    owner = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    deadline = models.DateField("整改时限")
    state = models.CharField("整改状态", max_length=10, choices=ProblemState.choices, default=ProblemState.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)
    result = models.TextField("整改结果", max_length=LONG_TEXT, blank=True)
    created_by = _user("登记人")

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "问题清单"
        verbose_name_plural = "问题清单"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["org", "year", "state"], name="problem_org_year_idx"),
            models.Index(fields=["state", "deadline"], name="problem_state_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:30]

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}
