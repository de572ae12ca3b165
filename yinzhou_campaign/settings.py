"""Settings for the Yinzhou work-safety campaign task system.

One settings module, driven by environment variables (see docs/configuration.md).
Production differs from development by its environment, not by code:

    DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=aqsc.yinzhou.gov DATABASE_URL=postgres://...

With nothing set, the app runs in production mode but refuses to start without a
real SECRET_KEY; `make run` sets DEBUG=1 for a newcomer's machine.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A string setting; `NAME_FILE` (a path to a file holding the value) wins, for secrets."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A development key only ever used with DEBUG on; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG is off "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "audit.admin_config.AuditedAdminConfig",  # the admin: superusers only, every edit audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # JSON API docs: Swagger UI served from our own static files
    "django_filters",
    "import_export",
    # Our apps. Dependencies point one way: audit <- departments <- tasks <- reports.
    "audit",
    "departments",
    "sso",  # 统一身份认证 (OIDC) sign-in, bound to accounts through departments.identities (issue 21)
    "tasks",
    "reports",
    "indicators",  # the plan's numeric targets and their actual values (depends on tasks, reports)
    "api",
    "reminders",  # deadline and reporting reminders (depends on departments, tasks, reports)
    # Dashboard and quarterly rollups (depends on departments, tasks, reports; never the reverse).
    "dashboard",
    "zwding",  # 浙政钉 sign-in (scan, 免登) and the work-notice client (depends on departments)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "departments.middleware.ForcePasswordChangeMiddleware",  # one-time passwords (系统管理 · 账号)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "yinzhou_campaign.urls"

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
                "reminders.context_processors.notifications",  # reminders: the navbar bell's unread count
                "zwding.context_processors.zwding",  # 浙政钉扫码登录 on the login page when configured
            ],
            # {% navbar %}: the navbar, kept per kind of reader (issue 20)
            "libraries": {"navbar": "yinzhou_campaign.navbar"},
        },
    },
]

WSGI_APPLICATION = "yinzhou_campaign.wsgi.application"

# Database: an embedded SQLite file unless DATABASE_URL says otherwise (production: PostgreSQL).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite is for a newcomer's machine only; persistent connections buy nothing there.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # A page must fail fast with a clear error page, not hang, when the database is unreachable.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    # Benchmark (flows): no JIT. The dashboard's aggregates are one big query with many correlated
    # subqueries; their cost estimate passes jit_above_cost and PostgreSQL spent 2.8 s of 3.2 s
    # compiling 2,156 functions for a 72-task campaign (EXPLAIN ANALYZE, docs/benchmarks.md).
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "departments.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database, never in Redis: a broker outage must not log anyone out.
# Django's database store, reading the row in plain SQL (ops/sessions.py, issue 20).
SESSION_ENGINE = "ops.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"


LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
# In development runserver serves from the apps' folders; in production run collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: Django has no cap by default; refuse large request bodies outright.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# A .docx/.xlsx attachment is a zip: what it may unpack to, counted while inflating (reports/attachments.py).
ATTACHMENT_MAX_UNPACKED_BYTES = env_int("ATTACHMENT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security. Each of these is what `check --deploy` asks for; all can be tuned by environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# E-mail (reminders). Console backend in development.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "鄞州区安委办 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Public base address, used for links in e-mails and robot messages sent by jobs.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

# The 通报 (dashboard.circular): issuing organ, 文号 prefix, and the defaults of 主送, 抄送 and
# 印发机关 that the office can change on the page before downloading (docs/configuration.md).
CIRCULAR_ISSUER = env("CIRCULAR_ISSUER", "鄞州区安全生产委员会办公室")
CIRCULAR_NUMBER_PREFIX = env("CIRCULAR_NUMBER_PREFIX", "鄞安委办")
CIRCULAR_RECIPIENTS = env("CIRCULAR_RECIPIENTS", "区安委会各成员单位,各镇人民政府、街道办事处:")
CIRCULAR_CC = env("CIRCULAR_CC", "区委办、区政府办,区安委会主任、副主任。")
CIRCULAR_PRINTER = env("CIRCULAR_PRINTER", CIRCULAR_ISSUER)

# Celery on Redis. The broker may be down or hang: bounded timeouts, so that a page that
# queues a job never blocks for minutes (kombu's defaults have no socket timeout).
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# Faults (ops): how long an unacknowledged job waits before Redis gives it to another worker
# (a worker killed mid-job). Must exceed the longest job; lowered only by the fault tests.
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
# Time limits of every job (seconds): at the soft limit the job gets SoftTimeLimitExceeded (and
# can log and give up cleanly), at the hard one its worker process is killed and replaced. The
# longest job (a city-scale rollup or Excel import) takes minutes; a job stuck on a dead socket
# must not hold a worker for ever. The hard limit stays below the visibility timeout, else Redis
# hands a still-running job to a second worker.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 900)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 960)
# Periodic jobs are registered here by the apps that own them (see yinzhou_campaign/celery.py).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}


def _redis_neighbour_db(url: str) -> str:
    """The same Redis server as `url`, next database number (the last one's neighbour is below it)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{number + 1 if number < 15 else number - 1}"))


# The cache is shared by the web processes and the Celery worker: the worker builds the
# dashboard's all-campaigns overview and the pages read it (dashboard/caching.py). Same Redis
# as the broker, but its own database number, so that clearing the cache never drops a job.
# Short timeouts: a page falls back to computing if Redis does not answer.
CACHE_URL = env("CACHE_URL", _redis_neighbour_db(REDIS_URL))


def _redis_same_db(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    return (first.hostname, first.port or 6379, first.path.strip("/") or "0") == (
        second.hostname, second.port or 6379, second.path.strip("/") or "0"
    )


if _redis_same_db(CACHE_URL, CELERY_BROKER_URL):
    raise ImproperlyConfigured(
        "CACHE_URL must not be the broker's Redis database: clearing the cache would drop queued jobs."
    )
CACHES = {
    "default": {
        "BACKEND": "yinzhou_campaign.redis_cache.RedisCache",  # one client per pool (issue 20)
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "yz",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

# Reminders: the daily scan at REMINDER_TIME (HH:MM, Asia/Shanghai via CELERY_TIMEZONE); an optional
# global group-chat robot (DingTalk/WeCom) for everyone whose unit has no webhook of its own.
REMINDER_TIME = env("REMINDER_TIME", "08:30")
REMINDER_WEBHOOK_URL = env("REMINDER_WEBHOOK_URL")
# Channels digests and event notices go out on besides the in-app bell: module names under
# reminders/channels/ (email, webhook) or dotted paths of other channel modules (reminders/channels/__init__.py).
REMINDER_CHANNELS = env_list("REMINDER_CHANNELS", "email,webhook")
# The working calendar (office overrides first, then the statutory one), for pages of apps that may
# not import reminders (reports' 督办 list: 签收 is due one working day after a demand).
WORKING_CALENDAR = "reminders.workdays.WorkingCalendar"
try:
    _reminder_hour, _reminder_minute = (int(part) for part in REMINDER_TIME.split(":"))
    if not (0 <= _reminder_hour < 24 and 0 <= _reminder_minute < 60):
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(f"REMINDER_TIME must be HH:MM (e.g. 08:30), got {REMINDER_TIME!r}") from None
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["reminders-daily"] = {
    "task": "reminders.send_daily_reminders",
    "schedule": crontab(hour=_reminder_hour, minute=_reminder_minute),
}

# Dashboard: every morning, build the quarterly rollup (季度汇总) of each period whose report
# due date has passed and that has none yet (also catches up requests lost to a broker outage).

CELERY_BEAT_SCHEDULE["dashboard-build-due-rollups"] = {
    "task": "dashboard.jobs.build_due_rollups",
    "schedule": crontab(hour=6, minute=30),
}
# The all-campaigns overview (dashboard/caching.py): rebuilt in the background when its data
# changed, so pages read it ready-made. A view finding it outdated serves it — marked as
# updating — for at most DASHBOARD_STALE_SECONDS and queues a rebuild; older, it computes.
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 300)
DASHBOARD_STALE_SECONDS = env_int("DASHBOARD_STALE_SECONDS", 900)
CELERY_BEAT_SCHEDULE["dashboard-refresh-overview"] = {
    "task": "dashboard.jobs.refresh_overview",
    "schedule": float(DASHBOARD_REFRESH_SECONDS),
    "options": {"expires": DASHBOARD_REFRESH_SECONDS - 10},
}

REST_FRAMEWORK = {
    # One edge for JSON (api/base.py): a token first (401 with WWW-Authenticate), then the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.HashedTokenAuthentication",  # API tokens stored as digests (api/models.py)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "鄞州区安全生产治本攻坚行动任务管理系统 API",
    "DESCRIPTION": "任务清单、进展报送与审核的接口。浏览器使用会话认证,程序使用 `Authorization: Token …`。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page describe an internal government system: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_AUTHENTICATION": [
        "api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Every error (400/401/403/404/409) documented with its one shape (api/schema.py, api/exceptions.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.document_errors"],
}

# JSON API (api/): the docs page loads Swagger UI from the drf-spectacular-sidecar package's
# static files, never from a CDN (intranets have no internet).
SPECTACULAR_SETTINGS.update(
    {
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        "ENUM_NAME_OVERRIDES": {
            "ReportStateEnum": "reports.models.ReportState",
            "ProgressStatusEnum": "reports.models.ProgressStatus",
            "DeadlineKindEnum": "tasks.models.DeadlineKind",
            "TaskStateEnum": "reports.status.TaskState",
            "AssignmentRoleEnum": "tasks.models.AssignmentRole",
            "ReviewDecisionEnum": "reports.models.ReviewDecision",
            "ExtensionDecisionEnum": "api.governance.EXTENSION_DECISIONS",
        },
    }
)

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Excel import of the task list (tasks/excel): upload limit, unpacked-size and member-count limits
# checked before any parser runs (zip bombs), and the size up to which a file is read inline.
TASK_IMPORT_MAX_BYTES = env_int("TASK_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
TASK_IMPORT_MAX_UNPACKED_BYTES = env_int("TASK_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
TASK_IMPORT_MAX_ZIP_MEMBERS = env_int("TASK_IMPORT_MAX_ZIP_MEMBERS", 500)
# Each worksheet's extent, counted while inflating (tasks/excel/sheet_budget.py): the annex has 72
# tasks, a city's list a few thousand; 20,000 rows × 50 columns bounds what the reader allocates.
TASK_IMPORT_MAX_ROWS = env_int("TASK_IMPORT_MAX_ROWS", 20_000)
TASK_IMPORT_MAX_COLUMNS = env_int("TASK_IMPORT_MAX_COLUMNS", 50)
TASK_IMPORT_MAX_CELLS = env_int("TASK_IMPORT_MAX_CELLS", 200_000)
TASK_IMPORT_INLINE_MAX_BYTES = env_int("TASK_IMPORT_INLINE_MAX_BYTES", 256 * 1024)

# --- Hardening and operations (ops app; issue 9) -------------------------------------------
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes", "ops"]
# Request logs wrap everything (true duration); the CSP goes on every response; a view that
# loses the database answers 503; django-axes must come last (it turns its flag into a page).
MIDDLEWARE.insert(0, "ops.middleware.RequestLogMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "ops.middleware.ContentSecurityPolicyMiddleware")
MIDDLEWARE += ["ops.middleware.DatabaseUnavailableMiddleware", "axes.middleware.AxesMiddleware"]

# Login lock-out per (account, address) pair, never per address alone: all departments reach us
# through one government NAT address, and one attacker must not lock them all out.
AUTHENTICATION_BACKENDS = [
    "ops.auth_backends.LockoutBackend",
    # Django's ModelBackend, loading each request's account with its unit in one query (issue 20);
    # sessions signed in under the old path are carried over by departments migration 0005.
    "departments.auth_backends.AccountBackend",
    # 浙政钉: a bound identity only (departments.identities); its views call it directly (zwding/views.py).
    "zwding.backends.ZwdingBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "ops.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "audit.net.client_ip"
# Behind our nginx (deploy/nginx.conf), which overwrites X-Real-IP with the real client address.
# The header is believed only from these direct peers (addresses or networks; audit/net.py).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as _error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error} (addresses or networks, comma-separated)") from None

# Content-Security-Policy: no inline scripts or styles anywhere (Django 5.2's admin needs none).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Structured logs: one JSON line per request/job/reminder (ops/logs.py); LOG_FORMAT=plain to read by eye.
LOGGING["formatters"]["json"] = {"()": "ops.logs.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# One handler for Django's own loggers: Django's default config gives "django" a console handler
# of its own under DEBUG, and the record then also reached ours through the root (every 403 and
# 404 printed twice with `make run`); a 403's traceback is dropped (ops.logs.ForbiddenWithoutTraceback).
LOGGING["filters"] = {"forbidden_without_traceback": {"()": "ops.logs.ForbiddenWithoutTraceback"}}
LOGGING["loggers"]["django"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
LOGGING["loggers"]["django.request"] = {"filters": ["forbidden_without_traceback"]}

# Liveness: beat sends the heartbeat every minute, the worker records it (ops.jobs, /healthz).
CELERY_BEAT_SCHEDULE["ops-heartbeat"] = {
    "task": "ops.jobs.heartbeat",
    "schedule": 60.0,
    "options": {"expires": 50},
}

# 浙政钉 (docs/zwding.md): sign-in by scan and 免登, and 工作通知 (REMINDER_CHANNELS=…,zwding). Off unless
# ZWDING_ENABLED and the application's key and secret are set; the SaaS test environment and the
# production platform differ only by these values.
ZWDING_API_HOST = env("ZWDING_API_HOST", "https://openplatform-pro.ding.zj.gov.cn")
ZWDING_LOGIN_HOST = env("ZWDING_LOGIN_HOST", "https://login-pro.ding.zj.gov.cn")
ZWDING_APP_KEY = env("ZWDING_APP_KEY")
ZWDING_APP_SECRET = env("ZWDING_APP_SECRET")
ZWDING_TENANT_ID = env("ZWDING_TENANT_ID")
ZWDING_ORGANIZATION_CODE = env("ZWDING_ORGANIZATION_CODE")  # work notices; defaults to the tenant id
ZWDING_CALLBACK_URL = env("ZWDING_CALLBACK_URL") or SITE_URL.rstrip("/") + "/accounts/zwding/callback/"
ZWDING_ENABLED = env_bool("ZWDING_ENABLED", False) and bool(ZWDING_APP_KEY and ZWDING_APP_SECRET)
ZWDING_TIMEOUT = env_int("ZWDING_TIMEOUT", 8)
# Work notices per person and day this system sends at most (the platform has its own limit too).
ZWDING_NOTICE_DAILY_LIMIT = env_int("ZWDING_NOTICE_DAILY_LIMIT", 20)
# Longest work-notice body (characters); longer digests are sent in their short form with a link.
ZWDING_NOTICE_MAX_LENGTH = env_int("ZWDING_NOTICE_MAX_LENGTH", 1000)
# The platform's error codes meaning "limit reached" and "token no longer valid".
ZWDING_LIMIT_CODES = env_list("ZWDING_LIMIT_CODES", "RATE_LIMIT,DAILY_LIMIT,MSG_LIMIT")
ZWDING_TOKEN_CODES = env_list("ZWDING_TOKEN_CODES", "INVALID_ACCESS_TOKEN,TOKEN_EXPIRED")
# The 免登 page's JSAPI (gdt-jsapi bundled into static/, docs/zwding.md); empty: only the container's `dd`.
ZWDING_JSAPI_STATIC = env("ZWDING_JSAPI_STATIC")
if env_bool("ZWDING_ENABLED", False) and not ZWDING_ENABLED:
    raise ImproperlyConfigured("ZWDING_ENABLED is on but ZWDING_APP_KEY or ZWDING_APP_SECRET is empty (docs/zwding.md).")

# --- 统一身份认证 (OIDC) sign-in (sso app, issue 21; docs/oidc.md) ---------------------------------
# Off unless configured. The provider's endpoints are given explicitly (`manage.py oidc_discover URL`
# prints them from its discovery document), so that no page depends on the provider at start-up.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER")  # checked against the ID token's `iss` when set
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT")  # optional: the name often comes from there
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid profile")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("OIDC_TOKEN_USE_BASIC_AUTH", False)  # client_secret_basic vs _post
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)  # seconds per call to the provider; a hung provider is "down"
# A government CA the system's certificate store does not know: the path of its PEM bundle.
OIDC_VERIFY_SSL = env("OIDC_CA_BUNDLE") or env_bool("OIDC_VERIFY_SSL", True)
OIDC_CREATE_USER = False  # binding, never auto-creation (departments/identities.py)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
if OIDC_ENABLED:
    _oidc_missing = [name for name in ("OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET", "OIDC_OP_AUTHORIZATION_ENDPOINT",
                                       "OIDC_OP_TOKEN_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT") if not globals()[name]]
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_ENABLED is on but these are not set: {', '.join(_oidc_missing)} (docs/oidc.md)")
# Always listed (it answers nothing while OIDC is off), so that turning OIDC on needs no other change.
AUTHENTICATION_BACKENDS += ["sso.backends.OIDCBackend"]
