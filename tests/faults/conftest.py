"""
Fixtures of the fault tests: private servers that a test stops and restarts.

Every server here listens on a free port of 127.0.0.1 and is stopped by its
fixture, also when the test fails. A test that lacks a server binary skips
with the reason, except under CI (``CI=true``), where it fails.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import require

from .services import (
    BASE_DIR,
    DaphneServer,
    PostgresServer,
    RedisServer,
    child_environment,
    postgres_bin_dir,
    temporary_folder,
)


def run_child(environment, *arguments, timeout=120):
    """Run ``python -m tests.faults.child ARGUMENTS`` and return its JSON output."""
    completed = subprocess.run(
        [sys.executable, "-m", "tests.faults.child", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def postgres_template():
    """
    Return a stopped PostgreSQL cluster whose ``lms`` database has every table.

    Built once per test run. Each test starts a copy of it, so a test may
    crash its server without harming the next one.
    """
    bin_dir = postgres_bin_dir()
    require(
        bin_dir is not None,
        "needs the PostgreSQL server binaries (initdb, pg_ctl); "
        "install Debian's postgresql package",
    )
    if os.geteuid() == 0:
        require(
            shutil.which("runuser") is not None,
            "needs runuser to start PostgreSQL as the postgres account",
        )
    folder = temporary_folder("faults-pg-template-")
    server = PostgresServer(bin_dir, folder / "data")
    try:
        server.initdb()
        server.start()
        server.psql("CREATE DATABASE lms", database="postgres")
        completed = subprocess.run(
            [sys.executable, "-m", "tests.faults.schema"],
            cwd=BASE_DIR,
            env=child_environment(DATABASE_URL=server.url),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        server.stop()
        yield server
    finally:
        server.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own_postgres(postgres_template):
    """Start a private copy of the template cluster and return its server."""
    folder = temporary_folder("faults-pg-")
    server = postgres_template.copy_to(folder / "data")
    try:
        server.start()
        yield server
    finally:
        server.stop(mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def own_redis():
    """Start a private redis-server, which the test may kill, and return it."""
    require(
        shutil.which("redis-server") is not None,
        "needs redis-server; install Debian's redis-server package",
    )
    folder = temporary_folder("faults-redis-")
    server = RedisServer(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def start_daphne():
    """
    Return a function that starts daphne with an environment; stop them all after.

    A failing test shows the end of each server's output.
    """
    folder = temporary_folder("faults-daphne-")
    servers = []

    def start(**variables):
        server = DaphneServer(folder, child_environment(**variables))
        servers.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            sys.stderr.write(f"--- daphne {server.port} ---\n{server.output()}\n")
        shutil.rmtree(folder, ignore_errors=True)
