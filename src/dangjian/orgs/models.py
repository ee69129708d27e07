from django.db import models
from django.db.models import Q
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.concurrency import VersionedModel
from dangjian.core.models import BaseModel
from dangjian.core.scope import ScopedQuerySet
from dangjian.core.validators import check_not_future

from .choices import ROLE_RANK, CommitteeRole, OrgKind
from .membership import membership


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    org_path_lookup = "path"

    def own_records(self, user):
        # A plain member sees their own branch and party group (the members app knows which: orgs.membership).
        return membership().own_orgs(user)

    def active(self):
        return self.filter(dissolved_on__isnull=True)


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def changeable_by(self, user):
        return self.get_queryset().changeable_by(user)

    def restrict(self, user, capability):
        return self.get_queryset().restrict(user, capability)

    def unrestricted(self):
        return self.get_queryset().unrestricted()

    def active(self):
        return self.get_queryset().active()


class Organization(MP_Node, BaseModel, VersionedModel):
    """A party organisation: 机关党委, 党总支, 党支部 or 党小组, as a node of one tree."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices, db_index=True)
    code = models.CharField("组织编码", max_length=30, unique=True, help_text="导入、接口中引用组织用的短编码，如 ZB01")
    department = models.CharField("对应业务科室", max_length=100, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    dissolved_on = models.DateField("撤销日期", null=True, blank=True, db_index=True)
    remark = models.TextField("备注", blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs pattern ops unless the collation is C (ignored on SQLite).
            models.Index(fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        check_not_future(established_on=self.established_on, dissolved_on=self.dissolved_on)

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def is_group(self) -> bool:
        return self.kind == OrgKind.GROUP

    def get_additional_data(self) -> dict:
        return {"org_path": self.path}


class CommitteeTermQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"


class CommitteeTerm(BaseModel):
    """One elected term (届) of an org's committee (支委会, 总支委员会, 机关党委委员会)."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="terms", verbose_name="组织")
    started_on = models.DateField("本届开始日期")
    ends_on = models.DateField("任期届满日期")
    remark = models.CharField("备注", max_length=200, blank=True)

    objects = CommitteeTermQuerySet.as_manager()

    class Meta:
        verbose_name = "委员会届次"
        verbose_name_plural = "委员会届次"
        ordering = ["org", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("started_on")),
                name="term_ends_after_start",
                violation_error_message="任期届满日期必须晚于开始日期",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org}（{self.started_on:%Y年%m月}—{self.ends_on:%Y年%m月}）"

    def clean(self) -> None:
        # Only the start: the end of a term is planned (computed from the rules), so it lies ahead.
        check_not_future(started_on=self.started_on)

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


def role_rank() -> models.Case:
    """A seat's role as its place in CommitteeRole (书记 0, 副书记 1, …, 委员 last), for ordering in SQL."""
    return models.Case(
        *(models.When(role=role, then=models.Value(rank)) for role, rank in ROLE_RANK.items()),
        default=models.Value(len(ROLE_RANK)),
        output_field=models.IntegerField(),
    )


class CommitteeSeatQuerySet(ScopedQuerySet):
    org_path_lookup = "term__org__path"

    def own_records(self, user):
        # A member's own seats, wherever the committee is, and the committee of their own branch (which they see).
        own_branch = Organization.objects.unrestricted().filter(members__user=user).values("pk")  # a subquery
        return Q(member__user=user) | Q(term__org__in=own_branch)

    def in_role_order(self):
        """Current seats first, then 书记, 副书记, the named 委员 and 委员 (CommitteeRole's order, not the alphabet)."""
        return self.alias(role_rank=role_rank()).order_by("ended_on", "role_rank", "started_on", "id")


class CommitteeSeat(BaseModel):
    """A member's place on a committee term, with their role (书记, 组织委员 …)."""

    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="seats", verbose_name="届次")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="committee_seats", verbose_name="委员"
    )
    role = models.CharField("职务", max_length=20, choices=CommitteeRole.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    objects = CommitteeSeatQuerySet.as_manager()

    class Meta:
        verbose_name = "委员会委员"
        verbose_name_plural = "委员会委员"
        ordering = ["term", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "member"],
                condition=Q(ended_on__isnull=True),
                name="unique_current_seat",
                violation_error_message="该党员已在本届委员会任职",
            ),
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(ended_on__isnull=True, role="secretary"),
                name="one_current_secretary",
                violation_error_message="本届委员会已有在任书记",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"

    def clean(self) -> None:
        check_not_future(started_on=self.started_on, ended_on=self.ended_on)

    def get_additional_data(self) -> dict:
        return {"org_path": self.term.org.path}
