"""Settings for the test suite: fast hashing, mail kept in memory."""

import os

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
# Look static files up per request. Otherwise WhiteNoise lists and stats
# every static file of every app each time a test client loads the
# middleware, which took about 0.3 s of each test that makes a new client
# (measured on a loaded 2-core machine). WhiteNoise 6 builds the response
# of a static file with the same headers either way.
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# The live daphne of the browser and websocket tests runs in a child process,
# which cannot see an in-memory SQLite database, so tests use a file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(BASE_DIR / "test-db.sqlite3")  # noqa: F405
    }

# Runs side by side on one machine need separate test databases: set
# TEST_DATABASE_NAME to a file path (SQLite) or a database name (PostgreSQL).
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ[  # noqa: F405
        "TEST_DATABASE_NAME"
    ]
