"""
A live class over real TCP: daphne in a child process, ``websockets`` clients.

The clients log in with a session cookie, as a browser does, and send the
``Origin`` header of the page they were loaded from.
"""

import asyncio
import json
from urllib.parse import urlparse

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from live.models import LiveEvent

from .conftest import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TIMEOUT = 10


def websocket_url(base_url, session):
    return f"ws://{urlparse(base_url).netloc}/ws/live/{session.pk}/"


async def receive(socket, message_type):
    """Skip presence and ack messages and return the next ``message_type``."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        if message["type"] == message_type:
            return message
        assert message["type"] in ("presence", "ack"), message


def open_connection(base_url, session, cookie, origin=None):
    return connect(
        websocket_url(base_url, session),
        origin=origin or base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=TIMEOUT,
    )


async def test_chat_over_tcp(daphne_server, classroom):
    session = classroom.session
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)

    async with (
        open_connection(daphne_server, session, teacher_cookie) as teacher,
        open_connection(daphne_server, session, student_cookie) as student,
    ):
        assert (await receive(teacher, "welcome"))["you"]["role"] == "teacher"
        assert (await receive(student, "welcome"))["you"]["role"] == "student"

        await student.send(json.dumps({"type": "chat", "text": "Hadir, Bu."}))
        chat = await receive(teacher, "chat")
        assert chat["text"] == "Hadir, Bu."
        assert chat["from"]["id"] == classroom.student.pk
        assert (await receive(student, "chat"))["seq"] == chat["seq"]

        await teacher.send(json.dumps({"type": "chat", "text": "Terima kasih."}))
        reply = await receive(student, "chat")
        assert reply["text"] == "Terima kasih."
        assert reply["seq"] == chat["seq"] + 1

    # With Redis the writer drains acked events into the table within a
    # second or so.
    def stored_texts():
        return [e.text for e in LiveEvent.objects.filter(kind="chat")]

    texts = []
    for _attempt in range(50):
        texts = await database_sync_to_async(stored_texts)()
        if len(texts) == 2:
            break
        await asyncio.sleep(0.1)
    assert texts == ["Hadir, Bu.", "Terima kasih."]


async def test_foreign_origin_refused_over_tcp(daphne_server, classroom):
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    with pytest.raises(InvalidStatus) as caught:
        async with open_connection(
            daphne_server, classroom.session, cookie, origin="http://evil.example"
        ):
            pass
    assert caught.value.response.status_code == 403


async def test_outsider_closed_over_tcp(daphne_server, classroom):
    cookie = await database_sync_to_async(session_cookie)(classroom.outsider)
    async with open_connection(daphne_server, classroom.session, cookie) as socket:
        error = await receive(socket, "error")
        assert error["code"] == "forbidden"
        await asyncio.wait_for(socket.wait_closed(), TIMEOUT)
    assert socket.close_code == 4403
