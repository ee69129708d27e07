"""The one clock: "today" is China's date, the `clock` fixture sets it, and DANGJIAN_TEST_TODAY moves every test."""

import os
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.utils import timezone

from dangjian.core import clock as core_clock


def test_today_is_chinas_date_while_utc_is_still_on_the_day_before(clock):
    clock.set(date(2026, 12, 1), at=clock_time(4))  # 04:00 in Beijing is 20:00 UTC on 30 November
    assert timezone.now().astimezone(UTC).date() == date(2026, 11, 30)
    assert core_clock.today() == clock.today() == date(2026, 12, 1)


def test_today_does_not_follow_the_process_time_zone(clock):
    """Django puts TIME_ZONE into the process's TZ on POSIX, so date.today() agrees there; on a host where it
    cannot (Windows) or once something resets TZ, date.today() is the machine's date (UTC on a server) and is
    wrong from 16:00 to 24:00 UTC. The clock reads the configured zone itself."""
    clock.set(date(2026, 12, 1), at=clock_time(4))
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        assert date.today() == date(2026, 11, 30)
        assert core_clock.today() == date(2026, 12, 1)
    finally:
        os.environ["TZ"] = saved if saved is not None else settings.TIME_ZONE
        time.tzset()


def test_the_clock_keeps_flowing_after_it_is_set(clock):
    clock.set(date(2028, 2, 29))
    before = timezone.now()
    time.sleep(0.01)
    assert timezone.now() > before
    assert clock.today() == date(2028, 2, 29)


def test_a_test_that_sets_nothing_runs_on_the_suites_date():
    """Without the variable: the real date in China. With DANGJIAN_TEST_TODAY (CI's moved-clock runs): that day,
    though this test never asked for the clock."""
    hatch = time_machine.escape_hatch
    real_time = hatch.time.time() if hatch.is_travelling() else time.time()
    real = datetime.fromtimestamp(real_time, ZoneInfo(settings.TIME_ZONE)).date()
    moved = os.environ.get("DANGJIAN_TEST_TODAY")
    assert core_clock.today() == (date.fromisoformat(moved) if moved else real)
