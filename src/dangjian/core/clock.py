"""The one clock. "Today" is the date in settings.TIME_ZONE (China), whatever zone the machine or the process
runs in; tests set it with the root conftest's `clock` fixture (time-machine), never by patching this module."""

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate(timezone=timezone.get_default_timezone())
