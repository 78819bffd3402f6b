"""
Key pages in a real chromium under the Content Security Policy.

A script injected through the DevTools protocol, which the page's policy
does not cover, records every ``securitypolicyviolation`` event before the
page's own scripts run. Each page must load, run its scripts and report no
violation.
"""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from .world import build_world

COLLECTOR = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""

# (label, role, path) of the pages to load.
PAGES = [
    ("home", "anonymous", lambda w: w.home.url),
    ("library search", "anonymous", lambda w: reverse("library:search") + "?q=karya"),
    ("ppdb index", "anonymous", lambda w: reverse("ppdb:index")),
    ("course", "student", lambda w: w.course.url),
    ("lesson", "student", lambda w: w.lesson.url),
    (
        "live class",
        "student",
        lambda w: reverse("live:session", args=[w.live_session.pk]),
    ),
    (
        "quiz attempt",
        "student",
        lambda w: reverse("quizzes:attempt", args=[w.attempt.pk]),
    ),
    ("wagtail admin", "teacher", lambda w: "/admin/"),
]


def log_in(browser, base_url, user):
    """Give the browser the session cookie of ``user``, or none."""
    browser.delete_all_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    browser.get(base_url + reverse("health"))
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "path": "/",
        }
    )


def violations_after_load(browser, url):
    browser.get(url)
    # Deferred scripts (the live classroom, the quiz autosave) run after
    # the load event, so give them a moment to touch the page.
    time.sleep(1)
    return browser.execute_script("return window.__cspViolations || []")


@pytest.mark.browser
@pytest.mark.slow
def test_key_pages_report_no_violation(daphne_server, browser):
    world = build_world()
    browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": COLLECTOR}
    )
    found = {}
    current_role = object()

    for label, role, path_of in PAGES:
        if role != current_role:
            log_in(browser, daphne_server, getattr(world, role))
            current_role = role
        violations = violations_after_load(browser, daphne_server + path_of(world))
        title = browser.title
        if violations:
            found[label] = violations
        assert "500" not in title, f"{label} failed to render: {title}"

    assert not found, f"Content Security Policy violations: {found}"


@pytest.mark.browser
@pytest.mark.slow
def test_collector_sees_inline_script(daphne_server, browser):
    """The collector reports a violation, so an empty report means none."""
    world = build_world()
    browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": COLLECTOR}
    )
    browser.get(daphne_server + world.home.url)

    browser.execute_script(
        "const script = document.createElement('script');"
        "script.textContent = 'window.__ran = true';"
        "document.body.appendChild(script);"
    )
    time.sleep(0.5)
    violations = browser.execute_script("return window.__cspViolations")
    ran = browser.execute_script("return window.__ran === true")

    assert ran is False
    assert any(v.startswith("script-src") for v in violations), violations
