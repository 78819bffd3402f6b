"""
Forward TCP and Unix socket connections, to join a network namespace.

A process in a namespace made by ``unshare --net`` has its own loopback
interface and cannot reach the host's 127.0.0.1, but both sides share the
file system, so a Unix socket connects them. Run this module once inside
the namespace and once outside, each with ``--forward LISTEN=TARGET`` pairs,
where an address is ``tcp:HOST:PORT`` or ``unix:PATH``. With ``--lo-up``
it first brings up the namespace's loopback interface, and with ``--run``
it starts a command (chromedriver) and stops it on exit. It prints
``ready`` once every listener is bound, and runs until it gets SIGTERM.
"""

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys

CHUNK_BYTES = 65536


def parse_address(text):
    kind, _, rest = text.partition(":")
    if kind == "unix" and rest:
        return ("unix", rest)
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        if host and port.isdigit():
            return ("tcp", host, int(port))
    raise argparse.ArgumentTypeError(
        f"invalid address {text!r}: expected tcp:HOST:PORT or unix:PATH"
    )


def parse_forward(text):
    listen, separator, target = text.partition("=")
    if not separator:
        raise argparse.ArgumentTypeError(
            f"invalid forward {text!r}: expected LISTEN=TARGET"
        )
    return parse_address(listen), parse_address(target)


async def pipe(reader, writer):
    try:
        while data := await reader.read(CHUNK_BYTES):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


async def connect(address):
    if address[0] == "unix":
        return await asyncio.open_unix_connection(address[1])
    return await asyncio.open_connection(address[1], address[2])


def handler(target):
    async def handle(client_reader, client_writer):
        try:
            target_reader, target_writer = await connect(target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pipe(client_reader, target_writer), pipe(target_reader, client_writer)
        )

    return handle


async def serve(forwards):
    servers = []
    for listen, target in forwards:
        if listen[0] == "unix":
            server = await asyncio.start_unix_server(handler(target), listen[1])
        else:
            server = await asyncio.start_server(handler(target), listen[1], listen[2])
        servers.append(server)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    for server in servers:
        server.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--forward", type=parse_forward, action="append", default=[])
    parser.add_argument("--lo-up", action="store_true")
    parser.add_argument("--run", nargs=argparse.REMAINDER, default=None)
    arguments = parser.parse_args(argv)
    if arguments.lo_up:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    child = None
    if arguments.run:
        # The command's output must not mix with the "ready" line.
        child = subprocess.Popen(arguments.run, stdout=subprocess.DEVNULL)
    try:
        asyncio.run(serve(arguments.forward))
    finally:
        if child is not None:
            child.terminate()
            child.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
