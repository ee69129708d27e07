"""Development records for tests, written through the services (the rows they write are the ones pages read).

`walk(w, applicant, until=N)` records steps 2…N on the earliest days the rules allow, from an application made
`years_ago` before today, so every test works whatever day the suite runs on (CI moves the clock)."""

from dataclasses import dataclass
from datetime import date, timedelta

from dangjian.core import clock
from dangjian.core.lib import idcard
from dangjian.development import rules, services
from dangjian.development.models import Applicant
from dangjian.meetings.choices import Activity
from dangjian.meetings.services import Mark, record_meeting
from dangjian.meetings.tests.factories import meeting_of
from dangjian.members.models import Member
from dangjian.members.tests.factories import MemberFactory


@dataclass
class DevWorld:
    """Branch A with five full members besides the world's two (sponsors, contacts, a quorum), and one 预备党员."""

    full: list[Member]
    probationary: Member


def dev_world(w) -> DevWorld:
    # Fixed names: the pages (and the browser tests) pick people by name, and Faker's may repeat.
    names = ("陈建国", "刘海燕", "杨志强", "黄丽华", "周明轩")
    full = [MemberFactory(name=name, org=w.branch_a, birth_date=date(1975 + i, 2, 3)) for i, name in enumerate(names)]
    probationary = MemberFactory(
        name="赵预备",
        org=w.branch_a,
        category="probationary",
        joined_on=clock.today() - timedelta(days=200),
        full_member_on=None,
        birth_date=date(1996, 5, 6),
    )
    return DevWorld(full=full, probationary=probationary)


def person(n: int = 1, *, born: date = date(1998, 4, 5), **overrides) -> dict:
    values = {
        "name": f"申请人{n}",
        "gender": "M",
        "birth_date": born,
        "id_number": idcard.make("110101", born, 500 + n, male=True),
        "education": "bachelor",
        "position": "科员",
        "phone": f"1380000{n:04d}",
    }
    return values | overrides


def new_applicant(w, n: int = 1, *, applied_on: date | None = None, by=None, **overrides) -> Applicant:
    applied_on = applied_on or clock.today() - timedelta(days=3 * 365)
    return services.create_applicant(
        by=by or w.secretary_a, org=w.branch_a, applied_on=applied_on, **person(n, **overrides)
    )


def assembly_meeting(w, on: date, *, present: int | None = None):
    """A held 支部党员大会 of branch A on `on` with everyone present (or only the first `present` full members)."""
    meeting = meeting_of(w.branch_a, w.secretary_a, days_ago=(clock.today() - on).days, activities=(Activity.ASSEMBLY,))
    rows = meeting.attendances.select_related("member")
    full = [r.member_id for r in rows if r.member.category == "full"]
    keep = set(full if present is None else full[:present])
    marks = {
        r.member_id: Mark("present") if r.member_id in keep or r.member.category != "full" else Mark("absent", "leave")
        for r in rows
    }
    return record_meeting(by=w.secretary_a, meeting=meeting, minutes="讨论发展党员。", attendance=marks)


def earliest(applicant: Applicant, step: int) -> date:
    """The first day the rules allow `step` (its predecessors' dates, its minimum durations)."""
    upcoming = rules.next_step(services.history_of(applicant), applicant.extended_months)
    assert upcoming.step == step, (upcoming, step)
    return upcoming.ready_on or services.history_of(applicant)[1]


def step_kwargs(w, d: DevWorld, applicant: Applicant, step: int, on: date) -> dict:
    kwargs = {}
    if step == 2:
        kwargs["people"] = [w.member_a2.pk]
    if step == 5:
        kwargs["people"] = [d.full[0].pk, d.full[1].pk]
    if step == 8:
        kwargs["people"] = [d.full[2].pk, d.full[3].pk]
    if step in rules.VOTE_STEPS:
        kwargs["meeting"] = assembly_meeting(w, on)
        kwargs["vote"] = services.Vote(in_favour=6)
    if step == rules.CONFIRM_ASSEMBLY:
        kwargs["decision"] = rules.CONFIRM
    return kwargs


def walk(w, d: DevWorld, applicant: Applicant, until: int, overrides: dict | None = None) -> Applicant:
    """Record the next steps up to `until` on the earliest allowed days (17 and 24 by the committee admin); stops
    where an extension opens a new round."""
    applicant.refresh_from_db()
    start_round = applicant.round
    while applicant.next_step and applicant.next_step <= until and applicant.round == start_round:
        step = applicant.next_step
        on = earliest(applicant, step)
        by = w.admin if step in rules.UPPER_STEPS else w.secretary_a
        kwargs = step_kwargs(w, d, applicant, step, on) | (overrides or {}).get(step, {})
        services.record_step(by=by, applicant=applicant, step=step, done_on=on, **kwargs)
        applicant.refresh_from_db()
    return applicant
