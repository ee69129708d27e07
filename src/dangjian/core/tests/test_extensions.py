"""Extension points are found per app (core.extensions), as Django finds admin.py: no central list names an app."""

import sys

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import module_has_submodule

from dangjian.core import roles
from dangjian.core.extensions import CORE_EXTENSION_MODULES, app_routers, extension_modules
from dangjian.core.jobs import job_start
from dangjian.core.roles import Role, register_capability
from dangjian.orgs.capabilities import MANAGE_ORGS
from dangjian.orgs.membership import membership


def test_every_apps_extension_modules_are_imported_at_start_up():
    found = [
        f"{config.name}.{name}"
        for config in apps.get_app_configs()
        for name in extension_modules()
        if module_has_submodule(config.module, name)
    ]
    for expected in (
        "dangjian.core.nav",
        "dangjian.orgs.nav",
        "dangjian.members.nav",
        "dangjian.orgs.reminders",
        "dangjian.members.jobs",
        "dangjian.members.tasks",
        "dangjian.orgs.capabilities",
        "dangjian.members.membership",
    ):
        assert expected in found
    assert [name for name in found if name not in sys.modules] == []


def test_an_app_offers_an_extension_point_by_naming_its_module():
    assert extension_modules()[: len(CORE_EXTENSION_MODULES)] == list(CORE_EXTENSION_MODULES)
    assert "membership" in extension_modules()  # OrgsConfig.extension_modules


def test_pages_are_mounted_under_each_apps_url_prefix():
    assert reverse("core:grants") == "/grants/"
    assert reverse("orgs:tree").startswith("/orgs/")
    assert reverse("members:list").startswith("/members/")


def test_api_routers_are_found_in_each_apps_api_module():
    assert [prefix for prefix, _ in app_routers()] == [
        "/orgs",
        "/members",
        "/meetings",
        "/compliance",
        "/fees",
        "/development",
        "/study",
        "/voice",
    ]


@pytest.mark.django_db
def test_the_members_job_handlers_are_registered_from_its_jobs_module(world):
    for kind in ("members.export", "members.import"):
        assert job_start(acting_user=world.admin, kind=kind, title="t", params={}).kind == kind


def test_the_members_app_fills_the_orgs_membership_point():
    assert type(membership()).__module__ == "dangjian.members.membership"


def test_an_apps_capability_goes_to_the_roles_it_names(monkeypatch):
    monkeypatch.setattr(roles, "CAPABILITIES", dict(roles.CAPABILITIES))
    monkeypatch.setattr(roles, "CAPABILITY_LABELS", dict(roles.CAPABILITY_LABELS))
    code = register_capability("manage_fees", "管理党费", roles=[Role.COMMITTEE_ADMIN])
    assert code in roles.CAPABILITIES[Role.COMMITTEE_ADMIN]
    assert code not in roles.CAPABILITIES[Role.SECRETARY]
    assert roles.Capability.VIEW in roles.CAPABILITIES[Role.COMMITTEE_ADMIN], "core's own stay"
    assert register_capability("manage_fees", "管理党费", roles=[]) == code  # the same twice is harmless
    with pytest.raises(ImproperlyConfigured):
        register_capability("manage_fees", "别的意思", roles=[])


@pytest.mark.django_db
def test_manage_orgs_is_registered_by_orgs_for_admins_and_secretaries(world):
    assert world.admin.can(MANAGE_ORGS) and world.secretary_a.can(MANAGE_ORGS, world.branch_a.path)
    assert not world.committee_member_a.can(MANAGE_ORGS)
    assert not world.inspector.can(MANAGE_ORGS)


@pytest.mark.django_db
def test_the_home_page_shows_the_registered_panels_in_order_and_only_to_whom_they_answer(
    world, client_for, monkeypatch
):
    from dangjian.core import home

    monkeypatch.setattr(home, "_panels", [])

    @home.home_panel
    def later(user):
        return home.Panel("core/tests/panel.html", {"text": "第二块"}, order=60)

    @home.home_panel
    def first(user):
        return home.Panel("core/tests/panel.html", {"text": "第一块"}, order=10) if user == world.admin else None

    page = client_for(world.admin).get(reverse("core:home")).content.decode()
    assert page.index("第一块") < page.index("第二块")
    page = client_for(world.secretary_a).get(reverse("core:home")).content.decode()
    assert "第一块" not in page and "第二块" in page
