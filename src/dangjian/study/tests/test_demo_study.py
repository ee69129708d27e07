"""学习培训's part of demo data set S (study/demo.py): sessions of several kinds (a counted 党课, 中心组学习 with
speeches and outcomes, one done and one overdue), a plan per branch with items realised and one not, self-reports in
every state (one pending for shuji01, its certificate a real file in the storage), MemberYear as refresh_hours
computes it, some members behind pace, and every study page answered with rows for every persona."""

from collections import Counter

import pytest
from django.urls import reverse

from dangjian.core import clock
from dangjian.core.demo import demo_seed
from dangjian.core.models import User
from dangjian.meetings.choices import Activity
from dangjian.orgs.demo import BRANCHES
from dangjian.study import selectors, services
from dangjian.study.choices import OutcomeState, ReportState, StudyKind
from dangjian.study.demo import UNREALISED_TOPIC
from dangjian.study.models import MemberYear, Outcome, PlanItem, Report, Session, Speech

PERSONAS = ("admin", "shuji01", "shuji02", "zhiwei01", "jijian", "dangyuan01")


@pytest.fixture
def demo_set(db):
    return demo_seed(today=clock.today())


def test_sessions_plans_outcomes_reports_and_hours(demo_set):
    """One seed for every check of the data (seeding S takes tens of seconds)."""
    today = clock.today()
    sessions = Session.objects.unrestricted().select_related("org", "meeting")
    assert demo_set.counts["学习场次"] == sessions.count()
    kinds = Counter(s.kind for s in sessions)
    assert kinds[StudyKind.LECTURE] and kinds[StudyKind.CONCENTRATED] and kinds[StudyKind.CENTRAL] >= 10
    assert not sessions.filter(held_on__gt=today).exists()
    # a 党课 counted as a session is the meetings' own 党课 (one meeting, both counts)
    lecture = sessions.filter(kind=StudyKind.LECTURE).first()
    assert Activity.LECTURE in {a.activity for a in lecture.meeting.activities.all()}
    for plan in BRANCHES:
        assert sessions.filter(org__code=plan.code).exists(), plan.code
        assert PlanItem.objects.unrestricted().filter(org__code=plan.code).exists(), plan.code
    # 办公室's plan: some items realised by a session, one of a month gone by not
    items = PlanItem.objects.unrestricted().filter(org__code="ZB01")
    assert items.filter(sessions__isnull=False).exists()
    unrealised = items.get(topic=UNREALISED_TOPIC)
    assert not unrealised.sessions.exists()
    assert (unrealised.year, unrealised.month) < (today.year, today.month)
    # the 中心组: speeches, an outcome done, one open past its deadline
    central = sessions.filter(kind=StudyKind.CENTRAL)
    assert {s.org.depth for s in central} == {1}
    assert Speech.objects.unrestricted().filter(session__in=central).count() >= central.count()
    outcomes = Outcome.objects.unrestricted()
    assert outcomes.filter(state=OutcomeState.DONE).exists()
    assert outcomes.filter(state=OutcomeState.OPEN, due_on__lt=today).exists()

    # self-reports in every state, with real certificates
    reports = Report.objects.unrestricted()
    assert Counter(reports.values_list("state", flat=True)).keys() == set(ReportState.values)
    member = User.objects.get(username="dangyuan01").member
    mine = reports.filter(member=member)
    assert set(mine.values_list("state", flat=True)) == set(ReportState.values)
    pending = mine.get(state=ReportState.PENDING)
    assert pending.org.code == "ZB01"
    assert Report.objects.changeable_by(User.objects.get(username="shuji01")).filter(pk=pending.pk).exists()
    for report in reports:
        assert report.certificate.storage.exists(report.certificate.name), report.certificate.name
        with report.certificate.open("rb") as f:
            assert f.read()[:4] in (b"\x89PNG", b"%PDF")
    assert len(set(reports.values_list("certificate", flat=True))) == reports.count()  # none shared

    # 学时 as refresh_hours computes them; some members behind, the member persona with hours
    stored = set(MemberYear.objects.unrestricted().values_list("member_id", "year", "hours"))
    services.refresh_hours(None, [today.year - 1, today.year])
    assert set(MemberYear.objects.unrestricted().values_list("member_id", "year", "hours")) == stored
    member = User.objects.get(username="dangyuan01").member
    assert MemberYear.objects.unrestricted().get(member=member, year=today.year).hours > 0
    # the year whose pace asks something (this year after January; else last year, over)
    year = today.year if today.month > 1 else today.year - 1
    admin = User.objects.get(username="admin")
    progress = selectors.member_progress(fetched_by=admin, year=year)
    behind, on_pace = progress.filter(behind=True).count(), progress.filter(behind=False).count()
    assert behind > 0 and on_pace * 3 >= behind + on_pace > 0  # some behind, many on pace (a past year: met)


#: What each page shows when it has no row (a populated page shows none of them).
EMPTY = ("暂无", "尚无", "没有符合条件", "没有党组织")
STAFF_PAGES = ("study:progress", "study:members", "study:sessions", "study:plan", "study:reports", "study:outcomes")


def test_every_persona_sees_the_study_pages_populated(demo_set, client):
    """`make run`: every study page a persona may open shows rows of their own (the member: 我的学时 with hours,
    sessions attended and reports; staff: every list)."""
    year = clock.today().year
    for username in PERSONAS:
        user = User.objects.get(username=username)
        client.force_login(user)
        assert MemberYear.objects.visible_to(user).filter(year=year, hours__gt=0).exists(), username
        pages = ["study:mine"] if username == "dangyuan01" else [*STAFF_PAGES, "study:central"]
        for name in pages:
            if name == "study:central" and username not in ("admin", "jijian"):
                continue  # the 中心组 is the committee's
            response = client.get(reverse(name))
            assert response.status_code == 200, (username, name)
            text = response.content.decode()
            if name == "study:mine":  # on 1 January no session of the year has been held yet: the reports show
                assert "本年暂无自学申报" not in text and 'data-testid="mine-hours"' in text, username
            else:
                assert not [e for e in EMPTY if e in text], (username, name)
        if username in ("shuji01", "zhiwei01"):
            assert Report.objects.changeable_by(user).filter(state=ReportState.PENDING).exists()
        if username in ("admin", "jijian"):
            assert Outcome.objects.visible_to(user).filter(state=OutcomeState.OPEN).exists()
