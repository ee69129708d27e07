"""What organisational life tells the modules above it (they cannot be imported here: the layers run one way).

`attendance_changed` is sent inside the writing transaction whenever a meeting's attendance may count differently:
planned (invitees written), edited (its time or invitees), recorded, ticked, signed in to, cancelled. A module that
keeps figures derived from attendance (study: 学时 per member and year) recomputes them for the meeting's invitees.
Arguments: `meeting` (the Meeting as saved)."""

from django.dispatch import Signal

attendance_changed = Signal()


def send_attendance_changed(meeting) -> None:
    from .models import Meeting  # noqa: PLC0415  (models import nothing from here; the sender is the class)

    attendance_changed.send(sender=Meeting, meeting=meeting)
