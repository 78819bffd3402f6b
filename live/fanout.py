"""
Fan-out of session events to the websockets of one process, in order.

Each process has one ``Hub`` per event loop, with one channel layer channel
of its own. The hub adds that channel to a session's group when the first
local websocket of the session connects, and removes it when the last one
leaves. A ``group_send`` to the session therefore costs one channel layer
message per process, however many of the session's websockets the process
serves, and the hub encodes the message once and hands the frame to each
local consumer. Under daphne each consumer writes the same prepared
websocket frame to its connection (see ``Frame``).

Events with a sequence number are delivered in sequence order. Two processes
may publish events 7 and 8 in the opposite order, so the hub holds an event
that arrives early until the gap fills, and after ``GAP_SECONDS`` it reads
the missing events from the log. Messages without a number, such as
presence, go out at once.

The hub also runs the heartbeat: it closes local websockets that sent
nothing for ``idle_timeout()`` seconds, marks its open ``LiveConnection``
rows as seen, and closes the rows of processes that stopped doing so.
"""

import asyncio
import datetime
import functools
import logging
import time
import weakref

from autobahn.websocket.protocol import WebSocketProtocol as AutobahnProtocol
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone
from twisted.internet import tcp

from . import protocol, services
from .eventlog import LAYER_ERRORS, get_log
from .models import LiveConnection

logger = logging.getLogger(__name__)

GAP_SECONDS = 1.0
# Presence changes within this many seconds go out as one ``presence``
# message per process (setting LIVE_PRESENCE_DELAY_SECONDS), so a class of
# 500 joining at once does not get 500 lists of up to 500 names each.
PRESENCE_DELAY_SECONDS = 0.5
# Each process marks its connections as seen this often (setting
# LIVE_HEARTBEAT_SECONDS). A connection row not seen for three intervals
# belongs to a process that died.
HEARTBEAT_SECONDS = 20
# A websocket that sends nothing for this long is closed (setting
# LIVE_IDLE_TIMEOUT_SECONDS). classroom.js sends a ping every 25 s.
IDLE_TIMEOUT_SECONDS = 60
# After a failed read from the channel layer the hub reads again at once,
# and after each further failure in a row it waits twice as long, from
# RETRY_FIRST_SECONDS up to RETRY_MAX_SECONDS. While the failures go on,
# it logs one warning per FAILURE_LOG_SECONDS.
RETRY_FIRST_SECONDS = 0.25
RETRY_MAX_SECONDS = 4.0
FAILURE_LOG_SECONDS = 30
# How long ``Hub.close`` waits for each of its tasks to end.
STOP_TIMEOUT_SECONDS = 5


def heartbeat_seconds():
    return getattr(settings, "LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)


def presence_delay():
    return getattr(settings, "LIVE_PRESENCE_DELAY_SECONDS", PRESENCE_DELAY_SECONDS)


def idle_timeout():
    return getattr(settings, "LIVE_IDLE_TIMEOUT_SECONDS", IDLE_TIMEOUT_SECONDS)


def stale_after():
    return datetime.timedelta(seconds=3 * heartbeat_seconds())


class Room:
    """The local websockets of one session and its delivery position."""

    def __init__(self, session_id):
        self.session_id = session_id
        self.members = set()
        # None until the log's latest number has been read. Until then
        # every sequenced event waits in ``early``.
        self.delivered_seq = None
        self.early = {}
        self.gap_task = None


class Hub:
    """The fan-out and heartbeat of one process (one event loop)."""

    def __init__(self):
        self.layer = get_channel_layer()
        self.rooms = {}
        self.channel = None
        self.started = asyncio.Lock()
        self.tasks = []
        self.presence_tasks = {}
        # session id -> ParticipantsRead, shared by everybody who joins while
        # it runs or within PRESENCE_DELAY_SECONDS after it finished.
        self.participant_reads = {}

    async def start(self):
        async with self.started:
            if self.channel is not None:
                return
            # The layer's default prefix. channels_redis 4.3 lets only one
            # receive per layer and event loop pop from Redis at a time, and
            # that receive pops only the Redis key of its own channel's
            # prefix. With a prefix of its own, the hub's events would wait
            # in Redis while another receive of the process had the turn.
            self.channel = await self.layer.new_channel()
            loop = asyncio.get_running_loop()
            self.tasks = [
                loop.create_task(self.receive_loop()),
                loop.create_task(self.heartbeat_loop()),
            ]
            logger.info("live hub started channel=%s", self.channel)

    async def add(self, consumer):
        """Start delivering the session's events to ``consumer``."""
        await self.start()
        session_id = consumer.session_id
        room = self.rooms.get(session_id)
        if room is not None:
            room.members.add(consumer)
            return
        room = Room(session_id)
        room.members.add(consumer)
        self.rooms[session_id] = room
        await self.layer.group_add(services.group_name(session_id), self.channel)
        room.delivered_seq = await get_log().last_seq(session_id)
        await self.release(room)

    async def remove(self, consumer):
        room = self.rooms.get(consumer.session_id)
        if room is None:
            return
        room.members.discard(consumer)
        if room.members:
            return
        del self.rooms[consumer.session_id]
        if room.gap_task is not None:
            room.gap_task.cancel()
        try:
            await self.layer.group_discard(
                services.group_name(consumer.session_id), self.channel
            )
        except LAYER_ERRORS as error:
            # channels_redis drops the channel from the group by itself after its
            # group_expiry (one day by default).
            logger.warning(
                "live hub could not leave group session=%s error=%s",
                consumer.session_id,
                error,
            )

    async def receive_loop(self):
        failures = 0
        last_logged = None
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except LAYER_ERRORS as error:
                failures += 1
                now = time.monotonic()
                if last_logged is None or now - last_logged >= FAILURE_LOG_SECONDS:
                    last_logged = now
                    logger.warning(
                        "live hub cannot read from the channel layer "
                        "failures=%d error=%s",
                        failures,
                        error,
                    )
                await asyncio.sleep(retry_delay(failures))
                await self.rejoin_groups()
                continue
            if failures:
                logger.info(
                    "live hub reads from the channel layer again failures=%d",
                    failures,
                )
                failures = 0
                last_logged = None
            room = self.rooms.get(event.get("session"))
            if room is None:
                continue
            try:
                await self.dispatch(room, event)
            except Exception:  # noqa: BLE001
                # One bad message must not stop delivery to the process.
                logger.exception("live fan-out failed session=%s", room.session_id)

    async def rejoin_groups(self):
        """Add the process channel to its groups again after a layer outage."""
        for session_id in list(self.rooms):
            try:
                await self.layer.group_add(
                    services.group_name(session_id), self.channel
                )
            except LAYER_ERRORS:
                return

    async def dispatch(self, room, event):
        seq = event.get("seq")
        if seq is None and event.get("to"):
            await self.send_to_connection(room, event["to"], event["message"])
            return
        if seq is None:
            await self.send_to_members(room, event["message"], event.get("close"))
            return
        if room.delivered_seq is not None and seq <= room.delivered_seq:
            return
        room.early[seq] = event
        await self.release(room)

    async def release(self, room):
        """Deliver the events that follow ``delivered_seq`` without a gap."""
        if room.delivered_seq is None:
            return
        for seq in [seq for seq in room.early if seq <= room.delivered_seq]:
            del room.early[seq]
        while room.delivered_seq + 1 in room.early:
            event = room.early.pop(room.delivered_seq + 1)
            room.delivered_seq += 1
            await self.send_to_members(room, event["message"], event.get("close"))
        if room.early and (room.gap_task is None or room.gap_task.done()):
            room.gap_task = asyncio.get_running_loop().create_task(self.fill_gap(room))

    async def fill_gap(self, room):
        await asyncio.sleep(GAP_SECONDS)
        if not room.early or room.delivered_seq is None:
            return
        first_early = min(room.early)
        missing = await get_log().events_after(
            room.session_id, room.delivered_seq, until=first_early - 1
        )
        messages = await database_sync_to_async(services.event_messages)(missing)
        for event, message in zip(missing, messages, strict=True):
            room.early.setdefault(event.seq, {"message": message, "seq": event.seq})
        if room.delivered_seq + 1 not in room.early:
            logger.warning(
                "live events missing from the log session=%s after=%s before=%s",
                room.session_id,
                room.delivered_seq,
                first_early,
            )
            room.delivered_seq = first_early - 1
        await self.release(room)

    async def send_to_members(self, room, message, close=False):
        frame = Frame(protocol.encode(message))
        for consumer in list(room.members):
            await consumer.deliver(message, frame, close)

    async def send_to_connection(self, room, channel_name, message):
        """
        Send a message to one connection, if this process serves it.

        The message reaches every process of the session, and only the one
        that serves the connection delivers it (see ``live.signalling``).
        """
        for consumer in room.members:
            if consumer.channel_name == channel_name:
                await consumer.deliver(message, Frame(protocol.encode(message)))
                return

    async def participants(self, session_id):
        """
        Return the session's participants, at most a presence delay old.

        Callers share the read that is running, so a class that joins at
        once makes one read and not one per join. A list read before the
        caller's own connection row was stored lacks that person.
        """
        read = self.participant_reads.get(session_id)
        if read is None or read.expired():
            read = self.participant_reads[session_id] = ParticipantsRead(session_id)
        # Shielded, so that a join that is cancelled (its socket closed)
        # does not cancel the read that other joins wait for.
        return await asyncio.shield(read.task)

    def presence_changed(self, session_id):
        """Send the session's presence list soon, once for many changes."""
        task = self.presence_tasks.get(session_id)
        if task is None or task.done():
            self.presence_tasks[session_id] = asyncio.get_running_loop().create_task(
                self.send_presence(session_id)
            )

    async def send_presence(self, session_id):
        await asyncio.sleep(presence_delay())
        # Changes from here on schedule another message.
        del self.presence_tasks[session_id]
        self.participant_reads.pop(session_id, None)
        try:
            people = await self.participants(session_id)
            await services.abroadcast(session_id, protocol.presence(people))
        except LAYER_ERRORS as error:
            logger.warning(
                "live presence not sent session=%s error=%s", session_id, error
            )

    async def heartbeat_loop(self):
        while True:
            await asyncio.sleep(heartbeat_seconds())
            try:
                await self.beat()
            except Exception:  # noqa: BLE001
                logger.exception("live heartbeat failed")

    async def beat(self):
        """Close idle websockets, mark the rest as seen, close stale rows."""
        deadline = time.monotonic() - idle_timeout()
        channel_names = []
        for room in list(self.rooms.values()):
            for consumer in list(room.members):
                if consumer.last_received < deadline:
                    await consumer.expire()
                else:
                    channel_names.append(consumer.channel_name)
        changed = await database_sync_to_async(mark_seen)(channel_names)
        for session_id in changed:
            self.presence_changed(session_id)

    async def close(self):
        for task in self.presence_tasks.values():
            task.cancel()
        for read in self.participant_reads.values():
            read.task.cancel()
        for task in self.tasks:
            await stop_task(task, STOP_TIMEOUT_SECONDS)
        for room in self.rooms.values():
            if room.gap_task is not None:
                room.gap_task.cancel()


def retry_delay(failures):
    """Return the seconds to wait after ``failures`` failed reads in a row."""
    if failures <= 1:
        return 0
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** (failures - 2))


async def stop_task(task, timeout):
    """
    Cancel ``task`` until it ends, for at most ``timeout`` seconds.

    One cancellation is not always enough on Python 3.11. redis-py 8.2
    sends each command inside ``asyncio.wait_for`` when a socket timeout is
    set, and Python 3.11's ``wait_for`` returns normally when the task is
    cancelled just after the send finished (a CPython bug, fixed in 3.12,
    where ``wait_for`` uses ``asyncio.timeout``). The receive then carries
    on, and channels_redis 4.3 pops again after each empty BZPOPMIN, so it
    would read from Redis forever. Only a cancellation that lands in that
    moment is lost, so this cancels again every 50 ms until the task ends.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not task.done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            logger.warning("live hub task did not stop task=%r", task)
            return
        task.cancel()
        await asyncio.wait({task}, timeout=min(0.05, remaining))


class ParticipantsRead:
    """One read of a session's participants, shared by its callers."""

    def __init__(self, session_id):
        self.finished_at = None
        self.task = asyncio.get_running_loop().create_task(self.read(session_id))

    async def read(self, session_id):
        # Set before the task counts as done, so expired() can rely on it.
        try:
            return await services.aparticipants(session_id)
        finally:
            self.finished_at = time.monotonic()

    def expired(self):
        """Return whether this read failed or is older than a presence delay."""
        if not self.task.done():
            return False
        if self.task.cancelled() or self.task.exception() is not None:
            return True
        return time.monotonic() - self.finished_at >= presence_delay()


class Frame:
    """
    One message for every local websocket of a session, encoded once.

    ``text`` is the JSON text. ``prepared()`` returns the complete websocket
    frame that autobahn's ``prepareMessage`` builds on first use, so each
    daphne connection gets the same bytes written with no framing of its own.
    daphne 4.2 does not accept permessage-deflate, so no connection
    compresses. If one did, autobahn's ``sendPreparedMessage`` would
    compress the text for that connection alone.
    """

    __slots__ = ("text", "_prepared")

    def __init__(self, text):
        self.text = text
        self._prepared = None

    def prepared(self, connection):
        if self._prepared is None:
            self._prepared = connection.factory.prepareMessage(
                self.text.encode("utf-8")
            )
        return self._prepared


def send_prepared(connection, prepared):
    """
    Send an autobahn prepared message on an open daphne connection.

    Without compression or a queue of its own, autobahn 26.11's
    ``sendPreparedMessage`` hands ``prepared.payloadHybi`` to
    ``transport.write`` and counts the bytes. This does the same, with
    ``write_now`` in place of ``transport.write`` where that applies, and
    leaves every other case to autobahn.
    """
    data = prepared.payloadHybi
    if (
        connection._perMessageCompress is None
        and not connection.send_queue
        and not connection.logOctets
        and write_now(connection.transport, data)
    ):
        connection.trafficStats.outgoingOctetsWireLevel += len(data)
        return
    connection.sendPreparedMessage(prepared)


def write_now(transport, data):
    """
    Send ``data`` at once on a plain TCP transport whose buffer is empty.

    Return True once ``data`` is sent, with any part the socket did not
    take left in the transport's buffer. Return False, having sent nothing,
    for any other transport (TLS, UNIX sockets, test transports), while
    earlier bytes wait in the buffer, or once the connection is closing.
    The caller then uses ``transport.write``, which queues after the
    waiting bytes.

    Twisted 26.10's ``transport.write`` only buffers and registers the
    socket for writing. The reactor sends on a later loop turn and
    unregisters the socket: two ``epoll_ctl`` calls and a reactor callback
    per socket and message. Like asyncio's transports, this sends at once
    and buffers only the bytes the socket does not take, so a slow reader's
    rest waits in its own buffer and pauses a registered producer as before.
    """
    if type(transport) is not tcp.Server or transport.TLS:
        return False
    # NOTE: these are private attributes of Twisted's FileDescriptor (26.10).
    # If they change, tests/live/test_fanout_frames.py fails.
    if (
        not transport.connected
        or transport.disconnecting
        or transport._writeDisconnected
        or transport._tempDataLen
        or len(transport.dataBuffer) > transport.offset
    ):
        return False
    sent = transport.writeSomeData(data)
    if isinstance(sent, Exception):
        # The reactor's next write of the buffer then meets the same error
        # and closes the connection the usual way.
        transport.write(data)
    elif sent < len(data):
        transport.write(data[sent:])
    return True


def daphne_connection(send):
    """
    Return the autobahn protocol behind an ASGI ``send`` callable, or None.

    daphne 4 gives each application ``functools.partial(server.handle_reply,
    protocol)``, and channels' ``SessionMiddleware`` wraps that in a bound
    ``InstanceSessionWrapper.send`` that keeps it as ``real_send``. Any other
    server or wrapper gives None, and the caller sends through ASGI.
    """
    # NOTE: neither daphne nor channels documents this chain. A change to
    # either turns the direct write off, and tests/live/test_fanout_frames.py
    # then fails.
    for _depth in range(4):
        if isinstance(send, functools.partial):
            if getattr(send.func, "__name__", None) != "handle_reply":
                return None
            if send.args and isinstance(send.args[0], AutobahnProtocol):
                return send.args[0]
            return None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def mark_seen(channel_names):
    """
    Mark local connections as seen and close the stale rows of any process.

    Return the ids of the sessions whose presence changed.
    """
    now = timezone.now()
    for start in range(0, len(channel_names), 500):
        LiveConnection.objects.filter(
            channel_name__in=channel_names[start : start + 500],
            disconnected_at__isnull=True,
        ).update(last_seen_at=now)
    return services.close_stale(now - stale_after())


_hubs = weakref.WeakKeyDictionary()


def get_hub():
    """Return the hub of the running event loop."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub


async def close_hub():
    """Stop the running loop's hub, for tests and shutdown."""
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.close()
