"""党员之声's part of demo data set S (core.demo): each part adds its producer in its section."""

from datetime import timedelta

from dangjian.core.demo import ADMIN_USERNAME, DemoContext, demo_producer

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations

CONSULTATION_SECRETARY = "shuji01"
CONSULTATION_BRANCH = "ZB01"
OWNER_LOGIN = "dangyuan01"


@demo_producer(order=96)
def produce_consultations(ctx: DemoContext) -> None:
    """In 办公室 (shuji01's branch): a 座谈会 recorded on its latest held meeting with three opinions (two made
    problems), an 个别交流 typed in with one opinion; problems in every state — one overdue — one owned by the member
    persona dangyuan01 (due within a week: their reminder and home panel). Through the services, as shuji01."""
    from dangjian.meetings.choices import MeetingStatus
    from dangjian.meetings.models import Meeting
    from dangjian.members.models import Member
    from dangjian.orgs.demo import demo_orgs

    from . import consultations, problems
    from .choices import ConsultationKind, ProblemSource

    today = ctx.today
    org = demo_orgs(ctx)[CONSULTATION_BRANCH]
    by = ctx.users.get(CONSULTATION_SECRETARY) or ctx.users[ADMIN_USERNAME]
    members = list(Member.objects.unrestricted().active().filter(org=org).order_by("id"))
    if not members:
        return
    owner_user = ctx.users.get(OWNER_LOGIN)
    persona = next((m for m in members if owner_user is not None and m.user_id == owner_user.pk), members[0])
    # The branch's latest held meeting (the meetings demo's): the forum was held there.
    meeting = (
        Meeting.objects.unrestricted()  # a demo fixture: shuji01's own branch, read to link it
        .filter(org=org, status=MeetingStatus.HELD, starts_at__date__lte=today)
        .order_by("-starts_at")
        .first()
    )
    forum_values = {"held_on": None, "participants": "", "meeting": meeting}
    if meeting is None:
        forum_values = {"held_on": today - timedelta(days=20), "participants": "全体党员"}
    forum = consultations.create_consultation(
        by=by, org=org, kind=ConsultationKind.FORUM, topic="征求对支部班子和机关作风的意见建议",
        summary="支部书记主持，逐一听取党员意见，现场作了回应。", **forum_values,
    )  # fmt: skip
    texts = [
        ("学习形式较单一，建议增加现场教学和专题研讨", members[0].name),
        ("窗口服务高峰时段等候时间较长", ""),
        ("建议定期通报支部工作和党费使用情况", members[-1].name),
    ]
    opinions = [consultations.add_opinion(by=by, consultation=forum, content=c, raised_by=w) for c, w in texts]
    personal = consultations.create_consultation(
        by=by, org=org, kind=ConsultationKind.PERSONAL, topic="谈工作思路和个人困难",
        held_on=today - timedelta(days=10), participants=f"{members[-1].name}",
    )  # fmt: skip
    consultations.add_opinion(by=by, consultation=personal, content="希望多安排业务培训", raised_by=members[-1].name)
    year = today.year

    def problem(**values):
        values = {"by": by, "org": org, "year": year, "source": ProblemSource.OTHER, "owner": members[0]} | values
        return problems.create_problem(**values)

    consultations.opinion_to_problem(
        by=by, opinion=opinions[0], description=opinions[0].content, measure="每季度安排一次现场教学",
        owner=persona, deadline=today + timedelta(days=5), year=year,
    )  # fmt: skip
    second = consultations.opinion_to_problem(
        by=by, opinion=opinions[1], description="窗口服务高峰时段等候时间长", measure="高峰时段增开窗口、推行预约",
        owner=members[-1], deadline=today - timedelta(days=15), year=year,
    )  # fmt: skip
    problems.start_problem(by=by, problem=second, version=None)  # overdue, 整改中
    done = problem(
        description="党员活动室资料更新不及时", measure="指定专人每月更新", deadline=today + timedelta(days=30)
    )
    problems.finish_problem(by=by, problem=done, version=None, result="已指定专人负责，资料按月更新", done_on=today)
    problem(description="个别党员学习笔记不全", measure="支委分片督促检查", deadline=today + timedelta(days=60))
