"""
Hands, polls, teacher controls and low-data mode on the classroom websocket.

Every test connects through the full ASGI stack of ``lms.asgi`` with
channels' WebsocketCommunicator, and checks what the database and the log
keep after each accepted or rejected message.
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from live.models import (
    LiveEvent,
    LiveSession,
    Poll,
    PollAnswer,
    PollOption,
    RaisedHand,
    Removal,
)
from live.protocol import (
    POLL_MAX_OPTIONS,
    POLL_OPTION_MAX_LENGTH,
    POLL_QUESTION_MAX_LENGTH,
)
from tests.courses.factories import enrol, make_student

from .conftest import ORIGIN, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]

TIMEOUT = 5


async def connect(session, user, query="", language=None):
    """Open the classroom websocket for ``user`` and return it with the welcome."""
    from lms.asgi import application

    cookie = await database_sync_to_async(session_cookie)(user)
    cookies = f"{settings.SESSION_COOKIE_NAME}={cookie}"
    if language:
        cookies += f"; {settings.LANGUAGE_COOKIE_NAME}={language}"
    path = f"/ws/live/{session.pk}/" + (f"?{query}" if query else "")
    socket = WebsocketCommunicator(
        application,
        path,
        headers=[(b"origin", ORIGIN.encode()), (b"cookie", cookies.encode())],
    )
    connected, _subprotocol = await socket.connect(timeout=TIMEOUT)
    assert connected
    welcome = await socket.receive_json_from(timeout=TIMEOUT)
    return socket, welcome


async def join(session, user, query="", language=None):
    socket, welcome = await connect(session, user, query, language)
    assert welcome["type"] == "welcome", welcome
    return socket, welcome


async def next_of(socket, message_type, skip=("presence", "ack")):
    """Return the next message of ``message_type``, skipping ``skip`` types."""
    while True:
        message = await socket.receive_json_from(timeout=TIMEOUT)
        if message["type"] == message_type:
            return message
        assert message["type"] in skip, message


async def send(socket, message):
    await socket.send_json_to(message)


async def error_for(socket, message):
    """Send ``message`` and return the error it gets, skipping other messages."""
    await send(socket, message)
    while True:
        reply = await socket.receive_json_from(timeout=TIMEOUT)
        if reply["type"] == "error":
            return reply


async def closed_with(socket):
    """Return the close code of a socket that the server is closing."""
    while True:
        output = await socket.receive_output(timeout=TIMEOUT)
        if output["type"] == "websocket.close":
            return output.get("code")


def count(model, **filters):
    return database_sync_to_async(model.objects.filter(**filters).count)()


def events(session, kind):
    return database_sync_to_async(
        lambda: list(
            LiveEvent.objects.filter(session=session, kind=kind)
            .order_by("seq")
            .values_list("payload", flat=True)
        )
    )()


def add_student(classroom):
    student = make_student(classroom.school)
    enrol(classroom.course, student)
    return student


async def disconnect(*sockets):
    for socket in sockets:
        await socket.disconnect()


# Hands.


async def test_hand_queue_in_raising_order(classroom):
    session = classroom.session
    other = await database_sync_to_async(add_student)(classroom)
    teacher, _welcome = await join(session, classroom.teacher)
    first, _welcome = await join(session, classroom.student)
    second, _welcome = await join(session, other)

    await send(first, {"type": "hand_raise", "ref": "h1"})
    ack = await next_of(first, "ack", skip=("presence",))
    assert ack["ref"] == "h1"
    raised = await next_of(teacher, "hand")
    assert raised["op"] == "raise"
    assert raised["seq"] == ack["seq"]
    assert raised["user"]["id"] == classroom.student.pk
    assert raised["from"]["id"] == classroom.student.pk
    assert raised["raised_at"]

    await send(second, {"type": "hand_raise"})
    assert (await next_of(teacher, "hand"))["user"]["id"] == other.pk

    late, welcome = await join(session, classroom.teacher)
    assert [hand["id"] for hand in welcome["hands"]] == [classroom.student.pk, other.pk]
    assert await count(RaisedHand, lowered_at__isnull=True) == 2
    await disconnect(teacher, first, second, late)


async def test_hand_raised_twice_rejected(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await send(socket, {"type": "hand_raise"})
    await next_of(socket, "hand")
    error = await error_for(socket, {"type": "hand_raise", "ref": "h2"})
    assert error["code"] == "hand_already_raised"
    assert error["ref"] == "h2"
    assert await count(RaisedHand) == 1
    assert len(await events(classroom.session, "hand")) == 1
    await disconnect(socket)


async def test_student_lowers_own_hand(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    error = await error_for(socket, {"type": "hand_lower"})
    assert error["code"] == "hand_not_raised"

    await send(socket, {"type": "hand_raise"})
    await next_of(socket, "hand")
    await send(socket, {"type": "hand_lower"})
    lowered = await next_of(socket, "hand")
    assert lowered["op"] == "lower"
    assert lowered["user"]["id"] == classroom.student.pk
    assert await count(RaisedHand, lowered_at__isnull=True) == 0
    assert await count(RaisedHand, lowered_by=classroom.student) == 1
    await disconnect(socket)


async def test_student_cannot_lower_other_hand(classroom):
    other = await database_sync_to_async(add_student)(classroom)
    first, _welcome = await join(classroom.session, classroom.student)
    second, _welcome = await join(classroom.session, other)
    await send(second, {"type": "hand_raise"})
    await next_of(first, "hand")

    error = await error_for(first, {"type": "hand_lower", "user": other.pk})
    assert error["code"] == "forbidden"
    assert await count(RaisedHand, lowered_at__isnull=True) == 1
    await disconnect(first, second)


async def test_teacher_lowers_one_and_all(classroom):
    session = classroom.session
    others = [await database_sync_to_async(add_student)(classroom) for _ in range(2)]
    teacher, _welcome = await join(session, classroom.teacher)
    students = [(await join(session, user))[0] for user in [classroom.student, *others]]
    for socket in students:
        await send(socket, {"type": "hand_raise"})
        await next_of(teacher, "hand")

    await send(teacher, {"type": "hand_lower", "user": others[0].pk})
    lowered = await next_of(students[1], "hand", skip=("presence", "ack", "hand"))
    while lowered["op"] != "lower":
        lowered = await next_of(students[1], "hand")
    assert lowered["user"]["id"] == others[0].pk
    assert lowered["from"]["id"] == classroom.teacher.pk

    await send(teacher, {"type": "hands_lower_all", "ref": "all"})
    cleared = await next_of(teacher, "hand")
    while cleared["op"] != "lower_all":
        cleared = await next_of(teacher, "hand")
    assert cleared["count"] == 2
    assert await count(RaisedHand, lowered_at__isnull=True) == 0
    assert await count(RaisedHand, lowered_by=classroom.teacher) == 3

    late, welcome = await join(session, classroom.student)
    assert welcome["hands"] == []
    await disconnect(teacher, late, *students)


async def test_teacher_cannot_raise_hand(classroom):
    socket, _welcome = await join(classroom.session, classroom.teacher)
    error = await error_for(socket, {"type": "hand_raise"})
    assert error["code"] == "not_a_student"
    assert await count(RaisedHand) == 0
    await disconnect(socket)


async def test_hand_changes_rate_limited(classroom, settings):
    settings.LIVE_HAND_RATE_LIMIT = 2
    socket, _welcome = await join(classroom.session, classroom.student)
    await send(socket, {"type": "hand_raise"})
    await next_of(socket, "hand")
    await send(socket, {"type": "hand_lower"})
    await next_of(socket, "hand")
    error = await error_for(socket, {"type": "hand_raise"})
    assert error["code"] == "rate_limited"
    # The raise rolled back with the refused event.
    assert await count(RaisedHand, lowered_at__isnull=True) == 0
    assert len(await events(classroom.session, "hand")) == 2
    await disconnect(socket)


async def test_resume_replays_hand_events(classroom):
    session = classroom.session
    student, welcome = await join(session, classroom.student)
    seen = welcome["last_seq"]
    await send(student, {"type": "hand_raise"})
    await next_of(student, "hand")
    await send(student, {"type": "hand_lower"})
    await next_of(student, "hand")

    teacher, _welcome = await join(session, classroom.teacher, f"last_seq={seen}")
    replayed = [await next_of(teacher, "hand") for _ in range(2)]
    assert [message["op"] for message in replayed] == ["raise", "lower"]
    assert (await next_of(teacher, "resumed"))["count"] == 2
    await disconnect(student, teacher)


# Polls.

QUESTION = {
    "type": "poll_open",
    "question": "  Berapa 1/2 + 1/4?  ",
    "options": ["1/4", " 3/4 ", "2/6"],
}


async def open_poll(teacher, **fields):
    await send(teacher, {**QUESTION, **fields})
    opened = await next_of(teacher, "poll", skip=("presence", "ack", "draw", "chat"))
    assert opened["op"] == "open"
    return opened["poll"]


async def test_poll_answered_once_with_live_counts(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    poll = await open_poll(teacher)
    assert poll["question"] == "Berapa 1/2 + 1/4?"
    assert poll["options"] == ["1/4", "3/4", "2/6"]
    assert poll["live_results"] is True
    seen = await next_of(student, "poll")
    assert seen["poll"] == poll

    await send(student, {"type": "poll_answer", "poll": poll["id"], "option": 1})
    for socket in (teacher, student):
        results = await next_of(socket, "poll")
        assert results["op"] == "results"
        assert results["counts"] == [0, 1, 0]
        assert results["total"] == 1
        assert results["from"] is None

    error = await error_for(
        student, {"type": "poll_answer", "poll": poll["id"], "option": 2, "ref": "a2"}
    )
    assert error["code"] == "already_answered"
    assert error["ref"] == "a2"
    votes = await database_sync_to_async(
        lambda: list(
            PollOption.objects.filter(poll_id=poll["id"]).values_list(
                "votes", flat=True
            )
        )
    )()
    assert votes == [0, 1, 0]
    assert await count(PollAnswer) == 1
    assert await count(Poll, answer_count=1) == 1

    late, welcome = await join(session, classroom.student)
    assert welcome["poll"]["id"] == poll["id"]
    assert welcome["poll"]["answered"] == 1
    assert welcome["poll"]["counts"] == [0, 1, 0]
    await disconnect(teacher, student, late)


async def test_poll_results_at_end_hidden_from_students(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    poll = await open_poll(teacher, live_results=False)
    assert poll["live_results"] is False
    await next_of(student, "poll")

    await send(student, {"type": "poll_answer", "poll": poll["id"], "option": 0})
    ack = await next_of(student, "ack", skip=("presence",))
    results = await next_of(teacher, "poll")
    assert results["op"] == "results"
    assert results["seq"] == ack["seq"]
    assert results["counts"] == [1, 0, 0]

    late, welcome = await join(session, classroom.student)
    assert "counts" not in welcome["poll"]

    await send(teacher, {"type": "poll_close", "poll": poll["id"]})
    # The student's next poll message is the close, not the hidden counts.
    closed = await next_of(student, "poll")
    assert closed["op"] == "close"
    assert closed["poll"]["counts"] == [1, 0, 0]
    assert closed["poll"]["total"] == 1
    assert closed["poll"]["closed_at"]
    await disconnect(teacher, student, late)


async def test_poll_closed_takes_no_answers(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    poll = await open_poll(teacher)
    await send(teacher, {"type": "poll_close", "poll": poll["id"]})
    for socket in (teacher, student):
        closed = await next_of(socket, "poll")
        while closed["op"] != "close":
            closed = await next_of(socket, "poll")

    error = await error_for(
        student, {"type": "poll_answer", "poll": poll["id"], "option": 0}
    )
    assert error["code"] == "poll_closed"
    error = await error_for(teacher, {"type": "poll_close", "poll": poll["id"]})
    assert error["code"] == "poll_closed"
    assert await count(PollAnswer) == 0
    _socket, welcome = await join(session, classroom.student)
    assert welcome["poll"] is None
    await disconnect(teacher, student, _socket)


async def test_second_open_poll_rejected(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    await open_poll(teacher)
    error = await error_for(teacher, {**QUESTION, "question": "Lagi?"})
    assert error["code"] == "poll_already_open"
    assert await count(Poll) == 1
    assert len(await events(classroom.session, "poll")) == 1
    await disconnect(teacher)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"options": ["Ya"]}, "invalid_poll_options"),
        (
            {"options": [str(n) for n in range(POLL_MAX_OPTIONS + 1)]},
            "invalid_poll_options",
        ),
        ({"options": ["Ya", " ya "]}, "invalid_poll_options"),
        (
            {"options": ["Ya", "x" * (POLL_OPTION_MAX_LENGTH + 1)]},
            "invalid_poll_options",
        ),
        ({"options": ["Ya", 2]}, "invalid_poll_options"),
        ({"options": ["Ya", "   "]}, "invalid_poll_options"),
        ({"options": "Ya, Tidak"}, "wrong_type"),
        ({"question": "x" * (POLL_QUESTION_MAX_LENGTH + 1)}, "too_long"),
        ({"question": "   "}, "blank"),
        ({"question": "\x07\u202e"}, "blank"),
        ({"question": None}, "missing_field"),
        ({"live_results": "yes"}, "wrong_type"),
    ],
)
async def test_poll_open_bad_fields(classroom, fields, code):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    error = await error_for(teacher, {**QUESTION, **fields})
    assert error["code"] == code
    assert error["message"]
    assert await count(Poll) == 0
    assert await count(LiveEvent, kind="poll") == 0
    await disconnect(teacher)


async def test_poll_answer_bad_fields(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)
    poll = await open_poll(teacher)
    cases = [
        ({"poll": poll["id"], "option": 3}, "out_of_range"),
        ({"poll": poll["id"], "option": -1}, "out_of_range"),
        ({"poll": poll["id"], "option": POLL_MAX_OPTIONS}, "out_of_range"),
        ({"poll": poll["id"] + 1, "option": 0}, "poll_not_found"),
        ({"poll": str(poll["id"]), "option": 0}, "wrong_type"),
        ({"poll": poll["id"], "option": True}, "wrong_type"),
        ({"option": 0}, "missing_field"),
    ]
    for fields, code in cases:
        error = await error_for(student, {"type": "poll_answer", **fields})
        assert error["code"] == code, fields
    out_of_range = await error_for(
        student, {"type": "poll_answer", "poll": poll["id"], "option": 3}
    )
    assert "2" in out_of_range["message"]
    own = await error_for(
        teacher, {"type": "poll_answer", "poll": poll["id"], "option": 0}
    )
    assert own["code"] == "not_a_student"
    assert await count(PollAnswer) == 0
    await disconnect(teacher, student)


async def test_poll_of_other_session_not_found(classroom):
    other_session = await database_sync_to_async(LiveSession.objects.create)(
        course_id=classroom.course.pk,
        teacher=classroom.teacher,
        title="Kelas lain",
        starts_at=classroom.session.starts_at,
        ends_at=classroom.session.ends_at,
    )
    poll = await database_sync_to_async(Poll.objects.create)(
        session=other_session, question="Lain?"
    )
    student, _welcome = await join(classroom.session, classroom.student)
    error = await error_for(
        student, {"type": "poll_answer", "poll": poll.pk, "option": 0}
    )
    assert error["code"] == "poll_not_found"
    await disconnect(student)


# Teacher controls.


@pytest.mark.parametrize(
    "message",
    [
        {"type": "hands_lower_all"},
        {**QUESTION},
        {"type": "poll_close", "poll": 1},
        {"type": "chat_mute"},
        {"type": "chat_unmute"},
        {"type": "remove", "user": 1},
        {"type": "end_class"},
    ],
)
async def test_student_controls_forbidden(classroom, message):
    socket, _welcome = await join(classroom.session, classroom.student)
    error = await error_for(socket, {**message, "ref": "c1"})
    assert error["code"] == "forbidden"
    assert error["ref"] == "c1"
    session = await database_sync_to_async(LiveSession.objects.get)(
        pk=classroom.session.pk
    )
    assert session.state == "open"
    assert session.chat_muted is False
    assert await count(LiveEvent, kind__in=["poll", "hand", "control"]) == 0
    await disconnect(socket)


async def test_muted_chat_rejects_students_only(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student, language="en")
    await send(teacher, {"type": "chat_mute", "ref": "mute"})
    muted = await next_of(student, "control")
    assert muted["op"] == "chat_muted"
    assert muted["from"]["id"] == classroom.teacher.pk

    error = await error_for(student, {"type": "chat", "text": "Bu!", "ref": "m1"})
    assert error["code"] == "chat_muted"
    assert error["ref"] == "m1"
    assert error["message"].startswith("The teacher has muted the chat")

    await send(teacher, {"type": "chat", "text": "Dengarkan dulu."})
    assert (await next_of(student, "chat"))["text"] == "Dengarkan dulu."

    late, welcome = await join(session, classroom.student)
    assert welcome["chat_muted"] is True
    error = await error_for(late, {"type": "chat", "text": "Halo"})
    assert error["code"] == "chat_muted"
    assert "guru" in error["message"].lower()

    await send(teacher, {"type": "chat_unmute"})
    assert (await next_of(student, "control"))["op"] == "chat_unmuted"
    await send(student, {"type": "chat", "text": "Terima kasih."})
    reply = await next_of(teacher, "chat", skip=("presence", "ack", "control"))
    while reply["text"] == "Dengarkan dulu.":
        reply = await next_of(teacher, "chat", skip=("presence", "ack", "control"))
    assert reply["text"] == "Terima kasih."

    ops = [payload["op"] for payload in await events(session, "control")]
    assert ops == ["chat_muted", "chat_unmuted"]
    chats = [payload["text"] for payload in await events(session, "chat")]
    assert chats == ["Dengarkan dulu.", "Terima kasih."]
    await disconnect(teacher, student, late)


async def test_removed_student_closed_and_cannot_rejoin(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    await send(student, {"type": "hand_raise"})
    await next_of(teacher, "hand")

    await send(teacher, {"type": "remove", "user": classroom.student.pk, "ref": "r"})
    removed = await next_of(student, "control", skip=("presence", "ack", "hand"))
    assert removed["op"] == "removed"
    assert removed["user"]["id"] == classroom.student.pk
    assert await closed_with(student) == 4430
    assert (await next_of(teacher, "control", skip=("presence", "ack", "hand")))[
        "user"
    ]["id"] == classroom.student.pk

    assert await count(Removal, user=classroom.student) == 1
    assert await count(RaisedHand, lowered_at__isnull=True) == 0

    again, error = await connect(session, classroom.student)
    assert error["type"] == "error"
    assert error["code"] == "removed"
    assert await closed_with(again) == 4430
    await disconnect(teacher)


async def test_remove_rejects_non_students(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    for user_id in (classroom.teacher.pk, classroom.outsider.pk, classroom.parent.pk):
        error = await error_for(teacher, {"type": "remove", "user": user_id})
        assert error["code"] == "not_a_student"
        assert str(user_id) in error["message"]
    error = await error_for(teacher, {"type": "remove", "user": 0})
    assert error["code"] == "out_of_range"
    assert await count(Removal) == 0
    assert await count(LiveEvent, kind="control") == 0
    await disconnect(teacher)


async def test_end_class_closes_everybody(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    poll = await open_poll(teacher)
    await send(student, {"type": "poll_answer", "poll": poll["id"], "option": 0})
    await next_of(teacher, "poll", skip=("presence", "ack", "poll"))

    await send(teacher, {"type": "end_class", "ref": "end"})
    for socket in (teacher, student):
        closed_poll = await next_of(socket, "poll", skip=("presence", "ack", "poll"))
        while closed_poll["op"] != "close":
            closed_poll = await next_of(socket, "poll")
        assert closed_poll["poll"]["counts"] == [1, 0, 0]
        ended = await next_of(socket, "session", skip=("presence", "ack"))
        assert ended["state"] == "ended"
        assert await closed_with(socket) == 4410

    stored = await database_sync_to_async(LiveSession.objects.get)(pk=session.pk)
    assert stored.state == "ended"
    assert await count(Poll, closed_at__isnull=True) == 0

    late, error = await connect(session, classroom.student)
    assert error["code"] == "session_ended"
    assert await closed_with(late) == 4410


# Low-data mode.


DRAWING = {
    "type": "draw",
    "strokes": [{"id": "s1", "color": "#112233", "width": 3, "points": [1, 2, 3, 4]}],
}


async def test_low_data_receives_only_listed_events(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    light, welcome = await join(session, classroom.student, "low_data=1")
    assert welcome["low_data"] is True

    other = await database_sync_to_async(add_student)(classroom)
    full, _welcome = await join(session, other)

    await send(teacher, DRAWING)
    await send(teacher, {"type": "chat", "text": "Lihat papan."})
    poll = await open_poll(teacher)
    await send(full, {"type": "poll_answer", "poll": poll["id"], "option": 0})
    await next_of(full, "poll", skip=("presence", "ack", "draw", "chat", "poll"))
    await send(teacher, {"type": "poll_close", "poll": poll["id"]})
    await next_of(teacher, "poll", skip=("presence", "ack", "draw", "chat", "poll"))

    # Read up to the poll's close, which is the last event, then make sure
    # nothing else was waiting behind it.
    received = []
    while not received or received[-1].get("op") != "close":
        received.append(await light.receive_json_from(timeout=TIMEOUT))
    await send(light, {"type": "ping", "ref": "end"})
    assert (await light.receive_json_from(timeout=TIMEOUT))["type"] == "pong"
    types = [(m["type"], m.get("op")) for m in received]
    assert types == [
        ("chat", None),
        ("poll", "open"),
        ("poll", "close"),
    ]
    await disconnect(teacher, light, full)


async def test_low_data_switch_sends_held_back_events(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    await send(student, {"type": "low_data", "enabled": True, "ref": "low"})
    reply = await next_of(student, "low_data")
    assert reply == {"type": "low_data", "enabled": True, "ref": "low"}

    await send(teacher, DRAWING)
    await send(teacher, {"type": "chat", "text": "Halo."})
    chat = await next_of(student, "chat")
    await next_of(teacher, "chat", skip=("presence", "ack", "draw"))

    await send(student, {"type": "low_data", "enabled": False})
    drawing = await next_of(student, "draw")
    assert drawing["seq"] == chat["seq"] - 1
    await next_of(student, "presence", skip=())
    assert (await next_of(student, "low_data"))["enabled"] is False

    await send(teacher, {**DRAWING, "strokes": [{**DRAWING["strokes"][0], "id": "s2"}]})
    assert (await next_of(student, "draw"))["strokes"][0]["id"] == "s2"
    await disconnect(teacher, student)


async def test_low_data_resume_skips_whiteboard(classroom):
    session = classroom.session
    teacher, welcome = await join(session, classroom.teacher)
    seen = welcome["last_seq"]
    await send(teacher, DRAWING)
    await send(teacher, {"type": "chat", "text": "Satu."})
    await next_of(teacher, "chat", skip=("presence", "ack", "draw"))

    student, welcome = await join(
        session, classroom.student, f"last_seq={seen}&low_data=true"
    )
    assert welcome["low_data"] is True
    assert (await next_of(student, "chat"))["text"] == "Satu."
    resumed = await next_of(student, "resumed")
    assert resumed["count"] == 1
    assert resumed["last_seq"] == seen + 2
    await disconnect(teacher, student)


async def test_low_data_bad_fields(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    for message, code in [
        ({"type": "low_data"}, "missing_field"),
        ({"type": "low_data", "enabled": 1}, "wrong_type"),
        ({"type": "low_data", "enabled": "on"}, "wrong_type"),
    ]:
        assert (await error_for(socket, message))["code"] == code
    await disconnect(socket)


async def test_oversized_poll_frame_rejected(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    frame = json.dumps({**QUESTION, "question": "x" * 20_000})
    await teacher.send_to(text_data=frame)
    assert (await next_of(teacher, "error"))["code"] == "frame_too_large"
    assert await count(Poll) == 0
    await disconnect(teacher)
