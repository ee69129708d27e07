import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from dangjian.core.lib.dates import format_cn_date

from .models import Member
from .selectors import age_for, id_number_for, phone_for


def cell(label: str, classes: str = "") -> dict:
    """A column's attrs: each cell carries its header as data-label, which a phone's card layout shows before the
    value (`.table-cards` in dangjian.css); `classes` on the header and the cells."""
    td = {"data-label": label, **({"class": classes} if classes else {})}
    return {"td": td, **({"th": {"class": classes}} if classes else {})}


#: Columns a narrow table (576-768 px) does without; the phone's cards show them (card-keep) or not.
WIDE_ONLY = "d-none d-md-table-cell"
#: What a phone's card shows of the hidden columns: the ID number (masked as in the table where it must be).
CARD_KEEP = "card-keep d-none d-md-table-cell"


class MemberTable(tables.Table):
    name = tables.Column(verbose_name="姓名", order_by=("name_pinyin",), attrs=cell("姓名"))
    gender = tables.Column(attrs=cell("性别"))
    org = tables.Column(verbose_name="所在党支部", order_by=("org__path", "name_pinyin"), attrs=cell("所在党支部"))
    age = tables.Column(verbose_name="年龄", empty_values=(), order_by=("-birth_date",), attrs=cell("年龄"))
    id_number = tables.Column(verbose_name="公民身份号码", orderable=False, attrs=cell("公民身份号码", CARD_KEEP))
    education = tables.Column(attrs=cell("学历", WIDE_ONLY))
    category = tables.Column(attrs=cell("人员类别"))
    joined_on = tables.Column(attrs=cell("入党日期", WIDE_ONLY))
    group = tables.Column(attrs=cell("所在党小组", WIDE_ONLY))
    position = tables.Column(attrs=cell("工作岗位/职务", WIDE_ONLY))
    phone = tables.Column(verbose_name="联系电话", orderable=False, attrs=cell("联系电话"))
    status = tables.Column(attrs=cell("党籍状态"))

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
        # table-cards: on a phone each row is a card of "label: value" lines (dangjian.css).
        attrs = {"class": "table table-sm table-hover align-middle table-cards", "data-testid": "roster"}
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
