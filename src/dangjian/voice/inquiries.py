"""首问负责 register (issue 16): the first person asked records a request, handles it or hands it on along a tracked
chain (HandOff), and closes it with the result and the asker's satisfaction. Services write in one transaction
(row lock, version check, full_clean; every refusal in Chinese with nothing written); selectors read with a fixed
number of queries.

Readings where the issue is silent:
- The first person is the recording user's own Member record; a staff user (CHANGE) may record for a member of
  their scope. `org` is the first person's branch.
- The time limit: the chosen ServicePromise's days from the day asked, else DEFAULT_LIMIT_DAYS.
- A hand-off's limit: the receiving department's own active promise of the same item (from the hand-off day), else
  the inquiry's remaining limit (its due day unchanged). The inquiry's `due_on` is always the current holder's limit,
  so "overdue" and "the current hand-off is overdue" are the same test.
- The receiver of a hand-off is an active member the acting user sees (their scope): a plain member (who sees only
  themselves) cannot hand on; their branch's secretary does it for them (CHANGE on the holder's org).
- Who may hand on or close: the holder, or who may change the holder's org (CHANGE on holder_org).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.roles import Capability
from dangjian.core.scope import roll_up, subtree_q
from dangjian.core.validators import future_message
from dangjian.members.models import Member
from dangjian.members.personal import mask_phone, sees_personal_data_at
from dangjian.orgs.models import Organization

from .choices import Channel, InquiryState, Satisfaction
from .models import HandOff, Inquiry, ServicePromise

#: Our reading: the time limit of a request no service promise covers (working days are not counted: calendar days).
DEFAULT_LIMIT_DAYS = 5

ERR_NO_MEMBER = "您没有对应的党员档案，不能登记首问事项"
ERR_FIRST_PERSON = "首问责任人不存在或不在您的权限范围内"
ERR_MEMBER_INACTIVE = "首问责任人不是在册党员"
ERR_FUTURE_AT = "受理时间" + "{msg}"
ERR_PROMISE = "服务承诺不存在、已失效或不在您可选的范围内"
ERR_CHANNEL = "渠道应为来访、来电、网上、信函或其他"
ERR_CLOSED = "该首问事项已办结，不能再移交或办结"
ERR_NOT_HOLDER = "只有当前经办人或其所在党组织的管理人员可以办理该首问事项"
ERR_RECEIVER = "接收人不存在、不是在册党员或不在您的权限范围内"
ERR_RECEIVER_SELF = "接收人不能是当前经办人"
ERR_NOTE = "请填写移交说明"
ERR_RESULT = "请填写办理结果"
ERR_SATISFACTION = "请选择来访人满意度（满意、基本满意或不满意）"
ERR_CONTENT = "请填写事项内容"
ERR_ASKER = "请填写来访/来电人"

SATISFACTIONS = tuple(Satisfaction.values)
#: Fields a hand-on or a closure leaves as they are (the recorder's login may have been removed since: SET_NULL).
KEPT_FIELDS = ["recorded_by"]


def phone_shown(user, inquiry: Inquiry) -> str:
    """The asker's phone as `user` may see it: in full for the first person, the holder, and who sees personal data
    of the inquiry's org; masked (138****1234) for everyone else."""
    if not inquiry.asker_phone:
        return ""
    if user.is_superuser:
        return inquiry.asker_phone
    own = {inquiry.first_person.user_id, inquiry.holder.user_id}
    if user.pk in own or sees_personal_data_at(user, org_path=inquiry.org.path, member_user_id=None):
        return inquiry.asker_phone
    return mask_phone(inquiry.asker_phone)


# ── scope ───────────────────────────────────────────────────────────────────────────────────────────────────────


def inquiries_for(user) -> QuerySet[Inquiry]:
    """The inquiries `user` sees: of their scope (by the first person's org), their own (first person or holder),
    and those held in an org of their scope (a department handed one sees it)."""
    rows = Inquiry.objects.visible_to(user)
    if user.is_authenticated and user.is_active and not user.is_superuser:
        paths = user.scope_paths(Capability.VIEW)
        if paths:
            # Held in the user's scope: the receiving department follows what it was handed, wherever it began.
            rows = rows | Inquiry.objects.unrestricted().filter(subtree_q("holder_org__path", paths))
    return rows


def may_act(user, inquiry: Inquiry) -> bool:
    """The holder, or who may change the holder's org."""
    if not user.is_authenticated:
        return False
    return inquiry.holder.user_id == user.pk or user.can(Capability.CHANGE, inquiry.holder_org.path)


def own_member(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.visible_to(user).active().filter(user=user).select_related("org").first()


def can_record(user) -> bool:
    """Whether `user` may record a request: as the first person asked (a member record), or as staff."""
    return user.can(Capability.CHANGE) or own_member(user) is not None


def recordable_members(user) -> QuerySet[Member]:
    """Whom `user` may record as the first person asked: themselves, and the active members of their CHANGE scope."""
    rows = Member.objects.changeable_by(user).active()
    if user.is_authenticated:
        rows = rows | Member.objects.visible_to(user).active().filter(user=user)
    return rows.select_related("org").order_by("org__path", "name_pinyin", "id")


def receivers(user) -> QuerySet[Member]:
    """Whom `user` may hand an inquiry on to: the active members they see."""
    return Member.objects.visible_to(user).active().select_related("org").order_by("org__path", "name_pinyin", "id")


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def promises_for(user, org: Organization | None = None) -> QuerySet[ServicePromise]:
    """The active service promises a request may be filed under: those of the user's scope, and the public ones of
    `org` (the first person's branch) and the orgs above it."""
    rows = ServicePromise.objects.visible_to(user).filter(active=True)
    if org is not None:
        # The promises of one's own department and those above it are public to its members.
        rows = rows | ServicePromise.objects.unrestricted().filter(active=True, org__path__in=_ancestor_paths(org.path))
    return rows.select_related("org").order_by("org__path", "item")


# ── services ────────────────────────────────────────────────────────────────────────────────────────────────────


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


@transaction.atomic
def record_inquiry(
    *,
    by,
    asker: str,
    channel: str,
    content: str,
    asked_at: datetime,
    asker_phone: str = "",
    promise: ServicePromise | None = None,
    first_person: Member | None = None,
) -> Inquiry:
    """Record a request: the first person asked (by default the user's own Member record) holds it first."""
    if first_person is None:
        first_person = own_member(by)
        if first_person is None:
            raise ValidationError(ERR_NO_MEMBER)
    else:
        allowed = recordable_members(by).filter(pk=first_person.pk).first()
        if allowed is None:
            raise ValidationError({"first_person": ERR_FIRST_PERSON})
        first_person = allowed
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = ERR_CHANNEL
    if not _clean_text(content):
        errors["content"] = ERR_CONTENT
    if not _clean_text(asker):
        errors["asker"] = ERR_ASKER
    if asked_at is None or asked_at > timezone.now():
        errors["asked_at"] = "受理时间" + future_message()
    if promise is not None and not promises_for(by, first_person.org).filter(pk=promise.pk).exists():
        errors["promise"] = ERR_PROMISE
    if errors:
        raise ValidationError(errors)
    asked_day = timezone.localdate(asked_at)
    limit = promise.time_limit_days if promise is not None else DEFAULT_LIMIT_DAYS
    inquiry = Inquiry(
        org=first_person.org,
        first_person=first_person,
        asker=_clean_text(asker),
        asker_phone=_clean_text(asker_phone),
        channel=channel,
        content=_clean_text(content),
        asked_at=asked_at,
        promise=promise,
        due_on=asked_day + timedelta(days=limit),
        holder=first_person,
        holder_org=first_person.org,
        recorded_by=by,
    )
    inquiry.full_clean()
    inquiry.save()
    return inquiry


def _locked(by, inquiry: Inquiry, version: int | None) -> Inquiry:
    locked = (
        Inquiry.objects.unrestricted()  # the rights are checked just below (holder or CHANGE on holder_org)
        .select_for_update(of=("self",))
        .select_related("holder", "holder_org", "org", "first_person", "promise")
        .filter(pk=inquiry.pk)
        .first()
    )
    if locked is None or not may_act(by, locked):
        raise PermissionDenied(ERR_NOT_HOLDER)
    check_version(locked, version, masks={"asker_phone": mask_phone})
    if locked.state == InquiryState.CLOSED:
        raise ValidationError(ERR_CLOSED)
    return locked


def receiver_due_on(inquiry: Inquiry, to_org: Organization, day: date) -> date:
    """The receiver's limit: the receiving department's own promise of the same item, else the remaining limit."""
    if inquiry.promise is not None:
        # The receiving department's public promise of the same item (a public register, read past the user's scope).
        theirs = (
            ServicePromise.objects.unrestricted()
            .filter(org=to_org, item=inquiry.promise.item, active=True)
            .values_list("time_limit_days", flat=True)
            .first()
        )
        if theirs is not None:
            return day + timedelta(days=theirs)
    return inquiry.due_on


@transaction.atomic
def hand_on(*, by, inquiry: Inquiry, to_member: Member, note: str, version: int | None) -> HandOff:
    """Hand the inquiry on to another member (and their org), with a note: a new link of its chain."""
    locked = _locked(by, inquiry, version)
    receiver = receivers(by).filter(pk=getattr(to_member, "pk", None)).first()
    if receiver is None:
        raise ValidationError({"to_member": ERR_RECEIVER})
    if receiver.pk == locked.holder_id:
        raise ValidationError({"to_member": ERR_RECEIVER_SELF})
    note = _clean_text(note)
    if not note:
        raise ValidationError({"note": ERR_NOTE})
    now = timezone.now()
    due_on = receiver_due_on(locked, receiver.org, clock.today())
    handoff = HandOff(
        inquiry=locked,
        from_member=locked.holder,
        to_member=receiver,
        to_org=receiver.org,
        at=now,
        due_on=due_on,
        note=note,
        by=by,
    )
    handoff.full_clean()
    handoff.save()
    locked.holder, locked.holder_org, locked.due_on = receiver, receiver.org, due_on
    locked.full_clean(exclude=KEPT_FIELDS)
    locked.save()
    return handoff


@transaction.atomic
def close_inquiry(*, by, inquiry: Inquiry, result: str, satisfaction: str, version: int | None) -> Inquiry:
    """办结: the result and the asker's satisfaction; a closed inquiry is never handed on again."""
    locked = _locked(by, inquiry, version)
    errors = {}
    if not _clean_text(result):
        errors["result"] = ERR_RESULT
    if satisfaction not in SATISFACTIONS:
        errors["satisfaction"] = ERR_SATISFACTION
    if errors:
        raise ValidationError(errors)
    locked.state = InquiryState.CLOSED
    locked.closed_at = timezone.now()
    locked.result = _clean_text(result)
    locked.satisfaction = satisfaction
    locked.full_clean(exclude=KEPT_FIELDS)
    locked.save()
    return locked


# ── selectors ───────────────────────────────────────────────────────────────────────────────────────────────────

SORTS = {
    "asked": ("asked_at", "id"),
    "-asked": ("-asked_at", "-id"),
    "due": ("due_on", "id"),
    "-due": ("-due_on", "-id"),
}
OVERDUE_Q = Q(state=InquiryState.OPEN)


def overdue_q(today: date | None = None) -> Q:
    return Q(state=InquiryState.OPEN, due_on__lt=today or clock.today())


@dataclass
class Filters:
    state: str = ""
    channel: str = ""
    org: Organization | None = None
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    holder: Member | None = None
    q: str = ""
    sort: str = "-asked"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def register(*, fetched_by, filters: Filters | None = None) -> QuerySet[Inquiry]:
    """The register as filtered and sorted, with what a row shows read in the same query."""
    f = filters or Filters()
    rows = inquiries_for(fetched_by)
    if f.state in InquiryState.values:
        rows = rows.filter(state=f.state)
    if f.channel in Channel.values:
        rows = rows.filter(channel=f.channel)
    if f.org is not None:
        rows = rows.filter(subtree_q("org__path", [f.org.path]) | subtree_q("holder_org__path", [f.org.path]))
    if f.overdue:
        rows = rows.filter(overdue_q())
    if f.since:
        rows = rows.filter(asked_at__gte=_day_start(f.since))
    if f.until:
        rows = rows.filter(asked_at__lt=_day_start(f.until + timedelta(days=1)))
    if f.holder is not None:
        rows = rows.filter(holder=f.holder)
    if f.q:
        rows = rows.filter(Q(content__icontains=f.q) | Q(asker__icontains=f.q))
    order = SORTS.get(f.sort, SORTS["-asked"])
    return rows.select_related("org", "first_person", "holder", "holder_org", "promise").order_by(*order)


def held_by(user) -> QuerySet[Inquiry]:
    """我经办的: the open inquiries the user holds (and the closed ones they held last), soonest due first."""
    rows = inquiries_for(user).filter(holder__user=user) if user.is_authenticated else Inquiry.objects.none()
    return rows.select_related("org", "first_person", "holder", "holder_org", "promise").order_by(
        "state", "due_on", "id"
    )


def inquiry_with_chain(*, fetched_by, pk: int) -> Inquiry:
    """One inquiry the user sees, its chain (`chain`: the HandOffs in order) read with it. DoesNotExist otherwise."""
    inquiry = (
        inquiries_for(fetched_by)
        .select_related("org", "first_person", "holder", "holder_org", "promise", "promise__org", "recorded_by")
        .get(pk=pk)
    )
    # The chain of an inquiry the user sees: every link of it, whatever org the links reached.
    inquiry.chain = list(
        HandOff.objects.unrestricted()
        .filter(inquiry=inquiry)
        .select_related("from_member", "to_member", "to_org", "by")
        .order_by("at", "id")
    )
    return inquiry


def overdue_held_count(user) -> int:
    """Overdue inquiries the user holds: one COUNT."""
    if not user.is_authenticated:
        return 0
    return inquiries_for(user).filter(overdue_q(), holder__user=user).count()


def overdue_in_scope_count(user) -> int:
    """Overdue inquiries held in the user's CHANGE scope: one COUNT."""
    if not user.is_authenticated:
        return 0
    if user.is_superuser:
        return Inquiry.objects.unrestricted().filter(overdue_q()).count()  # a superuser's scope is everything
    paths = user.scope_paths(Capability.CHANGE)
    if not paths:
        return 0
    # Held in the user's CHANGE scope (the department that must act), wherever the request began.
    return Inquiry.objects.unrestricted().filter(overdue_q(), subtree_q("holder_org__path", paths)).count()


# ── statistics ──────────────────────────────────────────────────────────────────────────────────────────────────


@dataclass
class Figures:
    received: int = 0  # recorded as the first person (per org: the first person's org)
    handed_on: int = 0  # hand-offs made from them (per org: from a member of the org)
    closed: int = 0  # closed while holding it
    on_time: int = 0  # of those, closed by the due day
    open: int = 0  # held now, open
    overdue: int = 0  # held now, open, past due
    satisfaction: Counter = field(default_factory=Counter)

    @property
    def on_time_percent(self) -> int | None:
        return self.on_time * 100 // self.closed if self.closed else None

    @property
    def satisfied_percent(self) -> int | None:
        """满意 + 基本满意 of the rated."""
        rated = sum(self.satisfaction.values())
        good = self.satisfaction[Satisfaction.SATISFIED] + self.satisfaction[Satisfaction.BASIC]
        return good * 100 // rated if rated else None

    def add(self, other: Counter) -> None:
        for name in ("received", "handed_on", "closed", "on_time", "open", "overdue"):
            setattr(self, name, getattr(self, name) + other.get(name, 0))
        for s in SATISFACTIONS:
            self.satisfaction[s] += other.get(f"sat_{s}", 0)


def _on_time_q() -> Q:
    return Q(closed_at__isnull=False) & Q(due_on__gte=F("closed_at__date"))


def _grouped(rows: QuerySet[Inquiry], handoffs: QuerySet[HandOff], key: str, handoff_key: str) -> dict:
    """{key value: Counter of figures}: three grouped queries."""
    today = clock.today()
    out: dict = {}

    def bump(k, name, n):
        out.setdefault(k, Counter())[name] += n

    for k, n in rows.values_list(f"org__{key}" if key != "member" else "first_person").annotate(n=Count("id")):
        bump(k, "received", n)
    holder = "holder_org__" + key if key != "member" else "holder"
    held = rows.values(holder).annotate(
        closed=Count("id", filter=Q(state=InquiryState.CLOSED)),
        on_time=Count("id", filter=Q(state=InquiryState.CLOSED) & _on_time_q()),
        open=Count("id", filter=Q(state=InquiryState.OPEN)),
        overdue=Count("id", filter=overdue_q(today)),
        **{f"sat_{s}": Count("id", filter=Q(satisfaction=s)) for s in SATISFACTIONS},
    )
    for row in held:
        k = row.pop(holder)
        for name, n in row.items():
            bump(k, name, n)
    for k, n in handoffs.values_list(handoff_key).annotate(n=Count("id")):
        bump(k, "handed_on", n)
    return out


def _scoped_rows(user, root: Organization | None, since: date | None, until: date | None):
    rows = inquiries_for(user).order_by()
    if root is not None:
        rows = rows.filter(subtree_q("org__path", [root.path]) | subtree_q("holder_org__path", [root.path]))
    if since:
        rows = rows.filter(asked_at__gte=_day_start(since))
    if until:
        rows = rows.filter(asked_at__lt=_day_start(until + timedelta(days=1)))
    # The links of those inquiries (each already in the user's sight).
    handoffs = HandOff.objects.unrestricted().filter(inquiry__in=rows.values("pk")).order_by()
    return rows, handoffs


def stats_by_org(
    *, fetched_by, root: Organization | None = None, since: date | None = None, until: date | None = None
) -> list[tuple[Organization, Figures]]:
    """Per org of the user's scope (each its whole subtree, rolled up): four queries."""
    rows, handoffs = _scoped_rows(fetched_by, root, since, until)
    per_path = _grouped(rows, handoffs, "path", "from_member__org__path")
    rolled = roll_up(
        ((path, name, n) for path, counts in per_path.items() if path for name, n in counts.items()),
        steplen=Organization.steplen,
    )
    orgs = Organization.objects.visible_to(fetched_by).filter(path__in=list(rolled)).order_by("path")
    if root is not None:
        orgs = orgs.filter(path__startswith=root.path)
    result = []
    for org in orgs:
        figures = Figures()
        figures.add(rolled[org.path])
        result.append((org, figures))
    return result


def stats_by_person(
    *, fetched_by, root: Organization | None = None, since: date | None = None, until: date | None = None
) -> list[tuple[Member, Figures]]:
    """Per member who received, handed on or held one the user sees: four queries."""
    rows, handoffs = _scoped_rows(fetched_by, root, since, until)
    per_member = _grouped(rows, handoffs, "member", "from_member")
    # The people of the chains the user sees (names only).
    members = Member.objects.unrestricted().filter(pk__in=list(per_member)).select_related("org").order_by("org__path")
    result = []
    for member in members:
        figures = Figures()
        figures.add(per_member[member.pk])
        result.append((member, figures))
    return result


def prefetch_chain() -> Prefetch:
    return Prefetch("handoffs", queryset=HandOff.objects.unrestricted().select_related("to_member", "to_org"))


def held_figures(user) -> dict[str, int]:
    """{"open", "overdue"}: what the user holds, in one query."""
    return (
        inquiries_for(user)
        .filter(holder__user=user)
        .aggregate(open=Count("id", filter=Q(state=InquiryState.OPEN)), overdue=Count("id", filter=overdue_q()))
    )
