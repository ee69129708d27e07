from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import CAPABILITIES, Role
from .scope import ScopedQuerySet, collapse_paths, scope_guard


class BaseModel(models.Model):
    """Every domain model: creation and update timestamps."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True

    # Uniqueness holds across every row, whoever asks, and answers only yes or no: Django reads the other rows
    # through the default manager, a scoped queryset nobody restricted, so these run outside the scope guard.
    def validate_unique(self, exclude=None):
        with scope_guard(False):
            super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        with scope_guard(False):
            super().validate_constraints(exclude=exclude)


class User(AbstractUser):
    """A login. Roles come from RoleGrant rows; a member's own account links to their Member record."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    # Set with an initial or temporary password (core.accounts): until the user picks their own, they reach only
    # the password-change page and logout (core.middleware.PasswordChangeMiddleware).
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def grants(self) -> list["RoleGrant"]:
        """Active grants with their orgs, loaded once per request (the user object lives one request)."""
        if not self.pk:
            return []
        return list(
            # The scope machinery itself: the grants are what restrict() works from.
            RoleGrant.objects.unrestricted()
            .filter(user=self, revoked_at__isnull=True, org__dissolved_on__isnull=True)
            .select_related("org")
            .order_by("org__path", "role")
        )

    def scope_paths(self, capability: str) -> list[str]:
        """Tree paths of the orgs whose subtrees this user holds `capability` on."""
        return collapse_paths(g.org.path for g in self.grants if capability in CAPABILITIES[g.role])

    def can(self, capability: str, org_path: str | None = None) -> bool:
        """Whether the user holds `capability` anywhere, or on the org with tree path `org_path`."""
        if self.is_superuser:
            return True
        paths = self.scope_paths(capability)
        if org_path is None:
            return bool(paths)
        return any(org_path.startswith(path) for path in paths)

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}


class RoleGrantQuerySet(ScopedQuerySet):
    org_path_lookup = "org__path"

    def active(self):
        return self.filter(revoked_at__isnull=True)


class RoleGrant(BaseModel):
    """A role held by a user on an org; it reaches the org's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name="用户")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="grants", verbose_name="组织")
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="授权人"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=models.Q(revoked_at__isnull=True),
                name="unique_active_grant",
                violation_error_message="该用户在此组织已有相同角色",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.org.path}


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A background job belongs to whoever started it (its output is a personal export)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)


class Job(BaseModel):
    """A long piece of work (import, export) run by the task queue, with progress for the page to poll."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        SUCCEEDED = "succeeded", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("任务类型", max_length=50)
    title = models.CharField("名称", max_length=200)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs", verbose_name="发起人")
    params = models.JSONField("参数", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    progress = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    input_file = models.FileField("输入文件", upload_to="jobs/in/%Y/%m/", blank=True)
    output_file = models.FileField("输出文件", upload_to="jobs/out/%Y/%m/", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Written by the worker that runs the job (core/jobs.py): when it started, who took it, that it is still alive
    # (every JOB_HEARTBEAT_SECONDS), and what it is doing now ("正在写入 2000 / 5000 行").
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    worker = models.CharField("任务进程", max_length=200, blank=True, help_text="主机名:进程号")
    phase = models.CharField("当前步骤", max_length=200, blank=True)
    # The IP of the request that started the job: the audit entries the job writes name it (core.audit.job_context).
    remote_addr = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_by", "-created_at"], name="job_owner_recent_idx"),
            # The queue's unfinished jobs (health, stale jobs): few rows, whatever the history's length.
            models.Index(
                fields=["status", "created_at"],
                name="job_unfinished_idx",
                condition=models.Q(status__in=["pending", "running"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return min(100, self.progress * 100 // self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A token is its owner's alone: nobody else sees it, whatever their grants (not even an admin)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(BaseModel):
    """A bearer token for the REST API; it acts as its user (same grants, scope and masking).

    Only the SHA-256 of the key is stored: the key itself is shown once, when the token is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("名称", max_length=100, help_text="用途说明，如：人事系统同步")
    prefix = models.CharField("令牌前缀", max_length=8, help_text="令牌的前8位，用于辨认")
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "访问令牌"
        verbose_name_plural = "访问令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
