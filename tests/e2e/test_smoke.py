"""
Start the platform exactly as the README's first command does, and load it.

``make run`` migrates a fresh SQLite database, builds the demo city and
serves it with daphne. The test points it at a temporary database, media
folder and free port, then loads the pages a visitor meets first.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 300


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode("utf-8", "replace")


def wait_until_serving(url, process, log_path):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"make run exited with {process.returncode}:\n{log_path.read_text()}"
            )
        try:
            return fetch(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    pytest.fail(f"make run did not serve {url} within {START_TIMEOUT} s")


@pytest.mark.slow
def test_make_run_serves_home_login_and_admin(tmp_path):
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "AWS_", "DJANGO_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        VENV=str(Path(sys.prefix)),
    )
    log_path = tmp_path / "make-run.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}", f"VENV={sys.prefix}"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        status, home = wait_until_serving(f"{base}/", process, log_path)
        assert status == 200
        assert "Platform Belajar" in home
        assert 'lang="id"' in home

        status, login = fetch(f"{base}/accounts/login/")
        assert status == 200
        assert 'name="password"' in login

        status, admin_login = fetch(f"{base}/admin/login/")
        assert status == 200
        assert 'name="password"' in admin_login
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    log = log_path.read_text()
    assert "Traceback" not in log, log
