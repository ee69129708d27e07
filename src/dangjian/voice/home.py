"""The 党员之声 panels of the home page (core.home): each part adds its panel in its section."""

from django.urls import reverse

from dangjian.core.home import Panel, home_panel

# ── proposals

# ── commitments

# ── inquiries

# ── surveys
#: Among the members' own panels (study's is 36).
SURVEY_ORDER = 37


@home_panel
def survey_panel(user) -> Panel | None:
    """A member's (or secretary's) way to 待填问卷: the surveys waiting for their answer; nothing when none."""
    from . import surveys

    if not user.is_authenticated:
        return None
    waiting = surveys.waiting_for(user)
    if not waiting:
        return None
    context = {"waiting": waiting[:5], "count": len(waiting), "url": reverse("voice:my_surveys")}
    return Panel("voice/survey_home.html", context, order=SURVEY_ORDER)


# ── consultations
