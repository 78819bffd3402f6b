"""
Fixtures of the security tests: one world of people and objects per module.

The world is built inside a transaction that is rolled back when the module
ends, and each test runs in a savepoint of its own.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from tests.conftest import restore_wagtail_root

from .world import ROLES, build_world


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _isolated_media(settings, media_root):
    """Keep the module's MEDIA_ROOT, where the world's files were stored."""
    settings.MEDIA_ROOT = media_root


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    """Build the world once for the module and roll it back afterwards."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
        with transaction.atomic():
            restore_wagtail_root()
            built = build_world()
            built.session_cookies = session_cookies(built)
            yield built
            transaction.set_rollback(True)


def session_cookies(built):
    """Log every role in once and return ``{role: session id or None}``."""
    cookies = {}
    for role in ROLES:
        user = getattr(built, role)
        cookies[role] = None
        if user is not None:
            client = Client()
            client.force_login(user)
            cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies
