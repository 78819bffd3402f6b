"""
A pre-fork supervisor that runs several daphne processes on one socket.

One daphne process is one Python interpreter, so however many cores the
machine has, it serves HTTP requests and websockets on one of them. This
module binds the listening socket once and starts N daphne children that all
accept on it. The kernel queues each new connection once, and whichever
child accepts first serves it, so no proxy sits in front and a client never
needs to know which process it reached. Live classes whose students land on
different children meet in the Redis channel layer and event log.

NOTE: the kernel does not spread connections evenly. Every child waits for
the socket in its own epoll, and the first to wake accepts. On an idle
server the tests saw connections opened one after another all reach the
same child, while connections opened at once reached both. Under the load
scenario (tests/load) the two children held about as many sockets each.

Each child gets the socket as systemd socket activation hands one over, as
file descriptor 3 with ``LISTEN_FDS=1``, ``LISTEN_FDNAMES`` and
``LISTEN_PID`` set to the child's own pid. Daphne listens on it through
Twisted's ``systemd:domain=INET|INET6:index=0`` endpoint. Daphne's own
``--fd`` option is not used, because its ``fd`` endpoint plugin (daphne
4.2.3) always adopts the socket as IPv4, and peer addresses on an IPv6
socket then come out garbled. ``LISTEN_PID`` must be the pid of the
process that reads it, so each child is started with ``fork`` and
``execve`` rather than ``subprocess``.

The parent forwards SIGTERM and SIGINT to the children and waits for them.
It restarts a child that exits on its own after a backoff, and gives up
with exit code 1 once one child has exited ``MAX_QUICK_EXITS`` times in a
row within ``QUICK_EXIT_SECONDS`` of its start. On Linux, each child gets
SIGTERM when the supervisor dies, even by SIGKILL.
"""

import ctypes
import dataclasses
import logging
import os
import signal
import socket
import sys
import time
import traceback

from lms.serve import APPLICATION

logger = logging.getLogger(__name__)

# The first inherited descriptor of systemd's socket activation protocol
# (SD_LISTEN_FDS_START in sd_listen_fds(3)), where Twisted looks for it.
LISTEN_FD = 3
FAMILY_NAMES = {socket.AF_INET: "INET", socket.AF_INET6: "INET6"}
# From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1
# A child that exits within this many seconds of its start counts as a
# quick exit. Daphne needs a few seconds to load the application, so a
# child that fails at start-up exits well within this.
QUICK_EXIT_SECONDS = 10
MAX_QUICK_EXITS = 3
# The wait before a restart, doubled for each quick exit in a row.
FIRST_BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 8
# After a stop signal, children still running after this long get SIGKILL.
# An estimate that leaves daphne time to close its applications, which its
# --application-close-timeout (10 s by default) bounds per connection.
STOP_TIMEOUT_SECONDS = 30
# How often the parent reaps children and acts on signals.
POLL_SECONDS = 0.1


@dataclasses.dataclass
class Worker:
    """One child slot: the running daphne, or the plan to restart it."""

    number: int
    pid: int | None = None
    started_at: float = 0.0
    quick_exits: int = 0
    restart_at: float | None = None


def bind(host, port, backlog):
    """Return a socket listening on ``host:port``; ``host`` may be IPv6."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host.strip("[]"),
        port,
        type=socket.SOCK_STREAM,
        flags=socket.AI_PASSIVE,
    )[0]
    if family not in FAMILY_NAMES:
        raise OSError(
            f"unsupported address family {family!r} for {host}; "
            "use an IPv4 or IPv6 address"
        )
    listener = socket.socket(family, kind, proto)
    # As Twisted's TCP ports do for a port number, so that a restart can bind
    # at once while old connections are in TIME_WAIT.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(address)
    listener.listen(backlog)
    return listener


def child_command(family, extra=(), python=None):
    """Return the daphne command line that serves the inherited socket."""
    return [
        python or sys.executable,
        "-m",
        "daphne",
        "-e",
        f"systemd:domain={FAMILY_NAMES[family]}:index=0",
        *extra,
        APPLICATION,
    ]


def stop_with_parent(parent_pid):
    """
    Ask Linux to send this process SIGTERM when the supervisor dies.

    Without it, children of a supervisor killed with SIGKILL would keep
    serving, and nothing would stop or restart them. The setting survives
    ``execve`` (prctl(2), PR_SET_PDEATHSIG). Other systems skip it.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The supervisor may have died before the call.
    if os.getppid() != parent_pid:
        os._exit(1)


def describe_exit(status):
    """Return how a child ended, from its ``waitpid`` status."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


class Supervisor:
    """The parent process: starts, watches, restarts and stops the children."""

    def __init__(self, listener, command, count):
        self.listener = listener
        self.command = command
        self.workers = [Worker(number) for number in range(1, count + 1)]
        self.parent_pid = os.getpid()
        self.received_signals = []
        self.stopping = False
        self.stop_deadline = None
        self.exit_code = 0

    def run(self):
        """Serve until a stop signal or repeated quick exits; return the exit code."""
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        address = self.listener.getsockname()
        logger.info(
            "serving on %s port %s with %s daphne workers, supervisor pid=%s",
            address[0],
            address[1],
            len(self.workers),
            self.parent_pid,
        )
        for worker in self.workers:
            self.start(worker)
        while True:
            self.reap()
            while self.received_signals:
                self.stop(self.received_signals.pop(0))
            if self.stopping:
                if not self.running():
                    logger.info("all workers stopped")
                    return self.exit_code
                self.kill_after_deadline()
            else:
                self.restart_due()
            time.sleep(POLL_SECONDS)

    def on_signal(self, signum, _frame):
        if os.getpid() != self.parent_pid:
            # A child between fork and exec: end as the signal would.
            os._exit(128 + signum)
        # Logging and sending signals wait for the main loop, because the
        # handler may interrupt a logging call that holds the handler's lock.
        self.received_signals.append(signum)

    def running(self):
        return [worker for worker in self.workers if worker.pid is not None]

    def start(self, worker):
        pid = os.fork()
        if pid == 0:
            self.exec_child()
        worker.pid = pid
        worker.started_at = time.monotonic()
        worker.restart_at = None
        logger.info("worker %s started pid=%s", worker.number, pid)

    def exec_child(self):
        """Replace the forked child with daphne on the inherited socket."""
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            stop_with_parent(self.parent_pid)
            os.dup2(self.listener.fileno(), LISTEN_FD, inheritable=True)
            os.set_inheritable(LISTEN_FD, True)
            environment = {
                **os.environ,
                "LISTEN_FDS": "1",
                "LISTEN_FDNAMES": "daphne",
                "LISTEN_PID": str(os.getpid()),
            }
            os.execve(self.command[0], self.command, environment)  # noqa: S606
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
        finally:
            # Never return into the parent's loop, whatever failed.
            os._exit(127)

    def reap(self):
        """Collect every child that ended, and plan its restart or the stop."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            worker = next((each for each in self.workers if each.pid == pid), None)
            if worker is None:
                continue
            worker.pid = None
            if self.stopping:
                logger.info(
                    "worker %s pid=%s stopped, %s",
                    worker.number,
                    pid,
                    describe_exit(status),
                )
                continue
            self.plan_restart(worker, pid, status)

    def plan_restart(self, worker, pid, status):
        lived = time.monotonic() - worker.started_at
        if lived < QUICK_EXIT_SECONDS:
            worker.quick_exits += 1
        else:
            worker.quick_exits = 0
        if worker.quick_exits >= MAX_QUICK_EXITS:
            logger.error(
                "worker %s pid=%s exited unexpectedly, %s, after %.1f s: "
                "%s quick exits in a row, so stopping all workers",
                worker.number,
                pid,
                describe_exit(status),
                lived,
                worker.quick_exits,
            )
            self.exit_code = 1
            self.stop(signal.SIGTERM)
            return
        backoff = min(
            FIRST_BACKOFF_SECONDS * 2 ** max(worker.quick_exits - 1, 0),
            MAX_BACKOFF_SECONDS,
        )
        worker.restart_at = time.monotonic() + backoff
        logger.warning(
            "worker %s pid=%s exited unexpectedly, %s, after %.1f s; "
            "restarting in %.1f s",
            worker.number,
            pid,
            describe_exit(status),
            lived,
            backoff,
        )

    def restart_due(self):
        now = time.monotonic()
        for worker in self.workers:
            if worker.pid is None and worker.restart_at and worker.restart_at <= now:
                self.start(worker)

    def stop(self, signum):
        """Send ``signum`` to every running child and wait for them from now on."""
        if not self.stopping:
            self.stopping = True
            self.stop_deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        logger.info(
            "stopping: sending %s to workers %s",
            signal.Signals(signum).name,
            [worker.pid for worker in self.running()],
        )
        for worker in self.running():
            try:
                os.kill(worker.pid, signum)
            except ProcessLookupError:
                pass

    def kill_after_deadline(self):
        if time.monotonic() < self.stop_deadline:
            return
        for worker in self.running():
            logger.error(
                "worker %s pid=%s still running %s s after the stop signal; "
                "sending SIGKILL",
                worker.number,
                worker.pid,
                STOP_TIMEOUT_SECONDS,
            )
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.stop_deadline = time.monotonic() + STOP_TIMEOUT_SECONDS


def serve(host, port, backlog, count, extra=()):
    """Serve with ``count`` daphne children on one socket; return the exit code."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s %(message)s",
            stream=sys.stderr,
        )
    try:
        listener = bind(host, port, backlog)
    except OSError as error:
        logger.error("failed to listen on %s port %s: %s", host, port, error)
        return 1
    command = child_command(listener.family, extra)
    return Supervisor(listener, command, count).run()
