"""
The browser client ``static/live/classroom.js`` in a real chromium.

A student uses the join page in the browser while the teacher talks over a
plain ``websockets`` connection to the same daphne.
"""

import asyncio
import json
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlparse

import pytest
from channels.db import database_sync_to_async
from selenium.webdriver.common.by import By

from .conftest import session_cookie
from .test_tcp import open_connection, receive

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser,
    pytest.mark.slow,
]

WAIT = 15


def log_in(browser, base_url, cookie):
    # A cookie can only be set for the page's own site, so load one first.
    browser.get(f"{base_url}/static/live/classroom.css")
    browser.add_cookie({"name": "sessionid", "value": cookie, "path": "/"})


def connection_status(browser):
    return browser.find_element(By.CSS_SELECTOR, "[data-connection]").text


def chat_texts(browser):
    items = browser.find_elements(By.CSS_SELECTOR, "[data-chat-log] [data-seq] .text")
    return [item.text for item in items]


async def wait_for(condition, timeout=WAIT):
    """Poll ``condition`` in a thread until it returns something true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await asyncio.to_thread(condition)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await asyncio.sleep(0.2)


async def test_browser_chat_with_teacher(daphne_server, browser, classroom):
    session = classroom.session
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    page_url = f"{daphne_server}/live/{session.pk}/"

    await asyncio.to_thread(log_in, browser, daphne_server, student_cookie)
    await asyncio.to_thread(browser.get, page_url)
    await wait_for(lambda: connection_status(browser) == "Tersambung")

    async with open_connection(daphne_server, session, teacher_cookie) as teacher:
        await receive(teacher, "welcome")
        # The student's browser lists the teacher as present.
        await wait_for(
            lambda: (
                "Siti Rahayu"
                in browser.find_element(By.CSS_SELECTOR, "[data-presence]").text
            )
        )

        def send_from_browser():
            box = browser.find_element(By.CSS_SELECTOR, "[data-chat-form] textarea")
            box.send_keys("Selamat pagi, Bu <b>guru</b>")
            browser.find_element(
                By.CSS_SELECTOR, "[data-chat-form] button[type=submit]"
            ).click()

        await asyncio.to_thread(send_from_browser)
        chat = await receive(teacher, "chat")
        assert chat["text"] == "Selamat pagi, Bu <b>guru</b>"
        assert chat["from"]["id"] == classroom.student.pk
        # The message went over the websocket, so the form did not post.
        netloc = urlparse(daphne_server).netloc
        assert browser.current_url == f"http://{netloc}/live/{session.pk}/"

        await teacher.send(
            json.dumps(
                {
                    "type": "chat",
                    "text": "<img src=x onerror=alert(1)> lihat https://depok.go.id",
                }
            )
        )
        texts = await wait_for(
            lambda: len(chat_texts(browser)) == 2 and chat_texts(browser)
        )
        assert texts[0] == "Selamat pagi, Bu <b>guru</b>"
        assert texts[1] == "<img src=x onerror=alert(1)> lihat https://depok.go.id"

        def inspect_log():
            log = browser.find_element(By.CSS_SELECTOR, "[data-chat-log]")
            links = log.find_elements(By.TAG_NAME, "a")
            return (
                len(log.find_elements(By.TAG_NAME, "img")),
                len(log.find_elements(By.TAG_NAME, "b")),
                [(a.get_attribute("href"), a.get_attribute("rel")) for a in links],
            )

        images, bold, links = await asyncio.to_thread(inspect_log)
        assert images == 0
        assert bold == 0
        assert links == [("https://depok.go.id/", "nofollow noopener")]

    # The browser removes the teacher from the presence list.
    await wait_for(
        lambda: (
            "Siti Rahayu"
            not in browser.find_element(By.CSS_SELECTOR, "[data-presence]").text
        )
    )


def open_url(url, cookies, data=None):
    # Only http URLs of the test's own daphne on 127.0.0.1 come through here.
    request = urllib.request.Request(  # noqa: S310
        url, data=data, headers={"Cookie": cookies}
    )
    return urllib.request.urlopen(request, timeout=WAIT)  # noqa: S310


def end_over_http(base_url, session, cookie):
    """End ``session`` with the teacher's form, as another browser would."""
    page_url = f"{base_url}/live/{session.pk}/"
    with open_url(page_url, f"sessionid={cookie}") as response:
        csrf_cookie = SimpleCookie(response.headers["Set-Cookie"])["csrftoken"].value
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf_cookie}).encode()
    cookies = f"sessionid={cookie}; csrftoken={csrf_cookie}"
    with open_url(f"{page_url}end/", cookies, data=form) as response:
        return response.status


async def test_browser_sees_class_end(daphne_server, browser, classroom):
    session = classroom.session
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)

    await asyncio.to_thread(log_in, browser, daphne_server, student_cookie)
    await asyncio.to_thread(browser.get, f"{daphne_server}/live/{session.pk}/")
    await wait_for(lambda: connection_status(browser) == "Tersambung")

    status = await asyncio.to_thread(
        end_over_http, daphne_server, session, teacher_cookie
    )
    assert status == 200

    # The page shows that the class ended, hides the chat form and does not
    # try to reconnect.
    await wait_for(
        lambda: connection_status(browser) == "Kelas langsung telah berakhir."
    )
    badge = await asyncio.to_thread(
        lambda: browser.find_element(By.CSS_SELECTOR, "[data-live-state]").text
    )
    assert badge == "Kelas langsung telah berakhir."
    form_shown = await asyncio.to_thread(
        lambda: browser.find_element(By.CSS_SELECTOR, "[data-chat-form]").is_displayed()
    )
    assert not form_shown
    await asyncio.sleep(2)
    assert connection_status(browser) == "Kelas langsung telah berakhir."
