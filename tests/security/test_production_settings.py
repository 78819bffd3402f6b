"""Production settings: HTTPS only, cookies out of reach of scripts and other sites."""

import pytest

from tests.platform.helpers import read_settings

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "SECRET_KEY": "x" * 64,
    "DATABASE_URL": "sqlite:////tmp/never-opened.sqlite3",
    "ALLOWED_HOSTS": "belajar.example",
}

EXPECTED = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "X_FRAME_OPTIONS": "DENY",
    "CSP_REPORT_ONLY": False,
}


@pytest.fixture(scope="module")
def production_values():
    return read_settings("lms.settings.production", sorted(EXPECTED), **PRODUCTION)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_production_setting(production_values, name):
    assert production_values[name] == EXPECTED[name]
