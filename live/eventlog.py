"""
The durable, sequenced event log of live sessions.

Every accepted event gets the next session-wide sequence number and ends up
as a ``LiveEvent`` row. ``get_log()`` returns one of two back ends with the
same interface:

``DatabaseLog`` (no ``REDIS_URL``)
    ``append`` queues the event for the process's writer task, which stores
    everything queued so far in one transaction with ``bulk_create``. It
    takes the numbers by raising ``LiveSession.last_seq`` by the batch size,
    so numbers are gapless and unique across processes. ``append`` returns
    once the transaction has committed.

``RedisLog`` (``REDIS_URL`` set)
    A Lua script takes the number with ``INCR`` and adds the event to the
    stream ``live:events`` in one atomic step, so the event is durable when
    ``append`` returns. A writer task in every process reads that stream as
    one consumer group, stores batches with ``bulk_create`` and then
    acknowledges and deletes the entries, so the stream holds only events
    that are not yet in the database.

Both writers flush whatever has queued as soon as the previous flush is
done, at most ``BATCH_SIZE`` events at a time, and the Redis writer polls
the stream at least every ``FLUSH_INTERVAL`` seconds.

The async methods belong to the event loop that created the log, because
the queue, the writer task and the Redis client do. ``get_log()`` keeps one
log per loop.
"""

import asyncio
import collections
import datetime
import json
import logging
import os
import socket
import time
import weakref
from dataclasses import dataclass, field

import redis.exceptions
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import LiveEvent, LiveSession, RateLimited, SessionEnded, SessionState

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
FLUSH_INTERVAL = 1.0
# An entry that a writer read but did not acknowledge for this long belongs
# to a writer that died, and another writer takes it over.
CLAIM_IDLE_MS = 15_000
# Sequence counters and "ended" flags expire this long after the last event,
# and are rebuilt from the database when needed again.
REDIS_KEY_TTL_SECONDS = 7 * 24 * 3600
STREAM = "events"
# Redis connections of one process's log, and how long a command waits for
# a free one before the log counts as unavailable.
REDIS_MAX_CONNECTIONS = 50
REDIS_POOL_TIMEOUT_SECONDS = 5
WRITER_GROUP = "live-writers"


class LogUnavailable(Exception):
    """The log's store (Redis) cannot be reached, so nothing was stored."""


# The errors of an unreachable Redis, for the log and the channel layer.
LAYER_ERRORS = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
)


@dataclass
class LoggedEvent:
    """One event of the log, stored or on its way to the database."""

    session_id: int
    seq: int
    kind: str
    sender_id: int | None
    payload: dict
    created_at: datetime.datetime = field(default_factory=timezone.now)

    @classmethod
    def from_model(cls, event):
        return cls(
            event.session_id,
            event.seq,
            event.kind,
            event.sender_id,
            event.payload,
            event.created_at,
        )

    def to_model(self):
        return LiveEvent(
            session_id=self.session_id,
            seq=self.seq,
            kind=self.kind,
            sender_id=self.sender_id,
            payload=self.payload,
            created_at=self.created_at,
        )


class SlidingWindowLimiter:
    """
    Count events per key in a sliding time window, within one process.

    The database back end serves one process (the in-memory channel layer
    cannot reach another), so a process-local count is the whole count.
    """

    def __init__(self):
        self.hits = collections.defaultdict(collections.deque)

    def hit(self, key, limit, seconds):
        """Record one event for ``key``, or raise ``RateLimited`` and record none."""
        now = time.monotonic()
        hits = self.hits[key]
        while hits and hits[0] <= now - seconds:
            hits.popleft()
        if len(hits) >= limit:
            raise RateLimited(limit, seconds)
        hits.append(now)


# Shared by the websocket path and the views of one process.
LOCAL_LIMITER = SlidingWindowLimiter()


def stored_events_after(session_id, after, until=None, limit=None):
    """Return the stored events of a session with ``after < seq <= until``."""
    events = LiveEvent.objects.filter(session_id=session_id, seq__gt=after)
    if until is not None:
        events = events.filter(seq__lte=until)
    events = events.order_by("seq")
    if limit is not None:
        events = events[:limit]
    return [LoggedEvent.from_model(event) for event in events]


def stored_last_seq(session_id):
    """Return the latest sequence number the database knows for a session."""
    return (
        LiveSession.objects.filter(pk=session_id)
        .values_list("last_seq", flat=True)
        .first()
        or 0
    )


class DatabaseLog:
    """The log without Redis: batched inserts, numbers from the session row."""

    def __init__(self):
        self.queue = asyncio.Queue()
        self.limiter = LOCAL_LIMITER
        self.writer = asyncio.get_running_loop().create_task(self.write_batches())

    async def append(
        self, session_id, kind, sender_id=None, payload=None, rate_limit=None
    ):
        """
        Store one event and return it as a ``LoggedEvent`` with its number.

        ``rate_limit`` is ``(key, limit, seconds)``. Raise ``RateLimited``,
        ``SessionEnded`` or ``DatabaseError``; nothing is stored then.
        """
        if rate_limit is not None:
            self.limiter.hit(*rate_limit)
        event = LoggedEvent(session_id, 0, kind, sender_id, payload or {})
        stored = asyncio.get_running_loop().create_future()
        # put_nowait, so the event is queued before this coroutine first
        # pauses. Callers rely on that to keep their events in order.
        self.queue.put_nowait((event, stored))
        return await stored

    def append_sync(
        self,
        session_id,
        kind,
        sender_id=None,
        payload=None,
        rate_limit=None,
        allow_ended=False,
    ):
        """Store one event at once, from synchronous code such as a view."""
        if rate_limit is not None:
            self.limiter.hit(*rate_limit)
        event = LiveEvent.append(
            session_id,
            kind,
            sender_id=sender_id,
            payload=payload,
            allow_ended=allow_ended,
        )
        return LoggedEvent.from_model(event)

    async def write_batches(self):
        while True:
            batch = [await self.queue.get()]
            while len(batch) < BATCH_SIZE and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                results = await database_sync_to_async(store_batch)(
                    [event for event, _stored in batch]
                )
            except Exception as error:  # noqa: BLE001
                # Every sender hears of the failure, and the writer goes on.
                logger.exception("live log write failed events=%s", len(batch))
                results = [error] * len(batch)
            for (_event, stored), result in zip(batch, results, strict=True):
                if stored.done():
                    continue
                if isinstance(result, BaseException):
                    stored.set_exception(result)
                else:
                    stored.set_result(result)

    async def last_seq(self, session_id):
        return await database_sync_to_async(stored_last_seq)(session_id)

    async def events_after(self, session_id, after, until=None, limit=None):
        return await database_sync_to_async(stored_events_after)(
            session_id, after, until, limit
        )

    async def close(self):
        self.writer.cancel()


def store_batch(events):
    """
    Number and insert a batch of new events in one transaction.

    Return, for each event in order, the stored ``LoggedEvent`` or a
    ``SessionEnded`` error for events of sessions that have ended.
    """
    by_session = collections.defaultdict(list)
    for index, event in enumerate(events):
        by_session[event.session_id].append(index)
    results = [None] * len(events)
    with transaction.atomic():
        rows = []
        for session_id, indexes in sorted(by_session.items()):
            # The UPDATE takes the session row's write lock, so a concurrent
            # batch or LiveEvent.append waits and then reads the new value.
            # Batches lock their sessions in key order, so two of them
            # cannot each hold a row that the other waits for.
            updated = (
                LiveSession.objects.filter(pk=session_id)
                .exclude(state=SessionState.ENDED)
                .update(last_seq=F("last_seq") + len(indexes))
            )
            if not updated:
                for index in indexes:
                    results[index] = SessionEnded(f"session={session_id}")
                continue
            last = stored_last_seq(session_id)
            now = timezone.now()
            for offset, index in enumerate(indexes):
                event = events[index]
                event.seq = last - len(indexes) + 1 + offset
                event.created_at = now
                rows.append(event.to_model())
                results[index] = event
        LiveEvent.objects.bulk_create(rows)
    return results


# The script returns [seq, time in ms], or [-1] when the session's counter is missing
# and must be loaded from the database, [-2] when the session has ended, and
# [-3] when the sender is over the rate limit.
APPEND_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if ARGV[7] == '0' and redis.call('EXISTS', KEYS[3]) == 1 then return {-2} end
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local limit = tonumber(ARGV[5])
if limit > 0 then
  local window = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now_ms - window)
  if redis.call('ZCARD', KEYS[4]) >= limit then return {-3} end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[9])
if limit > 0 then
  redis.call('ZADD', KEYS[4], now_ms, seq)
  redis.call('PEXPIRE', KEYS[4], ARGV[6])
end
redis.call('XADD', KEYS[2], '*', 's', ARGV[1], 'q', seq, 'k', ARGV[2],
  'u', ARGV[3], 'p', ARGV[4], 't', now_ms)
if ARGV[8] == '1' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[9]) end
return {seq, now_ms}
"""

# Set the counter and the "ended" flag from the database, unless another
# process did it first.
INIT_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) and ARGV[2] == '1' then
  redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
end
return redis.call('GET', KEYS[1])
"""


def redis_prefix():
    return getattr(settings, "LIVE_REDIS_PREFIX", "live:")


def redis_keys(session_id, rate_key=None):
    prefix = redis_prefix()
    return [
        f"{prefix}seq:{session_id}",
        prefix + STREAM,
        f"{prefix}ended:{session_id}",
        f"{prefix}rate:{rate_key}" if rate_key else f"{prefix}rate:none",
    ]


def append_arguments(session_id, kind, sender_id, payload, rate_limit, allow_ended):
    limit, window_ms = 0, 0
    if rate_limit is not None:
        _key, limit, seconds = rate_limit
        window_ms = int(seconds * 1000)
    ends = kind == LiveEvent.Kind.STATE and payload.get("state") == SessionState.ENDED
    return [
        session_id,
        kind,
        sender_id or "",
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        limit,
        window_ms,
        "1" if allow_ended else "0",
        "1" if ends else "0",
        REDIS_KEY_TTL_SECONDS,
    ]


def session_counter_state(session_id):
    """Return ``(last_seq, ended)`` of a session from the database."""
    row = (
        LiveSession.objects.filter(pk=session_id)
        .values_list("last_seq", "state")
        .first()
    )
    if row is None:
        raise SessionEnded(f"session={session_id}")
    last_seq, state = row
    # A LiveEvent.append on the database path may have run after the row
    # was read, so the highest stored number wins.
    stored = (
        LiveEvent.objects.filter(session_id=session_id)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )
    return max(last_seq, stored), state == SessionState.ENDED


def decode_entry(fields):
    """Turn the fields of a stream entry into a ``LoggedEvent``."""
    fields = {
        (key.decode() if isinstance(key, bytes) else key): (
            value.decode() if isinstance(value, bytes) else value
        )
        for key, value in fields.items()
    }
    return LoggedEvent(
        session_id=int(fields["s"]),
        seq=int(fields["q"]),
        kind=fields["k"],
        sender_id=int(fields["u"]) if fields["u"] else None,
        payload=json.loads(fields["p"]),
        created_at=datetime.datetime.fromtimestamp(
            int(fields["t"]) / 1000, tz=datetime.UTC
        ),
    )


def result_of(reply, session_id, kind, sender_id, payload, rate_limit):
    """Turn the append script's reply into a ``LoggedEvent`` or an error."""
    code = reply[0]
    if code == -2:
        raise SessionEnded(f"session={session_id}")
    if code == -3:
        _key, limit, seconds = rate_limit
        raise RateLimited(limit, seconds)
    created_at = datetime.datetime.fromtimestamp(reply[1] / 1000, tz=datetime.UTC)
    return LoggedEvent(session_id, code, kind, sender_id, payload, created_at)


def store_stream_events(events):
    """
    Insert drained stream events, skipping any that are already stored.

    An event that can never be stored, because its session or sender was
    deleted meanwhile, is logged and left out, so that it does not block
    the events after it. Return the number of events left out.
    """
    try:
        with transaction.atomic():
            insert_stream_events(events)
        return 0
    except IntegrityError:
        if len(events) == 1:
            logger.error(
                "live event dropped, its session or sender is gone "
                "session=%s seq=%s sender=%s",
                events[0].session_id,
                events[0].seq,
                events[0].sender_id,
            )
            return 1
    return sum(store_stream_events([event]) for event in events)


def insert_stream_events(events):
    highest = {}
    for event in events:
        highest[event.session_id] = max(highest.get(event.session_id, 0), event.seq)
    with transaction.atomic():
        # Lock the sessions, in key order, before inserting their events. A
        # view appends inside its own transaction while a writer in another
        # process may store the same events from the stream. If either
        # inserted first and locked the session row afterwards, each could
        # wait for the other: the view for the writer's uncommitted copy of
        # an event, the writer for the view's lock on the session row.
        locked = LiveSession.objects.select_for_update().filter(pk__in=highest)
        list(locked.order_by("pk").values_list("pk", flat=True))
        LiveEvent.objects.bulk_create(
            [event.to_model() for event in events], ignore_conflicts=True
        )
        for session_id, seq in highest.items():
            LiveSession.objects.filter(pk=session_id).update(
                last_seq=Greatest(F("last_seq"), seq)
            )


class RedisLog:
    """The log with Redis: numbers from INCR, durable in a Redis stream."""

    def __init__(self, url):
        import redis.asyncio

        self.url = url
        # Commands beyond the pool's connections wait for a free one. The
        # default pool of redis-py 8.2 raises MaxConnectionsError at once
        # past 100, which 300 students joining at once reached.
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            url,
            max_connections=REDIS_MAX_CONNECTIONS,
            timeout=REDIS_POOL_TIMEOUT_SECONDS,
            socket_connect_timeout=2,
            socket_timeout=5,
        )
        self.redis = redis.asyncio.Redis.from_pool(pool)
        self.append_script = self.redis.register_script(APPEND_SCRIPT)
        self.init_script = self.redis.register_script(INIT_SCRIPT)
        self.consumer = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        # NOTE: one lock per session ever seen; a process serving thousands
        # of sessions in a row keeps that many small objects.
        self.session_locks = {}
        self.writer = asyncio.get_running_loop().create_task(self.write_batches())

    async def append(
        self, session_id, kind, sender_id=None, payload=None, rate_limit=None
    ):
        """
        Store one event in the stream and return it with its number.

        Raise ``RateLimited``, ``SessionEnded`` or ``LogUnavailable``.
        """
        payload = payload or {}
        keys = redis_keys(session_id, rate_limit[0] if rate_limit else None)
        arguments = append_arguments(
            session_id, kind, sender_id, payload, rate_limit, False
        )
        # Appends to one session take turns (the lock is first come, first
        # served), so events keep the order in which their callers started.
        lock = self.session_locks.setdefault(session_id, asyncio.Lock())
        try:
            async with lock:
                for _attempt in range(2):
                    reply = await self.append_script(keys=keys, args=arguments)
                    if reply[0] != -1:
                        break
                    await self.load_counter(session_id)
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        ) as error:
            raise LogUnavailable(str(error)) from error
        return result_of(reply, session_id, kind, sender_id, payload, rate_limit)

    async def load_counter(self, session_id):
        last_seq, ended = await database_sync_to_async(session_counter_state)(
            session_id
        )
        counter, _stream, ended_flag, _rate = redis_keys(session_id)
        await self.init_script(
            keys=[counter, ended_flag],
            args=[last_seq, "1" if ended else "0", REDIS_KEY_TTL_SECONDS],
        )

    def append_sync(
        self,
        session_id,
        kind,
        sender_id=None,
        payload=None,
        rate_limit=None,
        allow_ended=False,
    ):
        """Store one event at once, from synchronous code such as a view."""
        client = sync_redis(self.url)
        payload = payload or {}
        keys = redis_keys(session_id, rate_limit[0] if rate_limit else None)
        arguments = append_arguments(
            session_id, kind, sender_id, payload, rate_limit, allow_ended
        )
        try:
            for _attempt in range(2):
                reply = client.eval(APPEND_SCRIPT, len(keys), *keys, *arguments)
                if reply[0] != -1:
                    break
                last_seq, ended = session_counter_state(session_id)
                client.eval(
                    INIT_SCRIPT,
                    2,
                    keys[0],
                    keys[2],
                    last_seq,
                    "1" if ended else "0",
                    REDIS_KEY_TTL_SECONDS,
                )
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        ) as error:
            raise LogUnavailable(str(error)) from error
        event = result_of(reply, session_id, kind, sender_id, payload, rate_limit)
        # Synchronous callers (views) are rare and may read the table right
        # away, so the event is stored now too. The writer that drains the
        # stream later skips the duplicate.
        store_stream_events([event])
        return event

    async def last_seq(self, session_id):
        value = await self.redis.get(redis_keys(session_id)[0])
        if value is None:
            return (await database_sync_to_async(session_counter_state)(session_id))[0]
        return int(value)

    async def events_after(self, session_id, after, until=None, limit=None):
        """
        Return a session's events after ``after``, from the stream and the DB.

        The stream is read first. An entry the writer deletes after that
        read was committed to the database before the delete, so the
        database read that follows finds it.
        """
        pending = {}
        entries = await self.redis.xrange(redis_prefix() + STREAM, count=100_000)
        # NOTE: a stream that no writer drains grows without bound, and
        # entries past the count above would be missed here.
        for _entry_id, fields in entries:
            event = decode_entry(fields)
            if event.session_id == session_id and event.seq > after:
                if until is None or event.seq <= until:
                    pending[event.seq] = event
        stored = await database_sync_to_async(stored_events_after)(
            session_id, after, until
        )
        for event in stored:
            pending.setdefault(event.seq, event)
        events = [pending[seq] for seq in sorted(pending)]
        return events[:limit] if limit is not None else events

    async def write_batches(self):
        stream = redis_prefix() + STREAM
        try:
            await self.redis.xgroup_create(stream, WRITER_GROUP, id="0", mkstream=True)
        except redis.exceptions.ResponseError:
            pass  # The group exists.
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
            logger.warning("live log writer cannot reach Redis, retrying")
        # "0" first re-reads the entries this consumer took but never
        # acknowledged, then ">" reads new ones.
        next_id = "0"
        last_claim = 0.0
        while True:
            try:
                if time.monotonic() - last_claim > CLAIM_IDLE_MS / 1000:
                    last_claim = time.monotonic()
                    await self.claim_abandoned(stream)
                response = await self.redis.xreadgroup(
                    WRITER_GROUP,
                    self.consumer,
                    {stream: next_id},
                    count=BATCH_SIZE,
                    block=int(FLUSH_INTERVAL * 1000),
                )
                entries = response[0][1] if response else []
                if next_id == "0" and not entries:
                    next_id = ">"
                    continue
                if entries:
                    await self.store_entries(stream, entries)
            except asyncio.CancelledError:
                raise
            except redis.exceptions.ResponseError as error:
                # The group disappears when the stream is deleted.
                logger.warning("live log writer error=%s, recreating group", error)
                await self.create_group(stream)
            except (
                redis.exceptions.ConnectionError,
                redis.exceptions.TimeoutError,
            ) as error:
                logger.warning("live log writer cannot reach Redis error=%s", error)
                await asyncio.sleep(FLUSH_INTERVAL)
            except Exception:  # noqa: BLE001
                # A database failure leaves the entries pending, and this
                # writer reads them again from "0".
                logger.exception("live log writer failed, retrying")
                next_id = "0"
                await asyncio.sleep(FLUSH_INTERVAL)

    async def create_group(self, stream):
        try:
            await self.redis.xgroup_create(stream, WRITER_GROUP, id="0", mkstream=True)
        except redis.exceptions.ResponseError:
            pass

    async def store_entries(self, stream, entries):
        events = [decode_entry(fields) for _entry_id, fields in entries]
        await database_sync_to_async(store_stream_events)(events)
        entry_ids = [entry_id for entry_id, _fields in entries]
        await self.redis.xack(stream, WRITER_GROUP, *entry_ids)
        await self.redis.xdel(stream, *entry_ids)

    async def claim_abandoned(self, stream):
        _next, entries, _deleted = await self.redis.xautoclaim(
            stream, WRITER_GROUP, self.consumer, CLAIM_IDLE_MS, count=BATCH_SIZE
        )
        if entries:
            logger.warning("live log writer took over entries=%s", len(entries))
            await self.store_entries(stream, entries)

    async def close(self):
        self.writer.cancel()
        await asyncio.wait([self.writer], timeout=5)
        await self.redis.aclose()


_sync_clients = {}


def sync_redis(url):
    import redis

    if url not in _sync_clients:
        _sync_clients[url] = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5
        )
    return _sync_clients[url]


_logs = weakref.WeakKeyDictionary()


def get_log():
    """Return the event log of the running event loop, starting its writer."""
    loop = asyncio.get_running_loop()
    log = _logs.get(loop)
    if log is None:
        url = getattr(settings, "REDIS_URL", "")
        log = RedisLog(url) if url else DatabaseLog()
        _logs[loop] = log
    return log


def get_sync_log():
    """
    Return a log for synchronous callers, which need no writer task.

    ``append_sync`` stores the event in the database before it returns, on
    both back ends. With Redis it adds it to the stream too.
    """
    url = getattr(settings, "REDIS_URL", "")
    if url:
        return _SyncRedisLog(url)
    return _SYNC_DATABASE_LOG


class _SyncDatabaseLog:
    limiter = LOCAL_LIMITER
    append_sync = DatabaseLog.append_sync


class _SyncRedisLog:
    def __init__(self, url):
        self.url = url

    append_sync = RedisLog.append_sync


_SYNC_DATABASE_LOG = _SyncDatabaseLog()


async def close_log():
    """Stop the writer of the running loop's log, for tests and shutdown."""
    log = _logs.pop(asyncio.get_running_loop(), None)
    if log is not None:
        await log.close()
