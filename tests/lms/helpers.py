"""Helpers for the login tests: attempts, error codes and moving time."""

import datetime

from django.db.models import F
from django.urls import reverse

from lms.models import LoginFailure, LoginLock

CLIENT_IP = "203.0.113.7"


def attempt(client, identifier, password, ip=CLIENT_IP, **extra):
    """Post the login form from ``ip`` and return the response."""
    return client.post(
        reverse("accounts:login"),
        {"username": identifier, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def login_errors(response):
    """Return the form-wide ``ValidationError`` list of a login response."""
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.as_data().get("__all__", [])


def login_codes(response):
    return [error.code for error in login_errors(response)]


def is_logged_in(client):
    return "_auth_user_id" in client.session


def rewind(seconds):
    """Move every stored failure and lock ``seconds`` into the past."""
    delta = datetime.timedelta(seconds=seconds)
    LoginFailure.objects.update(created_at=F("created_at") - delta)
    LoginLock.objects.update(
        created_at=F("created_at") - delta, locked_until=F("locked_until") - delta
    )
