"""
Classroom clients for the join benchmark, run in child processes.

This module imports no Django, so that a spawned child starts quickly.
Each child opens its share of the sockets at one agreed wall-clock moment
and reports, per socket, when the handshake completed and when the
``welcome`` message arrived.
"""

import asyncio
import json
import time

from websockets.asyncio.client import connect

# A socket that has no ``welcome`` this many seconds after the start counts
# as failed.
JOIN_TIMEOUT = 30


async def join_once(url, origin, cookie, start_at):
    """
    Open one classroom socket; return ``(socket, result)``.

    ``result`` is ``(handshake_s, welcome_s, error)``, with times in seconds
    from ``start_at`` and ``None`` for a step that did not happen.
    """
    handshake = welcome = None
    socket = None
    try:
        async with asyncio.timeout(JOIN_TIMEOUT):
            socket = await connect(
                url,
                origin=origin,
                additional_headers={"Cookie": cookie},
                open_timeout=JOIN_TIMEOUT,
                ping_interval=None,
                max_size=2**22,
            )
            handshake = time.time() - start_at
            while True:
                message = json.loads(await socket.recv())
                if message.get("type") == "welcome":
                    welcome = time.time() - start_at
                    return socket, (handshake, welcome, None)
                if message.get("type") == "error":
                    return socket, (handshake, None, f"error {message.get('code')}")
    except TimeoutError:
        return socket, (handshake, None, "timed out")
    except Exception as error:  # noqa: BLE001
        # Any failure of one socket is a result to count, not a crash.
        return socket, (handshake, None, type(error).__name__)


def run_clients(url, origin, cookies, start_at, results, release, hold_seconds):
    """Join with ``cookies`` at ``start_at``; put the results on ``results``."""

    async def main():
        await asyncio.sleep(max(0.0, start_at - time.time()))
        outcomes = await asyncio.gather(
            *(join_once(url, origin, cookie, start_at) for cookie in cookies)
        )
        results.put([result for _socket, result in outcomes])
        # Hold the sockets open until every process has finished joining, so
        # that an early close does not change the load on the others.
        deadline = time.monotonic() + hold_seconds
        while not release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for socket, _result in outcomes:
            if socket is not None:
                await socket.close()

    asyncio.run(main())
