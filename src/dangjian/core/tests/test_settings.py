"""Settings: the production configuration passes `check --deploy`, refuses to start half-configured, and the env
helpers refuse bad values. Production settings are loaded in a subprocess, since settings are read once per process."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dangjian import settings as project_settings
from dangjian.settings import env_bool, env_int, env_list

HOST = "dangjian.example.gov.cn"

#: Every environment variable settings.py reads, so the developer's own environment cannot leak into a run.
_SOURCE = Path(project_settings.__file__).read_text()
SETTINGS_ENV = set(re.findall(r'(?:os\.environ\.get|env_\w+)\("(\w+)"', _SOURCE)) | {
    "DATABASE_URL",  # read by dj_database_url
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests in this process; never in a deployment
}


def run_dangjian(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    clean |= {"DJANGO_SETTINGS_MODULE": "dangjian.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "dangjian", *args],
        env=clean | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production() -> dict[str, str]:
    return {"DANGJIAN_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(48), "ALLOWED_HOSTS": HOST}


def test_settings_env_covers_what_settings_reads():
    expected = {"DANGJIAN_PRODUCTION", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SESSION_IDLE_MINUTES"}
    assert expected <= SETTINGS_ENV


def test_check_deploy_is_clean_in_production(production, tmp_path):
    assert len(production["SECRET_KEY"]) == 64
    result = run_dangjian("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_production_turns_two_step_login_off(production, tmp_path):
    production["SECOND_FACTOR_FOR_ADMINS"] = "0"
    result = run_dangjian("check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **production)
    assert result.returncode != 0
    assert "(dangjian.W001) 生产环境关闭了管理员两步验证" in result.stdout + result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings as s
names = [
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE",
    "SESSION_ENGINE", "SESSION_RENEW_SECONDS", "CSRF_TRUSTED_ORIGINS", "ALLOWED_HOSTS", "X_FRAME_OPTIONS",
    "AXES_FAILURE_LIMIT", "SECOND_FACTOR_FOR_ADMINS",
]
print(json.dumps({name: getattr(s, name) for name in names}))
"""


def test_production_turns_on_secure_cookies_and_hsts(production, tmp_path):
    result = run_dangjian("shell", "--no-imports", "-c", PRINT_SETTINGS, tmp_path=tmp_path, **production)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 30 * 60,
        "SESSION_ENGINE": "dangjian.core.sessions",  # idle expiry renewed at most once a minute (core/sessions.py)
        "SESSION_RENEW_SECONDS": 60,
        "CSRF_TRUSTED_ORIGINS": [f"https://{HOST}"],
        "ALLOWED_HOSTS": [HOST],
        "X_FRAME_OPTIONS": "DENY",
        "AXES_FAILURE_LIMIT": 5,
        "SECOND_FACTOR_FOR_ADMINS": True,
    }


@pytest.mark.parametrize(("env", "expected"), [({}, "False"), ({"SECOND_FACTOR_FOR_ADMINS": "1"}, "True")])
def test_the_demo_asks_admins_for_a_code_only_when_told(tmp_path, env, expected):
    code = "from django.conf import settings; print(settings.SECOND_FACTOR_FOR_ADMINS)"
    result = run_dangjian("shell", "--no-imports", "-c", code, tmp_path=tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_idle_minutes_come_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = run_dangjian("shell", "--no-imports", "-c", code, tmp_path=tmp_path, SESSION_IDLE_MINUTES="45")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(45 * 60)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 49}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list"),
        ({"DANGJIAN_PRODUCTION": "yes please"}, "DANGJIAN_PRODUCTION must be a boolean"),
        ({"SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES must be an integer"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be positive"),
        ({"DEBUG": "1"}, "DEBUG must be off in production"),
    ],
)
def test_production_refuses_to_start_half_configured(env, message, production, tmp_path):
    result = run_dangjian("check", tmp_path=tmp_path, **(production | env))
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: " + message in result.stderr


def test_demo_starts_without_any_configuration(tmp_path):
    result = run_dangjian("check", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


# --- helpers, in process ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("On", True), ("0", False), ("no", False)])
def test_env_bool_reads_booleans(raw, expected, monkeypatch):
    monkeypatch.setenv("DANGJIAN_TEST_FLAG", raw)
    assert env_bool("DANGJIAN_TEST_FLAG") is expected


@pytest.mark.parametrize("raw", [None, ""])
def test_env_bool_defaults_when_unset_or_empty(raw, monkeypatch):
    if raw is None:
        monkeypatch.delenv("DANGJIAN_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("DANGJIAN_TEST_FLAG", raw)
    assert env_bool("DANGJIAN_TEST_FLAG") is False
    assert env_bool("DANGJIAN_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["2", "maybe", "y", "enabled"])
def test_env_bool_refuses_other_values(raw, monkeypatch):
    monkeypatch.setenv("DANGJIAN_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_TEST_FLAG must be a boolean"):
        env_bool("DANGJIAN_TEST_FLAG")


def test_env_int_reads_integers_and_defaults(monkeypatch):
    monkeypatch.delenv("DANGJIAN_TEST_NUMBER", raising=False)
    assert env_int("DANGJIAN_TEST_NUMBER", 30) == 30
    monkeypatch.setenv("DANGJIAN_TEST_NUMBER", "")
    assert env_int("DANGJIAN_TEST_NUMBER", 30) == 30
    monkeypatch.setenv("DANGJIAN_TEST_NUMBER", "45")
    assert env_int("DANGJIAN_TEST_NUMBER", 30) == 45


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "must be an integer"),
        ("1.5", "must be an integer"),
        ("0", "must be positive"),
        ("-5", "must be positive"),
    ],
)
def test_env_int_refuses_bad_values(raw, message, monkeypatch):
    monkeypatch.setenv("DANGJIAN_TEST_NUMBER", raw)
    with pytest.raises(ImproperlyConfigured, match=f"DANGJIAN_TEST_NUMBER {message}"):
        env_int("DANGJIAN_TEST_NUMBER", 30)


def test_env_list_splits_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("DANGJIAN_TEST_LIST", " a.example.cn, ,b.example.cn,")
    assert env_list("DANGJIAN_TEST_LIST") == ["a.example.cn", "b.example.cn"]
    monkeypatch.delenv("DANGJIAN_TEST_LIST")
    assert env_list("DANGJIAN_TEST_LIST") == []


def test_test_settings_run_the_demo_configuration(settings):
    assert not project_settings.PRODUCTION
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
