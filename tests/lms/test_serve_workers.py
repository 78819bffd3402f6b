"""
``python -m lms.serve --workers N``: several daphne processes on one socket.

The server runs as a real child process on loopback, and clients reach it
over TCP. The daphne child that serves a connection is found through
``/proc``: the connection's socket inode from ``/proc/net/tcp`` and the
``/proc/PID/fd`` links of each child. The tests that serve pages or live
classes need PostgreSQL and Redis and skip on the embedded default. The
ones that only start and stop processes run on both.
"""

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from websockets.asyncio.client import connect

from lms.serve import serve_command
from lms.workers import MAX_QUICK_EXITS
from tests.conftest import free_port, require
from tests.courses.factories import (
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
)
from tests.live.conftest import clear_redis_log, make_session, session_cookie

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="needs Linux /proc"
)

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20
UNSEQUENCED = ("welcome", "presence", "ack", "resumed")


def child_pids(pid):
    """Return the pids of the direct children of ``pid``."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(each) for each in path.read_text().split()]
    except FileNotFoundError:
        return []


def socket_inode(server_port, client_port):
    """Return the inode of the server end of a loopback TCP connection."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if (local_port, remote_port) == (server_port, client_port):
                    return fields[9]
    return None


def serving_pid(server_port, client_port, pids):
    """Return which of ``pids`` has the server end of a connection, or None."""
    inode = socket_inode(server_port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        folder = Path(f"/proc/{pid}/fd")
        with contextlib.suppress(FileNotFoundError):
            for link in folder.iterdir():
                with contextlib.suppress(FileNotFoundError):
                    if os.readlink(link) == target:
                        return pid
    return None


def get_health(host, port):
    """Send GET /healthz on a new connection; return the socket and status."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    client = socket.socket(family, socket.SOCK_STREAM)
    client.settimeout(TIMEOUT)
    client.connect((host, port))
    host_header = f"[{host}]" if family == socket.AF_INET6 else host
    client.sendall(f"GET /healthz HTTP/1.1\r\nHost: {host_header}\r\n\r\n".encode())
    status_line = client.recv(4096).split(b"\r\n", 1)[0]
    return client, status_line


def pids_serving_requests(server, count=16):
    """Send ``count`` requests at once on open connections; return their pids."""
    with ThreadPoolExecutor(count) as pool:
        replies = list(
            pool.map(lambda _n: get_health("127.0.0.1", server.port), range(count))
        )
    children = child_pids(server.process.pid)
    try:
        pids = []
        for client, status_line in replies:
            assert status_line == b"HTTP/1.1 200 OK", status_line
            client_port = client.getsockname()[1]
            pids.append(serving_pid(server.port, client_port, children))
        return pids
    finally:
        for client, _status_line in replies:
            client.close()


def served_by_all(server, expected_pids, seconds=TIMEOUT):
    """Send requests until every pid of ``expected_pids`` served one."""
    seen = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.update(pids_serving_requests(server))
        if set(expected_pids) <= seen:
            break
    return seen


def wait_for_health(host, port, process, seconds=TIMEOUT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"lms.serve exited with {process.returncode}"
        try:
            client, status_line = get_health(host, port)
            client.close()
            if status_line == b"HTTP/1.1 200 OK":
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"lms.serve did not answer on port {port} within {seconds} s")


def wait_for_children(pid, count, seconds=TIMEOUT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = child_pids(pid)
        if len(pids) == count:
            return pids
        time.sleep(0.05)
    pytest.fail(f"lms.serve pid={pid} has children {child_pids(pid)}, not {count}")


@contextlib.contextmanager
def running_server(tmp_path, environment, *, host="127.0.0.1", workers=2, extra=()):
    """Run ``lms.serve --workers`` until the block ends; yield its details."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            serve_command(host, port, workers=workers, extra=extra),
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = SimpleNamespace(
        process=process, port=port, host=host, log=lambda: log_path.read_text()
    )
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def base_environment(**variables):
    return {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,[::1]",
        "DATABASE_POOL_MAX_SIZE": "5",
        **variables,
    }


@pytest.fixture
def shared_server(redis_url, postgres, transactional_db, tmp_path):
    """Serve the test database with two daphne children on one Redis."""
    clear_redis_log(redis_url)
    settings_dict = connection.settings_dict
    environment = base_environment(
        DATABASE_URL=(
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}"
            f":{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        ),
        REDIS_URL=redis_url,
    )
    with running_server(tmp_path, environment) as server:
        wait_for_health(server.host, server.port, server.process)
        server.children = wait_for_children(server.process.pid, 2)
        # The first response shows only that one child is ready.
        ready = served_by_all(server, server.children)
        if not set(server.children) <= ready:
            pytest.fail(f"only {ready} of {server.children} served:\n{server.log()}")
        yield server


def test_workers_both_serve_requests(shared_server):
    pids = []
    for _batch in range(5):
        pids.extend(pids_serving_requests(shared_server))

    assert None not in pids
    for child in shared_server.children:
        assert child in pids, (child, pids)


def test_killed_worker_is_restarted(shared_server):
    first, second = shared_server.children
    os.kill(first, signal.SIGKILL)

    # While the first child is down, the second serves every request.
    pids = pids_serving_requests(shared_server)
    assert set(pids) == {second}, shared_server.log()

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        children = child_pids(shared_server.process.pid)
        if len(children) == 2 and first not in children:
            break
        time.sleep(0.1)
    assert second in children
    assert len(children) == 2, children
    replacement = next(pid for pid in children if pid != second)
    assert served_by_all(shared_server, [replacement]) >= {replacement}
    log = shared_server.log()
    assert f"pid={first} exited unexpectedly, killed by SIGKILL" in log
    assert "restarting in 0.5 s" in log


def test_sigterm_stops_every_worker(shared_server):
    children = shared_server.children
    shared_server.process.send_signal(signal.SIGTERM)

    assert shared_server.process.wait(timeout=TIMEOUT) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists(), pid
    assert "all workers stopped" in shared_server.log()


def is_gone(pid):
    """Return whether ``pid`` has exited (a zombie counts as exited)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    # The state follows the command name, which is in parentheses.
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_killed_supervisor_stops_workers(shared_server):
    children = shared_server.children
    shared_server.process.send_signal(signal.SIGKILL)
    shared_server.process.wait(timeout=TIMEOUT)

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and not all(map(is_gone, children)):
        time.sleep(0.1)
    for pid in children:
        assert is_gone(pid), pid


def build_class(size):
    """Return an open session with its teacher and ``size`` students."""
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher], title="Matematika 7A")
    students = [make_student(school) for _number in range(size)]
    for student in students:
        enrol(course, student)
    return make_session(course, teacher), teacher, students


async def sequenced(websocket, count):
    """Return the next ``count`` messages that carry a sequence number."""
    messages = []
    while len(messages) < count:
        message = json.loads(await asyncio.wait_for(websocket.recv(), TIMEOUT))
        if message["type"] in UNSEQUENCED:
            continue
        assert message["type"] != "error", message
        messages.append(message)
    return messages


async def next_welcome(websocket):
    while True:
        message = json.loads(await asyncio.wait_for(websocket.recv(), TIMEOUT))
        if message["type"] == "welcome":
            return message


async def presence_of_everybody(websocket, user_ids):
    """Wait for a presence list of exactly ``user_ids``; return whether it came."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        message = json.loads(await asyncio.wait_for(websocket.recv(), TIMEOUT))
        if message["type"] != "presence":
            continue
        if {person["id"] for person in message["participants"]} == user_ids:
            return True
    return False


async def chat_across_workers(server, session, cookies, user_ids):
    """
    Connect everybody, chat from every socket, and read what each received.

    Return the pid that serves each socket, whether each socket saw a
    presence list of all ``user_ids``, and each socket's sequenced
    messages. Connections open until both children serve a student, at
    most two rounds of all cookies, because each person may send only
    five chat messages in five seconds.
    """
    url = f"ws://127.0.0.1:{server.port}/ws/live/{session.pk}/"
    origin = f"http://127.0.0.1:{server.port}"
    async with contextlib.AsyncExitStack() as stack:

        async def join(cookie):
            websocket = await stack.enter_async_context(
                connect(
                    url,
                    origin=origin,
                    additional_headers={"Cookie": f"sessionid={cookie}"},
                    open_timeout=TIMEOUT,
                )
            )
            await next_welcome(websocket)
            return websocket

        sockets, pids = [], []
        for _round in range(2):
            # Joins at once, because an idle server's connections opened one
            # after another all tend to reach the same child.
            joined = await asyncio.gather(*(join(cookie) for cookie in cookies))
            for websocket in joined:
                client_port = websocket.local_address[1]
                pids.append(serving_pid(server.port, client_port, server.children))
            sockets.extend(joined)
            if set(pids[1:]) == set(server.children):
                break

        # Each child reads the connection rows of both, so every socket
        # receives a presence list that names everybody.
        presence = await asyncio.gather(
            *(presence_of_everybody(each, user_ids) for each in sockets)
        )

        async def send_chats(number, websocket):
            for line in range(2):
                text = f"pesan {number}.{line}"
                await websocket.send(json.dumps({"type": "chat", "text": text}))

        await asyncio.gather(
            *(send_chats(number, each) for number, each in enumerate(sockets))
        )
        expected = 2 * len(sockets)
        received = await asyncio.gather(
            *(sequenced(each, expected) for each in sockets)
        )
        # Nothing more arrives: each message came exactly once.
        for websocket in sockets:
            with contextlib.suppress(TimeoutError):
                while True:
                    extra = json.loads(await asyncio.wait_for(websocket.recv(), 1))
                    assert extra["type"] in UNSEQUENCED, extra
    return pids, presence, received


def test_chat_reaches_students_on_both_workers(shared_server):
    session, teacher, students = build_class(4)
    cookies = [session_cookie(teacher)] + [session_cookie(each) for each in students]

    user_ids = {teacher.pk, *(each.pk for each in students)}

    pids, presence, received = asyncio.run(
        chat_across_workers(shared_server, session, cookies, user_ids)
    )

    assert None not in pids, pids
    assert set(pids[1:]) == set(shared_server.children), pids
    assert all(presence), presence
    sent = {f"pesan {number}.{line}" for number in range(len(pids)) for line in (0, 1)}
    first = received[0]
    seqs = [message["seq"] for message in first]
    assert seqs == list(range(seqs[0], seqs[0] + len(sent)))
    assert {message["text"] for message in first} == sent
    for number in range(len(pids)):
        own = [m["text"] for m in first if m["text"].startswith(f"pesan {number}.")]
        assert own == [f"pesan {number}.0", f"pesan {number}.1"]
    for messages in received[1:]:
        assert messages == first


def test_workers_listen_on_ipv6(tmp_path):
    require(socket.has_ipv6, "needs IPv6 on loopback (::1)")
    with socket.socket(socket.AF_INET6) as probe:
        try:
            probe.bind(("::1", 0))
        except OSError:
            pytest.skip("needs IPv6 on loopback (::1)")
    # /healthz touches neither the database nor Redis, so neither needs to
    # run, but REDIS_URL must name a server for --workers to start.
    environment = base_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    with running_server(tmp_path, environment, host="::1") as server:
        wait_for_health("::1", server.port, server.process)
        client, status_line = get_health("::1", server.port)
        client_port = client.getsockname()[1]
        client.close()

    assert status_line == b"HTTP/1.1 200 OK"
    # Daphne's access log names the peer, which shows that the child
    # adopted the socket as IPv6.
    assert f"::1:{client_port} - - [" in server.log()


def test_workers_without_redis_rejected(tmp_path):
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        serve_command("127.0.0.1", free_port(), workers=2),
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert result.returncode == 2
    assert "--workers above 1 requires the Redis channel layer" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_workers_below_one_rejected(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lms.serve", "--workers", "0"],
        cwd=ROOT,
        env=base_environment(HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert result.returncode == 2
    assert "--workers must be 1 or more, not 0" in result.stderr


def test_workers_that_exit_at_once_stop_supervisor(tmp_path):
    # An option daphne does not know makes every child exit at start-up.
    environment = base_environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    with running_server(
        tmp_path, environment, extra=["--no-such-daphne-option"]
    ) as server:
        code = server.process.wait(timeout=TIMEOUT)

    assert code == 1
    log = server.log()
    assert f"{MAX_QUICK_EXITS} quick exits in a row, so stopping" in log
    assert "restarting in 0.5 s" in log
    assert "restarting in 1.0 s" in log
