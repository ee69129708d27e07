from django.db import models


class Activity(models.TextChoices):
    """The kinds of organisational life DOMAIN.md §3 counts (a meeting may be several at once)."""

    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE = "committee", "支部委员会会议"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"
    APPRAISAL = "appraisal", "民主评议党员"
    # Not an obligation of §3 (compliance does not count it): a 集中学习 held as a meeting, so its invitees sign in
    # like at any meeting and the study module credits its 学时 (study.Session).
    STUDY = "study", "集中学习"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class ReviewState(models.TextChoices):
    """The upper level's review of a held meeting's record."""

    DRAFT = "draft", "待提交"
    SUBMITTED = "submitted", "待审核"
    PASSED = "passed", "已通过"
    RETURNED = "returned", "退回补充"


class Presence(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    UNKNOWN = "unknown", "未登记"


class AbsenceReason(models.TextChoices):
    LEAVE = "leave", "请假"
    BUSINESS = "business", "公差"
    SICK = "sick", "病假"
    OTHER = "other", "其他"


class SignedBy(models.TextChoices):
    SELF = "self", "本人扫码签到"
    RECORDER = "recorder", "记录人登记"
    SHEET = "sheet", "纸质签到表补登"


class CriticismKind(models.TextChoices):
    SELF = "self", "自我批评"
    OTHERS = "others", "相互批评意见"


class Rating(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class TalkKind(models.TextChoices):
    HEART = "heart", "谈心谈话"
    REMINDER = "reminder", "提醒谈话"
    INTEGRITY = "integrity", "廉政谈话"
