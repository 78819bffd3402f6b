"""
Settings shared by every environment.

Each part of the stack is switched by one environment variable, so the same
code runs on the embedded default (SQLite, the in-memory channel layer and
files under ``media/``) and in production (PostgreSQL, Redis and S3):

- ``DATABASE_URL`` selects the database (``sqlite:///...`` or
  ``postgres://...``);
- ``REDIS_URL`` turns on the Redis channel layer and cache;
- ``AWS_STORAGE_BUCKET_NAME`` turns on S3 storage for uploads.

``.env.example`` lists every variable with its meaning.
"""

import json
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable such as ``DEBUG=true``."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    """Read a comma-separated environment variable into a list of strings."""
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


# Applications

INSTALLED_APPS = [
    "daphne",
    "lms",
    "courses",
    "courses.assignments",
    "courses.gradebook",
    "courses.quizzes",
    "library",
    "library.usage",
    "library.oai",
    "live",
    "ppdb",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    "django_tasks",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lms.unavailable.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lms.middleware.LanguageMiddleware",
    "lms.middleware.TemporaryPasswordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"
ASGI_APPLICATION = "lms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.site",
            ],
        },
    },
]

# Secrets come only from the environment. The development fallback is
# deliberately unusable in production, which refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Database

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection is checked before each request reuses it, so the
        # first request after a database restart reconnects instead of failing.
        conn_health_checks=True,
    )
}


def use_connection_pool(databases, max_size, timeout):
    """
    Give the PostgreSQL database a pool of at most ``max_size`` connections.

    Under ASGI every request runs in a thread of its own, so without a pool a
    burst of requests or websocket connects opens one connection each and
    can pass the server's max_connections ("too many clients already"). With
    the pool they wait up to ``timeout`` seconds for a free connection.
    Django's pool needs CONN_MAX_AGE 0, since the pool keeps the connections.
    """
    database = databases["default"]
    if database["ENGINE"] != "django.db.backends.postgresql" or max_size <= 0:
        return
    database["CONN_MAX_AGE"] = 0
    # Django checks each connection as it leaves the pool when
    # CONN_HEALTH_CHECKS is on, as it is above, so after a database restart
    # the dead ones are replaced instead of failing one request each.
    database["CONN_HEALTH_CHECKS"] = True
    database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, max_size),
        "max_size": max_size,
        "timeout": timeout,
    }


# DATABASE_POOL_MAX_SIZE=0 (the default here) opens a connection per
# request; production settings pool 20 connections per process.
DATABASE_POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "0"))
DATABASE_POOL_TIMEOUT = float(os.environ.get("DATABASE_POOL_TIMEOUT", "10"))
use_connection_pool(DATABASES, DATABASE_POOL_MAX_SIZE, DATABASE_POOL_TIMEOUT)

# A request that fails because the database is unreachable gets 503 with
# Retry-After: this many seconds (see lms/unavailable.py).
DATABASE_RETRY_AFTER_SECONDS = int(os.environ.get("DATABASE_RETRY_AFTER_SECONDS", "5"))
# SQLite: a transaction takes the write lock when it begins, so two processes
# (daphne and a scheduler, say) wait for each other for up to 20 seconds
# instead of failing at once with "database is locked" when a reading
# transaction tries to write.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the channel layer and the cache share one server when it is set.

REDIS_URL = os.environ.get("REDIS_URL", "")

# channels_redis 4.3 waits for messages with BZPOPMIN, which returns nil
# after five seconds (RedisChannelLayer.brpop_timeout), and then pops
# again. The channel layer's read timeout, in seconds, outlasts that
# pop, so a receive on an idle channel does not time out. With redis-py
# 8.2's default of five seconds, nearly every idle pop raised "Timeout
# reading from ...". The timeout still bounds how long a hung Redis holds
# up a send or group_send. On Python 3.11 a cancelled receive can go on
# reading, and live.fanout.stop_task explains why and how the hub stops it.
CHANNEL_LAYER_SOCKET_TIMEOUT = 10

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_connect_timeout": 2,
                        "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT,
                    }
                ]
            },
        }
    }
    # While Redis is unreachable the cache misses instead of failing, and
    # pages are built from the database (lms/cache.py). The timeouts, in
    # seconds, keep a hung Redis from holding up each request for longer.
    CACHES = {
        "default": {
            "BACKEND": "lms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "lms"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With Redis, sessions are read from the cache and written through to the
# database, so a logged-in request does not query the session table.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# lms.page_routes remembers which page each path leads to. Every process must
# see when the page tree changes, so the cache is on only with a shared
# cache (Redis). PAGE_ROUTE_CACHE_TIMEOUT is in seconds.
PAGE_ROUTE_CACHE = env_bool("PAGE_ROUTE_CACHE", bool(REDIS_URL))
PAGE_ROUTE_CACHE_TIMEOUT = int(os.environ.get("PAGE_ROUTE_CACHE_TIMEOUT", "3600"))

# Background tasks run at once on the embedded default. Production points
# TASKS_BACKEND at a real queue, for example the database backend of
# django-tasks-db, served by its own worker process.

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        ),
    }
}
# The database backend keeps its queue in tables of its own app, served by
# `manage.py db_worker`. Its workers do not take back the tasks of a worker
# that died, so reap_extractions leases and requeues library extractions.
if TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
    INSTALLED_APPS.append("django_tasks_db")

# People

AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = [
    "lms.auth.IdentifierBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Failed logins are slowed down after LOGIN_SLOWDOWN_AFTER failures and
# locked for LOGIN_LOCK_MINUTES after LOGIN_LOCK_AFTER failures, counted per
# account and per client address within LOGIN_FAILURE_WINDOW_MINUTES.
LOGIN_SLOWDOWN_AFTER = int(os.environ.get("LOGIN_SLOWDOWN_AFTER", "3"))
LOGIN_LOCK_AFTER = int(os.environ.get("LOGIN_LOCK_AFTER", "5"))
LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
# The first wait after LOGIN_SLOWDOWN_AFTER failures, in seconds; it doubles
# with each further failure.
LOGIN_SLOWDOWN_SECONDS = int(os.environ.get("LOGIN_SLOWDOWN_SECONDS", "5"))
# A client address is slowed down and locked only after this many times the
# account limits, because a whole school lab may share one address.
LOGIN_ADDRESS_FACTOR = int(os.environ.get("LOGIN_ADDRESS_FACTOR", "4"))
# Addresses of reverse proxies whose X-Forwarded-For header is trusted.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Internationalisation: Bahasa Indonesia first, English second.

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# Periodic jobs of `manage.py run_scheduler` (see lms/scheduler.py): "every"
# is an interval in seconds, "at" a time of day (HH:MM) in TIME_ZONE.
# SCHEDULER_JOBS, as JSON in the environment, replaces the whole mapping.
SCHEDULER_JOBS = {
    "close_expired_attempts": {"every": 300},
    "remind_assignments": {"every": 3600},
    "send_parent_digest": {"at": "18:00"},
    # Retries or fails library text extractions whose worker died.
    "reap_extractions": {"every": 60, "lease": 300},
    # Marks failed the admission selection runs whose worker died.
    "ppdb_reap_runs": {"every": 60, "lease": 300},
    # Drops the per-day records that count each library reader once a day.
    "purge_library_visits": {"at": "02:30"},
    # Lists files in storage that no row names and rows whose file is gone.
    "check_storage": {"at": "03:15"},
    # Adds to the search index the files' text of library items whose
    # embargo ended since they were indexed.
    "reindex_ended_embargoes": {
        "at": "00:15",
        "command": "library_reindex",
        "args": ["--embargo-ended"],
    },
}
if os.environ.get("SCHEDULER_JOBS"):
    SCHEDULER_JOBS = json.loads(os.environ["SCHEDULER_JOBS"])

# Static files are served by the platform itself through WhiteNoise.

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploads go to the default storage: files under MEDIA_ROOT, or an S3 bucket
# when AWS_STORAGE_BUCKET_NAME is set.

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")

if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
    DEFAULT_STORAGE_OPTIONS = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
        # Files are private: every read goes through a pre-signed URL that
        # expires after AWS_QUERYSTRING_EXPIRE seconds.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
        "file_overwrite": False,
    }
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
    DEFAULT_STORAGE_OPTIONS = {}

STORAGES = {
    "default": {
        "BACKEND": DEFAULT_FILE_STORAGE_BACKEND,
        "OPTIONS": DEFAULT_STORAGE_OPTIONS,
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# Upload limits, in bytes.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Site-wide limits that lms.uploads.UploadBackstopHandler enforces while a
# body arrives, on every request; the views that take uploads set stricter
# ones. Lesson videos reach the Wagtail admin as documents, hence 1 GiB.
# Anonymous requests may upload nothing.
FILE_UPLOAD_HANDLERS = [
    "lms.uploads.UploadBackstopHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_FILE_SIZE = int(os.environ.get("UPLOAD_MAX_FILE_SIZE", 1024**3))
UPLOAD_MAX_REQUEST_SIZE = int(os.environ.get("UPLOAD_MAX_REQUEST_SIZE", 2 * 1024**3))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
LIBRARY_MAX_FILE_SIZE = int(os.environ.get("LIBRARY_MAX_FILE_SIZE", 50 * 1024 * 1024))
# The largest admission document (a family card scan, a report card PDF).
PPDB_MAX_DOCUMENT_SIZE = int(os.environ.get("PPDB_MAX_DOCUMENT_SIZE", 5 * 1024 * 1024))

# Text extraction of library files runs in a child process that is killed
# after LIBRARY_EXTRACT_TIMEOUT seconds and may use LIBRARY_EXTRACT_MEMORY
# bytes of address space. An item's text is cut at LIBRARY_FULL_TEXT_MAX_CHARS
# characters: PostgreSQL rejects a search vector above 1 MiB, and 400,000
# characters of all-distinct random words measured about 0.7 MiB on
# PostgreSQL 15.
LIBRARY_EXTRACT_TIMEOUT = float(os.environ.get("LIBRARY_EXTRACT_TIMEOUT", "60"))
LIBRARY_EXTRACT_MEMORY = int(os.environ.get("LIBRARY_EXTRACT_MEMORY", 1024**3))
LIBRARY_FULL_TEXT_MAX_CHARS = int(
    os.environ.get("LIBRARY_FULL_TEXT_MAX_CHARS", "400000")
)
# A task worker's claim on a file lasts LIBRARY_EXTRACT_TIMEOUT plus
# LIBRARY_EXTRACT_LEASE_MARGIN seconds (the margin covers copying the file
# from storage). The reap_extractions command queues a file whose claim
# expired again, up to LIBRARY_EXTRACT_MAX_ATTEMPTS attempts in all.
LIBRARY_EXTRACT_LEASE_MARGIN = float(
    os.environ.get("LIBRARY_EXTRACT_LEASE_MARGIN", "120")
)
LIBRARY_EXTRACT_MAX_ATTEMPTS = int(os.environ.get("LIBRARY_EXTRACT_MAX_ATTEMPTS", "3"))
# A file still waiting for extraction LIBRARY_EXTRACT_QUEUE_TIMEOUT seconds
# after it was queued is queued again by reap_extractions, in case its task
# was lost.
LIBRARY_EXTRACT_QUEUE_TIMEOUT = float(
    os.environ.get("LIBRARY_EXTRACT_QUEUE_TIMEOUT", "3600")
)

# Security headers of lms.security.SecurityHeadersMiddleware. Pages get a
# Content Security Policy without inline script; the admins under
# CSP_ADMIN_PATHS get a looser one. CSP_FRAME_SRC lists the video sites
# whose players lessons may embed. CSP_REPORT_ONLY sends the page policy as
# Content-Security-Policy-Report-Only (for trying a change out), and
# CSP_REPORT_URI receives violation reports.
CSP_FRAME_SRC = env_list(
    "CSP_FRAME_SRC",
    "https://www.youtube-nocookie.com,https://www.youtube.com,https://player.vimeo.com",
)
CSP_ADMIN_PATHS = ["/admin/", "/django-admin/"]
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = os.environ.get("CSP_REPORT_URI", "")
# Views whose pages may use the camera and microphone (Permissions-Policy);
# every other page may not.
PERMISSIONS_POLICY_VIEWS = {
    "live:session": ["camera", "microphone", "display-capture"],
}
# Views that send stored uploads. Their files, and every file under
# MEDIA_URL, are sent sandboxed, and as attachments when a browser could
# run script in them.
UPLOAD_SERVING_VIEWS = {
    "wagtaildocs_serve",
    "library:download",
    "assignments:download",
    "ppdb:document",
    "ppdb:verification_document",
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Mail

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")

# SMS and WhatsApp gateway for the parents' digest: an HTTP webhook that
# takes JSON. Empty means no gateway, and those digests are not sent.
NOTIFY_GATEWAY_URL = os.environ.get("NOTIFY_GATEWAY_URL", "")
NOTIFY_GATEWAY_TOKEN = os.environ.get("NOTIFY_GATEWAY_TOKEN", "")
NOTIFY_GATEWAY_TIMEOUT = float(os.environ.get("NOTIFY_GATEWAY_TIMEOUT", "10"))

# Wagtail

WAGTAIL_SITE_NAME = os.environ.get("SITE_NAME", "Platform Belajar Kota Depok")
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_I18N_ENABLED = False

# OAI-PMH provider at /oai/ and the harvest_oai command. Lists are split
# into pages of OAI_PAGE_SIZE records, and a resumption token expires
# OAI_TOKEN_LIFETIME seconds after it was issued. The identifiers are
# oai:OAI_REPOSITORY_IDENTIFIER:<page id>. The harvester waits
# OAI_HARVEST_TIMEOUT seconds for a response and rejects responses larger
# than OAI_HARVEST_MAX_BYTES.
OAI_REPOSITORY_NAME = os.environ.get("OAI_REPOSITORY_NAME", WAGTAIL_SITE_NAME)
OAI_REPOSITORY_IDENTIFIER = os.environ.get(
    "OAI_REPOSITORY_IDENTIFIER", "perpustakaan.depok.example"
)
# The OAI-PMH schema requires an address with a dot in its domain.
OAI_ADMIN_EMAIL = os.environ.get("OAI_ADMIN_EMAIL", "perpustakaan@depok.example")
OAI_PAGE_SIZE = int(os.environ.get("OAI_PAGE_SIZE", "100"))
OAI_TOKEN_LIFETIME = int(os.environ.get("OAI_TOKEN_LIFETIME", "86400"))
OAI_HARVEST_TIMEOUT = float(os.environ.get("OAI_HARVEST_TIMEOUT", "60"))
OAI_HARVEST_MAX_BYTES = int(os.environ.get("OAI_HARVEST_MAX_BYTES", 50 * 1024 * 1024))

# Deployment: the city and its place on the map.

CITY_NAME = os.environ.get("CITY_NAME", "Kota Depok")
CITY_REGION_CODE = os.environ.get("CITY_REGION_CODE", "32.76")
# The city's boundary as [latitude, longitude] vertices in decimal degrees,
# in order around the city. Admission registration rejects a home outside
# it. CITY_BOUNDARY, as a JSON list in the environment, replaces the
# default. NOTE: the default is a hand-drawn approximation of Kota Depok,
# within about a kilometre of the real border; a deployment should set the
# official polygon.
CITY_BOUNDARY = [
    [-6.318, 106.770],
    [-6.318, 106.800],
    [-6.340, 106.820],
    [-6.335, 106.860],
    [-6.350, 106.905],
    [-6.395, 106.925],
    [-6.455, 106.910],
    [-6.465, 106.855],
    [-6.460, 106.800],
    [-6.445, 106.750],
    [-6.425, 106.712],
    [-6.370, 106.712],
    [-6.345, 106.745],
]
if os.environ.get("CITY_BOUNDARY"):
    CITY_BOUNDARY = json.loads(os.environ["CITY_BOUNDARY"])

# The admission help desk that the public pages name. Empty values are left
# out of the page.
PPDB_HELP_DESK = {
    "name": os.environ.get("PPDB_HELP_NAME", "Dinas Pendidikan Kota Depok"),
    "phone": os.environ.get("PPDB_HELP_PHONE", ""),
    "whatsapp": os.environ.get("PPDB_HELP_WHATSAPP", ""),
    "email": os.environ.get("PPDB_HELP_EMAIL", "ppdb@depok.example"),
    "address": os.environ.get("PPDB_HELP_ADDRESS", ""),
    "hours": os.environ.get("PPDB_HELP_HOURS", ""),
}

# Live classes: the STUN and TURN servers that browsers use for audio and
# video, as a JSON list in the form of RTCConfiguration.iceServers, for
# example [{"urls": "stun:stun.example.org"}]. Empty (the default) means
# host candidates only, so peers connect only on the same network.
LIVE_ICE_SERVERS = json.loads(os.environ.get("LIVE_ICE_SERVERS", "[]"))
# The largest live session in which participants send audio and video to
# each other directly; larger classes need a media server (live.signalling).
LIVE_P2P_MAX_PARTICIPANTS = int(os.environ.get("LIVE_P2P_MAX_PARTICIPANTS", "4"))

# Test material read in place by the test suite.
CORPUS_DIR = Path(os.environ.get("CORPUS_DIR", BASE_DIR.parent / "shared" / "corpus"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identifiers": {"()": "lms.logging.MaskIdentifiersFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_identifiers"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "lms": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "courses": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "library": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "live": {"level": os.environ.get("LOG_LEVEL", "INFO")},
        "ppdb": {"level": os.environ.get("LOG_LEVEL", "INFO")},
    },
}
