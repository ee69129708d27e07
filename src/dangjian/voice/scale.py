"""党员之声's part of scale data set L (see dangjian.core.scale): each part adds its producer in its section, after
study (95)."""

from dangjian.core.scale import ScaleContext, scale_producer

# ── proposals

# ── commitments

# ── inquiries

# ── surveys
SCALE_SURVEY_TITLE = "全系统党员满意度测评（匿名）"
#: Responses written per INSERT batch (their answers with them).
SURVEY_CHUNK = 10_000


@scale_producer(order=96)
def produce_surveys(ctx: ScaleContext) -> None:
    """The root's anonymous survey of every member in the register, closed, answered by all of them (100,000 at L):
    a Participation per member, a Response with no member, answerer nor date under a random key, and its Answers —
    the rows answer() writes, in bulk (core.scale.write_rows), the responses in shuffled order."""
    import uuid
    from datetime import UTC, datetime, time, timedelta

    from dangjian.core.scale import ADMIN_USERNAME, foreign_keys_checked_at_the_end, write_rows
    from dangjian.members.choices import Status
    from dangjian.members.scale import scale_members
    from dangjian.orgs.scale import scale_root

    from .choices import Audience, QuestionKind, SurveyState
    from .models import Answer, Participation, Question, Response, Survey, SurveyTarget

    members = [m for m in scale_members(ctx) if m.status == Status.ACTIVE]
    if not members:
        return
    rng, today = ctx.rng, ctx.today
    root = scale_root(ctx)
    survey = Survey.objects.create(
        org_id=root.id,
        title=SCALE_SURVEY_TITLE,
        intro="匿名填写。",
        audience=Audience.MEMBERS,
        anonymous=True,
        state=SurveyState.CLOSED,
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=10),
        created_by_id=ctx.users.get(ADMIN_USERNAME),
    )
    SurveyTarget.objects.create(survey=survey, org_id=root.id)
    specs = [
        (QuestionKind.SINGLE, "您对本单位党建工作的总体评价", ["满意", "比较满意", "基本满意", "不满意"]),
        (
            QuestionKind.MULTIPLE,
            "您认为应重点加强哪些工作",
            ["理论武装", "组织建设", "作风建设", "党风廉政", "服务群众"],
        ),
        (QuestionKind.SCALE, "您对所在支部组织生活质量的评分", []),
        (QuestionKind.TEXT, "意见和建议", []),
    ]
    questions = Question.objects.bulk_create(
        [
            Question(survey=survey, position=i, kind=kind, text=text, required=kind != QuestionKind.TEXT, choices=c)
            for i, (kind, text, c) in enumerate(specs, start=1)
        ]
    )
    single, multiple, scale, text = (q.pk for q in questions)
    suggestions = ["希望多组织专题辅导", "组织生活形式可以更丰富", "加强青年党员教育", "减少形式主义材料"]
    stamp = datetime.combine(today - timedelta(days=20), time(2), tzinfo=UTC)
    label = "问卷答卷"
    ctx.report(label, 0, len(members))
    order = list(range(len(members)))
    rng.shuffle(order)  # the responses' order is not the members'
    with foreign_keys_checked_at_the_end([Participation, Response, Answer]):
        write_rows(
            Participation,
            ["survey_id", "member_id", "org_id", "created_at", "updated_at"],
            [(survey.pk, m.id, m.org_id, stamp, stamp) for m in members],
        )
        for start in range(0, len(order), SURVEY_CHUNK):
            responses, answers = [], []
            for index in order[start : start + SURVEY_CHUNK]:
                member = members[index]
                rid = uuid.UUID(int=rng.getrandbits(128), version=4)
                responses.append((rid, survey.pk, member.org_id, False, None, None, None))

                def add(qid, choice=None, value=None, words="", rid=rid, out=answers):
                    out.append((uuid.UUID(int=rng.getrandbits(128), version=4), rid, qid, choice, value, words))

                add(single, choice=rng.choices(range(4), [5, 3, 2, 0.5])[0])
                for i in rng.sample(range(5), rng.randint(0, 2)):
                    add(multiple, choice=i)
                add(scale, value=rng.choices(range(1, 6), [0.3, 0.5, 2, 4, 4])[0])
                if rng.random() < 0.2:
                    add(text, words=rng.choice(suggestions))
            write_rows(
                Response,
                ["id", "survey_id", "org_id", "for_org", "member_id", "answered_by_id", "answered_on"],
                responses,
            )
            write_rows(Answer, ["id", "response_id", "question_id", "choice", "value", "text"], answers)
            ctx.counts[label] = ctx.counts.get(label, 0) + len(responses)
            ctx.report(label, min(start + SURVEY_CHUNK, len(order)), len(order))


# ── consultations
