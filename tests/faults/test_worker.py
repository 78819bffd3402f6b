"""
A task worker killed with SIGKILL in the middle of a library text extraction.

The extraction is queued in the database backend of django-tasks-db and
served by a real ``manage.py db_worker`` process on a private PostgreSQL.
The worker is killed while its extraction child parses the file. The
backend's own task row stays RUNNING, because its workers do not take back
the tasks of a dead worker. So ``reap_extractions`` must find the expired
lease and queue the file again, or mark it failed when no attempts are
left, and the file never stays "running".

NOTE: admission selection runs are not killed here, because the runs that
the test factories build finish before a kill can land. The scheduled
reaper that fails a run with a passed lease is tested in
``tests/lms/test_scheduled_reapers.py``.
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import run_child
from .services import (
    BASE_DIR,
    child_environment,
    kill_process_group,
    stop_process,
    temporary_folder,
)

pytestmark = pytest.mark.slow

# The killed worker's lease lasts LIBRARY_EXTRACT_TIMEOUT seconds (the margin
# is 0), which is how long the test waits before the reaper may act.
EXTRACT_TIMEOUT = 12
RETRY_EXTRACT_TIMEOUT = 120
WAIT_TIMEOUT = 150


def wait_until(predicate, timeout=WAIT_TIMEOUT, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def child_processes(pid):
    """Return the command lines of the direct children of process ``pid``."""
    commands = []
    for children_file in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            child_ids = children_file.read_text().split()
        except OSError:
            continue
        for child_id in child_ids:
            try:
                cmdline = Path(f"/proc/{child_id}/cmdline").read_bytes()
            except OSError:
                continue
            commands.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return commands


@pytest.fixture
def extraction_setup(own_postgres):
    """Return ``(environment, item file id, start_worker)`` for one queued file."""
    folder = temporary_folder("faults-worker-")
    environment = child_environment(
        DATABASE_URL=own_postgres.url,
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        MEDIA_ROOT=folder / "media",
        LIBRARY_EXTRACT_TIMEOUT=EXTRACT_TIMEOUT,
        LIBRARY_EXTRACT_LEASE_MARGIN=0,
    )
    seed = run_child(environment, "library_file")
    workers = []

    def start_worker(**variables):
        log = open(folder / f"worker-{len(workers)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            cwd=BASE_DIR,
            env={
                **environment,
                **{key: str(value) for key, value in variables.items()},
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so the test can kill the worker together
            # with its extraction child, as a crashed machine would.
            start_new_session=True,
        )
        log.close()
        workers.append(process)
        return process

    try:
        yield environment, seed["item_file"], start_worker
    finally:
        for process in workers:
            stop_process(process)
            kill_process_group(process)
        for log_file in sorted(folder.glob("worker-*.log")):
            sys.stderr.write(f"--- {log_file.name} ---\n")
            sys.stderr.write(log_file.read_text(errors="replace")[-3000:] + "\n")
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def item_file_state(server, item_file):
    row = server.psql(
        "SELECT extraction_status, extraction_attempts, extraction_error, "  # noqa: S608
        "extraction_lease_until < now() FROM library_itemfile "
        f"WHERE id = {int(item_file)}"
    )
    status, attempts, error, expired = row.split("|")
    return {
        "status": status,
        "attempts": int(attempts),
        "error": error,
        "lease_expired": expired == "t",
    }


def task_statuses(server):
    """Return the statuses of the queued extraction tasks, oldest first."""
    rows = server.psql(
        "SELECT status FROM django_tasks_database_dbtaskresult "
        "WHERE task_path = 'library.tasks.extract_text' ORDER BY enqueued_at"
    )
    return rows.splitlines()


def reap(environment, **variables):
    completed = subprocess.run(
        [sys.executable, "manage.py", "reap_extractions"],
        cwd=BASE_DIR,
        env={**environment, **{key: str(value) for key, value in variables.items()}},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed.stdout


def kill_during_extraction(server, item_file, worker):
    """Wait until ``worker`` runs the extraction child, then SIGKILL them both."""
    wait_until(
        lambda: item_file_state(server, item_file)["status"] == "running",
        what="the worker to claim the file",
    )
    wait_until(
        lambda: any("library.extract_worker" in c for c in child_processes(worker.pid)),
        what="the extraction child to start",
    )
    kill_process_group(worker)


def test_killed_worker_job_is_retried(own_postgres, extraction_setup):
    environment, item_file, start_worker = extraction_setup
    queued = task_statuses(own_postgres)

    kill_during_extraction(own_postgres, item_file, start_worker())
    after_kill = item_file_state(own_postgres, item_file)
    early_reap = reap(environment)
    after_early_reap = item_file_state(own_postgres, item_file)
    wait_until(
        lambda: item_file_state(own_postgres, item_file)["lease_expired"],
        timeout=EXTRACT_TIMEOUT + 30,
        interval=0.5,
        what="the lease to expire",
    )
    late_reap = reap(environment)
    after_late_reap = item_file_state(own_postgres, item_file)
    tasks_after_reap = task_statuses(own_postgres)
    # A longer limit for the retry, so a slow machine cannot time it out.
    start_worker(LIBRARY_EXTRACT_TIMEOUT=RETRY_EXTRACT_TIMEOUT)
    final = wait_until(
        lambda: (
            (state := item_file_state(own_postgres, item_file))["status"]
            not in ("pending", "running")
            and state
        ),
        what="the second attempt to finish",
    )
    text = own_postgres.psql(
        "SELECT left(extracted_text, 40) FROM library_itemfile "  # noqa: S608
        f"WHERE id = {int(item_file)}"
    )

    assert queued == ["READY"]
    assert after_kill["status"] == "running"
    assert after_kill["attempts"] == 1
    assert early_reap.startswith("0 extractions queued again")
    assert after_early_reap["status"] == "running"
    assert late_reap.startswith("1 extractions queued again")
    assert after_late_reap["status"] == "pending"
    # The dead worker's task row stays RUNNING (django-tasks-db 0.12 has no
    # reclaim), so only the lease on the file gets the work done.
    assert tasks_after_reap == ["RUNNING", "READY"]
    assert final["status"] == "done"
    assert final["attempts"] == 2
    assert text.startswith("Halaman 1")


def test_killed_worker_job_fails_when_attempts_used(own_postgres, extraction_setup):
    environment, item_file, start_worker = extraction_setup

    kill_during_extraction(own_postgres, item_file, start_worker())
    wait_until(
        lambda: item_file_state(own_postgres, item_file)["lease_expired"],
        timeout=EXTRACT_TIMEOUT + 30,
        interval=0.5,
        what="the lease to expire",
    )
    output = reap(environment, LIBRARY_EXTRACT_MAX_ATTEMPTS=1)
    state = item_file_state(own_postgres, item_file)

    assert "1 marked failed" in output
    assert state["status"] == "failed"
    assert state["error"] == "worker_lost"
    assert state["attempts"] == 1
    assert task_statuses(own_postgres) == ["RUNNING"]
