"""Test settings: fast hasher, local-memory cache. The database comes from DATABASE_URL like everywhere else."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
HUEY = {**HUEY, "immediate": True}  # noqa: F405  (tasks run inline, inside the test's transaction)
SECOND_FACTOR_FOR_ADMINS = False  # on for its own tests (core/tests/test_second_factor.py)
SCOPE_ENFORCE = True  # every view test also checks that the view restricted what it read
