from django.db import models


class FeeKind(models.TextChoices):
    """How a member's monthly 党费 is reckoned (DOMAIN.md §4)."""

    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    FARMER = "farmer", "农民"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业"
    DIBAO = "dibao", "享受最低生活保障"
    EXEMPT = "exempt", "经批准免交"


class BaseSource(models.TextChoices):
    ROSTER = "roster", "花名册（待核定）"
    MANUAL = "manual", "逐人登记"
    CHECK = "check", "年度核定"


class PayMethod(models.TextChoices):
    """How the member paid: recorded by reference (the system takes no money)."""

    CASH = "cash", "现金"
    TRANSFER = "transfer", "银行转账"
    ONLINE = "online", "线上缴纳"
