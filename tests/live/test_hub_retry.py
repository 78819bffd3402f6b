"""
The live hub's retries after failed channel layer reads, and its stop.

A stand-in channel layer fails on purpose, so these tests need no Redis.
"""

import asyncio
import logging

import pytest
import redis.exceptions

from live import fanout, services


class FailingLayer:
    """A channel layer whose ``receive`` fails ``failures`` times, then works."""

    def __init__(self, failures, events):
        self.failures = failures
        self.events = list(events)
        self.receives = 0
        self.joined_groups = []

    async def new_channel(self, prefix="specific"):
        return f"{prefix}.test!hub"

    async def receive(self, channel):
        self.receives += 1
        if self.failures:
            self.failures -= 1
            raise redis.exceptions.ConnectionError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        if self.events:
            return self.events.pop(0)
        # Nothing more arrives, as on an idle channel.
        await asyncio.Event().wait()

    async def group_add(self, group, channel):
        self.joined_groups.append(group)


class Member:
    """A stand-in for a local websocket, which stores the messages it receives."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.channel_name = "live.member"
        self.messages = asyncio.Queue()

    async def deliver(self, message, frame, close=False):
        await self.messages.put(message)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(1, 0), (2, 0.25), (3, 0.5), (4, 1.0), (5, 2.0), (6, 4.0), (50, 4.0)],
)
def test_retry_delay_doubles_to_max(failures, seconds):
    assert fanout.retry_delay(failures) == seconds


async def test_hub_reads_again_after_failures(monkeypatch, caplog):
    monkeypatch.setattr(fanout, "RETRY_FIRST_SECONDS", 0.01)
    monkeypatch.setattr(fanout, "RETRY_MAX_SECONDS", 0.02)
    session_id = 7
    event = services.publication(session_id, {"type": "notice", "text": "halo"})
    layer = FailingLayer(failures=5, events=[event])
    hub = fanout.Hub()
    hub.layer = layer
    member = Member(session_id)
    room = fanout.Room(session_id)
    room.members.add(member)
    hub.rooms[session_id] = room

    try:
        with caplog.at_level(logging.INFO, logger="live.fanout"):
            await hub.start()
            message = await asyncio.wait_for(member.messages.get(), 5)
    finally:
        await hub.close()

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert message == {"type": "notice", "text": "halo"}
    assert layer.receives == 7
    assert layer.joined_groups == [services.group_name(session_id)] * 5
    assert len(warnings) == 1
    assert "failures=1" in warnings[0]
    assert "Connection refused" in warnings[0]
    assert "live hub reads from the channel layer again failures=5" in infos


async def test_stop_task_cancels_again():
    async def ignore_first_cancel():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            pass
        await asyncio.sleep(10)

    task = asyncio.get_running_loop().create_task(ignore_first_cancel())
    await asyncio.sleep(0)

    await fanout.stop_task(task, 1)

    assert task.cancelled()


async def test_stop_task_gives_up_after_timeout(caplog):
    stop = asyncio.Event()

    async def ignore_every_cancel():
        while not stop.is_set():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                pass

    task = asyncio.get_running_loop().create_task(ignore_every_cancel())
    await asyncio.sleep(0)

    with caplog.at_level(logging.WARNING, logger="live.fanout"):
        await fanout.stop_task(task, 0.2)

    assert not task.done()
    assert "live hub task did not stop" in caplog.text
    stop.set()
    task.cancel()
    await asyncio.wait({task}, timeout=1)
    assert task.done()
