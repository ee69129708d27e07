"""党员之声's part of demo data set S (see dangjian.core.demo): each part adds its producer in its section, after
the earlier modules' (study is 95)."""

from dangjian.core.demo import DemoContext, DemoSummary, demo_producer, demo_summary

# ── proposals

# ── commitments

# ── inquiries

# ── surveys
SURVEY_CLOSED_TITLE = "机关党建工作满意度测评（匿名）"
SURVEY_ORGS_TITLE = "基层党组织“三会一课”落实情况自查"
SURVEY_OPEN_TITLE = "党员教育培训需求调查"


@demo_producer(order=96)
def produce_surveys(ctx: DemoContext) -> None:
    """Three surveys of the committee, through the services where a login answers: one closed, anonymous, answered by
    about seven in ten members (rows written as the service writes them: Participation, then a Response with no
    member, answerer nor date, and its Answers); one of orgs, open, answered by half the branches but not ZB01 (so
    shuji01 has it waiting); one of members, named, open, closing in two days (dangyuan01 has it waiting)."""
    from datetime import timedelta

    from dangjian.core.demo import ADMIN_USERNAME
    from dangjian.members.choices import Status
    from dangjian.members.demo import demo_members
    from dangjian.orgs.demo import BRANCHES, demo_committee, demo_orgs

    from . import surveys
    from .choices import Audience, QuestionKind, SurveyState
    from .models import Answer, Participation, Response, Survey

    rng, today = ctx.rng, ctx.today
    admin = ctx.users[ADMIN_USERNAME]
    committee = demo_committee()
    orgs = demo_orgs(ctx)
    branches = [orgs[plan.code] for plan in BRANCHES]
    questions = [
        (QuestionKind.SINGLE, "您对机关党委本年度党建工作的总体评价", True, ["满意", "比较满意", "基本满意", "不满意"]),
        (
            QuestionKind.MULTIPLE,
            "您认为下一步应重点加强哪些工作",
            False,
            ["理论武装", "组织建设", "作风建设", "党风廉政", "服务群众"],
        ),
        (QuestionKind.SCALE, "您对所在支部组织生活质量的评分", True, []),
        (QuestionKind.TEXT, "您对机关党建工作的意见和建议", False, []),
    ]

    def build(title, audience, anonymous, targets, days):
        survey = surveys.create_survey(
            by=admin,
            org=committee,
            title=title,
            intro="请结合实际如实填写。",
            audience=audience,
            anonymous=anonymous,
            closes_on=today + timedelta(days=days),
            targets=targets,
        )
        for kind, text, required, choices in questions:
            surveys.add_question(by=admin, survey=survey, kind=kind, text=text, required=required, choices=choices)
        return surveys.open_survey(by=admin, survey=survey)

    # closed, anonymous, many answers
    closed = build(SURVEY_CLOSED_TITLE, Audience.MEMBERS, True, [committee], 0)
    qs = surveys.questions_of(closed)
    suggestions = ["希望多组织专题辅导", "组织生活形式可以更丰富", "加强青年党员教育", "", "", "减少形式主义材料"]
    members = [m for plan in BRANCHES for m in demo_members(ctx)[plan.code] if m.status == Status.ACTIVE]
    participations, responses, answers = [], [], []
    for member in members:
        if rng.random() > 0.7:
            continue
        participations.append(Participation(survey=closed, member=member, org_id=member.org_id))
        response = Response(survey=closed, org_id=member.org_id, for_org=False)
        responses.append(response)
        answers.append(Answer(response=response, question=qs[0], choice=rng.choices(range(4), [5, 3, 2, 0.5])[0]))
        for i in rng.sample(range(5), rng.randint(0, 2)):
            answers.append(Answer(response=response, question=qs[1], choice=i))
        answers.append(
            Answer(response=response, question=qs[2], value=rng.choices(range(1, 6), [0.3, 0.5, 2, 4, 4])[0])
        )
        text = rng.choice(suggestions)
        if text:
            answers.append(Answer(response=response, question=qs[3], text=text))
    rng.shuffle(responses)
    Participation.objects.bulk_create(participations)
    Response.objects.bulk_create(responses)
    rng.shuffle(answers)
    Answer.objects.bulk_create(answers)
    Survey.objects.unrestricted().filter(pk=closed.pk).update(
        state=SurveyState.CLOSED, opens_on=today - timedelta(days=40), closes_on=today - timedelta(days=10)
    )
    # open, of orgs: half the branches (not ZB01) have answered, through the service by the admin
    by_orgs = build(SURVEY_ORGS_TITLE, Audience.ORGS, False, branches, 14)
    qs = surveys.questions_of(by_orgs)
    for org in branches[1::2]:
        surveys.answer(
            by=admin,
            survey=by_orgs,
            org=org,
            answers={qs[0].pk: rng.randrange(4), qs[1].pk: [0, 2], qs[2].pk: rng.randint(3, 5), qs[3].pk: ""},
        )
    # open, named, closing soon
    build(SURVEY_OPEN_TITLE, Audience.MEMBERS, False, [committee], 2)


@demo_summary(order=96)
def summarize_surveys(summary: DemoSummary) -> None:
    from dangjian.orgs.demo import demo_committee

    from .models import Survey

    committee = demo_committee()
    if committee is None:
        return
    n = Survey.objects.unrestricted().filter(org=committee).count()  # the demo's own count
    if n:
        summary.counts["问卷"] = n


# ── consultations
