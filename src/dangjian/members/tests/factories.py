from datetime import date

import factory

from dangjian.core.lib import idcard
from dangjian.members.choices import Category, Education, Gender
from dangjian.members.models import Member
from dangjian.members.services import fill_pinyin


class MemberFactory(factory.django.DjangoModelFactory):
    """A valid full member; the ID number agrees with birth date and gender."""

    class Meta:
        model = Member

    name = factory.Faker("name", locale="zh_CN")
    gender = Gender.MALE
    birth_date = factory.Sequence(lambda n: date(1970 + n % 30, 1 + n % 12, 1 + n % 28))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: idcard.make("110101", o.birth_date, n, male=o.gender == Gender.MALE)
    )
    education = Education.BACHELOR
    category = Category.FULL
    joined_on = factory.LazyAttribute(lambda o: date(o.birth_date.year + 25, 7, 1))
    full_member_on = factory.LazyAttribute(lambda o: date(o.birth_date.year + 26, 7, 1))
    position = "科员"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    fee_base = 6000

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        member = model_class(*args, **kwargs)
        fill_pinyin(member)
        member.full_clean()
        member.save()
        return member


def member_form_data(member, **overrides) -> dict:
    """The member form's POST data for an existing member, as the edit page would send it."""
    data = {
        "name": member.name,
        "gender": member.gender,
        "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number,
        "education": member.education,
        "category": member.category,
        "joined_on": member.joined_on.isoformat(),
        "full_member_on": member.full_member_on.isoformat() if member.full_member_on else "",
        "org": member.org_id,
        "group": member.group_id or "",
        "position": member.position,
        "phone": member.phone,
        "fee_base": f"{member.fee_base:.2f}",  # as the form renders the stored Decimal
        "native_place": member.native_place,
        "work_started_on": "",
        "professional_title": member.professional_title,
        "remark": member.remark,
        "version": member.version,  # the version the page was loaded from (core.concurrency)
    }
    data.update(overrides)
    return data
