from django.db import models


class StudyKind(models.TextChoices):
    """A training plan item's, a session's or a self-report's form of study (issue 15: 走出去、请进来)."""

    CONCENTRATED = "concentrated", "集中学习"
    SEMINAR = "seminar", "专题培训"
    LECTURE = "lecture", "党课"
    OUTSIDE = "outside", "外出培训"
    EXPERT = "expert", "专家辅导"
    ONLINE = "online", "网络学习"
    CENTRAL = "central", "中心组学习"


#: A training plan's items and a session: any kind but 中心组学习 is planned per org; a session may be any.
PLAN_KINDS = [k for k in StudyKind if k != StudyKind.CENTRAL]
#: What a member reports themself (studied outside the org's sessions).
REPORT_KINDS = [StudyKind.OUTSIDE, StudyKind.ONLINE, StudyKind.SEMINAR, StudyKind.EXPERT]


class ReportState(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未认定"


class OutcomeKind(models.TextChoices):
    """What a 中心组 session produced, to be turned into practice (学以致用)."""

    RESEARCH = "research", "调研报告"
    ARTICLE = "article", "理论文章"
    RULE = "rule", "制度成果"
    MEASURE = "measure", "工作举措"


class OutcomeState(models.TextChoices):
    OPEN = "open", "转化中"
    DONE = "done", "已转化"
