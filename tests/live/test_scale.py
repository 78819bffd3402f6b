"""
Live classes across processes and reconnects, over real TCP.

Daphne runs in child processes and the clients are ``websockets`` clients
that log in with a session cookie, as a browser does.
"""

import asyncio
import json
from urllib.parse import urlparse

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from live.models import LiveEvent
from tests.courses.factories import enrol, make_student

from .conftest import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TIMEOUT = 10
UNSEQUENCED = ("welcome", "presence", "ack", "resumed")


def open_connection(base_url, session, cookie, last_seq=None):
    url = f"ws://{urlparse(base_url).netloc}/ws/live/{session.pk}/"
    if last_seq is not None:
        url += f"?last_seq={last_seq}"
    return connect(
        url,
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=TIMEOUT,
    )


async def next_message(socket, message_type):
    """Return the next message of ``message_type``, skipping presence and acks."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        if message["type"] == message_type:
            return message
        assert message["type"] in ("presence", "ack"), message


async def sequenced(socket, count):
    """Return the next ``count`` messages that carry a sequence number."""
    messages = []
    while len(messages) < count:
        message = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        if message["type"] in UNSEQUENCED:
            continue
        assert message["type"] != "error", message
        messages.append(message)
    return messages


def add_students(classroom, count):
    students = []
    for _number in range(count):
        student = make_student(classroom.school)
        enrol(classroom.course, student)
        students.append(student)
    return students


async def test_two_processes_deliver_in_order(two_daphnes, classroom):
    first, second = two_daphnes
    session = classroom.session
    others = await database_sync_to_async(add_students)(classroom, 2)
    students = [classroom.student, *others]
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    cookies = [
        await database_sync_to_async(session_cookie)(student) for student in students
    ]

    async with (
        open_connection(first, session, teacher_cookie) as teacher,
        open_connection(second, session, cookies[0]) as student_a,
        open_connection(second, session, cookies[1]) as student_b,
        open_connection(first, session, cookies[2]) as student_c,
    ):
        sockets = [teacher, student_a, student_b, student_c]
        for socket in sockets:
            await next_message(socket, "welcome")

        async def teacher_sends():
            for number in range(5):
                await teacher.send(
                    json.dumps({"type": "chat", "text": f"guru {number}"})
                )
                stroke = {"id": f"s{number}", "color": "#112233", "width": 3}
                await teacher.send(
                    json.dumps(
                        {
                            "type": "draw",
                            "strokes": [{**stroke, "points": [1, 2, 3, 4]}],
                        }
                    )
                )

        async def student_sends(socket, name):
            for number in range(3):
                await socket.send(
                    json.dumps({"type": "chat", "text": f"{name} {number}"})
                )

        await asyncio.gather(
            teacher_sends(),
            student_sends(student_a, "a"),
            student_sends(student_b, "b"),
            student_sends(student_c, "c"),
        )
        expected = 5 * 2 + 3 * 3
        received = [await sequenced(socket, expected) for socket in sockets]

    # Opening the session was event 1.
    for messages in received:
        assert [m["seq"] for m in messages] == list(range(2, 2 + expected))
    assert all(messages == received[0] for messages in received)
    texts = [m["text"] for m in received[0] if m["type"] == "chat"]
    assert [t for t in texts if t.startswith("guru")] == [f"guru {n}" for n in range(5)]
    assert [t for t in texts if t.startswith("a ")] == ["a 0", "a 1", "a 2"]

    # The writers of both processes drain the Redis stream into the table.
    async def stored_seqs():
        return await database_sync_to_async(
            lambda: list(
                LiveEvent.objects.filter(session=session)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
        )()

    for _attempt in range(50):
        if len(await stored_seqs()) == expected + 1:
            break
        await asyncio.sleep(0.1)
    assert await stored_seqs() == list(range(1, 2 + expected))


async def test_reconnect_replays_missed_events(daphne_server, classroom):
    session = classroom.session
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)

    async with open_connection(daphne_server, session, teacher_cookie) as teacher:
        await next_message(teacher, "welcome")
        async with open_connection(daphne_server, session, student_cookie) as student:
            seen = (await next_message(student, "welcome"))["last_seq"]

        # The student's connection dropped. The class goes on.
        for number in range(3):
            await teacher.send(json.dumps({"type": "chat", "text": f"materi {number}"}))
            await next_message(teacher, "chat")

        async with open_connection(
            daphne_server, session, student_cookie, last_seq=seen
        ) as student:
            welcome = await next_message(student, "welcome")
            assert welcome["last_seq"] == seen + 3
            replayed = [await next_message(student, "chat") for _number in range(3)]
            assert [m["seq"] for m in replayed] == [seen + 1, seen + 2, seen + 3]
            assert [m["text"] for m in replayed] == [
                "materi 0",
                "materi 1",
                "materi 2",
            ]
            assert replayed[0]["from"]["id"] == classroom.teacher.pk
            resumed = await next_message(student, "resumed")
            assert resumed == {"type": "resumed", "last_seq": seen + 3, "count": 3}

            # Live events follow the replay without a gap or a repeat.
            await teacher.send(json.dumps({"type": "chat", "text": "lanjut"}))
            live = await next_message(student, "chat")
            assert (live["seq"], live["text"]) == (seen + 4, "lanjut")

            # A resume on the open connection sends only what is asked for.
            await student.send(
                json.dumps({"type": "resume", "last_seq": seen + 2, "ref": "r1"})
            )
            again = [await next_message(student, "chat") for _number in range(2)]
            assert [m["seq"] for m in again] == [seen + 3, seen + 4]
            resumed = await next_message(student, "resumed")
            assert (resumed["count"], resumed["ref"]) == (2, "r1")
