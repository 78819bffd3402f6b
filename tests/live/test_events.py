"""
The event log through the classroom websocket: acks, draw events, limits.

Sockets connect in-process through the full ASGI stack of ``lms.asgi``.
"""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async

from live.eventlog import get_log
from live.models import LiveEvent

from .test_consumer import event_count, join, receive_until


async def stored_count(kind, expected, seconds=5):
    """
    Return the number of logged events of ``kind`` once it reaches
    ``expected``, or after ``seconds``.

    With Redis, events reach the table through a writer that drains the
    log's stream within a second or so, after the clients got them.
    """
    deadline = time.monotonic() + seconds
    count = await event_count(kind=kind)
    while count != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        count = await event_count(kind=kind)
    return count


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]

STROKE = {"id": "s1", "color": "#1A2B3C", "width": 4, "points": [10, 20, 30, 40]}


async def test_chat_acked_with_its_number(classroom, settings):
    socket, welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({"type": "chat", "text": "Hadir.", "ref": "m1"})
    ack = await socket.receive_json_from(timeout=5)
    while ack["type"] == "presence":
        ack = await socket.receive_json_from(timeout=5)
    assert ack == {"type": "ack", "seq": welcome["last_seq"] + 1, "ref": "m1"}

    # The ack comes only once the event is durable: in the table, or with
    # Redis in a stream that the writer drains into the table within a
    # second or so.
    def stored_seqs():
        return list(LiveEvent.objects.filter(kind="chat").values_list("seq", flat=True))

    stored = []
    for _attempt in range(50):
        stored = await database_sync_to_async(stored_seqs)()
        if stored or not settings.REDIS_URL:
            break
        await asyncio.sleep(0.1)
    assert stored == [ack["seq"]]
    chat = await receive_until(socket, "chat")
    assert chat["seq"] == ack["seq"]
    await socket.disconnect()


async def test_teacher_draw_reaches_students(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)
    await teacher.send_json_to({"type": "draw", "strokes": [STROKE]})
    await teacher.send_json_to({"type": "draw_undo", "stroke": "s1"})
    await teacher.send_json_to({"type": "draw_clear"})

    strokes = await receive_until(student, "draw")
    assert strokes["op"] == "strokes"
    assert strokes["strokes"] == [{**STROKE, "color": "#1a2b3c"}]
    assert strokes["from"]["id"] == classroom.teacher.pk
    undo = await receive_until(student, "draw")
    assert (undo["op"], undo["stroke"], undo["seq"]) == (
        "undo",
        "s1",
        strokes["seq"] + 1,
    )
    clear = await receive_until(student, "draw")
    assert clear["op"] == "clear"
    assert "role" not in clear
    assert await stored_count("draw", 3) == 3
    await student.disconnect()
    await teacher.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "draw", "strokes": [STROKE]},
        {"type": "draw_undo", "stroke": "s1"},
        {"type": "draw_clear"},
    ],
)
async def test_student_cannot_draw(classroom, frame):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({**frame, "ref": "d1"})
    error = await receive_until(socket, "error")
    assert (error["code"], error["ref"]) == ("teacher_only", "d1")
    assert error["message"] == "Hanya guru yang dapat melakukan ini."
    assert await event_count(kind="draw") == 0
    await socket.disconnect()


@pytest.mark.parametrize(
    ("strokes", "detail"),
    [
        ([], "count"),
        ([STROKE] * 33, "count"),
        ([{**STROKE, "points": list(range(0, 2002))}], "too_many_points"),
        ([STROKE, {**STROKE, "points": [1] * 2000}], "too_many_points"),
        ([{**STROKE, "points": [1, 2, 3]}], "points"),
        ([{**STROKE, "points": [1, 10_001]}], "points"),
        ([{**STROKE, "points": [1, True]}], "points"),
        ([{**STROKE, "color": "red"}], "color"),
        ([{**STROKE, "width": 0}], "width"),
        ([{**STROKE, "id": "<b>"}], "id"),
        (["stroke"], "stroke"),
    ],
)
async def test_invalid_strokes_rejected(classroom, strokes, detail):
    socket, _welcome = await join(classroom.session, classroom.teacher)
    await socket.send_json_to({"type": "draw", "strokes": strokes})
    error = await receive_until(socket, "error")
    assert error["code"] == "invalid_strokes"
    assert f"({detail})" in error["message"]
    assert await event_count(kind="draw") == 0
    await socket.disconnect()


async def test_resume_rejects_negative_number(classroom):
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({"type": "resume", "last_seq": -1})
    error = await receive_until(socket, "error")
    assert error["code"] == "out_of_range"
    await socket.disconnect()


async def test_flood_slows_only_the_sender(classroom, settings):
    settings.LIVE_FRAME_RATE = 20
    settings.LIVE_FRAME_BURST = 10
    flooder, _welcome = await join(classroom.session, classroom.student)
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    for number in range(30):
        await flooder.send_json_to({"type": "ping", "ref": f"p{number}"})

    # The server replies to the teacher's ping at once.
    started = time.monotonic()
    await teacher.send_json_to({"type": "ping", "ref": "t"})
    assert (await receive_until(teacher, "pong"))["ref"] == "t"
    assert time.monotonic() - started < 0.5

    # 10 frames pass at once, the other 20 at 20 a second.
    started = time.monotonic()
    for number in range(30):
        assert (await receive_until(flooder, "pong"))["ref"] == f"p{number}"
    assert time.monotonic() - started > 0.7
    await flooder.disconnect()
    await teacher.disconnect()


async def test_chat_flood_stores_only_the_limit(classroom, settings):
    settings.LIVE_CHAT_RATE_LIMIT = 3
    settings.LIVE_CHAT_RATE_WINDOW_SECONDS = 60
    socket, _welcome = await join(classroom.session, classroom.student)
    for number in range(8):
        await socket.send_json_to(
            {"type": "chat", "text": f"spam {number}", "ref": str(number)}
        )
    # Replies to different messages may come in any order, so match by ref.
    replies = {}
    while len(replies) < 8:
        message = await socket.receive_json_from(timeout=5)
        if message["type"] in ("ack", "error"):
            replies[message["ref"]] = message.get("code", "ack")
    assert [replies[str(number)] for number in range(3)] == ["ack"] * 3
    assert [replies[str(number)] for number in range(3, 8)] == ["rate_limited"] * 5
    assert await stored_count("chat", 3) == 3
    await socket.disconnect()


async def test_idle_socket_closed_and_presence_dropped(classroom, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.2
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)
    # Set after joining, which may take longer than the timeout.
    settings.LIVE_IDLE_TIMEOUT_SECONDS = 0.5

    # Only the teacher keeps talking, and watches the presence list.
    async def teacher_ping():
        """Ping as the teacher; return the presence lists seen before the pong."""
        await teacher.send_json_to({"type": "ping"})
        lists = []
        message = await teacher.receive_json_from(timeout=5)
        while message["type"] != "pong":
            if message["type"] == "presence":
                lists.append([p["id"] for p in message["participants"]])
            message = await teacher.receive_json_from(timeout=5)
        return lists

    closing = None
    for _attempt in range(100):
        await teacher_ping()
        if not await student.receive_nothing(timeout=0.1):
            closing = await student.receive_output()
            if closing["type"] == "websocket.close":
                break
    assert closing == {"type": "websocket.close", "code": 4408}

    presence = []
    for _attempt in range(20):
        presence = (await teacher_ping() or [presence])[-1]
        if presence == [classroom.teacher.pk]:
            break
        await asyncio.sleep(0.15)
    assert presence == [classroom.teacher.pk]
    await teacher.disconnect()


async def test_stale_rows_of_dead_process_closed(classroom, settings):
    from django.utils import timezone

    from live.models import LiveConnection
    from live.services import participants

    settings.LIVE_HEARTBEAT_SECONDS = 0.2

    def make_stale_row():
        LiveConnection.objects.create(
            session=classroom.session,
            user=classroom.student,
            role="student",
            channel_name="live.dead-process",
            last_seen_at=timezone.now() - timezone.timedelta(minutes=5),
        )

    await database_sync_to_async(make_stale_row)()
    teacher, welcome = await join(classroom.session, classroom.teacher)
    # A row not seen for three heartbeats does not count as present.
    assert [p["id"] for p in welcome["presence"]] == [classroom.teacher.pk]
    await asyncio.sleep(0.6)
    row = await database_sync_to_async(LiveConnection.objects.get)(
        channel_name="live.dead-process"
    )
    assert row.disconnected_at == row.last_seen_at
    people = await database_sync_to_async(participants)(classroom.session.pk)
    assert [p["id"] for p in people] == [classroom.teacher.pk]
    await teacher.disconnect()


async def test_unreachable_redis_gives_unavailable(classroom, own_redis, settings):
    settings.REDIS_URL = own_redis.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [own_redis.url]},
        }
    }
    socket, _welcome = await join(classroom.session, classroom.student)
    await socket.send_json_to({"type": "chat", "text": "satu", "ref": "m1"})
    assert (await receive_until(socket, "chat"))["text"] == "satu"
    assert await stored_count("chat", 1) == 1

    own_redis.process.terminate()
    own_redis.process.wait(timeout=10)
    await socket.send_json_to({"type": "chat", "text": "dua", "ref": "m2"})
    error = await receive_until(socket, "error")
    assert (error["code"], error["ref"]) == ("unavailable", "m2")
    assert await event_count(kind="chat") == 1

    # The connection stays open for when Redis is back.
    await socket.send_json_to({"type": "ping", "ref": "p1"})
    assert (await receive_until(socket, "pong"))["ref"] == "p1"
    await socket.disconnect()


async def test_redis_log_serves_burst_of_reads(classroom, redis_url, settings):
    settings.REDIS_URL = redis_url
    log = get_log()
    # More reads at once than the connections of redis-py's default pool.
    reads = 300

    results = await asyncio.gather(
        *(log.last_seq(classroom.session.pk) for _read in range(reads)),
        return_exceptions=True,
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert len(set(results)) == 1
