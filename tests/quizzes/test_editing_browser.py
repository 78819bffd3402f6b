"""The question edit and quiz delete pages in a real chromium."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from courses.quizzes import services
from courses.quizzes.models import Attempt, Quiz
from tests.e2e.test_browser import AXE_SCRIPT, axe_violations

from .helpers import correct_raw, make_bank, make_classroom, make_quiz
from .test_browser import session_key_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]

WAIT = 15


@pytest.fixture(autouse=True)
def _axe_installed():
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run npm ci")


def log_in(browser, server, user):
    # A cookie can only be set for the page's own site, so load one first.
    browser.get(f"{server}/static/quizzes/attempt.js")
    browser.add_cookie(
        {"name": "sessionid", "value": session_key_for(user), "path": "/"}
    )


def test_teacher_edits_question_in_browser(daphne_server, browser):
    teacher, course, _students = make_classroom(students=0)
    question = make_bank(course)["single"]
    log_in(browser, daphne_server, teacher)
    browser.get(daphne_server + reverse("quizzes:question_edit", args=[question.pk]))

    assert axe_violations(browser) == []
    text = browser.find_element(By.NAME, "text")
    text.clear()
    text.send_keys("Berapa 2 + 2?")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    WebDriverWait(browser, WAIT).until(
        lambda _driver: "/questions/" in browser.current_url
    )
    question.refresh_from_db()
    assert question.text == "Berapa 2 + 2?"


def test_quiz_delete_needs_ticked_box(daphne_server, browser):
    teacher, course, students = make_classroom(students=1)
    question = make_bank(course)["single"]
    quiz = make_quiz(course, [question])
    attempt = services.start_attempt(quiz, students[0])
    services.save_answer(attempt, question.pk, correct_raw(question))
    services.finalise(attempt, Attempt.Ending.STUDENT)
    log_in(browser, daphne_server, teacher)
    browser.get(daphne_server + reverse("quizzes:delete", args=[quiz.pk]))

    assert axe_violations(browser) == []
    warning = browser.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "1" in warning
    # The box is required, so the browser does not send the form unticked.
    button = browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    button.click()
    assert browser.current_url.endswith(reverse("quizzes:delete", args=[quiz.pk]))
    assert Quiz.objects.filter(pk=quiz.pk).exists()

    browser.find_element(By.NAME, "confirm").click()
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, WAIT).until(
        lambda _driver: not Quiz.objects.filter(pk=quiz.pk).exists()
    )
    assert not Attempt.objects.exists()
