"""
The slide and media panels of the join page in a real chromium.

The teacher uses the page in the browser while a student follows over a
plain ``websockets`` connection to the same daphne. No test here starts
audio: chromium would gather ICE candidates on the machine's network
addresses, and tests reach loopback only. The aiortc test in
``test_webrtc_tcp`` covers a negotiation instead.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .conftest import session_cookie
from .test_browser import log_in, wait_for
from .test_slides import decks  # noqa: F401 - the fixture
from .test_tcp import open_connection, receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]


def connection_status(browser):
    return browser.find_element(By.CSS_SELECTOR, "[data-connection]").text


def slide_caption(browser):
    return browser.find_element(By.CSS_SELECTOR, "[data-slide-caption]").text


def slide_image_loaded(browser):
    return browser.execute_script(
        "var image = document.querySelector('[data-slide-image]');"
        "return image.complete && image.naturalWidth > 0;"
    )


async def test_teacher_shows_slides_from_page(daphne_server, browser, classroom, decks):  # noqa: F811
    pdf, _text, _foreign = decks
    session = classroom.session
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)

    await asyncio.to_thread(log_in, browser, daphne_server, teacher_cookie)
    await asyncio.to_thread(browser.get, f"{daphne_server}/live/{session.pk}/")
    await wait_for(lambda: connection_status(browser) == "Tersambung")

    # The media panel offers audio: two people are within the limit.
    status = browser.find_element(By.CSS_SELECTOR, "[data-media-status]").text
    assert status == "Audio mati."
    assert browser.find_element(By.CSS_SELECTOR, "[data-media-cap]").get_attribute(
        "hidden"
    )

    async with open_connection(daphne_server, session, student_cookie) as student:
        await receive(student, "welcome")

        def show_first_pdf():
            form = browser.find_element(By.CSS_SELECTOR, "[data-slide-form]")
            Select(form.find_element(By.NAME, "document")).select_by_value(str(pdf.pk))
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        await asyncio.to_thread(show_first_pdf)
        slide = await receive(student, "slide")
        assert slide["page"] == 1
        assert slide["deck"]["title"] == "Pecahan senilai"
        await wait_for(
            lambda: slide_caption(browser) == "Pecahan senilai, halaman 1 dari 3"
        )
        await wait_for(lambda: slide_image_loaded(browser))

        next_button = browser.find_element(By.CSS_SELECTOR, "[data-slide-next]")
        await asyncio.to_thread(next_button.click)
        slide = await receive(student, "slide")
        assert slide["page"] == 2
        await wait_for(
            lambda: slide_caption(browser) == "Pecahan senilai, halaman 2 dari 3"
        )

        stop_button = browser.find_element(By.CSS_SELECTOR, "[data-slide-stop]")
        await asyncio.to_thread(stop_button.click)
        slide = await receive(student, "slide")
        assert slide["deck"] is None
        await wait_for(
            lambda: browser.find_element(
                By.CSS_SELECTOR, "[data-slide-figure]"
            ).get_attribute("hidden")
        )
