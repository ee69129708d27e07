"""Reads over the org tree. Each runs a fixed number of queries, whatever the size of the tree."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from dangjian.core import clock
from dangjian.core.lib.dates import format_cn_date

from . import rules
from .choices import OrgKind
from .membership import MemberCounts, membership
from .models import CommitteeTerm, Organization


def member_counts(orgs: list[Organization]) -> dict[int, MemberCounts]:
    """Active members of each org's subtree (党小组: its own members), by category — from the members app."""
    return membership().counts(orgs)


def org_tree(*, fetched_by, include_dissolved: bool = False) -> list[Organization]:
    """The user's visible orgs in tree order, each with `.counts` (MemberCounts) and `.level` (0 = top shown)."""
    orgs = Organization.objects.visible_to(fetched_by)
    if not include_dissolved:
        orgs = orgs.active()
    orgs = list(orgs)
    counts = member_counts(orgs)
    top = min((o.depth for o in orgs), default=1)
    for org in orgs:
        org.counts = counts[org.pk]
        org.level = org.depth - top
    return orgs


def current_terms(org_ids: list[int]) -> dict[int, CommitteeTerm]:
    """The latest term of each org, with `.seat_count` of current seats — one query."""
    latest: dict[int, CommitteeTerm] = {}
    terms = (
        # Terms of orgs the caller already holds (restricted by whoever fetched them), for the org's own figures.
        CommitteeTerm.objects.unrestricted()
        .filter(org_id__in=org_ids)
        .annotate(seat_count=Count("seats", filter=Q(seats__ended_on__isnull=True)))
        .order_by("org_id", "-started_on")
    )
    for term in terms:
        latest.setdefault(term.org_id, term)
    return latest


#: Messages of org_warnings (DOMAIN.md §1), with their sources.
WARN_TERM_OVERDUE = "委员会任期已于{ends_on}届满，超期已逾1年，应尽快换届"
WARN_TERM_EXPIRED = "委员会任期已于{ends_on}届满，应按期换届"
WARN_TERM_EXPIRING = "委员会任期将于{ends_on}届满，请准备换届选举"
SOURCE_TERM = "选举条例；中办2018年意见（支部任期3年，机关党委5年）"
WARN_FEW_FULL_MEMBERS = "正式党员仅{full}人，不足{minimum}人（可考虑成立联合党支部）"
SOURCE_FEW_FULL_MEMBERS = "支部条例第五条"
WARN_NO_COMMITTEE = "正式党员{full}人，应设立支部委员会"
WARN_COMMITTEE_SIZE = "支委会现有委员{seats}人，应为{low}至{high}人、最多不超过{maximum}人"
WARN_SMALL_BRANCH_SEATS = "正式党员不足{threshold}人，一般不设支委会，只设书记（必要时设副书记），现有{seats}人"
SOURCE_COMMITTEE = "机关条例第七条；支部条例"
WARN_LARGE_BRANCH = "党员{total}人，超过{maximum}人，可考虑分设党支部或成立党总支"
SOURCE_LARGE_BRANCH = "支部条例第五条；机关条例"


@dataclass(frozen=True)
class OrgWarning:
    org: Organization
    level: str
    message: str
    source: str


def term_warning(term: CommitteeTerm, today: date) -> tuple[str, str] | None:
    """(level, message) for a term expiring within 3 months, expired, or more than a year overdue."""
    if term.ends_on < today - rules.TERM_OVERDUE_LIMIT:
        return "danger", WARN_TERM_OVERDUE.format(ends_on=format_cn_date(term.ends_on))
    if term.ends_on < today:
        return "warning", WARN_TERM_EXPIRED.format(ends_on=format_cn_date(term.ends_on))
    if term.ends_on <= today + rules.TERM_REMIND_BEFORE:
        return "info", WARN_TERM_EXPIRING.format(ends_on=format_cn_date(term.ends_on))
    return None


def org_warnings(orgs: list[Organization], *, today: date | None = None) -> list[OrgWarning]:
    """DOMAIN.md §1 checks for the given orgs (expects `.counts` from org_tree)."""
    today = today or clock.today()
    warnings: list[OrgWarning] = []

    def add(org, level, message, source):
        warnings.append(OrgWarning(org=org, level=level, message=message, source=source))

    terms = current_terms([o.pk for o in orgs if o.kind != OrgKind.GROUP])
    for org in orgs:
        if org.is_dissolved or org.kind == OrgKind.GROUP:
            continue
        term = terms.get(org.pk)
        if term and (found := term_warning(term, today)):
            add(org, *found, SOURCE_TERM)
        if org.kind != OrgKind.BRANCH:
            continue
        full = org.counts.full
        if full < rules.MIN_FULL_MEMBERS_FOR_BRANCH:
            message = WARN_FEW_FULL_MEMBERS.format(full=full, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
            add(org, "warning", message, SOURCE_FEW_FULL_MEMBERS)
        if org.counts.total > rules.BRANCH_USUAL_MAX_MEMBERS:
            message = WARN_LARGE_BRANCH.format(total=org.counts.total, maximum=rules.BRANCH_USUAL_MAX_MEMBERS)
            add(org, "info", message, SOURCE_LARGE_BRANCH)
        seats = term.seat_count if term else 0
        low, high = rules.COMMITTEE_SIZE_NORMAL
        # The committee thresholds count 正式党员 only: 预备党员 cannot vote or be elected (党章第七条).
        if full >= rules.MEMBERS_FOR_COMMITTEE:
            if seats == 0:
                add(org, "warning", WARN_NO_COMMITTEE.format(full=full), SOURCE_COMMITTEE)
            elif seats < low or seats > rules.COMMITTEE_SIZE_MAX:
                message = WARN_COMMITTEE_SIZE.format(seats=seats, low=low, high=high, maximum=rules.COMMITTEE_SIZE_MAX)
                add(org, "warning", message, SOURCE_COMMITTEE)
        elif seats > rules.SMALL_BRANCH_MAX_LEADERS:
            message = WARN_SMALL_BRANCH_SEATS.format(threshold=rules.MEMBERS_FOR_COMMITTEE, seats=seats)
            add(org, "info", message, SOURCE_COMMITTEE)
    return warnings
