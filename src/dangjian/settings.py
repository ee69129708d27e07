"""Settings read from the environment. Defaults give the SQLite demo; DANGJIAN_PRODUCTION=1 gives a hardened deploy.

Environment:
  DANGJIAN_PRODUCTION   1 for production (DEBUG off, secure cookies, HSTS; SECRET_KEY and ALLOWED_HOSTS required)
  SECRET_KEY            required in production
  ALLOWED_HOSTS         comma separated, required in production
  DATABASE_URL          e.g. postgres://user@host:5432/db; default SQLite file db.sqlite3
  SESSION_IDLE_MINUTES  idle session expiry, default 30
  SECOND_FACTOR_FOR_ADMINS  1: committee admins and superusers confirm each login with an authenticator app's
                        code (两步验证); default 1 in production, 0 in the demo
  ORG_TREE_EXPANDED_MAX  the org tree opens fully expanded for at most this many visible orgs (default 300); a
                        larger scope opens collapsed, each org's children loaded when expanded
  STATS_PRECOMPUTE_MIN_MEMBERS  member statistics of an org with at least this many members in register are computed
                        ahead every STATS_PRECOMPUTE_MINUTES (default 20000 and 10) by the task worker
  JOB_FILE_RETENTION_DAYS  uploaded rosters and generated exports are deleted this many days after their job
                        finished (default 7; the job's row is kept)
  JOB_HEARTBEAT_SECONDS, JOB_STALE_SECONDS, JOB_PICKUP_WARN_SECONDS  background jobs: how often a running job and the
                        worker report they are alive (default 5), when a running job whose reports stopped is marked
                        failed (60), when a job nobody has started tells its page the worker seems down (15)
  ACCOUNT_USERNAME_RULE  how logins made for members are named (members/accounts.py): "pinyin" (default), the name's
                        full pinyin, "wangxiaoming", with 2, 3, … on a clash; "id_tail", the initials and the ID
                        number's last 4, "wxm1234" (then 2, 3, …)
  DEBUG_TECHNICAL_ERRORS  1: with DEBUG, Django's technical 404/403/500 pages (URL patterns, tracebacks) instead of
                        the Chinese error pages the demo shows by default (core/errors.py)
  SCOPE_ENFORCE         1: a view that reads an org-scoped queryset nobody restricted fails (core/scope.py);
                        default: as DEBUG (on in the demo and the tests, off in production)
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if number <= 0:
        raise ImproperlyConfigured(f"{name} must be positive, got {number}")
    return number


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


PRODUCTION = env_bool("DANGJIAN_PRODUCTION")
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0)")

if PRODUCTION:
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random string of at least 50 characters in production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site is served on")
else:
    # Development and demo only; production refuses to start without its own key.
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "template_partials",
    "django_filters",
    "django_tables2",
    "huey.contrib.djhuey",
    "csp",  # Content-Security-Policy header (its checks refuse pre-4.0 settings)
    "ninja",  # serves its Swagger UI from its own static files (not a CDN)
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.members",
    "dangjian.meetings",
    "dangjian.fees",
    "dangjian.development",
    "dangjian.study",
    "dangjian.voice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files (answered above) keep their caching; everything else is no-store.
    "dangjian.core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "dangjian.core.sessions.SessionMiddleware",  # Django's, renewing idle expiry without a write per page
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dangjian.core.audit.AuditMiddleware",  # auditlog's, with the client IP of core.audit.client_ip
    "dangjian.core.middleware.ScopeGuardMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "dangjian.core.middleware.SecondFactorMiddleware",
    "dangjian.core.middleware.PasswordChangeMiddleware",  # initial and temporary passwords are changed first
    "axes.middleware.AxesMiddleware",
    # Last: the Chinese 404/403/500 pages with DEBUG too (the demo), unless DEBUG_TECHNICAL_ERRORS; idle without DEBUG.
    "dangjian.core.errors.FriendlyErrorsMiddleware",
]
DEBUG_TECHNICAL_ERRORS = env_bool("DEBUG_TECHNICAL_ERRORS", default=False)

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.shell",
            ],
        },
    },
]

SQLITE_BUSY_TIMEOUT_SECONDS = 30
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the writer proceed together on the demo database.
    # A writer waits up to `timeout` seconds for another's write transaction (a big import) instead of failing
    # with "database is locked" after Python's default 5.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: our heavy reads are grouped passes over every member (a summary, a list sorted by a
    # figure), estimated costly enough to be compiled, and compiling took longer than running them (0.9 s of 1.5 s
    # for study's whole-tree summary at L; the fees ledger's month before). Options given in DATABASE_URL win.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

ACCOUNT_USERNAME_RULES = ("pinyin", "id_tail")
ACCOUNT_USERNAME_RULE = os.environ.get("ACCOUNT_USERNAME_RULE", "") or "pinyin"
if ACCOUNT_USERNAME_RULE not in ACCOUNT_USERNAME_RULES:
    raise ImproperlyConfigured(f"ACCOUNT_USERNAME_RULE must be one of {', '.join(ACCOUNT_USERNAME_RULES)}")

#: 组织关系介绍信 validity in months (DOMAIN.md §2: 3 or 6 depending on the province), read by members.rules.
TRANSFER_LETTER_VALID_MONTHS = env_int("TRANSFER_LETTER_VALID_MONTHS", 3)
if not 1 <= TRANSFER_LETTER_VALID_MONTHS <= 12:
    raise ImproperlyConfigured("TRANSFER_LETTER_VALID_MONTHS must be 1..12 (usually 3 or 6)")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Idle expiry: the session dies after SESSION_IDLE_MINUTES without a request. Its database row is renewed by a request
# at most once a SESSION_RENEW_SECONDS (core/sessions.py), not written by every page view: on SQLite a write waits for
# any other writer (a big import), and a page that only reads must not.
SESSION_ENGINE = "dangjian.core.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_RENEW_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: 5 failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# django-ipware is not installed, so axes keys on REMOTE_ADDR (AXES_IPWARE_* would be ignored). Behind the reverse
# proxy that is the proxy's address: the lockout is then per account, and X-Forwarded-For cannot dodge it.

# Two-step login (django-otp, TOTP): required of committee admins and superusers when on (core/second_factor.py).
SECOND_FACTOR_FOR_ADMINS = env_bool("SECOND_FACTOR_FOR_ADMINS", default=PRODUCTION)
OTP_TOTP_ISSUER = "机关党建工作管理系统"

# Unrestricted scoped querysets read by a view raise (core/scope.py): a forgotten visible_to() fails in development.
SCOPE_ENFORCE = env_bool("SCOPE_ENFORCE", default=DEBUG)

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# The audit log's IP (core.audit.client_ip): REMOTE_ADDR, unless our own reverse proxy sits in front (production's
# nginx, which also sets X-Forwarded-Proto for SECURE_PROXY_SSL_HEADER) and appends the client's address to
# X-Forwarded-For: then the last address in that header. Off, a client's X-Forwarded-For is never believed.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", default=PRODUCTION)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Project catalog first: it fills messages Django's zh_Hans catalog lacks (see locale/zh_Hans/.../django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves collected files (collectstatic); development serves straight from the app folders.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles")) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # FileSystemStorage that keeps MEDIA_ROOT itself 0700 (the file and directory modes below do the rest).
    "default": {"BACKEND": "dangjian.core.storage.PrivateFileStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Uploaded imports and generated exports: private files, served only through scoped views (never by URL).
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", PROJECT_DIR / "var"))
MEDIA_ROOT = VAR_DIR / "files"
VAR_DIR.mkdir(parents=True, exist_ok=True)  # Huey's SQLite file and MEDIA_ROOT live here
# They hold full ID numbers: readable by the server's own user alone, and deleted after a retention period
# (core/tasks.py delete_expired_job_files).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
JOB_FILE_RETENTION_DAYS = env_int("JOB_FILE_RETENTION_DAYS", 7)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Imported files (the roster): bounded before any parser sees them, then parsed in a child process with memory and
# time limits (core/lib/filecheck.py, core/lib/workbooks.py). The defaults fit the biggest real roster with room to
# spare: 200,000 rows; a 100,000-row roster of 18 columns is an 11 MB .xlsx holding a 78 MB sheet.
IMPORT_MAX_FILE_MB = env_int("IMPORT_MAX_FILE_MB", 50)  # the upload form's limit, and the command line's
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 200)
IMPORT_MAX_UNCOMPRESSED_MB = env_int("IMPORT_MAX_UNCOMPRESSED_MB", 512)  # a zip's members inflated, together
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)  # per member of 1 MB or more
IMPORT_PARSE_MEMORY_MB = env_int("IMPORT_PARSE_MEMORY_MB", 2048)  # what the parse may add to the child's size
IMPORT_PARSE_SECONDS = env_int("IMPORT_PARSE_SECONDS", 120)  # the child's CPU time, and each wait for it

# Background work (long imports, exports): SQLite-backed Huey by default, Redis when REDIS_URL is set.
# HUEY_IMMEDIATE=1 runs tasks inline (tests; a demo without a consumer).
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "dangjian",
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "immediate": env_bool("HUEY_IMMEDIATE", False),
    "connection": {"url": REDIS_URL} if REDIS_URL else {"filename": str(VAR_DIR / "huey.sqlite3")},
    "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
}
# A running job's row gets heartbeat_at (and its progress) every JOB_HEARTBEAT_SECONDS from a thread in the worker;
# the worker process writes its own heartbeat as often into Huey's storage (core/workers.py). A running job whose
# heartbeat is older than JOB_STALE_SECONDS, and whose worker is not alive, is marked failed. A job still pending
# after JOB_PICKUP_WARN_SECONDS tells its page whether the worker seems to be down.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 5)
JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 60)
JOB_PICKUP_WARN_SECONDS = env_int("JOB_PICKUP_WARN_SECONDS", 15)

# Member statistics of big scopes (the whole tree of a provincial committee) are computed ahead by a periodic task
# and shown with their time; smaller scopes are always counted live. Computed figures older than three periods
# (a stopped worker) are not shown: the page counts live instead.
STATS_PRECOMPUTE_MIN_MEMBERS = env_int("STATS_PRECOMPUTE_MIN_MEMBERS", 20000)
STATS_PRECOMPUTE_MINUTES = env_int("STATS_PRECOMPUTE_MINUTES", 10)
# The org tree shows every org expanded up to this many visible orgs; a larger scope opens collapsed below its top
# orgs' children, each org's children loaded on demand (orgs/selectors.py tree_page).
ORG_TREE_EXPANDED_MAX = env_int("ORG_TREE_EXPANDED_MAX", 300)

# Organisational life (meetings). A QR sign-in link lives this many seconds (the projector redraws it every 30 s,
# so a photo sent home expires); members sign in from EARLY minutes before the start to GRACE minutes after the end.
MEETING_SIGNIN_TOKEN_SECONDS = env_int("MEETING_SIGNIN_TOKEN_SECONDS", 120)
MEETING_SIGNIN_EARLY_MINUTES = env_int("MEETING_SIGNIN_EARLY_MINUTES", 30)
MEETING_SIGNIN_GRACE_MINUTES = env_int("MEETING_SIGNIN_GRACE_MINUTES", 30)
MEETING_ATTACHMENT_MAX_MB = env_int("MEETING_ATTACHMENT_MAX_MB", 20)
# 党课 a branch owes per year: 支部条例 sets no number, local rules range from 2 to 4 (DOMAIN.md §3); a divisor of 12.
MEETING_LECTURES_PER_YEAR = env_int("MEETING_LECTURES_PER_YEAR", 4)

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files (the vendored
# Bootstrap, HTMX, ECharts, ninja's Swagger UI) or an element carrying the request's nonce (`{{ request.csp_nonce }}`;
# none is needed today); no inline event handlers, no style attributes, no eval, nothing from another origin. The
# statistics page alone allows style attributes (ECharts writes them; members.views.member_stats_view).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],  # Bootstrap's icons in its CSS (select arrows, toggler) are data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
