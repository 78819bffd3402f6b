"""
Websocket clients and the bare broadcast server of the fan-out benchmark.

This module imports no Django, so that a spawned child starts quickly and
inherits nothing from the test process. Each client process opens its share
of the student sockets at a steady rate, reads every frame the way a
browser does, and notes when each marked teacher message arrives. Arrival
times come from ``time.monotonic()``, which on Linux reads CLOCK_MONOTONIC,
one clock for every process of the machine, so the test process can compare
them with its send times.
"""

import asyncio
import json
import queue
import random
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

# A socket that has no ``welcome`` this many seconds after its attempt began
# counts as a failed attempt.
JOIN_TIMEOUT = 30
CONNECT_ATTEMPTS = 6
# classroom.js sends a ping this often, so that the server's idle timeout
# (60 s by default) does not close a quiet student.
PING_INTERVAL = 25
MAX_FRAME_BYTES = 2**22


def marker_of(message):
    """Return the benchmark's marker of a teacher message, or ``None``."""
    if message.get("type") == "chat":
        return message.get("text", "").split(" ", 1)[0]
    if message.get("type") == "draw" and message.get("strokes"):
        return message["strokes"][0]["id"]
    return None


class Student:
    """One student socket that notes the arrival time of each marker."""

    def __init__(self, url, origin, cookie):
        self.url = url
        self.origin = origin
        self.headers = {"Cookie": cookie} if cookie else {}
        self.socket = None
        self.extensions = None
        self.arrivals = {}
        self.frames = 0
        # The close code and reason of a socket that closed while reading.
        self.closed = None

    async def join(self):
        """Open the socket and wait for its ``welcome``, retrying with backoff."""
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with asyncio.timeout(JOIN_TIMEOUT):
                    self.socket = await connect(
                        self.url,
                        origin=self.origin,
                        additional_headers=self.headers,
                        max_size=MAX_FRAME_BYTES,
                        ping_interval=None,
                    )
                    while True:
                        message = json.loads(await self.socket.recv())
                        if message.get("type") == "welcome":
                            break
                        if message.get("type") == "error":
                            raise RuntimeError(f"join rejected: {message.get('code')}")
                self.extensions = self.socket.response.headers.get(
                    "Sec-WebSocket-Extensions"
                )
                return
            except (OSError, InvalidHandshake, ConnectionClosed, TimeoutError):
                if self.socket is not None:
                    await self.socket.close()
                    self.socket = None
                if attempt == CONNECT_ATTEMPTS - 1:
                    raise
                # Back off with jitter, as classroom.js does.
                await asyncio.sleep(0.5 * 2**attempt * random.uniform(0.5, 1.5))

    async def read(self, expected):
        """Read frames until ``expected`` markers arrived or the socket closed."""
        seen = 0
        try:
            async for frame in self.socket:
                self.frames += 1
                if expected is None:
                    continue
                marker = marker_of(json.loads(frame))
                if marker is None:
                    continue
                self.arrivals[marker] = time.monotonic()
                seen += 1
                if seen == expected:
                    return
        except ConnectionClosed:
            pass
        self.closed = f"{self.socket.close_code} {self.socket.close_reason}"

    async def ping(self):
        await asyncio.sleep(random.uniform(0, PING_INTERVAL))
        while True:
            await self.socket.send(json.dumps({"type": "ping"}))
            await asyncio.sleep(PING_INTERVAL)


async def join_all(students, joins_per_second, concurrency, expected):
    """
    Start one join every ``1 / joins_per_second`` seconds and wait for all.

    At most ``concurrency`` joins are in progress at once, so that a server
    that falls behind makes the clients wait instead of piling up
    handshakes until they time out. Each student starts reading and pinging
    as soon as it has joined, as a browser does, so that the server's idle
    timeout does not close it while the others join. Return the reading
    tasks and the pinging tasks.
    """
    slots = asyncio.Semaphore(concurrency)
    readers = []
    pingers = []

    async def join_later(student, delay):
        await asyncio.sleep(delay)
        async with slots:
            await student.join()
        readers.append(asyncio.create_task(student.read(expected)))
        pingers.append(asyncio.create_task(student.ping()))

    await asyncio.gather(
        *(
            join_later(student, number / joins_per_second)
            for number, student in enumerate(students)
        )
    )
    return readers, pingers


async def wait_for(event, timeout):
    """Poll a ``multiprocessing.Event`` from an event loop."""
    deadline = time.monotonic() + timeout
    while not event.is_set() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def run_students(index, items, joins, expected, results, stop, limit):
    """
    Join ``items`` (``(url, origin, cookie)``), then read until done.

    ``joins`` is ``(joins per second, max joins in progress)``.

    Put ``("joined", index, seconds, extensions)`` on ``results`` once every
    socket has its welcome, then ``("done", index, arrivals, frames,
    incomplete)`` when each socket has ``expected`` markers, when ``stop``
    is set, or after ``limit`` seconds. ``arrivals`` maps each marker to its
    latest arrival over this process's sockets, and ``incomplete`` lists
    how each socket that missed some ended (its close code and reason, or
    "open"). With ``expected=None`` the sockets only read until ``stop``.
    """

    async def main():
        students = [Student(*item) for item in items]
        started = time.monotonic()
        try:
            readers, pingers = await join_all(students, *joins, expected)
        except Exception as error:  # noqa: BLE001
            # The test process reports the failure; the child only exits.
            results.put(("failed", index, f"{type(error).__name__}: {error}"))
            return
        extensions = sorted({str(student.extensions) for student in students})
        results.put(("joined", index, time.monotonic() - started, extensions))

        everything_read = asyncio.gather(*readers, return_exceptions=True)
        stopped = asyncio.create_task(wait_for(stop, limit))
        await asyncio.wait(
            [everything_read, stopped], return_when=asyncio.FIRST_COMPLETED
        )
        for task in [*readers, *pingers, stopped]:
            task.cancel()

        arrivals = {}
        incomplete = []
        for student in students:
            if expected is not None and len(student.arrivals) < expected:
                incomplete.append(student.closed or "open")
            for marker, arrived in student.arrivals.items():
                arrivals[marker] = max(arrived, arrivals.get(marker, 0))
        frames = sum(student.frames for student in students)
        results.put(("done", index, arrivals, frames, incomplete))
        await asyncio.gather(
            *(student.socket.close() for student in students),
            return_exceptions=True,
        )

    asyncio.run(main())


def collect(results, kind, count, timeout):
    """Return ``count`` results of ``kind`` by process index, or raise on failure."""
    collected = {}
    deadline = time.monotonic() + timeout
    while len(collected) < count:
        try:
            result = results.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError(
                f"{len(collected)} of {count} client processes reported "
                f"{kind!r} within {timeout} s"
            ) from None
        if result[0] == "failed":
            raise RuntimeError(f"client process {result[1]} failed: {result[2]}")
        if result[0] != kind:
            raise RuntimeError(f"expected {kind!r} from a client, got {result[0]!r}")
        collected[result[1]] = result[2:]
    return collected


def bare_server(port_queue):
    """
    Serve one broadcast room with ``websockets``: the floor of the benchmark.

    Like the classroom it greets each socket, replies to pings, and numbers
    and re-encodes each message before it broadcasts it. It stores and
    checks nothing. It negotiates no permessage-deflate, as daphne does not.
    """
    import websockets
    from websockets.asyncio.server import serve

    clients = set()
    welcome = json.dumps({"type": "welcome"})
    pong = json.dumps({"type": "pong"})

    async def handler(socket):
        await socket.send(welcome)
        clients.add(socket)
        try:
            async for frame in socket:
                message = json.loads(frame)
                if message.get("type") == "ping":
                    await socket.send(pong)
                    continue
                message["seq"] = len(clients)
                websockets.broadcast(clients, json.dumps(message))
        finally:
            clients.discard(socket)

    async def main():
        async with serve(
            handler,
            "127.0.0.1",
            0,
            ping_interval=None,
            max_size=MAX_FRAME_BYTES,
            compression=None,
        ) as server:
            port_queue.put(server.sockets[0].getsockname()[1])
            await asyncio.Future()

    asyncio.run(main())
