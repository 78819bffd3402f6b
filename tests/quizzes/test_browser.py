"""The autosave script ``quizzes/attempt.js`` in a real chromium."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from courses.quizzes import services
from courses.quizzes.models import Answer

from .helpers import make_bank, make_classroom, make_quiz

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]

WAIT = 15


def session_key_for(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "lms.auth.IdentifierBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def test_answers_autosave_on_change(daphne_server, browser):
    _teacher, course, students = make_classroom(students=1)
    bank = make_bank(course)
    quiz = make_quiz(course, [bank["single"], bank["short"]], time_limit_minutes=30)
    attempt = services.start_attempt(quiz, students[0])

    # A cookie can only be set for the page's own site, so load one first.
    browser.get(f"{daphne_server}/static/quizzes/attempt.js")
    browser.add_cookie(
        {"name": "sessionid", "value": session_key_for(students[0]), "path": "/"}
    )
    browser.get(daphne_server + reverse("quizzes:attempt", args=[attempt.pk]))

    correct = bank["single"].choices.get(is_correct=True)
    browser.find_element(By.CSS_SELECTOR, f"input[value='{correct.pk}']").click()
    single_form = browser.find_element(By.ID, f"question-{bank['single'].pk}")
    WebDriverWait(browser, WAIT).until(
        lambda _driver: (
            single_form.find_element(By.CSS_SELECTOR, ".quiz-status").text
            == "Tersimpan"
        )
    )
    short = browser.find_element(
        By.CSS_SELECTOR, f"#question-{bank['short'].pk} input[name=text]"
    )
    short.send_keys("Bandung")
    WebDriverWait(browser, WAIT).until(
        lambda _driver: Answer.objects.filter(
            attempt=attempt, question=bank["short"], data={"text": "Bandung"}
        ).exists()
    )

    single = Answer.objects.get(attempt=attempt, question=bank["single"])
    assert single.data == {"choices": [correct.pk]}
    timer = browser.find_element(By.ID, "quiz-timer").text
    assert timer.startswith(("29:", "30:")), timer
