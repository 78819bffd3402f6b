"""
Redis killed during a live class, with two websocket clients on daphne.

The platform runs in a daphne child whose channel layer, live event log,
cache and sessions use a private redis-server. While Redis is down, a chat
message gets the ``unavailable`` error and nothing is stored; pages that do
not need Redis keep working. Once Redis is back, the clients send their
messages again and catch up with ``resume``, and every client has seen each
stored event exactly once, in sequence order.

NOTE: a client that sends nothing during the outage learns of it only when
it next sends a message, because the hub does not tell connected clients
that the channel layer is unreachable.
"""

import asyncio
import json
import time
from urllib.parse import urlparse

import pytest
import requests
from websockets.asyncio.client import connect

from .conftest import run_child
from .services import child_environment

pytestmark = pytest.mark.slow

TIMEOUT = 10
# Seconds that the Redis log's writer may take to copy acknowledged events
# into the database.
STORE_TIMEOUT = 20
# The chat rate limit allows 5 messages in 5 seconds by default.
RATE_LIMIT_TRIES = 10


@pytest.fixture
def live_class_server(own_postgres, own_redis, start_daphne):
    """Serve an open live session from daphne on private PostgreSQL and Redis."""
    services = {"DATABASE_URL": own_postgres.url, "REDIS_URL": own_redis.url}
    seed = run_child(child_environment(**services), "live")
    server = start_daphne(**services, LIVE_IDLE_TIMEOUT_SECONDS=120)
    seed["url"] = server.url
    return seed


class Client:
    """One person's websocket, with every sequenced event it has received."""

    def __init__(self, name, url, session, cookie):
        self.name = name
        self.url = url
        self.session = session
        self.cookie = cookie
        self.socket = None
        self.events = []
        self.last_seq = 0
        self.refs = 0

    async def connect(self, last_seq=None):
        query = "" if last_seq is None else f"?last_seq={last_seq}"
        self.socket = await connect(
            f"ws://{urlparse(self.url).netloc}/ws/live/{self.session}/{query}",
            origin=self.url,
            additional_headers={"Cookie": f"sessionid={self.cookie}"},
            open_timeout=TIMEOUT,
        )
        welcome = await self.expect("welcome")
        if last_seq is None:
            self.last_seq = welcome["last_seq"]
        return welcome

    async def close(self):
        if self.socket is not None:
            await self.socket.close()

    async def receive(self):
        """Return the next message, recording sequenced events on the way."""
        message = json.loads(await asyncio.wait_for(self.socket.recv(), TIMEOUT))
        if "seq" in message and message["type"] != "ack":
            self.events.append((message["seq"], message["type"], message.get("text")))
            self.last_seq = max(self.last_seq, message["seq"])
        return message

    async def expect(self, message_type, ref=None):
        """Return the next ``message_type`` message (with ``ref``, if given)."""
        while True:
            message = await self.receive()
            if message["type"] == message_type and (
                ref is None or message.get("ref") == ref
            ):
                return message
            assert message["type"] != "error" or message.get("ref") != ref, message

    async def send(self, message_type, **fields):
        """Send a message with a new ``ref`` and return the reply (ack or error)."""
        self.refs += 1
        ref = f"{self.name}-{self.refs}"
        await self.socket.send(json.dumps({"type": message_type, "ref": ref, **fields}))
        while True:
            message = await self.receive()
            if message.get("ref") == ref and message["type"] in (
                "ack",
                "error",
                "resumed",
            ):
                return message

    async def chat(self, text):
        """Send a chat message after waiting out the rate limit and return the reply."""
        for _try in range(RATE_LIMIT_TRIES):
            reply = await self.send("chat", text=text)
            if reply.get("code") != "rate_limited":
                return reply
            await asyncio.sleep(1)
        pytest.fail(f"{self.name}: still rate limited after {RATE_LIMIT_TRIES} s")

    async def wait_for_seq(self, seq):
        while self.last_seq < seq:
            await self.receive()


def stored_chats(server, session):
    rows = server.psql(
        "SELECT seq, payload->>'text' FROM live_liveevent "  # noqa: S608
        f"WHERE session_id = {int(session)} AND kind = 'chat' ORDER BY seq"
    )
    return [
        (int(seq), text)
        for seq, text in (line.split("|", 1) for line in rows.splitlines() if line)
    ]


def wait_for_stored(server, session, count):
    deadline = time.monotonic() + STORE_TIMEOUT
    chats = stored_chats(server, session)
    while len(chats) < count and time.monotonic() < deadline:
        time.sleep(0.2)
        chats = stored_chats(server, session)
    return chats


def get_page(url, cookie=None):
    cookies = {"sessionid": cookie} if cookie else None
    return requests.get(url, cookies=cookies, timeout=TIMEOUT, allow_redirects=False)


async def test_live_class_survives_redis_restart(
    live_class_server, own_redis, own_postgres
):
    seed = live_class_server
    teacher = Client("teacher", seed["url"], seed["session"], seed["teacher_cookie"])
    student = Client("student", seed["url"], seed["session"], seed["student_cookie"])
    acked = {}
    try:
        await teacher.connect()
        await student.connect()
        for number in range(3):
            for client in (teacher, student):
                text = f"{client.name} sebelum {number}"
                reply = await client.chat(text)
                assert reply["type"] == "ack", reply
                acked[reply["seq"]] = text
        await teacher.wait_for_seq(max(acked))
        await student.wait_for_seq(max(acked))

        own_redis.kill()
        failed = {}
        for client in (teacher, student):
            text = f"{client.name} saat Redis mati"
            failed[client.name] = (text, await client.chat(text))
        course_page = await asyncio.to_thread(
            get_page, seed["url"] + seed["course_path"], seed["student_cookie"]
        )
        login_page = await asyncio.to_thread(get_page, seed["url"] + "/accounts/login/")

        own_redis.start()
        for client in (teacher, student):
            text, _reply = failed[client.name]
            reply = await client.chat(text)
            assert reply["type"] == "ack", reply
            acked[reply["seq"]] = text
        # The student catches up on an open connection, the teacher by
        # connecting again, as after a dropped network.
        resumed = await student.send("resume", last_seq=student.last_seq)
        await teacher.close()
        await teacher.connect(last_seq=teacher.last_seq)
        for number in range(2):
            for client in (teacher, student):
                text = f"{client.name} sesudah {number}"
                reply = await client.chat(text)
                assert reply["type"] == "ack", reply
                acked[reply["seq"]] = text
        await teacher.wait_for_seq(max(acked))
        await student.wait_for_seq(max(acked))
    finally:
        await teacher.close()
        await student.close()

    for name, (_text, reply) in failed.items():
        assert reply["type"] == "error", (name, reply)
        assert reply["code"] == "unavailable", (name, reply)
        assert reply["message"], (name, reply)
    assert resumed["type"] == "resumed"
    assert course_page.status_code == 200
    assert login_page.status_code == 200
    for client in (teacher, student):
        seqs = [seq for seq, _kind, _text in client.events]
        chats = {seq: text for seq, kind, text in client.events if kind == "chat"}
        assert len(seqs) == len(set(seqs)), (client.name, seqs)
        assert seqs == sorted(seqs), (client.name, seqs)
        assert chats == acked, client.name
    stored = await asyncio.to_thread(
        wait_for_stored, own_postgres, seed["session"], len(acked)
    )
    assert stored == sorted(acked.items())
