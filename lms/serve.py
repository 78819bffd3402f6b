"""
Serve the platform with daphne, with a listen backlog large enough for a class.

Daphne's ``-b``/``-p`` options listen through Twisted's ``tcp`` endpoint
with its default backlog of 50 (Twisted 26.10, ``_parseTCP``). When a
whole class opens the live classroom at once, connections beyond the
backlog wait for the client's SYN retry or are reset. Daphne has no backlog
option, but it accepts Twisted endpoint strings (``-e``), whose ``tcp``
endpoint takes ``backlog``. Linux caps the backlog at
``net.core.somaxconn`` (4096 by default since kernel 5.4, 128 before).

One daphne process runs one Python interpreter, so it uses one core for
HTTP requests and websockets together. ``--workers N`` with N > 1 starts a
small pre-fork supervisor (``lms.workers``): this process binds the
listening socket and runs N daphne children that all accept on it.

Usage: ``python -m lms.serve [--host H] [--port P] [--backlog N]
[--workers N] [daphne options]``. Options that this module does not know go
to daphne.
"""

import argparse
import os
import sys

# Listen queue length of the served socket (setting DAPHNE_BACKLOG in the
# environment). An estimate: room for two classes of 500 connecting at once.
DAPHNE_BACKLOG = int(os.environ.get("DAPHNE_BACKLOG", "1024"))
APPLICATION = "lms.asgi:application"


def endpoint(host, port, backlog=DAPHNE_BACKLOG):
    """Return the Twisted endpoint string of a TCP socket on ``host``."""
    # Endpoint strings separate fields with colons, so an IPv6 address
    # escapes its own, as daphne.endpoints does for ``-b``.
    interface = host.strip("[]").replace(":", r"\:")
    return f"tcp:port={int(port)}:interface={interface}:backlog={int(backlog)}"


def daphne_command(host, port, backlog=DAPHNE_BACKLOG, *, python=None, extra=()):
    """Return the command line that serves ``lms.asgi`` on ``host:port``."""
    return [
        python or sys.executable,
        "-m",
        "daphne",
        "-e",
        endpoint(host, port, backlog),
        *extra,
        APPLICATION,
    ]


def serve_command(host, port, *, workers=1, python=None, extra=()):
    """Return the ``lms.serve`` command line, for scripts that start a server."""
    return [
        python or sys.executable,
        "-m",
        "lms.serve",
        "--host",
        host,
        "--port",
        str(int(port)),
        "--workers",
        str(int(workers)),
        *extra,
    ]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Serve the platform with daphne.",
        epilog="Other options are passed to daphne.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
    parser.add_argument("--port", type=int, default=8000, help="TCP port.")
    parser.add_argument(
        "--backlog",
        type=int,
        default=DAPHNE_BACKLOG,
        help="Length of the listen queue, in connections (default %(default)s).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help=(
            "Number of daphne processes that share the listening socket "
            "(default %(default)s). More than 1 requires the Redis channel "
            "layer (REDIS_URL)."
        ),
    )
    options, extra = parser.parse_known_args(argv)
    if options.workers < 1:
        parser.error(f"--workers must be 1 or more, not {options.workers}.")
    if options.workers > 1:
        problem = shared_channel_layer_problem()
        if problem:
            parser.error(problem)
    return options, extra


def shared_channel_layer_problem():
    """
    Return why the configured channel layer cannot serve several processes.

    Return an empty string when it can. A live class spread over several
    processes needs one channel layer that all of them reach, and the
    in-memory layer of the embedded default lives inside one process.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    from django.conf import settings

    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    if backend == "channels.layers.InMemoryChannelLayer":
        return (
            "--workers above 1 requires the Redis channel layer, but the "
            "channel layer is in-memory. Set REDIS_URL (for example "
            "redis://127.0.0.1:6379/0) or serve with --workers 1."
        )
    return ""


def main(argv=None):
    options, extra = parse_args(argv)
    if options.workers == 1:
        command = daphne_command(
            options.host, options.port, options.backlog, extra=extra
        )
        # Replaces this process, so that signals reach daphne itself.
        os.execv(command[0], command)  # noqa: S606
    from lms import workers

    sys.exit(
        workers.serve(
            options.host, options.port, options.backlog, options.workers, extra
        )
    )


if __name__ == "__main__":
    main()
