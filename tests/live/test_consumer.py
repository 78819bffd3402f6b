"""
The classroom websocket through the full ASGI stack of ``lms.asgi``.

Every test connects with channels' WebsocketCommunicator, so the origin
check and the session authentication run as they do behind daphne.
"""

import json

import pytest
from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.test import Client

from live.models import LiveConnection, LiveEvent, SessionState
from live.protocol import CHAT_MAX_LENGTH, MAX_FRAME_BYTES

from .conftest import make_session, open_socket, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]


async def join(session, user):
    """Connect ``user``, read the welcome, and return the socket and welcome."""
    cookie = await database_sync_to_async(session_cookie)(user)
    communicator, connected = await open_socket(session.pk, cookie)
    assert connected
    welcome = await communicator.receive_json_from(timeout=5)
    assert welcome["type"] == "welcome", welcome
    return communicator, welcome


async def receive_until(communicator, message_type):
    """Skip presence and ack messages and return the next ``message_type``."""
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == message_type:
            return message
        assert message["type"] in ("presence", "ack"), message


async def expect_rejection(communicator):
    """Return the error message and close code of a rejected connection."""
    error = await communicator.receive_json_from(timeout=5)
    closing = await communicator.receive_output(timeout=5)
    assert error["type"] == "error"
    assert closing["type"] == "websocket.close"
    return error, closing.get("code")


async def event_count(**filters):
    return await database_sync_to_async(LiveEvent.objects.filter(**filters).count)()


async def test_teacher_and_student_exchange_chat(classroom):
    session = classroom.session
    teacher_socket, teacher_welcome = await join(session, classroom.teacher)
    assert teacher_welcome["you"] == {
        "id": classroom.teacher.pk,
        "name": "Siti Rahayu",
        "role": "teacher",
    }
    assert teacher_welcome["session"]["state"] == "open"
    assert teacher_welcome["session"]["course"]["id"] == classroom.course.pk
    # Opening the session was event 1 of the log.
    assert teacher_welcome["last_seq"] == 1

    student_socket, student_welcome = await join(session, classroom.student)
    assert student_welcome["you"]["role"] == "student"
    assert [p["role"] for p in student_welcome["presence"]] == ["teacher", "student"]
    presence = await receive_until(teacher_socket, "presence")
    while len(presence["participants"]) < 2:
        presence = await receive_until(teacher_socket, "presence")
    assert [p["id"] for p in presence["participants"]] == [
        classroom.teacher.pk,
        classroom.student.pk,
    ]

    await student_socket.send_json_to({"type": "chat", "text": "  Selamat pagi, Bu!  "})
    for socket in (teacher_socket, student_socket):
        chat = await receive_until(socket, "chat")
        assert chat["text"] == "Selamat pagi, Bu!"
        assert chat["seq"] == 2
        assert chat["from"] == {
            "id": classroom.student.pk,
            "name": "Budi Santoso",
            "role": "student",
        }
        assert chat["at"]

    await teacher_socket.send_json_to({"type": "chat", "text": "Pagi, Budi."})
    for socket in (teacher_socket, student_socket):
        chat = await receive_until(socket, "chat")
        assert chat["text"] == "Pagi, Budi."
        assert chat["seq"] == 3
        assert chat["from"]["role"] == "teacher"

    stored = await database_sync_to_async(list)(
        LiveEvent.objects.filter(session=session, kind="chat").values_list(
            "seq", "sender_id", "payload"
        )
    )
    assert stored == [
        (2, classroom.student.pk, {"text": "Selamat pagi, Bu!", "role": "student"}),
        (3, classroom.teacher.pk, {"text": "Pagi, Budi.", "role": "teacher"}),
    ]
    await student_socket.disconnect()
    await teacher_socket.disconnect()


async def test_presence_drops_person_who_leaves(classroom):
    session = classroom.session
    teacher_socket, _welcome = await join(session, classroom.teacher)
    student_socket, _welcome = await join(session, classroom.student)
    await student_socket.disconnect()

    presence = await receive_until(teacher_socket, "presence")
    while len(presence["participants"]) != 1:
        presence = await receive_until(teacher_socket, "presence")
    assert presence["participants"][0]["id"] == classroom.teacher.pk
    remaining = await database_sync_to_async(
        lambda: list(
            LiveConnection.objects.filter(disconnected_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
    )()
    assert remaining == [classroom.teacher.pk]
    await teacher_socket.disconnect()


async def test_frame_not_json_keeps_connection(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_to(text_data="{not json")
    error = await receive_until(socket, "error")
    assert error["code"] == "not_json"
    assert error["message"]

    await socket.send_json_to({"type": "ping", "ref": "p1"})
    assert await receive_until(socket, "pong") == {"type": "pong", "ref": "p1"}
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "shout", "text": "x"}, "unknown_type"),
        ({"text": "x"}, "missing_type"),
        ({"type": "chat"}, "missing_field"),
        ({"type": "chat", "text": 5}, "wrong_type"),
        ({"type": "chat", "text": ["a"]}, "wrong_type"),
        ({"type": "chat", "text": "   "}, "blank"),
        (["chat"], "not_object"),
    ],
)
async def test_invalid_message_gets_error_code(classroom, frame, code):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_to(text_data=json.dumps(frame))
    error = await receive_until(socket, "error")
    assert error["code"] == code
    assert await event_count(kind="chat") == 0
    await socket.disconnect()


async def test_error_echoes_client_ref(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({"type": "chat", "text": "", "ref": "m7"})
    error = await receive_until(socket, "error")
    assert error["code"] == "blank"
    assert error["ref"] == "m7"
    await socket.disconnect()


async def test_binary_and_oversized_frames_rejected(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_to(bytes_data=b'{"type": "ping"}')
    assert (await receive_until(socket, "error"))["code"] == "not_text"

    huge = json.dumps({"type": "chat", "text": "a" * (MAX_FRAME_BYTES + 1)})
    await socket.send_to(text_data=huge)
    assert (await receive_until(socket, "error"))["code"] == "frame_too_large"
    assert await event_count(kind="chat") == 0
    await socket.disconnect()


async def test_chat_too_long_is_not_stored(classroom):
    teacher_socket, _welcome = await join(classroom.session, classroom.teacher)
    student_socket, _welcome = await join(classroom.session, classroom.student)
    await student_socket.send_json_to(
        {"type": "chat", "text": "a" * (CHAT_MAX_LENGTH + 1)}
    )
    error = await receive_until(student_socket, "error")
    assert error["code"] == "too_long"
    assert "1001" in error["message"]
    assert "1000" in error["message"]
    assert await event_count(kind="chat") == 0

    # The teacher saw nothing but presence updates.
    while not await teacher_socket.receive_nothing(timeout=0.3):
        message = await teacher_socket.receive_json_from()
        assert message["type"] == "presence"

    await student_socket.send_json_to({"type": "chat", "text": "a" * CHAT_MAX_LENGTH})
    chat = await receive_until(teacher_socket, "chat")
    assert len(chat["text"]) == CHAT_MAX_LENGTH
    await student_socket.disconnect()
    await teacher_socket.disconnect()


async def test_chat_rate_limited(classroom, settings):
    settings.LIVE_CHAT_RATE_LIMIT = 5
    settings.LIVE_CHAT_RATE_WINDOW_SECONDS = 60
    socket, _welcome = await join(classroom.session, classroom.student)
    for number in range(5):
        await socket.send_json_to({"type": "chat", "text": f"pesan {number}"})
        chat = await receive_until(socket, "chat")
        assert chat["text"] == f"pesan {number}"

    await socket.send_json_to({"type": "chat", "text": "pesan 5", "ref": "r6"})
    error = await receive_until(socket, "error")
    assert error["code"] == "rate_limited"
    assert error["ref"] == "r6"
    assert await event_count(kind="chat") == 5
    # The rejected message took no sequence number: the next one from
    # somebody else follows on directly.
    teacher_socket, welcome = await join(classroom.session, classroom.teacher)
    assert welcome["last_seq"] == 6
    await teacher_socket.send_json_to({"type": "chat", "text": "Pelan-pelan."})
    assert (await receive_until(teacher_socket, "chat"))["seq"] == 7
    await teacher_socket.disconnect()
    await socket.disconnect()


async def test_chat_markup_sent_as_text(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await socket.send_json_to({"type": "chat", "text": payload})
    chat = await receive_until(socket, "chat")
    # The text goes out unchanged for clients to show as text.
    assert chat["text"] == payload
    await socket.disconnect()

    client = Client()
    await database_sync_to_async(client.force_login)(classroom.teacher)
    response = await database_sync_to_async(client.get)(
        f"/live/{classroom.session.pk}/"
    )
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in page


async def test_chat_strips_invisible_controls(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({"type": "chat", "text": "halo\u202e dunia\x00"})
    chat = await receive_until(socket, "chat")
    assert chat["text"] == "halo dunia"
    await socket.send_json_to({"type": "chat", "text": "\u202e\u2066"})
    assert (await receive_until(socket, "error"))["code"] == "blank"
    assert await event_count(kind="chat") == 1
    await socket.disconnect()


async def test_anonymous_rejected(classroom):
    socket, connected = await open_socket(classroom.session.pk)
    assert connected
    error, code = await expect_rejection(socket)
    assert error["code"] == "login_required"
    assert code == 4401
    assert await database_sync_to_async(LiveConnection.objects.count)() == 0


async def test_foreign_origin_rejected(classroom):
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, connected = await open_socket(
        classroom.session.pk, cookie, origin="http://evil.example"
    )
    assert not connected
    assert await database_sync_to_async(LiveConnection.objects.count)() == 0


@pytest.mark.parametrize("person", ["outsider", "parent", "operator", "other_teacher"])
async def test_people_outside_course_rejected(classroom, person):
    cookie = await database_sync_to_async(session_cookie)(getattr(classroom, person))
    socket, connected = await open_socket(classroom.session.pk, cookie)
    assert connected
    error, code = await expect_rejection(socket)
    assert error["code"] == "forbidden"
    assert code == 4403
    assert await database_sync_to_async(LiveConnection.objects.count)() == 0


async def test_ended_session_rejected(classroom):
    ended = await database_sync_to_async(make_session)(
        classroom.course, classroom.teacher, state="ended"
    )
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, _connected = await open_socket(ended.pk, cookie)
    error, code = await expect_rejection(socket)
    assert error["code"] == "session_ended"
    assert code == 4410


async def test_unknown_session_rejected(classroom):
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, _connected = await open_socket(classroom.session.pk + 1000, cookie)
    error, code = await expect_rejection(socket)
    assert error["code"] == "not_found"
    assert code == 4404


async def test_scheduled_session_lets_people_wait(classroom):
    scheduled = await database_sync_to_async(make_session)(
        classroom.course, classroom.teacher, state="scheduled"
    )
    socket, welcome = await join(scheduled, classroom.student)
    assert welcome["session"]["state"] == "scheduled"
    await socket.disconnect()


async def test_error_message_in_person_language(classroom):
    classroom.student.language = "en"
    await database_sync_to_async(classroom.student.save)()
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_to(text_data="nope")
    error = await receive_until(socket, "error")
    assert error["message"] == "The message is not valid JSON."
    await socket.disconnect()


async def test_error_message_indonesian_by_default(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_to(text_data="nope")
    error = await receive_until(socket, "error")
    assert error["message"] == "Pesan ini bukan JSON yang valid."
    await socket.disconnect()


async def test_language_cookie_wins_over_account(classroom):
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, _connected = await open_socket(
        classroom.session.pk, cookie, extra_cookies="django_language=en"
    )
    await socket.receive_json_from(timeout=5)
    await socket.send_to(text_data="nope")
    error = await receive_until(socket, "error")
    assert error["message"] == "The message is not valid JSON."
    await socket.disconnect()


async def test_ending_session_closes_sockets(classroom):
    student_socket, _welcome = await join(classroom.session, classroom.student)
    client = Client()
    await database_sync_to_async(client.force_login)(classroom.teacher)
    response = await database_sync_to_async(client.post)(
        f"/live/{classroom.session.pk}/end/"
    )
    assert response.status_code == 302

    announcement = await receive_until(student_socket, "session")
    assert announcement["state"] == "ended"
    assert announcement["ended_at"]
    closing = await student_socket.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": 4410}
    await database_sync_to_async(classroom.session.refresh_from_db)()
    assert classroom.session.state == SessionState.ENDED


async def test_database_failure_on_connect(classroom, monkeypatch):
    def fail(session_id, person=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("live.services.get_session", fail)
    cookie = await database_sync_to_async(session_cookie)(classroom.student)
    socket, _connected = await open_socket(classroom.session.pk, cookie)
    error, code = await expect_rejection(socket)
    assert error["code"] == "server_error"
    assert code == 4500


async def test_database_failure_on_chat(classroom, monkeypatch, settings):
    # With Redis the event is durable in a Redis stream before the database
    # sees it, so only the database back end reports this failure.
    settings.REDIS_URL = ""
    socket, _welcome = await join(classroom.session, classroom.student)

    def fail(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("live.eventlog.store_batch", fail)
    await socket.send_json_to({"type": "chat", "text": "halo", "ref": "m1"})
    error = await receive_until(socket, "error")
    assert error["code"] == "server_error"
    assert error["ref"] == "m1"

    # The connection stays usable.
    await socket.send_json_to({"type": "ping"})
    assert await receive_until(socket, "pong") == {"type": "pong"}
    await socket.disconnect()
