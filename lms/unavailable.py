"""
Return 503 Service Unavailable, with a request to retry, when a service fails.

``django.db.OperationalError`` and ``InterfaceError`` mean the database
could not run the request now: the server restarted, the connection
dropped, a deadlock or a lock timeout. The request's transaction was rolled
back, so the person is told to try again in a moment, in their language, as
an HTML page or as JSON when the request asks for JSON. ``Retry-After``
carries the wait in seconds (setting ``DATABASE_RETRY_AFTER_SECONDS``).
botocore's connection errors mean the S3 file store could not be reached;
they get the same response with a message about the file. Upload views
that can show the message in their form catch ``STORAGE_ERRORS`` first.

Two entry points cover every place the error can come from:
``DatabaseUnavailableMiddleware`` catches it from views, and
``server_error`` (the project's ``handler500``) catches it from middleware,
such as the session middleware saving the session after the view.
"""

import logging
import sys
import threading
import time

from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.exceptions import HTTPClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# The S3 endpoint refused the connection, timed out or closed it.
STORAGE_ERRORS = (BotoConnectionError, HTTPClientError)
RETRY_AFTER_SECONDS = 5
# During an outage every request fails, so at most one warning is logged per
# LOG_INTERVAL_SECONDS, and each warning counts the failures not logged since
# the previous one.
LOG_INTERVAL_SECONDS = 10.0


class OutageLog:
    """Log service failures, at most one line per interval, with a count."""

    def __init__(self, interval=LOG_INTERVAL_SECONDS):
        self.interval = interval
        self.lock = threading.Lock()
        self.last_logged = None
        self.unlogged = 0

    def record(self, request, error):
        now = time.monotonic()
        with self.lock:
            if self.last_logged is not None and now - self.last_logged < self.interval:
                self.unlogged += 1
                return
            unlogged, self.unlogged = self.unlogged, 0
            self.last_logged = now
        logger.warning(
            "service unavailable method=%s path=%s error_class=%s error=%s "
            "unlogged_since_last=%s",
            request.method,
            request.path,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            unlogged,
            # The traceback shows where it failed; SQLite also raises
            # OperationalError for a missing table, which is a bug, not an outage.
            exc_info=error,
        )


OUTAGE_LOG = OutageLog()


def retry_after_seconds():
    return int(getattr(settings, "DATABASE_RETRY_AFTER_SECONDS", RETRY_AFTER_SECONDS))


def wants_json(request):
    """Return whether the request asked for JSON or sent JSON."""
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    )


def database_message():
    return _(
        "The platform could not reach its database, so your last action may "
        "not have been saved. Please try again in a few seconds."
    )


def storage_message():
    return _(
        "The file store could not be reached, so your file was not saved. "
        "Please try again in a few minutes."
    )


def storage_unavailable_error():
    """Return the form error for an upload that the file store did not take."""
    return ValidationError(storage_message(), code="storage_unavailable")


def service_unavailable(request, error):
    """Return the 503 response for a request that failed on ``error``."""
    OUTAGE_LOG.record(request, error)
    seconds = retry_after_seconds()
    if isinstance(error, STORAGE_ERRORS):
        message = storage_message()
    else:
        message = database_message()
    if wants_json(request):
        response = JsonResponse(
            {"code": "unavailable", "message": message, "retry_after": seconds},
            status=503,
        )
    else:
        # Rendered without the request: context processors and the base
        # layout read the database, which may be what just failed.
        html = render_to_string(
            "lms/service_unavailable.html",
            {
                "message": message,
                "retry_after": seconds,
                "language_code": get_language(),
                "retry_url": request.get_full_path() if request.method == "GET" else "",
            },
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database or file store failure in a view into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS + STORAGE_ERRORS):
            return service_unavailable(request, exception)
        return None


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Return a 503 response when the uncaught error is a service failure, else 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS + STORAGE_ERRORS):
        return service_unavailable(request, error)
    return defaults.server_error(request, template_name)
