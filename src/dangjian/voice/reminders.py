"""待办 of 党员之声: each part adds its producers in its section. One COUNT (or one row) each, whatever the scope."""

from django.urls import reverse

from dangjian.core import clock
from dangjian.core.reminders import Reminder, reminder_producer
from dangjian.core.roles import Capability

from . import commitments
from .choices import Phase

# ── proposals

# ── commitments
COMMITMENT_SOURCE = "承诺践诺：年初承诺、年中和年终践诺、党组织评诺"


@reminder_producer
def commitment_reminders(user) -> list[Reminder]:
    """Staff: members of their scope without this year's commitment, commitments whose open 践诺 is missing, 评诺
    pending. A member: their own commitment missing, or a 践诺 due."""
    if not user.is_authenticated:
        return []
    today = clock.today()
    year = today.year
    url = reverse("voice:commitments")
    out = []
    if user.can(Capability.CHANGE):
        if today.month >= commitments.COMMIT_REMIND_FROM_MONTH:
            n = commitments.uncommitted_count(user, year)
            if n:
                title = f"{n}名党员尚未发布{year}年承诺"
                out.append(
                    Reminder(level="info", title=title, url=f"{url}?year={year}&state=none", source=COMMITMENT_SOURCE)
                )
        n = commitments.missing_phase_count(user, year, today)
        if n:
            title = f"{n}项{year}年承诺未按时登记践诺"
            out.append(Reminder(level="warning", title=title, url=f"{url}?year={year}", source=COMMITMENT_SOURCE))
        n = commitments.pending_grade_count(user)
        if n:
            title = f"{n}项承诺已年终践诺，待评诺"
            out.append(Reminder(level="info", title=title, url=f"{url}?state=end", source=COMMITMENT_SOURCE))
    if getattr(user, "member", None) is not None:
        own = commitments.own_commitment(user, year)
        mine = reverse("voice:my_commitment")
        if own is None:
            out.append(Reminder(level="info", title=f"您尚未发布{year}年承诺", url=mine, source=COMMITMENT_SOURCE))
        elif (due := commitments.due_phase(own, today)) is not None:
            title = f"请登记{year}年承诺的{Phase(due).label}"
            out.append(Reminder(level="warning", title=title, url=mine, source=COMMITMENT_SOURCE))
    return out


# ── inquiries

# ── surveys

# ── consultations
