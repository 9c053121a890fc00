"""Settings shared by every environment.

Everything that differs between machines comes from the environment
(django-environ). With nothing set the service runs on SQLite with Celery
tasks executed in-process; DATABASE_URL selects PostgreSQL and REDIS_URL
selects Redis as Celery broker, result store and cache.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

from config.storage import object_storage

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

SERVICE_NAME = "Opportunity Area Tracker"
# Where users send feedback, ask for another format or report a problem: the
# phase banner, error pages, accessibility statement and privacy notice.
SERVICE_CONTACT_EMAIL = env("SERVICE_CONTACT_EMAIL", default="opportunity.areas@education.gov.uk")
# The password every demo account gets from `manage.py seed_demo`. Empty here
# and in production, so the demo accounts cannot be made there; the local and
# test settings set it.
DEMO_PASSWORD = ""

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "areas",
    "partners",
    "plans",
    "encounters",
    "reports",
    "dashboard",
    "releases",
    "evidence",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.replica.ReadYourWritesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.service",
            ],
        },
    },
]
FORM_RENDERER = "core.forms.GovUKFormRenderer"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A PostgreSQL streaming replica for the heavy read-only aggregates (the
# dashboard, coverage, report snapshots): core.replica sends them there once
# it has replayed the reader's own writes (ADR 0016).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
READ_REPLICA = "replica" if DATABASE_REPLICA_URL else None
DATABASE_ROUTERS = ["core.replica.ReadReplicaRouter"]
# How long after a user's write their aggregates wait for the replica to
# replay it (beyond this a replica lagging that far would show them stale
# figures; monitor replication lag well below it).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=300)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery and the cache ------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "oatracker",
        }
    }
else:
    # The embedded default: no broker to install. Tasks run in a background
    # thread of the web process (config.celery.InProcessRunner), so a request
    # that asks for work returns at once, as it does with a worker.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # The background thread writes while requests do: take the write
        # lock at the start of a transaction and wait for it, rather than
        # failing with "database is locked".
        DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
BACKGROUND_IN_PROCESS = not REDIS_URL

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/London"

# --- Recovering from crashed workers (ADR 0008) ---------------------------
# Work that must not be lost (report runs, attendance uploads, summary
# refreshes) is claimed in the database. Every bound follows from one hard
# time limit, which no task outlives (Celery kills it):
# - a claim lapses after the limit plus a margin (the lease);
# - Redis gives an unacknowledged message to another worker after the lease
#   plus a margin (the visibility timeout; Redis's default is an hour), and
#   looks for such messages every 10 seconds;
# - beat sweeps every minute, re-enqueueing work pending with no message in
#   the broker, or running past its lease.
# So work whose worker crashed starts again within BACKGROUND_RECOVERY_SECONDS
# (430 s with these defaults), then takes as long as it takes.
# Web, worker and beat must agree on it: a message carries its sender's limit.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 9 // 10
# Time for Celery to kill a task at its hard limit, and for clocks to differ.
BACKGROUND_CLAIM_MARGIN_SECONDS = env.int("BACKGROUND_CLAIM_MARGIN_SECONDS", default=30)
BACKGROUND_CLAIM_LEASE_SECONDS = CELERY_TASK_TIME_LIMIT + BACKGROUND_CLAIM_MARGIN_SECONDS
BACKGROUND_SWEEP_SECONDS = env.int("BACKGROUND_SWEEP_SECONDS", default=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BACKGROUND_CLAIM_LEASE_SECONDS + BACKGROUND_CLAIM_MARGIN_SECONDS,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
BACKGROUND_RECOVERY_SECONDS = (
    max(
        CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        + CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"],
        BACKGROUND_CLAIM_LEASE_SECONDS,
    )
    + BACKGROUND_SWEEP_SECONDS
)
CELERY_BEAT_SCHEDULE = {
    "send-update-reminders": {
        "task": "plans.tasks.reminders_send_daily",
        "schedule": crontab(hour=7, minute=0),
    },
    "refresh-stale-summaries": {
        "task": "dashboard.tasks.summaries_refresh_stale",
        "schedule": crontab(minute=5),
    },
    "rebuild-summaries": {
        "task": "dashboard.tasks.summaries_rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
    "generate-monthly-reports": {
        "task": "reports.tasks.reports_generate_monthly",
        "schedule": crontab(day_of_month="1", hour=6, minute=0),
    },
    "remove-expired-pupils": {
        "task": "encounters.tasks.pupils_remove_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    "clear-expired-sessions": {
        "task": "core.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    "sweep-lost-work": {
        "task": "core.tasks.background_work_sweep",
        "schedule": float(BACKGROUND_SWEEP_SECONDS),
    },
}

# --- Users, sign-in and sessions ------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "signed-out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after a period of inactivity. A request renews the session
# when it was last saved SESSION_RENEW_SECONDS ago or more
# (core.middleware.SessionRenewalMiddleware), not on every request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Failed sign-ins (ADR 0012). Within a window, failures from one address for
# one account first pass freely, then each waits twice as long as the one
# before, then that account is refused from that address for the rest of the
# window. An address with too many failures over all accounts is refused for
# the window. No number of failures refuses the account everywhere: the
# owner is emailed instead, at most once a window.
SIGN_IN_THROTTLE_WINDOW_SECONDS = env.int("SIGN_IN_THROTTLE_WINDOW_SECONDS", default=15 * 60)
SIGN_IN_FREE_ATTEMPTS = env.int("SIGN_IN_FREE_ATTEMPTS", default=3)
SIGN_IN_THROTTLE_PER_ACCOUNT_AND_ADDRESS = env.int(
    "SIGN_IN_THROTTLE_PER_ACCOUNT_AND_ADDRESS", default=10
)
SIGN_IN_THROTTLE_PER_ADDRESS = env.int("SIGN_IN_THROTTLE_PER_ADDRESS", default=20)
SIGN_IN_ALERT_AFTER_FAILURES = env.int("SIGN_IN_ALERT_AFTER_FAILURES", default=5)
# Number of trusted proxies in front of the service (each appends to
# X-Forwarded-For). 0: use the socket address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Second factor (django-otp): an authenticator app (TOTP) and single-use
# recovery codes. Required for the roles in core.roles.SECOND_FACTOR_ROLES.
OTP_TOTP_ISSUER = SERVICE_NAME
RECOVERY_CODE_COUNT = 10

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The service uses none of these browser features, so no page (nor anything
# injected into one) may ask for them. Only features Chromium recognises:
# an unknown one is reported as an error in the console.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)

# --- Personal data and disclosure control --------------------------------
# Key for the keyed hash (HMAC-SHA256) of pupils' UPNs. Held outside the
# database; production has no default (see production.py).
PUPIL_HASH_KEY = env("PUPIL_HASH_KEY", default="")
# Counts from 1 to DISCLOSURE_THRESHOLD - 1 are shown as "c" outside a school.
DISCLOSURE_THRESHOLD = env.int("DISCLOSURE_THRESHOLD", default=5)
# Pupils who left more than this many days ago are removed by the retention job.
PUPIL_RETENTION_DAYS = env.int("PUPIL_RETENTION_DAYS", default=365 * 2)

# --- Plans ----------------------------------------------------------------
# Days after an indicator's reporting frequency before its latest figure is stale.
INDICATOR_GRACE_DAYS = env.int("INDICATOR_GRACE_DAYS", default=30)
# Action updates are due this many days after the last one.
ACTION_UPDATE_INTERVAL_DAYS = env.int("ACTION_UPDATE_INTERVAL_DAYS", default=31)
# The area lead is copied into a reminder only when the item is overdue by
# more than this many days; before that it goes to its owner alone.
REMINDER_LEAD_COPY_AFTER_DAYS = env.int("REMINDER_LEAD_COPY_AFTER_DAYS", default=14)
# The service's address as people reach it: emails link to pages under it.
SERVICE_URL = env("SERVICE_URL", default="http://localhost:8000").rstrip("/")
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (GOV.UK Frontend is compiled into static_build/) --------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static_build"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
# Report files and evidence: the file system above, or with S3_BUCKET set a
# private S3-compatible bucket shared by every machine (config/storage.py).
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = object_storage(
        bucket=S3_BUCKET,
        endpoint_url=env("S3_ENDPOINT_URL", default=None),
        region=env("S3_REGION", default="eu-west-2"),
    )

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A token first: an unauthenticated request gets 401 with WWW-Authenticate.
    # Pagination, filtering, parsing and the schema's error responses are set
    # on core.api.ScopedAPIMixin: DRF imports the classes named here while
    # importing its views, and core.api imports those views.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.ApiTokenAuthentication",
        "core.tokens.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["core.tokens.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env("API_TOKEN_THROTTLE_RATE", default="1000/hour"),
    },
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Opportunity Area Tracker API",
    "DESCRIPTION": (
        "Areas, schools, partnership boards and delivery plans, each cut to the "
        "signed-in user's scope exactly as the service's pages are. Authenticate "
        "with a personal API token ('Authorization: Bearer oat_...', from the "
        "'API tokens' page) or the browser session. Every error has the body "
        "{status, code, message, errors}."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.nullable_with_a_type_hook",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "plans.models.PlanStatus",
        "ActionStatusEnum": "plans.models.ActionStatus",
        "FigureStatusEnum": "plans.models.FigureStatus",
        "DecisionStatusEnum": "partners.models.DecisionStatus",
        "MembershipRoleEnum": "partners.models.MembershipRole",
    },
}

# A GIAS import that would move more than this share of an area's open
# schools out of it stops with a warning until confirmed (ADR 0017).
GIAS_MAX_MOVED_SHARE = env.float("GIAS_MAX_MOVED_SHARE", default=0.2)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@oatracker.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every page it lays out at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "oatracker.security": {"level": "INFO"},
    },
}
