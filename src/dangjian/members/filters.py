"""One filter definition for the roster page, its export and the API (NetBox's pattern)."""

import django_filters
from django import forms
from django.db.models import Q

from dangjian.core import clock
from dangjian.core.forms import LongSelect
from dangjian.core.lib.dates import earliest_birth_after_age, latest_birth_for_age
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from .choices import Category, Education, Gender, Status
from .models import Member
from .personal import MASKED_TAIL, personal_data_q, sees_some_masked

STATUS_ALL = "all"
#: Filters that are not counted on the phone's filter button: the search has its own box, an import is a link.
NOT_IN_THE_BAR = ("q", "import_job")
SEARCH_HINT = "姓名、拼音、简拼、证件号或手机号尾号"
SEARCH_HINT_MASKED = "姓名、拼音、简拼，证件号或手机号后4位"
MSG_SEARCH_MASKED = "证件号和手机号已脱敏的党员，只能按后4位查找；更长的号码只查找您可查看完整信息的党员。"


#: alternates' member ids passed as a list at most; beyond, as a subquery (see pinyin_q).
ALT_IDS_MAX = 10_000


def pinyin_q(term: str) -> Q:
    """Members whose name reads as `term` typed in pinyin (lower case): a prefix of the primary full pinyin or
    initials (two indexed prefix matches), or of any other reading (members.readings: 曾凯 by ck and cengkai).

    The other readings are a word's start inside name_pinyin_alt (LIKE '% q%'), which no B-tree can seek: in the
    same OR it would make PostgreSQL scan every member. So their ids are read first, from the small partial index
    of the few names that have alternates, and the page's query ORs them in by primary key (all three arms
    indexed). The id query is unscoped: it only names candidates, the caller's scoped queryset decides."""
    found = Q(name_pinyin__startswith=term) | Q(name_initials__startswith=term)
    alternates = Member.objects.unrestricted().exclude(name_pinyin_alt="").filter(name_pinyin_alt__contains=" " + term)
    ids = list(alternates.order_by().values_list("pk", flat=True)[: ALT_IDS_MAX + 1])
    if len(ids) > ALT_IDS_MAX:
        return found | Q(pk__in=alternates.values("pk"))
    return found | Q(pk__in=ids) if ids else found


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="搜索", method="filter_search")
    org = django_filters.ModelChoiceFilter(
        label="组织（含下级）",
        empty_label="全部组织",
        queryset=Organization.objects.none(),
        method="filter_org",
        widget=LongSelect,
    )
    category = django_filters.ChoiceFilter(label="人员类别", choices=Category.choices, empty_label="全部类别")
    status = django_filters.ChoiceFilter(
        label="党籍状态", choices=[*Status.choices, (STATUS_ALL, "全部状态")], empty_label=None, method="filter_status"
    )
    gender = django_filters.ChoiceFilter(label="性别", choices=Gender.choices, empty_label="全部")
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices, empty_label="全部学历")
    age_min = django_filters.NumberFilter(label="年龄≥", method="filter_age_min", min_value=0, max_value=150)
    age_max = django_filters.NumberFilter(label="年龄≤", method="filter_age_max", min_value=0, max_value=150)
    joined_year = django_filters.NumberFilter(
        label="入党年份", field_name="joined_on", lookup_expr="year", min_value=1921, max_value=2100
    )
    # The members a roster import last wrote (the link from its audit entry and result page): hidden, not in the bar.
    import_job = django_filters.NumberFilter(
        label="导入任务", min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    class Meta:
        model = Member
        fields = [
            "q",
            "org",
            "category",
            "status",
            "gender",
            "education",
            "age_min",
            "age_max",
            "joined_year",
            "import_job",
        ]

    def __init__(self, data=None, queryset=None, *, request_user=None, **kwargs):
        data = data.copy() if data is not None else {}
        # The roster shows members in register unless asked otherwise.
        if not data.get("status"):
            data["status"] = Status.ACTIVE
        super().__init__(data, queryset, **kwargs)
        self.request_user = request_user
        self._org_options = None
        if request_user is not None:
            orgs = Organization.objects.visible_to(request_user).active()
            self.filters["org"].queryset = orgs  # what the filter accepts: every visible org
            selected = data.get("org")
            self._org_options = lambda: org_options(orgs, selected=selected)  # a callable: queried only if rendered

    @property
    def narrowing_besides_search(self) -> int:
        """How many filters other than the search narrow the list (the default 在册 is not one): what a phone shows
        on the button the filters fold under."""
        return sum(
            1
            for name in self.base_filters
            if name not in NOT_IN_THE_BAR
            and self.data.get(name)
            and not (name == "status" and self.data[name] == Status.ACTIVE)
        )

    @property
    def search_note(self) -> str:
        """MSG_SEARCH_MASKED when the search is a number longer than the masked tail and the user sees some members
        masked (those it cannot find); else ""."""
        value = str(self.data.get("q") or "").strip()
        if len(value) <= MASKED_TAIL or not _is_number(value) or self.request_user is None:
            return ""
        return MSG_SEARCH_MASKED if sees_some_masked(self.request_user) else ""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
        masked = self.request_user is not None and sees_some_masked(self.request_user)
        form.fields["q"].widget.attrs.setdefault("placeholder", SEARCH_HINT_MASKED if masked else SEARCH_HINT)
        if self._org_options is not None:
            # What the select offers: set on the form's own copy of the field (copying resets a widget's choices).
            form.fields["org"].widget.choices = self._org_options
        return form

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Only the matches the input can mean: a "contains" or "ends with" term cannot use an index, and one such
        # term in the OR makes the database scan every member instead of reading an index.
        if not value.isascii():
            return queryset.filter(name__contains=value)
        if _is_number(value):
            found = queryset.filter(Q(id_number__endswith=value.upper()) | Q(phone__endswith=value))
            if len(value) > MASKED_TAIL and self.request_user is not None:
                # A masked record shows only its last 4 characters, so only those may find it: a longer tail,
                # grown digit by digit, would read the hidden ones back. Longer terms find only the records the
                # user sees in full (their own, and under their personal-data grants).
                full = personal_data_q(self.request_user)
                if full is not None:
                    found = found.filter(full)
            return found
        lowered = value.lower()
        return queryset.filter(pinyin_q(lowered))

    def filter_org(self, queryset, name, org):
        if org.is_group:
            return queryset.filter(group=org)
        return queryset.filter(org__path__startswith=org.path)

    def filter_status(self, queryset, name, value):
        return queryset if value == STATUS_ALL else queryset.filter(status=value)

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(birth_date__lte=latest_birth_for_age(int(value), clock.today()))

    def filter_age_max(self, queryset, name, value):
        return queryset.filter(birth_date__gt=earliest_birth_after_age(int(value), clock.today()))


def _is_number(value: str) -> bool:
    """An ID number's or a phone's tail: digits, the ID number's check letter X last."""
    return value.isascii() and (value.isdigit() or (value[:-1].isdigit() and value[-1] in "xX"))


#: Above this many orgs the select lists only 党委 and 党总支 (a branch is reached from the org tree's member count
#: link, which sets ?org=): thousands of options would be rendered and sent with every roster page.
ORG_SELECT_LIMIT = 300
_ROLLUP_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)


def org_options(orgs, *, selected=None) -> list[tuple[str, str]]:
    """Choices for the org select, indented by depth: every visible org while few, else the roll-up levels (plus the
    selected org), in at most two queries."""
    fields = ("pk", "name", "depth")
    rows = list(orgs.exclude(kind=OrgKind.GROUP).values_list(*fields)[: ORG_SELECT_LIMIT + 1])
    if len(rows) > ORG_SELECT_LIMIT:
        wanted = Q(kind__in=_ROLLUP_KINDS)
        if str(selected or "").isdigit():
            wanted |= Q(pk=int(selected))
        rows = list(orgs.filter(wanted).values_list(*fields))
    return [("", "全部组织"), *((str(pk), f"{'　' * (depth - 1)}{name}") for pk, name, depth in rows)]
