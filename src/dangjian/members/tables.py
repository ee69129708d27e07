import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dangjian.core.lib.dates import format_cn_date

from .models import Member
from .selectors import age_for, id_number_for, phone_for

#: Columns a phone can do without (members and secretaries check the roster on phones).
WIDE_ONLY = {"td": {"class": "d-none d-md-table-cell"}, "th": {"class": "d-none d-md-table-cell"}}


class MemberTable(tables.Table):
    name = tables.Column(verbose_name="姓名", order_by=("name_pinyin",))
    org = tables.Column(verbose_name="所在党支部", order_by=("org__path", "name_pinyin"))
    age = tables.Column(verbose_name="年龄", empty_values=(), order_by=("-birth_date",))
    id_number = tables.Column(verbose_name="公民身份号码", orderable=False, attrs=WIDE_ONLY)
    education = tables.Column(attrs=WIDE_ONLY)
    joined_on = tables.Column(attrs=WIDE_ONLY)
    group = tables.Column(attrs=WIDE_ONLY)
    position = tables.Column(attrs=WIDE_ONLY)
    phone = tables.Column(verbose_name="联系电话", orderable=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "age",
            "education",
            "category",
            "joined_on",
            "org",
            "group",
            "position",
            "phone",
            "id_number",
            "status",
        ]
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "roster"}
        # Rows written out per column (tables2's generic row is far slower); the columns here are the truth: a
        # test renders both and compares them cell by cell.
        template_name = "members/roster_table.html"
        empty_text = "没有符合条件的党员。"
        per_page = 25

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def render_name(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("members:detail", args=[record.pk]), value)

    def render_age(self, record):
        return age_for(self.user, record)

    def render_joined_on(self, value):
        return format_cn_date(value)

    def render_id_number(self, record):
        return id_number_for(self.user, record)

    def render_phone(self, record):
        return phone_for(self.user, record)
