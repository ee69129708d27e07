"""The set-based six-month query agrees with the pure rule (is_absent_six_months) on generated histories."""

import random
from datetime import timedelta

import pytest

from dangjian.meetings.choices import Presence
from dangjian.meetings.flags import absence_window, is_absent_six_months, month_start, refresh_flags
from dangjian.meetings.models import Attendance, Flag
from dangjian.members.models import Member
from dangjian.members.tests.factories import MemberFactory

from .helpers import local, meeting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_query_agrees_with_the_rule(world, clock, seed):
    rng = random.Random(seed)
    today = clock.today()
    members = [MemberFactory(org=world.branch_a) for _ in range(8)] + [world.member_a, world.member_a2]
    # One held meeting per month for the nine months before this one; each member present at a random few.
    history: dict[int, list] = {m.pk: [] for m in members}
    for back in range(1, 10):
        day = month_start(today, back) + timedelta(days=rng.randrange(28))
        held = meeting(world, on=local(day, 9), held=True)
        for m in members:
            if rng.random() < 0.15:
                Attendance.objects.unrestricted().filter(meeting=held, member=m).update(presence=Presence.PRESENT)
                history[m.pk].append(day)
    refresh_flags()
    flagged = set(
        Flag.objects.unrestricted().filter(kind=Flag.Kind.ABSENT_SIX_MONTHS).values_list("member_id", flat=True)
    )
    first, _ = absence_window(today)
    for m in Member.objects.unrestricted().filter(pk__in=history):
        expected = is_absent_six_months(
            today=today, joined_on=m.joined_on, active=m.status == "active", attended_on=history[m.pk]
        )
        assert (m.pk in flagged) == expected, (m.name, history[m.pk], first)
