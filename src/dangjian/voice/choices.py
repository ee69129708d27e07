from django.db import models

from .rules import LABELS, Rating, State

ProposalState = models.TextChoices("ProposalState", [(s.name, (s.value, LABELS[s])) for s in State])
RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASIC: "基本满意", Rating.UNSATISFIED: "不满意"}
Satisfaction = models.TextChoices("Satisfaction", [(r.name, (r.value, RATING_LABELS[r])) for r in Rating])


class ProposalCategory(models.TextChoices):
    PARTY = "party", "党的建设"
    BUSINESS = "business", "业务工作"
    MANAGEMENT = "management", "机关管理"
    CADRES = "cadres", "干部队伍"
    SERVICE = "service", "服务群众"
    WELFARE = "welfare", "职工生活"
    OTHER = "other", "其他"


class CommitmentGrade(models.TextChoices):
    """评诺: the branch's rating of a year's commitment."""

    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


class Phase(models.TextChoices):
    """践诺: when what was done is recorded."""

    MID = "mid", "年中践诺"
    END = "end", "年终践诺"


class Channel(models.TextChoices):
    """How a 首问 request came in."""

    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    ONLINE = "online", "网上"
    LETTER = "letter", "信函"
    OTHER = "other", "其他"


class InquiryState(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"


class Audience(models.TextChoices):
    ORGS = "orgs", "党组织（每个组织一份）"
    MEMBERS = "members", "党员"


class SurveyState(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    SCALE = "scale", "1–5分"
    TEXT = "text", "文字"


class ConsultationKind(models.TextChoices):
    FORUM = "forum", "座谈会"
    PERSONAL = "personal", "个别交流"


class ProblemSource(models.TextChoices):
    SURVEY = "survey", "问卷调查"
    TALK = "talk", "座谈/交流"
    PROPOSAL = "proposal", "党员提案"
    OTHER = "other", "其他"


class ProblemState(models.TextChoices):
    OPEN = "open", "待整改"
    PROGRESS = "progress", "整改中"
    DONE = "done", "已整改"
