"""
Serve the platform with daphne, with a listen backlog large enough for a class.

Daphne's ``-b``/``-p`` options listen through Twisted's ``tcp`` endpoint
with its default backlog of 50 (Twisted 26.10, ``_parseTCP``). When a
whole class opens the live classroom at once, connections beyond the
backlog wait for the client's SYN retry or are reset. Daphne has no backlog
option, but it accepts Twisted endpoint strings (``-e``), whose ``tcp``
endpoint takes ``backlog``. Linux caps the backlog at
``net.core.somaxconn`` (4096 by default since kernel 5.4, 128 before).

Usage: ``python -m lms.serve [--host H] [--port P] [--backlog N]
[daphne options]``. Options that this module does not know go to daphne.
"""

import argparse
import os
import sys

# Listen queue length of the served socket (setting DAPHNE_BACKLOG in the
# environment). An estimate: room for two classes of 500 connecting at once.
DAPHNE_BACKLOG = int(os.environ.get("DAPHNE_BACKLOG", "1024"))


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
        "lms.asgi:application",
    ]


def main(argv=None):
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
    options, extra = parser.parse_known_args(argv)
    command = daphne_command(options.host, options.port, options.backlog, extra=extra)
    # Replaces this process, so that signals reach daphne itself.
    os.execv(command[0], command)  # noqa: S606


if __name__ == "__main__":
    main()
