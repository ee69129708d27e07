"""What of a member's personal data a user sees: the one decision behind the pages, the roster table, the export,
the API and the search (docs/architecture.md, "Personal data").

Personal data are the 公民身份号码, the phone and the birth date (the ID number's middle digits). A user sees them in
full on their own record and where they hold the view-personal-data capability on the member's org; everyone else
(an inspector, a committee member) sees the ID number's and the phone's last 4 characters, an age band instead of
the birth date and age, and may search the ID number and the phone only by those last 4 characters.
"""

from datetime import date

from django.db.models import Q

from dangjian.core.lib import idcard
from dangjian.core.lib.dates import age_on
from dangjian.core.roles import Capability
from dangjian.core.scope import subtree_q

from .models import ERR_ID_DUPLICATE, ERR_ID_ELSEWHERE
from .stats import age_band_label

#: How many trailing characters of a masked ID number or phone are shown, and so may be searched.
MASKED_TAIL = 4


def sees_personal_data_at(user, *, org_path: str, member_user_id: int | None) -> bool:
    """Whether `user` sees in full the personal data of a member known by their org's path and login."""
    return member_user_id == user.pk or user.can(Capability.VIEW_PERSONAL, org_path)


def personal_data_q(user) -> Q | None:
    """The members whose personal data `user` sees in full, as a filter: sees_personal_data_at() over rows (one
    indexed prefix match per subtree, plus one's own record). None: every member (nothing is masked for them)."""
    if user.is_superuser:
        return None
    q = subtree_q("org__path", user.scope_paths(Capability.VIEW_PERSONAL))
    return q | Q(user_id=user.pk) if user.pk else q


def sees_some_masked(user) -> bool:
    """Whether some member the user may view is shown to them masked: a view scope outside their personal-data
    scope (the search box then says only the last 4 characters can be searched)."""
    if user.is_superuser:
        return False
    personal = user.scope_paths(Capability.VIEW_PERSONAL)
    return any(not any(path.startswith(p) for p in personal) for path in user.scope_paths(Capability.VIEW))


def duplicate_id_message(user, *, org_path: str, member_user_id: int | None) -> str:
    """Why a 公民身份号码 already on the roster is refused, said to `user` (None: the command line, which sees all).

    The number is unique across the system (Member's constraint), so a form or an import must say that it is taken
    wherever it is; but where the member is outside the user's scope, the message names neither them nor their org.
    """
    if user is None or member_user_id == user.pk or user.can(Capability.VIEW, org_path):
        return ERR_ID_DUPLICATE
    return ERR_ID_ELSEWHERE


def mask_id_number(value: str) -> str:
    """**************1234: the last 4 only. The head (region code) would narrow the hidden digits to a few hundred
    candidates beside the gender and an age band; the tail tells people apart on a list."""
    return idcard.mask(value, keep_head=0, keep_tail=MASKED_TAIL)


def mask_phone(value: str) -> str:
    """138****1234: the carrier's prefix is no one's personal data; the 4 digits in the middle stay hidden."""
    return idcard.mask_phone(value)


def age_band(birth_date: date, today: date) -> str:
    """The statistics' age band (stats.AGE_BANDS) for a birth date: what a masked record shows instead."""
    return age_band_label(age_on(birth_date, today))
