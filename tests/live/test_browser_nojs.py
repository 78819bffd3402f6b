"""
The classroom tools in two chromium instances with JavaScript turned off.

A student and a teacher use only the plain forms of the join page: hands, a
poll, the chat mute, removing the student and ending the class. After each
post the page reloads and shows the new state, or the error. While the class
is open, the page also reloads by itself.
"""

import time

import pytest
from django.urls import reverse
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from live import classroom as actions
from live import services
from live.errors import error_message
from live.models import LiveEvent, LiveSession, Poll, PollAnswer, RaisedHand, Removal
from live.protocol import ErrorCode

from .browsers import NO_JAVASCRIPT, chromium
from .conftest import session_cookie
from .test_browser import chat_texts, log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]

WAIT_SECONDS = 15


def tools_text(browser):
    return browser.find_element(By.CSS_SELECTOR, "[data-live-forms]").text


def notices(browser):
    items = browser.find_elements(By.CSS_SELECTOR, "ul.messages li")
    return [item.text for item in items]


def field(browser, name):
    """Return the field ``name`` of the forms, not of the hidden JavaScript tools."""
    return browser.find_element(By.CSS_SELECTOR, f'[data-live-forms] [name="{name}"]')


def submit(browser, button):
    """Click a form's ``button`` and wait until the next page replaced this one."""
    page = browser.find_element(By.TAG_NAME, "html")
    button.click()

    def replaced(_browser):
        # Chromium reports an element of the old page either as stale or,
        # while the new page is loading, as a node that "does not belong to
        # the document". Either way the old page is gone.
        try:
            page.is_enabled()
        except WebDriverException:
            return True
        return False

    WebDriverWait(browser, WAIT_SECONDS).until(replaced)


def press(browser, session, name):
    """Press the button of the classroom form that posts to ``live:name``."""
    action = reverse(f"live:{name}", args=[session.pk])
    selector = f'[data-live-forms] form[action^="{action}"] button'
    submit(browser, browser.find_element(By.CSS_SELECTOR, selector))


def test_classroom_tools_without_javascript(daphne_server, classroom):
    session = classroom.session
    page_url = f"{daphne_server}/live/{session.pk}/"
    with (
        chromium(prefs=NO_JAVASCRIPT) as student,
        chromium(prefs=NO_JAVASCRIPT) as teacher,
    ):
        log_in(student, daphne_server, session_cookie(classroom.student))
        log_in(teacher, daphne_server, session_cookie(classroom.teacher))

        # The JavaScript tools stay hidden, and the forms show.
        student.get(page_url)
        controls = student.find_element(By.CSS_SELECTOR, "[data-live-controls]")
        assert not controls.is_displayed()
        assert student.find_element(By.CSS_SELECTOR, "[data-live-forms]").is_displayed()
        status = student.find_element(By.CSS_SELECTOR, "[data-connection]").text
        assert status.startswith("Halaman ini dimuat ulang setiap 30 detik")

        press(student, session, "hand_raise")
        assert notices(student) == ["Tangan Anda terangkat."]
        assert "Turunkan tangan" in tools_text(student)
        assert RaisedHand.objects.filter(lowered_at__isnull=True).count() == 1

        # The teacher sees the queue and asks a poll.
        teacher.get(page_url)
        queue = teacher.find_element(By.CSS_SELECTOR, "[data-forms-hands]").text
        assert "Budi Santoso" in queue
        field(teacher, "question").send_keys("Berapa 1/2 + 1/4?")
        field(teacher, "options").send_keys("1/4\n3/4")
        press(teacher, session, "poll_open")
        assert notices(teacher) == ["Jajak pendapat dibuka. Siswa dapat menjawab."]
        assert Poll.objects.get().question == "Berapa 1/2 + 1/4?"

        # The student reloads, answers once, and sees the live results.
        submit(student, student.find_element(By.CSS_SELECTOR, "[data-forms-reload]"))
        assert "Berapa 1/2 + 1/4?" in tools_text(student)
        student.find_element(
            By.CSS_SELECTOR, '[data-live-forms] input[name="option"][value="1"]'
        ).click()
        press(student, session, "poll_answer")
        assert notices(student) == ["Jawaban Anda tersimpan."]
        assert "3/4 (jawaban Anda)" in tools_text(student)
        assert student.find_elements(By.CSS_SELECTOR, 'input[name="option"]') == []
        assert PollAnswer.objects.get().option.position == 1

        # A second poll while one is open is rejected, and keeps the text.
        teacher.get(page_url)
        assert "1 jawaban" in tools_text(teacher)
        press(teacher, session, "poll_close")
        assert notices(teacher) == ["Jajak pendapat ditutup."]
        assert "Hasil akhir" in tools_text(teacher)
        field(teacher, "question").send_keys("Siap ujian?")
        field(teacher, "options").send_keys("Ya")
        press(teacher, session, "poll_open")
        invalid = error_message(ErrorCode.INVALID_POLL_OPTIONS, {"detail": "count"})
        assert notices(teacher) == [invalid]
        typed = field(teacher, "question").get_attribute("value")
        assert typed == "Siap ujian?"
        assert Poll.objects.count() == 1

        press(teacher, session, "hands_lower_all")
        assert notices(teacher) == ["Semua tangan diturunkan."]
        assert RaisedHand.objects.filter(lowered_at__isnull=True).count() == 0

        # A muted chat rejects the student's message.
        press(teacher, session, "chat_mute")
        assert notices(teacher) == ["Obrolan dinonaktifkan untuk siswa."]
        student.get(page_url)
        assert "Guru menonaktifkan obrolan." in tools_text(student)
        student.find_element(By.CSS_SELECTOR, "[data-chat-form] textarea").send_keys(
            "halo"
        )
        submit(
            student, student.find_element(By.CSS_SELECTOR, "[data-chat-form] button")
        )
        assert notices(student) == [error_message(ErrorCode.CHAT_MUTED)]
        assert LiveEvent.objects.filter(kind=LiveEvent.Kind.CHAT).count() == 0

        # The teacher removes the student, who may no longer enter.
        Select(field(teacher, "user")).select_by_visible_text("Budi Santoso")
        press(teacher, session, "remove")
        assert notices(teacher) == ["Budi Santoso dikeluarkan dari kelas langsung."]
        assert Removal.objects.filter(user=classroom.student).exists()
        student.get(page_url)
        assert (
            "Guru mengeluarkan Anda" in student.find_element(By.TAG_NAME, "main").text
        )

        end = teacher.find_element(
            By.CSS_SELECTOR, ".manage form[action$='/end/'] button"
        )
        submit(teacher, end)
        assert notices(teacher) == ["Kelas langsung telah berakhir."]
        assert LiveSession.objects.get(pk=session.pk).state == "ended"
        assert teacher.find_elements(By.CSS_SELECTOR, "[data-live-forms]") == []


# The interval of the reload test. The forked daphne child inherits it.
RELOAD_SECONDS = 2


@pytest.fixture
def quick_reload(settings):
    settings.LIVE_NOSCRIPT_REFRESH_SECONDS = RELOAD_SECONDS


def stays_loaded(browser):
    """Return whether the page is still the same after three reload intervals."""
    page = browser.find_element(By.TAG_NAME, "html")
    time.sleep(3 * RELOAD_SECONDS)
    try:
        page.is_enabled()
    except WebDriverException:
        return False
    return True


def wait_for_chat(browser, text):
    WebDriverWait(browser, WAIT_SECONDS).until(lambda b: text in chat_texts(b))


# quick_reload comes before daphne_server, so the child is forked with it.
def test_page_reloads_itself_without_javascript(quick_reload, daphne_server, classroom):
    session = classroom.session
    page_url = f"{daphne_server}/live/{session.pk}/"
    with chromium(prefs=NO_JAVASCRIPT) as student:
        log_in(student, daphne_server, session_cookie(classroom.student))

        # The address of a page after a form post ends in a fragment, which
        # must not turn the reload into a scroll.
        student.get(page_url + "#classroom-tools")
        services.post_chat(session.pk, classroom.teacher, "teacher", "Buka hal. 12")
        actions.open_poll(session.pk, classroom.teacher, "Siap?", ["Ya", "Belum"], True)
        wait_for_chat(student, "Buka hal. 12")
        assert "Siap?" in tools_text(student)

        # Paused, the page stays loaded, and so does any text typed into it.
        submit(student, student.find_element(By.CSS_SELECTOR, "[data-refresh-pause]"))
        assert student.find_elements(By.CSS_SELECTOR, "[data-refresh-resume]")
        services.post_chat(session.pk, classroom.teacher, "teacher", "Hal. 13")
        assert stays_loaded(student)
        assert "Hal. 13" not in chat_texts(student)
        submit(student, student.find_element(By.CSS_SELECTOR, "[data-refresh-resume]"))
        assert "Hal. 13" in chat_texts(student)

        # With JavaScript the socket brings news, and the page does not reload.
        with chromium() as scripted:
            log_in(scripted, daphne_server, session_cookie(classroom.teacher))
            scripted.get(page_url)
            student.find_element(
                By.CSS_SELECTOR, "[data-chat-form] textarea"
            ).send_keys("Hal. 14")
            submit(
                student,
                student.find_element(By.CSS_SELECTOR, "[data-chat-form] button"),
            )
            wait_for_chat(scripted, "Hal. 14")
            assert stays_loaded(scripted)

        # Once the class has ended, the page stops reloading.
        services.change_state(
            LiveSession.objects.get(pk=session.pk), "ended", classroom.teacher
        )
        WebDriverWait(student, WAIT_SECONDS).until(
            lambda b: (
                "Kelas langsung telah berakhir." in b.find_element(By.ID, "chat").text
            )
        )
        assert stays_loaded(student)
