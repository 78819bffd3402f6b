"""
Hands, polls, the chat mute and low-data mode in a real chromium.

A student uses the join page in the browser (``classroom-controls.js`` on
top of ``classroom.js``) while the teacher talks over a plain
``websockets`` connection to the same daphne.
"""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from selenium.webdriver.common.by import By

from live.models import PollAnswer, RaisedHand

from .conftest import session_cookie
from .test_browser import connection_status, log_in, wait_for
from .test_tcp import open_connection, receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]


def text_of(browser, selector):
    return browser.find_element(By.CSS_SELECTOR, selector).text


def click(browser, selector):
    browser.find_element(By.CSS_SELECTOR, selector).click()


def count(model, **filters):
    return database_sync_to_async(model.objects.filter(**filters).count)()


async def test_browser_hand_poll_and_mute(daphne_server, browser, classroom):
    session = classroom.session
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)

    await asyncio.to_thread(log_in, browser, daphne_server, student_cookie)
    await asyncio.to_thread(browser.get, f"{daphne_server}/live/{session.pk}/")
    await wait_for(lambda: connection_status(browser) == "Tersambung")
    panel = await asyncio.to_thread(
        browser.find_element, By.CSS_SELECTOR, "[data-live-controls]"
    )
    assert await asyncio.to_thread(panel.is_displayed)
    # The plain forms for browsers without JavaScript are hidden.
    forms = await asyncio.to_thread(
        browser.find_element, By.CSS_SELECTOR, "[data-live-forms]"
    )
    assert not await asyncio.to_thread(forms.is_displayed)

    async with open_connection(daphne_server, session, teacher_cookie) as teacher:
        await receive(teacher, "welcome")

        await asyncio.to_thread(click, browser, "[data-hand-toggle]")
        raised = await receive(teacher, "hand")
        assert raised["user"]["id"] == classroom.student.pk
        await wait_for(
            lambda: text_of(browser, "[data-hand-toggle]") == "Turunkan tangan"
        )
        assert await count(RaisedHand, lowered_at__isnull=True) == 1

        await teacher.send(
            json.dumps(
                {
                    "type": "poll_open",
                    "question": "Berapa 1/2 + 1/4?",
                    "options": ["1/4", "3/4"],
                }
            )
        )
        await wait_for(
            lambda: text_of(browser, "[data-poll-question]") == "Berapa 1/2 + 1/4?"
        )
        await asyncio.to_thread(
            click, browser, "[data-poll-options] li:nth-child(2) button"
        )
        results = await receive(teacher, "poll")
        while results["op"] != "results":
            results = await receive(teacher, "poll")
        assert results["counts"] == [0, 1]
        await wait_for(
            lambda: "Jawaban Anda tersimpan." in text_of(browser, "[data-poll-status]")
        )
        assert await count(PollAnswer, user=classroom.student) == 1
        # After answering, the options are no longer buttons.
        buttons = await asyncio.to_thread(
            browser.find_elements, By.CSS_SELECTOR, "[data-poll-options] button"
        )
        assert buttons == []

        await teacher.send(json.dumps({"type": "chat_mute"}))
        await wait_for(
            lambda: (
                text_of(browser, "[data-chat-muted-notice]")
                == "Guru menonaktifkan obrolan."
            )
        )

        await asyncio.to_thread(click, browser, "[data-low-data]")
        stored = await wait_for(
            lambda: browser.execute_script(
                "return window.localStorage.getItem('live-low-data');"
            )
        )
        assert stored == "1"
        assert (
            await asyncio.to_thread(
                browser.execute_script,
                "return document.querySelector('[data-live-session]')"
                ".getAttribute('data-low-data');",
            )
            == "1"
        )
