"""Django admin (superusers only): the model's validation applies there too, so a wrong ID number never lands."""

import pytest
from django.urls import reverse

from dangjian.core.lib import idcard
from dangjian.core.tests.factories import UserFactory
from dangjian.members.choices import Category, Education, Gender, Status
from dangjian.members.models import ERR_ID_BIRTH, Member

GB_EXAMPLE = "11010519491231002X"  # born 1949-12-31, female (core/lib/tests/test_idcard.py)
ADD = reverse("admin:members_member_add")


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def admin_post(world, **overrides) -> dict:
    data = {
        "name": "赵丽华",
        "gender": Gender.FEMALE,
        "ethnicity": "汉族",
        "birth_date": "1949-12-31",
        "id_number": GB_EXAMPLE,
        "education": Education.BACHELOR,
        "category": Category.FULL,
        "joined_on": "1975-07-01",
        "full_member_on": "1976-07-01",
        "org": world.branch_a.pk,
        "group": "",
        "position": "调研员",
        "phone": "13700137000",
        "fee_base": "5000",
        "native_place": "",
        "work_started_on": "",
        "professional_title": "",
        "remark": "",
        "status": Status.ACTIVE,
        "exit_kind": "",
        "status_changed_on": "",
        "user": "",
        "_save": "保存",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": GB_EXAMPLE[:17] + "1"}, "id_number", idcard.ERR_CHECKSUM),
        ({"id_number": "1101051949123100"}, "id_number", idcard.ERR_SHAPE),
        ({"birth_date": "1950-01-01"}, "birth_date", ERR_ID_BIRTH.format("1949年12月31日")),
    ],
)
def test_admin_add_refuses_a_wrong_id_number(world, superuser_client, overrides, field, message):
    before = Member.objects.count()
    response = superuser_client.post(ADD, admin_post(world, **overrides))
    assert response.status_code == 200  # the admin shows the form again
    assert response.context["adminform"].form.errors[field] == [message]
    assert message in response.content.decode()
    assert Member.objects.count() == before


def test_admin_add_creates_a_correct_member(world, superuser_client):
    response = superuser_client.post(ADD, admin_post(world, id_number=GB_EXAMPLE.lower()))
    assert response.status_code == 302
    member = Member.objects.get(name="赵丽华")
    assert (member.id_number, member.name_pinyin, member.name_initials) == (GB_EXAMPLE, "zhaolihua", "zlh")


def test_admin_change_keeps_the_stored_number_when_the_new_one_is_wrong(world, superuser_client):
    member = world.member_a
    url = reverse("admin:members_member_change", args=[member.pk])
    wrong = member.id_number[:17] + ("0" if member.id_number[17] != "0" else "1")
    data = admin_post(
        world,
        name=member.name,
        gender=member.gender,
        birth_date=member.birth_date.isoformat(),
        id_number=wrong,
        joined_on=member.joined_on.isoformat(),
        full_member_on=member.full_member_on.isoformat(),
        group=member.group_id,
        phone=member.phone,
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert idcard.ERR_CHECKSUM in response.content.decode()
    assert Member.objects.get(pk=member.pk).id_number == member.id_number
