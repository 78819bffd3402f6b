"""
Hands, polls and teacher controls across two daphne processes on one Redis.

The teacher is served by one process and the students by the other, so
every check below passes only if the state lives in the shared database
and the events cross processes through Redis.
"""

import asyncio
import json
from urllib.parse import urlparse

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from live.models import PollAnswer, PollOption, RaisedHand
from tests.courses.factories import enrol, make_student

from .conftest import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TIMEOUT = 10


def open_connection(base_url, session, cookie):
    return connect(
        f"ws://{urlparse(base_url).netloc}/ws/live/{session.pk}/",
        origin=base_url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
        open_timeout=TIMEOUT,
    )


async def next_message(socket, message_type, skip=("presence", "ack")):
    """Return the next message of ``message_type``, skipping ``skip`` types."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), TIMEOUT))
        if message["type"] == message_type:
            return message
        assert message["type"] in skip, message


async def send(socket, message):
    await socket.send(json.dumps(message))


def add_student(classroom):
    student = make_student(classroom.school)
    enrol(classroom.course, student)
    return student


async def test_hands_and_polls_across_processes(two_daphnes, classroom):
    first, second = two_daphnes
    session = classroom.session
    other = await database_sync_to_async(add_student)(classroom)
    cookie = database_sync_to_async(session_cookie)
    teacher_cookie = await cookie(classroom.teacher)
    student_cookie = await cookie(classroom.student)
    other_cookie = await cookie(other)

    async with (
        open_connection(first, session, teacher_cookie) as teacher,
        open_connection(second, session, student_cookie) as student,
        open_connection(second, session, other_cookie) as other_student,
    ):
        for socket in (teacher, student, other_student):
            await next_message(socket, "welcome")

        # Hands raised on the second process reach the teacher on the first,
        # in raising order.
        await send(student, {"type": "hand_raise"})
        first_hand = await next_message(teacher, "hand")
        await send(other_student, {"type": "hand_raise"})
        second_hand = await next_message(teacher, "hand")
        assert first_hand["user"]["id"] == classroom.student.pk
        assert second_hand["user"]["id"] == other.pk
        assert second_hand["seq"] == first_hand["seq"] + 1

        # A teacher joining on the second process gets the same queue.
        async with open_connection(second, session, teacher_cookie) as late:
            welcome = await next_message(late, "welcome")
            assert [hand["id"] for hand in welcome["hands"]] == [
                classroom.student.pk,
                other.pk,
            ]

        await send(teacher, {"type": "hands_lower_all"})
        for socket in (student, other_student):
            lowered = await next_message(
                socket, "hand", skip=("presence", "ack", "hand")
            )
            while lowered["op"] != "lower_all":
                lowered = await next_message(socket, "hand")
            assert lowered["count"] == 2

        # A poll asked on the first process, answered on the second.
        await send(
            teacher,
            {
                "type": "poll_open",
                "question": "Sudah paham?",
                "options": ["Ya", "Belum"],
            },
        )
        opened = await next_message(student, "poll", skip=("presence", "ack", "hand"))
        poll_id = opened["poll"]["id"]
        await next_message(other_student, "poll", skip=("presence", "ack", "hand"))
        await send(student, {"type": "poll_answer", "poll": poll_id, "option": 0})
        await send(other_student, {"type": "poll_answer", "poll": poll_id, "option": 1})

        counts = None
        while counts != [1, 1]:
            results = await next_message(
                teacher, "poll", skip=("presence", "ack", "hand", "poll")
            )
            if results["op"] == "results":
                counts = results["counts"]
        assert results["total"] == 2

        # A second answer from a connection on the other process is rejected.
        async with open_connection(first, session, student_cookie) as again:
            await next_message(again, "welcome")
            await send(
                again, {"type": "poll_answer", "poll": poll_id, "option": 1, "ref": "x"}
            )
            error = await next_message(again, "error", skip=("presence", "poll"))
            assert error["code"] == "already_answered"
            assert error["ref"] == "x"

        await send(teacher, {"type": "poll_close", "poll": poll_id})
        for socket in (student, other_student):
            closed = await next_message(
                socket, "poll", skip=("presence", "ack", "poll")
            )
            while closed["op"] != "close":
                closed = await next_message(socket, "poll")
            assert closed["poll"]["counts"] == [1, 1]

    def stored():
        votes = list(
            PollOption.objects.filter(poll_id=poll_id)
            .order_by("position")
            .values_list("votes", flat=True)
        )
        return votes, PollAnswer.objects.count(), RaisedHand.objects.count()

    votes, answers, hands = await database_sync_to_async(stored)()
    assert votes == [1, 1]
    assert answers == 2
    assert hands == 2


async def test_controls_across_processes(two_daphnes, classroom):
    first, second = two_daphnes
    session = classroom.session
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)

    async with (
        open_connection(first, session, teacher_cookie) as teacher,
        open_connection(second, session, student_cookie) as student,
    ):
        await next_message(teacher, "welcome")
        await next_message(student, "welcome")

        await send(teacher, {"type": "chat_mute"})
        await next_message(teacher, "control")
        # The mute is in the database once the teacher's ack arrives, so the
        # student's process rejects the very next chat message.
        await send(student, {"type": "chat", "text": "Bu?", "ref": "m"})
        error = await next_message(student, "error", skip=("presence", "control"))
        assert error["code"] == "chat_muted"

        await send(teacher, {"type": "remove", "user": classroom.student.pk})
        removed = await next_message(student, "control", skip=("presence", "control"))
        assert removed["op"] == "removed"
        await asyncio.wait_for(student.wait_closed(), TIMEOUT)
        assert student.close_code == 4430

    async with open_connection(first, session, student_cookie) as again:
        error = await next_message(again, "error")
        assert error["code"] == "removed"
        await asyncio.wait_for(again.wait_closed(), TIMEOUT)
    assert again.close_code == 4430
