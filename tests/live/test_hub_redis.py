"""
The live hub's reads from the Redis channel layer, over TCP to a real Redis.

channels_redis 4.3 waits for a message with BZPOPMIN for
``RedisChannelLayer.brpop_timeout`` (5 s) at a time. These tests check that
an idle hub keeps reading without errors or pauses, and that a stopped hub
or a rejected handshake leaves no receive blocked in Redis afterwards.
"""

import asyncio
import copy
import logging
import random
import time
import uuid

import pytest
import redis
from channels.layers import channel_layers
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from live import fanout, services

from .conftest import open_socket

pytestmark = pytest.mark.usefixtures("redis_url")

# Long enough for two whole blocking pops and part of a third. Until
# channels_redis's pop outlasted the read timeout, the hub was then asleep
# for a second after its second "Timeout reading from" error.
IDLE_SECONDS = 2 * RedisChannelLayer.brpop_timeout + 1.3
# How late an event may reach a local websocket after an idle spell.
PROMPT_SECONDS = 0.4


@pytest.fixture
def layer_client_name(settings, redis_url):
    """
    Give the channel layer's Redis connections a name of their own.

    Return the name, so that a test can find the layer's connections in
    ``CLIENT LIST`` among those of other tests on the same Redis.
    """
    name = f"hub-test-{uuid.uuid4().hex[:12]}"
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    hosts = [
        host if isinstance(host, dict) else {"address": host}
        for host in layers["default"]["CONFIG"]["hosts"]
    ]
    layers["default"]["CONFIG"]["hosts"] = [
        {**host, "client_name": name} for host in hosts
    ]
    settings.CHANNEL_LAYERS = layers
    channel_layers.backends = {}
    yield name
    channel_layers.backends = {}


def layer_connections(name):
    """Return the Redis connections named ``name``, as ``CLIENT LIST`` rows."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return [row for row in client.client_list() if row.get("name") == name]
    finally:
        client.close()


def blocked_connections(name):
    """Return the connections named ``name`` that wait in a blocking command."""
    return [row for row in layer_connections(name) if "b" in row["flags"]]


async def wait_until_unblocked(name, timeout=2.0):
    """Return the blocked connections left after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    blocked = blocked_connections(name)
    while blocked and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        blocked = blocked_connections(name)
    return blocked


def receiving_tasks():
    """Return the running tasks that are inside a channel layer ``receive``."""
    found = []
    for task in asyncio.all_tasks():
        coroutine = task.get_coro()
        while coroutine is not None:
            if getattr(coroutine, "__qualname__", "") == "RedisChannelLayer.receive":
                found.append(task)
                break
            coroutine = getattr(coroutine, "cr_await", None)
    return found


class Member:
    """A stand-in for a local websocket, which records when messages arrive."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.channel_name = f"live.{uuid.uuid4().hex}"
        self.arrivals = asyncio.Queue()

    async def deliver(self, message, frame, close=False):
        await self.arrivals.put((time.monotonic(), message))


@pytest.mark.slow
async def test_idle_hub_delivers_promptly(layer_client_name, caplog):
    session_id = random.randrange(10**8, 10**9)
    hub = fanout.Hub()
    member = Member(session_id)
    room = fanout.Room(session_id)
    room.members.add(member)
    try:
        with caplog.at_level(logging.INFO, logger="live.fanout"):
            await hub.start()
            started = time.monotonic()
            hub.rooms[session_id] = room
            await hub.layer.group_add(services.group_name(session_id), hub.channel)

            await asyncio.sleep(IDLE_SECONDS - (time.monotonic() - started))
            sent = time.monotonic()
            await services.abroadcast(session_id, {"type": "notice", "text": "halo"})
            arrived, message = await asyncio.wait_for(member.arrivals.get(), 10)
    finally:
        await hub.close()

    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert message == {"type": "notice", "text": "halo"}
    assert arrived - sent < PROMPT_SECONDS, f"took {arrived - sent:.3f} s"
    assert problems == []


async def test_stopped_hub_leaves_no_receive(layer_client_name):
    # A cancellation reaches the hub's receive at a different step of
    # connecting and reading each time: the first stop comes before the
    # first Redis command and the last one during the blocking pop.
    for steps in range(40):
        hub = fanout.Hub()
        await hub.start()
        for _step in range(steps):
            await asyncio.sleep(0)
        await hub.close()

        assert all(task.done() for task in hub.tasks), steps
        assert receiving_tasks() == [], steps

    assert await wait_until_unblocked(layer_client_name) == []


async def test_rejected_origin_uses_no_layer(layer_client_name):
    socket, connected = await open_socket(
        random.randrange(10**8, 10**9), origin="http://evil.example"
    )
    assert not connected
    await asyncio.sleep(0.2)
    opened = layer_connections(layer_client_name)
    await socket.disconnect()

    assert opened == []
    assert receiving_tasks() == []
