"""Extension points: the modules an app may have, found the way Django finds admin.py.

An app adds itself to the project by having these modules; nothing in core or any central list names it. Its
one line in settings.INSTALLED_APPS (Django's own list of apps) is the whole registration.

    capabilities.py  capabilities the app adds, with the roles that hold them (core.roles.register_capability)
    nav.py           its navigation entries (core.shell.nav_item)
    reminders.py     待办 producers (core.reminders.reminder_producer)
    home.py          panels of the home page (core.home.home_panel): a module's workbench
    jobs.py          background job handlers (core.jobs.job_handler)
    tasks.py         Huey periodic tasks (run_huey also finds them by this name)
    urls.py          its pages, mounted under its AppConfig.url_prefix (dangjian/urls.py: app_urls)
    api.py           its `router`, mounted at /api/v1/<url_prefix> (dangjian/api.py: app_routers); a resource that
                     is not the app's own (the compliance of every org) in `mounts` = {"path": router}, at /api/v1/path
    scale.py, demo.py  its producers of the data sets L and S (found by seed-scale and seed_demo)

An app may offer an extension point of its own to the apps above it: it names the module on its AppConfig
(`extension_modules = ("membership",)`) and the module is found like the ones above.
"""

from collections.abc import Iterator
from importlib import import_module

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import autodiscover_modules, module_has_submodule

#: The modules core asks every app for; imported once, at start-up (CoreConfig.ready).
CORE_EXTENSION_MODULES = ("capabilities", "nav", "reminders", "home", "jobs", "tasks")


def extension_modules() -> list[str]:
    """Core's extension modules and those the installed apps offer, in INSTALLED_APPS order."""
    names = list(CORE_EXTENSION_MODULES)
    for config in apps.get_app_configs():
        names += [name for name in getattr(config, "extension_modules", ()) if name not in names]
    return names


def discover() -> None:
    """Import every app's extension modules: each registers what it adds."""
    autodiscover_modules(*extension_modules())


def _apps_with_pages() -> Iterator:
    return (config for config in apps.get_app_configs() if getattr(config, "url_prefix", None) is not None)


def app_urls() -> list[URLPattern | URLResolver]:
    """Each app's urls.py, under the prefix its AppConfig declares (`url_prefix = "members/"`)."""
    return [
        path(config.url_prefix, include(f"{config.name}.urls"))
        for config in _apps_with_pages()
        if module_has_submodule(config.module, "urls")
    ]


def app_routers() -> list[tuple[str, object]]:
    """(mount path, router) of each app whose api.py has a `router`: /api/v1/ + the app's url_prefix; and its
    `mounts`, each at /api/v1/ + its path."""
    routers = []
    for config in _apps_with_pages():
        if not module_has_submodule(config.module, "api"):
            continue
        module = import_module(f"{config.name}.api")
        router = getattr(module, "router", None)
        if router is not None:
            routers.append(("/" + config.url_prefix.strip("/"), router))
        routers += [("/" + path.strip("/"), mounted) for path, mounted in getattr(module, "mounts", {}).items()]
    return routers
