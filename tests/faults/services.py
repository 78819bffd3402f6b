"""
Private PostgreSQL, Redis, moto S3 and daphne servers that a test may stop.

Each server listens on a free port of 127.0.0.1 and keeps its files in a
temporary folder, so stopping or restarting it never touches the machine's
shared services on ports 5432 and 6379.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import free_port, port_open

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 30


def postgres_bin_dir():
    """Return the newest ``/usr/lib/postgresql/<version>/bin`` with initdb, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: (
            int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def wait_for_port(port, timeout=START_TIMEOUT, process=None):
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port, timeout=0.5):
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(
                f"process {process.args[0]} exited with status {process.returncode} "
                f"before it listened on port {port}"
            )
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} after {timeout} s")


def stop_process(process, timeout=10):
    """Stop a child process with SIGTERM, then SIGKILL. Safe to call twice."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def kill_process_group(process):
    """Send SIGKILL to a child started with ``start_new_session`` and its children."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait(timeout=10)


class PostgresServer:
    """
    A PostgreSQL cluster of its own in a temporary folder.

    The server refuses to run as root, so when the tests run as root the
    cluster belongs to the ``postgres`` account and every server command
    runs as that account through ``runuser``.
    """

    def __init__(self, bin_dir, data_dir, port=None):
        self.bin_dir = Path(bin_dir)
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.log_file = self.data_dir.parent / "server.log"

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/lms"

    def run(self, program, *arguments, check=True):
        command = [str(self.bin_dir / program), *arguments]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=120
        )
        if check and completed.returncode != 0:
            raise RuntimeError(
                f"{program} failed with exit status {completed.returncode}: "
                f"{completed.stderr.strip()[-2000:]}"
            )
        return completed

    def initdb(self):
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.give_to_server_account(self.data_dir.parent)
        self.run(
            "initdb",
            "--pgdata",
            str(self.data_dir),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )

    def give_to_server_account(self, path):
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")
            for child in Path(path).rglob("*"):
                shutil.chown(child, "postgres", "postgres")

    def start(self):
        # With fsync off, writes still survive a server crash because the
        # operating system keeps them. Only a machine crash would need fsync.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.data_dir.parent} -c fsync=off "
            "-c max_connections=40"
        )
        self.run(
            "pg_ctl",
            "--pgdata",
            str(self.data_dir),
            "--options",
            options,
            "--log",
            str(self.log_file),
            "--wait",
            "--timeout",
            str(START_TIMEOUT),
            "start",
        )

    def stop(self, mode="fast"):
        """Stop the server. ``immediate`` skips the shutdown checkpoint, as a crash."""
        return self.run(
            "pg_ctl",
            "--pgdata",
            str(self.data_dir),
            "--mode",
            mode,
            "--wait",
            "stop",
            check=False,
        )

    def is_running(self):
        return (
            self.run(
                "pg_ctl", "--pgdata", str(self.data_dir), "status", check=False
            ).returncode
            == 0
        )

    def psql(self, sql, database="lms"):
        """Run ``sql`` with psql and return its unaligned, tuples-only output."""
        completed = self.run(
            "psql",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--username",
            "postgres",
            "--dbname",
            database,
            "--no-align",
            "--tuples-only",
            "--quiet",
            "--command",
            sql,
        )
        return completed.stdout.strip()

    def copy_to(self, data_dir, port=None):
        """Return a stopped copy of this stopped cluster under ``data_dir``."""
        copy = PostgresServer(self.bin_dir, data_dir, port)
        copy.data_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(self.data_dir, copy.data_dir, symlinks=True)
        copy.give_to_server_account(copy.data_dir.parent)
        return copy


class RedisServer:
    """
    A redis-server of its own, with an append-only file synced on every write.

    With ``appendfsync always`` every write that Redis confirmed survives a
    SIGKILL, as a production Redis configured for durability does.
    """

    def __init__(self, work_dir, port=None):
        self.work_dir = Path(work_dir)
        self.port = port or free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.work_dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--logfile",
                str(self.work_dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)

    def kill(self):
        """Stop the server at once with SIGKILL, as a crashed host would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self):
        stop_process(self.process)


class DaphneServer:
    """
    The platform served by daphne in a child process with its own environment.

    ``environment`` replaces the settings variables (``DATABASE_URL``,
    ``REDIS_URL`` and so on) of the test process. The server's output goes to
    ``log_file``, which a failing test prints.
    """

    def __init__(self, work_dir, environment, port=None):
        self.work_dir = Path(work_dir)
        self.port = port or free_port()
        self.environment = environment
        self.log_file = self.work_dir / f"daphne-{self.port}.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(VENV_BIN / "daphne"),
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "lms.asgi:application",
                ],
                cwd=BASE_DIR,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, process=self.process)

    def stop(self):
        stop_process(self.process)

    def output(self):
        return self.log_file.read_text(errors="replace")[-5000:]


def child_environment(**variables):
    """
    Return an environment for a child that runs the platform.

    The settings variables of the test process are left out, so the child
    reaches only the servers that ``variables`` name.
    """
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "TEST_DATABASE_NAME",
            "AWS_STORAGE_BUCKET_NAME",
            "AWS_S3_ENDPOINT_URL",
            "TASKS_BACKEND",
            "SCHEDULER_JOBS",
        }
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        PYTHONPATH=str(BASE_DIR),
        # No credential or region lookups may leave the machine.
        AWS_EC2_METADATA_DISABLED="true",
    )
    environment.update({key: str(value) for key, value in variables.items()})
    return environment


def temporary_folder(prefix):
    """Return a new folder under the system's temporary folder."""
    return Path(tempfile.mkdtemp(prefix=prefix))


class MotoS3Server:
    """
    moto's S3 server in a thread of the test process, on a fixed port.

    Stopping closes the port, so clients get "connection refused". The
    buckets live in moto's in-process state, so they are still there when
    the server starts again on the same port.
    """

    def __init__(self, port=None):
        self.port = port or free_port()
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(
            ip_address="127.0.0.1", port=self.port, verbose=False
        )
        self.server.start()
        wait_for_port(self.port)

    def stop(self):
        if self.server is None:
            return
        http_server = self.server._server
        self.server.stop()
        # ThreadedMotoServer.stop (moto 5.2) leaves the socket listening, so
        # clients would hang instead of being refused.
        if http_server is not None:
            http_server.server_close()
        self.server = None
