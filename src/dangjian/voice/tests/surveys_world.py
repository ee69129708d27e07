"""Surveys for tests, written through the services (the rows they write are the ones pages read)."""

from datetime import timedelta

from dangjian.core import clock
from dangjian.core.models import RoleGrant
from dangjian.core.roles import Role
from dangjian.core.tests.factories import UserFactory
from dangjian.members.models import Member
from dangjian.voice import surveys
from dangjian.voice.choices import Audience, QuestionKind

QUESTIONS = [
    (QuestionKind.SINGLE, "您对本年度党建工作的总体评价", True, ["满意", "基本满意", "不满意"]),
    (QuestionKind.MULTIPLE, "您希望加强哪些方面的工作", False, ["理论学习", "组织生活", "作风建设", "服务群众"]),
    (QuestionKind.SCALE, "您对支部组织生活会质量的评分", True, []),
    (QuestionKind.TEXT, "您的意见和建议", False, []),
]


def survey_of(
    org, by, *, audience=Audience.MEMBERS, anonymous=False, targets=None, days=10, questions=QUESTIONS, opened=True
):
    """A survey of `org` sent to `targets` (default: the org itself), with the four kinds of question, opened."""
    survey = surveys.create_survey(
        by=by,
        org=org,
        title="党建工作满意度调查",
        intro="请如实填写。",
        audience=audience,
        anonymous=anonymous,
        closes_on=clock.today() + timedelta(days=days),
        targets=targets or [org],
    )
    for kind, text, required, choices in questions:
        surveys.add_question(by=by, survey=survey, kind=kind, text=text, required=required, choices=choices)
    if opened:
        survey = surveys.open_survey(by=by, survey=survey)
    return survey


def good_answers(survey, *, single=0, multiple=(0, 2), scale=4, text="希望多组织专题学习"):
    """A full answer to a survey made by survey_of."""
    qs = surveys.questions_of(survey)
    return {qs[0].pk: single, qs[1].pk: list(multiple), qs[2].pk: scale, qs[3].pk: text}


def member_login(member, username: str):
    """A login for a member the world gave none (李秀英 of branch B, 张宏伟 of branch A)."""
    user = UserFactory(username=username, full_name=member.name)
    RoleGrant.objects.create(user=user, role=Role.MEMBER, org=member.org)
    Member.objects.unrestricted().filter(pk=member.pk).update(user=user)
    return type(user).objects.get(pk=user.pk)
