from django.db import models


class State(models.TextChoices):
    """Where a development record stands (发展档案)."""

    PIPELINE = "pipeline", "培养考察中"  # steps 1–16: not yet a member
    PROBATION = "probation", "预备期"  # accepted (step 17): a 预备党员 on the roster
    CONFIRMED = "confirmed", "已转正"  # step 24 with 按期转正: a 正式党员
    ENDED = "ended", "已终止"  # withdrawn, not developed, or 取消预备党员资格: with its reason


class Origin(models.TextChoices):
    PIPELINE = "pipeline", "发展党员"  # tracked from the application
    ROSTER = "roster", "花名册中的预备党员"  # a 预备党员 imported without pipeline history: steps 22–25 only


class Role(models.TextChoices):
    """The people a step names: full members of the branch on the step's date (rules.PEOPLE)."""

    TALKER = "talker", "谈话人"
    CONTACT = "contact", "培养联系人"
    SPONSOR = "sponsor", "入党介绍人"


class ReviewKind(models.TextChoices):
    """The half-yearly 考察 records (发展细则 第十二条; 预备期 党章 第七条)."""

    ACTIVIST = "activist", "入党积极分子培养考察"
    PROBATION = "probation", "预备党员教育考察"


class CaseSource(models.TextChoices):
    RATING = "rating", "民主评议为不合格"
    ABSENCE = "absence", "连续6个月未参加组织生活"
    ARREARS = "arrears", "连续6个月未交纳党费"
    MANUAL = "manual", "组织发现/群众反映"


class Measure(models.TextChoices):
    """处置 of an unqualified member (党章 第九条; 中组部《关于加强和改进发展党员工作的意见》: 限期改正, 劝退, 除名)."""

    CORRECTION = "correction", "限期改正"
    PERSUADE = "persuade", "劝退"
    STRIKE_OFF = "strike_off", "除名"
    LAPSED = "lapsed", "按自行脱党处理"


class CaseState(models.TextChoices):
    OPEN = "open", "处置中"
    CLOSED = "closed", "已结案"


class Outcome(models.TextChoices):
    CORRECTED = "corrected", "已改正，继续保留党籍"
    PERSUADED = "persuaded", "劝退"
    STRUCK_OFF = "struck_off", "除名"
    LAPSED = "lapsed", "自行脱党，予以除名"
    DROPPED = "dropped", "经核实不属于不合格党员，撤销"


class ActionKind(models.TextChoices):
    TALK = "talk", "谈话"
    EDUCATION = "education", "教育帮助"
    DEADLINE = "deadline", "限期改正通知"
    ASSEMBLY = "assembly", "支部大会讨论"
    APPROVAL = "approval", "上级党委批准"
    OTHER = "other", "其他"
