"""Script injection in discussion posts does not run in a real chromium."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from courses.models import Post, Thread

from .factories import enrol, make_course, make_course_index, make_school, make_student
from .xss_payloads import XSS_PAYLOADS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WAIT = 15


def session_key_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "lms.auth.IdentifierBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def assert_no_script_ran(browser):
    try:
        alert = browser.switch_to.alert
    except NoAlertPresentException:
        alert = None
    assert alert is None
    assert browser.execute_script("return typeof window.__xss") == "undefined"


def test_payloads_do_not_run(daphne_server, browser):
    school = make_school()
    course = make_course(make_course_index(school))
    student = make_student(school)
    enrol(course, student)
    browser.get(f"{daphne_server}/static/css/site.css")
    browser.add_cookie(
        {"name": "sessionid", "value": session_key_for(student), "path": "/"}
    )

    browser.get(daphne_server + reverse("courses:threads", args=[course.pk]))
    browser.find_element(By.NAME, "title").send_keys("Coba <script>x</script>")
    body = browser.find_element(By.NAME, "body")
    browser.execute_script(
        "arguments[0].value = arguments[1];", body, "\n\n".join(XSS_PAYLOADS)
    )
    browser.find_element(By.CSS_SELECTOR, "form.form button[type=submit]").click()

    WebDriverWait(browser, WAIT).until(lambda _driver: Thread.objects.exists())
    thread = Thread.objects.get()
    thread_url = reverse("courses:thread", args=[thread.pk])
    WebDriverWait(browser, WAIT).until(
        lambda driver: driver.current_url.endswith(thread_url)
    )
    assert Post.objects.filter(thread=thread).count() == 1
    assert_no_script_ran(browser)
    # No cleaned link keeps an address that would run script when clicked.
    for link in browser.find_elements(By.CSS_SELECTOR, ".post-body a"):
        href = link.get_attribute("href") or ""
        assert not href.lower().startswith(("javascript:", "data:", "vbscript:"))
    browser.get(daphne_server + reverse("courses:threads", args=[course.pk]))
    assert_no_script_ran(browser)
