"""待办 of 党员之声 (issue 16): each part adds its producer in its section. One or two queries each, whatever the
scope."""

from django.urls import reverse

from dangjian.core.reminders import Reminder, reminder_producer

# ── proposals

# ── commitments

# ── inquiries

# ── surveys


@reminder_producer
def survey_reminders(user) -> list:
    """Surveys waiting for the user's answer (as a member, or for an org they keep); those closing within 3 days as
    a warning of their own."""
    from . import surveys

    if not user.is_authenticated:
        return []
    waiting = surveys.waiting_for(user)
    if not waiting:
        return []
    soon = [w for w in waiting if w.closing_soon]
    url = reverse("voice:my_surveys")
    reminders = []
    if soon:
        reminders.append(
            Reminder(
                level="warning",
                title=f"{len(soon)}份问卷将在{surveys.CLOSING_SOON_DAYS}天内截止，尚未填写",
                detail="、".join(w.survey.title for w in soon[:3]),
                url=url,
                source="问卷调查",
            )
        )
    if len(waiting) > len(soon):
        reminders.append(
            Reminder(level="info", title=f"{len(waiting) - len(soon)}份问卷待填写", url=url, source="问卷调查")
        )
    return reminders


# ── consultations
