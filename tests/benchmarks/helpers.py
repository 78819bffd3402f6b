"""Measuring helpers shared by the page benchmarks."""

import http.client
import time
from importlib import import_module
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY


def log_in(user):
    """Return the session key of a new logged-in session of ``user``."""
    # The configured engine, so that a cached session starts in the cache.
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "lms.auth.IdentifierBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def requests_per_second(base_url, path, count, cookie=None):
    """
    Fetch ``path`` ``count`` times over one keep-alive connection.

    Return the rate in requests per second; every response must be 200.
    """
    parsed = urlparse(base_url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    started = time.perf_counter()
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed
