from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from dangjian.core import clock
from dangjian.core.concurrency import VersionedModel
from dangjian.core.lib import idcard
from dangjian.core.lib.dates import age_on
from dangjian.core.models import BaseModel
from dangjian.core.roles import Capability
from dangjian.core.scope import ScopedQuerySet, subtree_q
from dangjian.core.validators import check_not_future, future_errors

from .choices import ETHNICITY_CHOICES, Category, Education, ExitKind, Gender, Status, TransferKind
from .validation import (  # noqa: F401  (the messages are imported from here by forms and tests)
    ERR_FULL_BEFORE_JOIN,
    ERR_FULL_DATE_MISSING,
    ERR_FULL_DATE_PROBATIONARY,
    ERR_ID_BIRTH,
    ERR_ID_GENDER,
    ERR_JOIN_AGE,
    cross_field_errors,
)
from .validators import validate_id_number, validate_phone

ERR_GROUP_NOT_IN_BRANCH = "所在党小组必须属于所在党支部"
ERR_ORG_KIND = "党员应编入党支部（党小组另行选择）"
ERR_EXIT_KIND = "状态为“出党”时须选择出党方式"
ERR_EXIT_KIND_UNUSED = "只有状态为“出党”时才填写出党方式"
ERR_ID_DUPLICATE = "该公民身份号码已登记在花名册中"
#: The same refusal where the member holding the number lies outside the user's scope: it says what to do and not
#: where (no org, no name): a number is unique across the whole system, so that it exists cannot be hidden.
ERR_ID_ELSEWHERE = "该公民身份号码已登记在系统中的其他组织，请办理组织关系转接，不要重复登记。"


def own_member_org_path(user) -> str | None:
    """Tree path of the branch holding the user's own member record (None: no record), looked up once per user
    object (each request loads its own)."""
    if not user.pk:
        return None
    if "_own_member_org_path" not in user.__dict__:
        # The scope machinery itself: restrict() asks where the user's own record lies.
        own = Member.objects.unrestricted().filter(user=user)
        user._own_member_org_path = own.values_list("org__path", flat=True).first()
    return user._own_member_org_path


class MemberQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def own_records(self, user):
        return Q(user=user)

    def own_rows_root(self, user):
        return own_member_org_path(user)  # the own record is the row itself

    def active(self):
        return self.filter(status=Status.ACTIVE)


class Member(BaseModel, VersionedModel):
    """A party member on the roster (花名册); kept forever, whatever their status."""

    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField("姓名全拼", max_length=200, editable=False)
    name_initials = models.CharField("姓名简拼", max_length=50, editable=False)
    # The other readings of a polyphonic name, each after a space (" cengkai ck"; members.readings); empty for most.
    name_pinyin_alt = models.CharField("姓名其他读音", max_length=400, editable=False, blank=True, default="")
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number = models.CharField(
        "公民身份号码",
        max_length=18,
        validators=[validate_id_number],
        error_messages={"unique": ERR_ID_DUPLICATE},
    )
    education = models.CharField("学历", max_length=20, choices=Education.choices)
    category = models.CharField("人员类别", max_length=20, choices=Category.choices)
    joined_on = models.DateField("入党日期")
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="所在党支部",
        db_index=False,  # member_org_status_idx (org, status) serves every lookup by org; one index less per write
    )
    group = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="group_members",
        null=True,
        blank=True,
        verbose_name="所在党小组",
        db_index=False,  # member_group_idx: members without a group (most of them) stay out of the index
    )
    position = models.CharField("工作岗位/职务", max_length=100)
    phone = models.CharField("联系电话", max_length=20, validators=[validate_phone])
    fee_base = models.DecimalField("党费基数(月)", max_digits=10, decimal_places=2, default=0)
    native_place = models.CharField("籍贯", max_length=50, blank=True)
    work_started_on = models.DateField("参加工作日期", null=True, blank=True)
    professional_title = models.CharField("职称", max_length=50, blank=True)
    remark = models.TextField("备注", blank=True)

    status = models.CharField("党籍状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    exit_kind = models.CharField("出党方式", max_length=20, choices=ExitKind.choices, blank=True)
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name="登录账号",
    )
    # The roster import that last created or changed this member: its audit entry links to the roster filtered by it.
    import_job = models.ForeignKey(
        "core.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="最近一次导入",
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org__path", "name_pinyin", "id"]
        # Indexes for the lists' filters and the search. Each index costs every imported row a write (together a
        # large share of an import's time), so none is kept that no query uses: the search matches pinyin by
        # prefix (LIKE 'zhw%': pattern_ops, which also serves equality) and ID numbers by their tail (no index can),
        # so neither gets Django's second, plain/"_like" index; gender (2 values) and education (5) select a third
        # to a half of any scope, which PostgreSQL reads through the scope's (org, status) index or a scan either
        # way (the whole tree's filtered page takes as long without them as with them; bench/RESULTS.md).
        indexes = [
            models.Index(fields=["name_pinyin"], name="member_name_pinyin_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_name_initials_idx", opclasses=["varchar_pattern_ops"]),
            # The few names with other readings (~2% at L): the search scans this small index for a word's start
            # (LIKE '% q%') and reads the ids from it (PostgreSQL: an index-only scan).
            models.Index(
                fields=["name_pinyin_alt"], name="member_name_alt_idx", condition=~Q(name_pinyin_alt=""), include=["id"]
            ),
            models.Index(fields=["org", "status"], name="member_org_status_idx"),
            models.Index(fields=["group"], name="member_group_idx", condition=Q(group__isnull=False)),
            models.Index(fields=["status", "category"], name="member_status_category_idx"),
            models.Index(fields=["birth_date"], name="member_birth_date_idx"),
            models.Index(fields=["joined_on"], name="member_joined_on_idx"),
        ]
        constraints = [
            # A constraint, not unique=True: the same unique index without the varchar_pattern_ops twin Django adds
            # for a unique CharField on PostgreSQL. The message is the field's "unique" one (error_messages).
            models.UniqueConstraint(fields=["id_number"], name="member_id_number_unique"),
            models.CheckConstraint(
                condition=Q(status=Status.EXPELLED) | Q(exit_kind=""),
                name="exit_kind_only_when_expelled",
                violation_error_message=ERR_EXIT_KIND_UNUSED,
            ),
            models.CheckConstraint(
                condition=Q(fee_base__gte=0), name="fee_base_not_negative", violation_error_message="党费基数不能为负数"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.id_number:
            self.id_number = idcard.normalize(self.id_number)
        if isinstance(self.fee_base, int | Decimal):
            # Two places as stored, so retyping 6000 for 6000.00 is not recorded as a change in the audit log.
            self.fee_base = Decimal(self.fee_base).quantize(Decimal("0.01"))
        errors = cross_field_errors(
            id_number=self.id_number,
            birth_date=self.birth_date,
            gender=self.gender,
            category=self.category,
            joined_on=self.joined_on,
            full_member_on=self.full_member_on,
            work_started_on=self.work_started_on,
        )
        for field, messages in future_errors(status_changed_on=self.status_changed_on).items():
            errors.setdefault(field, []).extend(messages)

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        if self.org_id:
            from dangjian.orgs.choices import OrgKind

            if self.org.kind != OrgKind.BRANCH:
                add("org", ERR_ORG_KIND)
            if self.group_id and not (self.group.kind == OrgKind.GROUP and self.group.path.startswith(self.org.path)):
                add("group", ERR_GROUP_NOT_IN_BRANCH)
        if self.status == Status.EXPELLED and not self.exit_kind:
            add("exit_kind", ERR_EXIT_KIND)
        if errors:
            raise ValidationError(errors)

    @property
    def age(self) -> int:
        return age_on(self.birth_date, clock.today())

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class StatusChangeQuerySet(ScopedQuerySet):
    org_path_lookup = "member__org__path"

    def own_records(self, user):
        return Q(member__user=user)

    def own_rows_root(self, user):
        return own_member_org_path(user)  # scoped through the member's current org, like the record itself


class StatusChange(BaseModel):
    """One change of a member's status (转出, 停止党籍, 出党, 去世, 恢复在册): the member's history."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="status_changes", verbose_name="党员")
    from_status = models.CharField("原状态", max_length=20, choices=Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Status.choices)
    exit_kind = models.CharField("出党方式", max_length=20, choices=ExitKind.choices, blank=True)
    changed_on = models.DateField("变更日期")
    reason = models.CharField("原因/依据", max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="经办人"
    )

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "党籍状态变更"
        verbose_name_plural = "党籍状态变更"
        ordering = ["member", "-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member} {self.get_from_status_display()}→{self.get_to_status_display()}"

    def clean(self) -> None:
        check_not_future(changed_on=self.changed_on)

    def get_additional_data(self) -> dict:
        return {"org_path": self.member.org.path}


class TransferQuerySet(ScopedQuerySet):
    org_path_lookup = "member__org__path"

    def own_records(self, user):
        return Q(member__user=user)

    def own_rows_root(self, user):
        return own_member_org_path(user)  # scoped through the member's current org, like the record itself

    def at_either_end(self, user, capability: str = Capability.VIEW):
        """Transfers whose member's current org, former org (from_org) or receiving org (to_org) lies in the user's
        scope: both branches of a move see it, as does the branch that issued a letter. Own records as restrict()."""
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return self.restrict(user, capability)
        paths = user.scope_paths(capability)
        q = (
            subtree_q("member__org__path", paths)
            | subtree_q("from_org__path", paths)
            | subtree_q("to_org__path", paths)
        )
        if capability == Capability.VIEW:
            q |= self.own_records(user)
        return self._restricted(self.filter(q))


class Transfer(BaseModel):
    """组织关系转接: out to another organ, in from one, or between orgs of this system."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers", verbose_name="党员")
    kind = models.CharField("类型", max_length=10, choices=TransferKind.choices)
    transferred_on = models.DateField("转接日期")
    from_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转出组织",
    )
    to_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转入组织",
    )
    external_org = models.CharField("系统外组织（去向/来源）", max_length=200, blank=True)
    letter_number = models.CharField("介绍信编号", max_length=50, blank=True)
    letter_valid_until = models.DateField("介绍信有效期至", null=True, blank=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="经办人"
    )
    # The letter this system issued (members/transfers.py numbers it): per issuing committee and year, sequential.
    letter_issuer = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="开具介绍信的党委",
    )
    letter_year = models.PositiveSmallIntegerField("介绍信年份", null=True, blank=True)
    letter_seq = models.PositiveIntegerField("介绍信序号", null=True, blank=True)
    valid_months = models.PositiveSmallIntegerField("有效期（月）", null=True, blank=True)
    destination_contact = models.CharField("去往单位联系人/电话", max_length=200, blank=True)
    receipt_on = models.DateField("回执日期", null=True, blank=True)
    receipt_note = models.CharField("回执说明", max_length=500, blank=True)
    receipt_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回执登记人",
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["member", "-transferred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter_issuer", "letter_year", "letter_seq"],
                condition=Q(letter_seq__isnull=False),
                name="transfer_letter_number_unique",
            ),
        ]
        indexes = [
            # 待办: letters out without a receipt, by their last valid day
            models.Index(
                fields=["letter_valid_until"],
                condition=Q(kind="out", receipt_on__isnull=True),
                name="transfer_awaiting_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.transferred_on}"

    def clean(self) -> None:
        check_not_future(transferred_on=self.transferred_on, receipt_on=self.receipt_on)

    def get_additional_data(self) -> dict:
        return {"org_path": self.member.org.path}


class StatsSnapshot(models.Model):
    """The member statistics of one big org's subtree, computed ahead by a periodic task (stats.refresh_snapshots)
    and shown with their time: over a whole large tree the live figures take too long for a page."""

    org = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name="党组织")
    on_date = models.DateField("统计日期")  # the day the age and 党龄 bands were counted for
    computed_at = models.DateTimeField("统计时间")
    counts = models.JSONField("统计数")

    class Meta:
        verbose_name = "党员统计预计算结果"
        verbose_name_plural = "党员统计预计算结果"

    def __str__(self) -> str:
        return f"{self.org} {self.computed_at:%Y-%m-%d %H:%M}"
