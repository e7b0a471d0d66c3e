"""Settings, read from the environment. Defaults are the embedded stack: SQLite and Celery's
filesystem broker under var/, so a fresh clone runs with no servers."""

import datetime
import math
import os
import secrets
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONCALL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    """A switch: 1/true/yes/on or 0/false/no/off (any case; empty is false). Any other word is
    refused at start-up, naming the variable: a typo never silently turns a switch off."""
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"", "0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}."
    )


def env_number(name: str, default: float, *, least: float | None = None) -> float:
    """A number of the default's kind (a whole number for an int), at least `least` (0 unless
    given); anything else is refused at start-up, naming the variable."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    least = type(default)(0) if least is None else least
    try:
        number = type(default)(value.strip())
    except ValueError:
        number = None
    if number is None or not math.isfinite(number) or number < least:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ImproperlyConfigured(f"{name} must be {kind} of at least {least}, not {value!r}.")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _embedded_secret_key() -> str:
    """A per-checkout key kept under var/, so no secret is ever committed."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "oncall_project.devserver",  # first: its runserver is the one `manage.py runserver` runs
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "django_htmx",
    "simple_history",
    "axes",
    "oncall_project",
    "oncall_project.signin",
    "oncall_project.base.outbox",
    "audit",
    "teams",
    "services",
    "schedules",
    "escalation",
    "oncall_project.telemetry",
    "oncall_project.ops",
]

MIDDLEWARE = [
    # First: probes and /metrics answer before any host check, session or login.
    "oncall_project.ops.middleware.ProbeMiddleware",
    "oncall_project.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oncall_project.base.viewer_zone.ViewerTimeZoneMiddleware",
    "oncall_project.request_limits.RequestBodyLimitMiddleware",
    # Query strings and form bodies not valid UTF-8, or with a NUL: 400, before any view.
    "oncall_project.base.request_text.RequestTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit.middleware.RequestContextMiddleware",
    "oncall_project.base.pages.EngineErrorMiddleware",
    # Last, as django-axes asks: it turns a sign-in refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The largest request body accepted (413 above it): the biggest API body or form is a few KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

ROOT_URLCONF = "oncall_project.urls"
WSGI_APPLICATION = "oncall_project.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'oncall.sqlite3'}",
        conn_max_age=env_number("DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web threads, the worker and beat share the file: a writer waits its turn (up to `timeout`
    # seconds) instead of failing with "database is locked". IMMEDIATE takes the write lock when
    # the transaction begins, so a transaction that read first never has to upgrade its lock,
    # which SQLite refuses at once, without waiting; WAL lets readers go on beside the writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL"}
    )
    # A file, not memory, so a real Celery worker started by a test sees the test database.
    # One file per test run, so two runs side by side never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_PREPARED", True):
    # Server-side binding lets psycopg prepare the statements a connection runs again and again
    # (every lookup's), sparing PostgreSQL their parse and plan. Turn off (DB_PREPARED=false)
    # behind a transaction-pooling PgBouncer, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 2}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Sign-in throttling (django-axes) ----------------------------------------------------------
# Failed sign-ins (pages and admin) are counted per username and per client address, each on its
# own: SIGNIN_FAILURE_LIMIT failures lock that username everywhere and that address for every
# username, until SIGNIN_LOCKOUT_MINUTES after the last failure. API tokens are not passwords:
# the throttle leaves them alone.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out sign-in never reaches a password
    "oncall_project.signin.backends.PersonBackend",
    # Sessions started before PersonBackend name this one; it still reads them.
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_number("SIGNIN_FAILURE_LIMIT", 5, least=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_number("SIGNIN_LOCKOUT_MINUTES", 15))
# "username,ip_address" counts each on its own; "username+ip_address" counts the pair. Behind a
# proxy that hides client addresses (every request from its address), use "username".
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item
    for item in env_list("SIGNIN_LOCKOUT_BY", "username,ip_address")
]
# AXES_RESET_ON_SUCCESS stays off: a success would wipe every count of its address, other
# usernames' included, so an attacker signing in to an account of their own would reset them.
AXES_LOCKOUT_CALLABLE = "oncall_project.signin.views.locked_out"
AXES_VERBOSE = False  # no banner on every command; failures and lockouts are still logged

# --- Email (password reset, watchdog alerts to ADMINS) --------------------------------------
# Password-reset pages exist only when EMAIL_HOST is set. The watchdog emails ADMINS when a host
# is set or EMAIL_BACKEND names a backend that needs no server (file, console).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_number("EMAIL_PORT", 587, least=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "oncall@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "oncall@localhost")
EMAIL_SUBJECT_PREFIX = "[On-call] "

# Teams whose on-call state and answers each process keeps between requests (least recently used
# go first); 0 keeps only the teams of the last load (the rest of its request reads them), every
# lookup then loading its teams' states as a cold one does.
ONCALL_CACHE_TEAMS = env_number("ONCALL_CACHE_TEAMS", 2048)
# Each team's answer for its on-call day, shared by every process through CACHE_URL's cache (the
# handoff works each new day's out): a process meeting a team for the first time that day reads
# it instead of loading the team's state (schedules.day_answers). Nothing is shared without
# CACHE_URL.
ONCALL_SHARED_ANSWERS = env_bool("ONCALL_SHARED_ANSWERS", True)

# The API token throttle counts in this cache: set CACHE_URL=redis://… so that every gunicorn
# worker shares one count.
CACHE_URL = os.environ.get("CACHE_URL", "")
# Each process keeps the API tokens it verified, re-checking them only when a token or user
# changed anywhere (a generation in this cache): needs a cache that every process shares.
API_TOKEN_CACHE = env_bool("API_TOKEN_CACHE", bool(CACHE_URL))
if API_TOKEN_CACHE and not CACHE_URL:
    # Each worker would keep tokens that another revoked: refused, not run unsafely.
    raise ImproperlyConfigured(
        "API_TOKEN_CACHE=true needs CACHE_URL=redis://…, a cache every process shares (a "
        "revoked token would stay valid in the other workers); set CACHE_URL or leave "
        "API_TOKEN_CACHE unset."
    )
# The bot's lookups answered outside DRF for a token client's plain request (services.api.hot);
# off, DRF answers every one as it does everything else (same bytes, slower).
API_HOT_PATH = env_bool("API_HOT_PATH", True)
CACHES = {
    "default": (
        {"BACKEND": "oncall_project.base.cache.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Slack -----------------------------------------------------------------------------------
SLACK_BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN", "")
SLACK_SIGNING_SECRET = os.environ.get("SLACK_SIGNING_SECRET", "")
SLACK_API_URL = os.environ.get("SLACK_API_URL", "https://slack.com/api/")
ESCALATION_MAX_ACK_MINUTES = env_number("ESCALATION_MAX_ACK_MINUTES", 240)
# A climb overdue by this long lost its task: the sweep (every minute) climbs it.
ESCALATION_SWEEP_GRACE_SECONDS = env_number("ESCALATION_SWEEP_GRACE_SECONDS", 60)
SLACK_TIMEOUT_SECONDS = env_number("SLACK_TIMEOUT_SECONDS", 10.0, least=0.1)
# A page must outlive a Slack outage: keep trying (backoff capped at RETRY_CAP) for up to
# GIVE_UP seconds or MAX_ATTEMPTS attempts, whichever comes first.
NOTIFICATION_MAX_ATTEMPTS = env_number("NOTIFICATION_MAX_ATTEMPTS", 60, least=1)
NOTIFICATION_GIVE_UP_SECONDS = env_number("NOTIFICATION_GIVE_UP_SECONDS", 3600)
NOTIFICATION_RETRY_CAP_SECONDS = env_number("NOTIFICATION_RETRY_CAP_SECONDS", 120)
NOTIFICATION_SWEEP_GRACE_SECONDS = env_number("NOTIFICATION_SWEEP_GRACE_SECONDS", 120)

# --- Celery ----------------------------------------------------------------------------------
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport, made safe for web, worker and beat publishing at once.
    CELERY_BROKER_TRANSPORT = "oncall_project.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # An escalation's eta may lie hours ahead: Redis must not redeliver it before then.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_number("CELERY_VISIBILITY_TIMEOUT", 6 * 3600, least=1)
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Several beats may run: the one holding a database lease dispatches (oncall_project/ops/beat.py).
CELERY_BEAT_SCHEDULER = "oncall_project.ops.beat:LeaderScheduler"
BEAT_LEASE_SECONDS = env_number("BEAT_LEASE_SECONDS", 30.0, least=1.0)
CELERY_BEAT_SCHEDULE = {
    "coverage-report-weekly": {
        "task": "schedules.tasks.coverage_report_tick",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
    },
    "handoff-tick": {"task": "schedules.tasks.handoff_tick", "schedule": 60.0},
    "sweep-outbox": {"task": "escalation.tasks.sweep_outbox", "schedule": 60.0},
    "sweep-escalations": {"task": "escalation.tasks.sweep_escalations", "schedule": 60.0},
    "slack-group-sync": {"task": "escalation.tasks.slack_group_sync_tick", "schedule": 600.0},
}

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oncall_project.base.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["oncall_project.base.api.inputs.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "oncall_project.base.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # An unknown ?format= is a 400 naming the formats, not DRF's bare 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "oncall_project.base.api.negotiation.FormatNegotiation",
    "DEFAULT_SCHEMA_CLASS": "oncall_project.base.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "oncall_project.base.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["oncall_project.base.api.auth.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_TOKEN_RATE", "600/minute")},
}
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False}
SPECTACULAR_SETTINGS = {
    "TITLE": "On-call API",
    "DESCRIPTION": "Who is on call for a service or team, now or on any date.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Operations: probes, metrics, watchdog, logs -----------------------------------------------
READY_TICK_MAX_AGE_SECONDS = env_number("READY_TICK_MAX_AGE_SECONDS", 180)
READY_PENDING_MAX_AGE_SECONDS = env_number("READY_PENDING_MAX_AGE_SECONDS", 300)
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_COVERAGE_CACHE_SECONDS = env_number("METRICS_COVERAGE_CACHE_SECONDS", 300)
# Read by prometheus-client itself at process start; here so /metrics knows to add up the files.
PROMETHEUS_MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
WATCHDOG_INTERVAL_SECONDS = env_number("WATCHDOG_INTERVAL_SECONDS", 30.0, least=0.1)
WATCHDOG_TICK_STALE_SECONDS = env_number("WATCHDOG_TICK_STALE_SECONDS", 300)
WATCHDOG_DELIVERY_FAILING_SECONDS = env_number("WATCHDOG_DELIVERY_FAILING_SECONDS", 600)
OPS_SLACK_CHANNEL = os.environ.get("OPS_SLACK_CHANNEL", "")
ADMINS = getaddresses(env_list("ADMINS", ""))

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "oncall_project.ops.logs.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"json": {"()": "oncall_project.ops.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    # Django's lines reach the console once, through the root's handler: its own console
    # handler (on with DEBUG) would print each one a second time ("Not Found: /x" twice).
    # Errors are still mailed to ADMINS, as Django's default logging does.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": "INFO"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Celery's workers keep Django's logging (and so the JSON lines) instead of their own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
