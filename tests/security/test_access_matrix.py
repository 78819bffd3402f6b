"""
Access matrix: every view and page type, for every role.

``test_every_view_has_row`` walks the URL configuration, so a view added
without a row in ``tests/security/access_rules.py`` fails it with the name
of its pattern. Each row is checked for each role with one request
through Django's test client. The people and objects are built once per
module, inside a transaction that is rolled back at the end, and each test
runs in a savepoint of its own, so a POST cannot leak into the next test.
"""

import functools
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from wagtail.models import Page

from .access_rules import (
    NOT_VIEWS,
    OPTIONAL,
    RULES,
    THIRD_PARTY_ADMIN_PREFIXES,
)
from .world import ROLES, client_as

PROJECT_APPS = ("lms", "courses", "library", "live", "ppdb")

ADD_ROW_HELP = """\
Add a row for each to RULES in tests/security/access_rules.py, next to its
app's rows, with the outcome each role must get, for example:

    "{key}": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   200",
        pk=world("course"),
    ),

Fill the URL's arguments from the objects of tests/security/world.py (add
one there if the view needs a new kind of object).
"""


# Discovery


def walk_patterns(patterns, prefix="", namespace=""):
    """Yield ``(route, URL name or None, view)`` for every pattern, depth first."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace
                    else (pattern.namespace)
                )
            yield from walk_patterns(
                pattern.url_patterns, prefix + str(pattern.pattern), inner
            )
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield prefix + str(pattern.pattern), name, pattern.callback


def is_project_view(view):
    module = getattr(view, "view_class", view).__module__
    return module.split(".")[0] in PROJECT_APPS


def required_keys():
    """
    Return ``{key: route}`` of every view that needs a row.

    Views of Wagtail's and Django's admins need one only when a project app
    adds them. Unnamed patterns are keyed by their route.
    """
    keys = {}
    for route, name, view in walk_patterns(get_resolver().url_patterns):
        key = name or route
        if key in NOT_VIEWS:
            continue
        if route.startswith(THIRD_PARTY_ADMIN_PREFIXES) and not is_project_view(view):
            continue
        keys[key] = route
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page:
            keys[f"page:{model._meta.label}"] = "(page type)"
    return keys


@functools.cache
def all_keys():
    """Return ``{key: route}`` of every URL name, route and page type."""
    keys = {
        (name or route): route
        for route, name, _view in walk_patterns(get_resolver().url_patterns)
    }
    for model in apps.get_models():
        if issubclass(model, Page) and model is not Page:
            keys[f"page:{model._meta.label}"] = "(page type)"
    return keys


# Requests


@functools.cache
def login_paths():
    return {
        reverse("accounts:login"),
        reverse("wagtailadmin_login"),
        reverse("admin:login"),
        reverse("wagtailcore_login"),
    }


def request_path(key, rule, world):
    if rule.url is not None:
        path = rule.url.resolve(world)
    else:
        kwargs = {
            name: value.resolve(world) if hasattr(value, "resolve") else value
            for name, value in rule.kwargs.items()
        }
        if key.startswith("^"):
            # An unnamed pattern: fill its one named group by hand.
            path = "/" + key.strip("^$").split("(?P<")[0] + kwargs["path"]
        else:
            path = reverse(key, kwargs=kwargs)
    return f"{path}?{rule.query}" if rule.query else path


def outcome_of(response):
    """Return the matrix outcome of ``response``: its status, ``login`` or ``302``."""
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlparse(response["Location"]).path
        return "login" if target in login_paths() else "302"
    return str(response.status_code)


def fetch(key, rule, world, role):
    """Send the rule's request as ``role`` and return the response and path."""
    client = client_as(world, role)
    path = request_path(key, rule, world)
    return getattr(client, rule.method)(path), path


# Tests


def test_every_view_has_row():
    missing = {key: route for key, route in required_keys().items() if key not in RULES}
    messages = [
        f"{key} ({route}) has no row in the access matrix."
        for key, route in sorted(missing.items())
    ]
    help_text = ADD_ROW_HELP.format(key=min(missing)) if missing else ""
    assert not messages, "\n".join(messages) + "\n\n" + help_text


def test_no_row_for_missing_view():
    known = all_keys()
    stale = sorted(set(RULES) - set(known) - OPTIONAL)
    assert not stale, f"rows for URL names that no longer exist: {stale}"


CASES = [(key, role) for key in sorted(RULES) for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{k}-{r}" for k, r in CASES])
def test_access(world, key, role):
    if key not in all_keys():
        pytest.skip(f"{key} is not routed in this configuration")
    rule = RULES[key]

    response, path = fetch(key, rule, world, role)

    expected = rule.outcomes[role]
    actual = outcome_of(response)
    location = response.get("Location", "")
    assert actual == expected, (
        f"{rule.method.upper()} {path} as {role}: expected {expected}, got {actual}"
        + (f" to {location}" if location else "")
    )
