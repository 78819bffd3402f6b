"""
Extraction leases: claiming a file, and reaping the files of dead workers.

The killed-worker tests fork a real task-worker process that claims a file
and starts the extraction subprocess, then kill its whole process group
with SIGKILL, as an out-of-memory killer or a stopped service would. The
database must therefore be shared between processes, so these tests run
with ``transactional_db`` on a file-backed database.
"""

import datetime
import io
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from library import extraction, filetypes
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemFile
from library.tasks import extract_text
from library.uploads import ItemMetadata, create_item

Status = ItemFile.ExtractionStatus
Error = ItemFile.ExtractionError

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def add_item_file(library, owner, words="Kata rajawali."):
    """Create an item whose file is ``pending``; no task runs for it."""
    metadata = ItemMetadata(
        title="Berkas uji",
        item_type="article",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.PUBLIC,
        creators=[("Penulis", "")],
    )
    return create_item(
        library,
        metadata,
        ContentFile(minimal_pdf("Judul", [words]), name="berkas.pdf"),
        user=owner,
        content_type=filetypes.PDF,
        publish=True,
    )


def queued_ids():
    """Return the item file ids queued for extraction on the dummy task backend."""
    from django_tasks import default_task_backend

    return [
        result.args[0]
        for result in default_task_backend.results
        if result.task.func is extract_text.func
    ]


def _run_hanging_worker(item_file_id):
    """
    Claim and extract ``item_file_id`` with an extraction subprocess that hangs.

    Runs in a forked child. The child leads its own process group, so the
    test can kill it together with the extraction subprocess it starts.
    """
    os.setpgrp()
    extraction.worker_command = lambda path, content_type: [
        sys.executable,
        "-c",
        "import time; time.sleep(120)",
    ]
    extraction.extract_item_file(item_file_id)
    os._exit(0)


def run_and_kill_worker(item_file_id):
    """
    Fork a task worker, wait until it is extracting, then SIGKILL its group.

    Return the ``ItemFile`` as the dead worker left it.
    """
    # The forked child opens database connections of its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    process = context.Process(target=_run_hanging_worker, args=(item_file_id,))
    process.start()
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            row = ItemFile.objects.get(pk=item_file_id)
            if row.extraction_status == Status.RUNNING and row.extraction_worker:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the forked worker never claimed the file")
        # Let the worker reach the extraction subprocess before the kill.
        time.sleep(0.5)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.join(timeout=10)
    assert process.exitcode == -signal.SIGKILL
    return ItemFile.objects.get(pk=item_file_id)


@pytest.mark.django_db(transaction=True)
def test_killed_worker_retried_then_failed(library, teacher, settings):
    settings.TASKS = DUMMY_TASKS
    settings.LIBRARY_EXTRACT_MAX_ATTEMPTS = 2
    item_file = add_item_file(library, teacher)
    assert queued_ids() == [item_file.pk]

    dead = run_and_kill_worker(item_file.pk)

    assert dead.extraction_status == Status.RUNNING
    assert dead.extraction_attempts == 1
    assert dead.extraction_worker.split(":")[1] != str(os.getpid())
    # Before the lease expires, the reaper leaves the file alone.
    early = extraction.reap_expired_extractions()
    assert early.requeued == []
    assert early.failed == []

    later = dead.extraction_lease_until + datetime.timedelta(seconds=1)
    first = extraction.reap_expired_extractions(now=later)

    retried = ItemFile.objects.get(pk=item_file.pk)
    assert first.requeued == [item_file.pk]
    assert first.failed == []
    assert retried.extraction_status == Status.PENDING
    assert retried.extraction_worker == ""
    assert retried.extraction_lease_until is None
    assert "attempt 1 of 2" in retried.extraction_message
    assert queued_ids() == [item_file.pk, item_file.pk]

    dead_again = run_and_kill_worker(item_file.pk)
    assert dead_again.extraction_attempts == 2
    later = dead_again.extraction_lease_until + datetime.timedelta(seconds=1)
    second = extraction.reap_expired_extractions(now=later)

    failed = ItemFile.objects.get(pk=item_file.pk)
    assert second.requeued == []
    assert second.failed == [item_file.pk]
    assert failed.extraction_status == Status.FAILED
    assert failed.extraction_error == Error.WORKER_LOST
    assert "No attempts are left" in failed.extraction_message
    assert failed.extracted_at is not None
    assert queued_ids() == [item_file.pk, item_file.pk]
    # A failed file is final: reaping again changes nothing.
    third = extraction.reap_expired_extractions(now=later)
    assert third.requeued == []
    assert third.failed == []


@pytest.mark.django_db(transaction=True)
def test_requeued_file_is_extracted(library, teacher, settings):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher, words="Kata cendrawasih.")
    dead = run_and_kill_worker(item_file.pk)
    # The retry runs at once on the immediate backend of the embedded default.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }

    result = extraction.reap_expired_extractions(
        now=dead.extraction_lease_until + datetime.timedelta(seconds=1)
    )

    done = ItemFile.objects.get(pk=item_file.pk)
    assert result.requeued == [item_file.pk]
    assert done.extraction_status == Status.DONE
    assert done.extraction_attempts == 2
    assert "cendrawasih" in done.extracted_text
    assert done.item.full_text.count("cendrawasih") == 1


@pytest.mark.django_db
def test_claim_is_taken_once(library, teacher):
    item_file = add_item_file(library, teacher)

    first = extraction.claim(item_file.pk, "host:1:a")
    second = extraction.claim(item_file.pk, "host:2:b")

    item_file.refresh_from_db()
    assert first is True
    assert second is False
    assert item_file.extraction_worker == "host:1:a"
    assert item_file.extraction_attempts == 1
    assert item_file.extraction_lease_until > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_one_winner(library, teacher, settings):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes = {}

    def claim(number):
        barrier.wait()
        try:
            outcomes[number] = extraction.claim(item_file.pk, f"host:{number}:x")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    item_file.refresh_from_db()
    winners = [number for number, won in outcomes.items() if won]
    assert len(outcomes) == workers
    assert len(winners) == 1
    assert item_file.extraction_worker == f"host:{winners[0]}:x"
    assert item_file.extraction_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_extract_once(library, teacher, settings, monkeypatch):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    runs = []
    real_run_worker = extraction.run_worker

    def counting_run_worker(path, content_type):
        runs.append(path)
        return real_run_worker(path, content_type)

    monkeypatch.setattr(extraction, "run_worker", counting_run_worker)
    workers = 4
    barrier = threading.Barrier(workers)
    statuses = []

    def run_task():
        barrier.wait()
        try:
            statuses.append(extraction.extract_item_file(item_file.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_task) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    item_file.refresh_from_db()
    assert len(runs) == 1
    assert sorted(statuses, key=str) == [None, None, None, Status.DONE]
    assert item_file.extraction_status == Status.DONE
    assert item_file.extraction_attempts == 1


@pytest.mark.django_db
def test_finished_file_is_not_claimed(library, teacher):
    item_file = add_item_file(library, teacher)
    assert extraction.extract_item_file(item_file.pk) == Status.DONE

    assert extraction.extract_item_file(item_file.pk) is None

    item_file.refresh_from_db()
    assert item_file.extraction_status == Status.DONE
    assert item_file.extraction_attempts == 1


@pytest.mark.django_db
def test_late_result_after_reap_dropped(
    library, teacher, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    real_run_worker = extraction.run_worker

    def slow_run_worker(path, content_type):
        # The lease runs out while this worker is still busy.
        extraction.reap_expired_extractions(
            now=timezone.now() + datetime.timedelta(days=1)
        )
        return real_run_worker(path, content_type)

    monkeypatch.setattr(extraction, "run_worker", slow_run_worker)

    with django_capture_on_commit_callbacks(execute=True):
        status = extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert status is None
    assert item_file.extraction_status == Status.PENDING
    assert item_file.extracted_text == ""
    assert queued_ids() == [item_file.pk]


@pytest.mark.django_db
def test_running_file_without_lease_reaped(library, teacher, settings):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    # A row left running by code that recorded no lease.
    ItemFile.objects.filter(pk=item_file.pk).update(extraction_status=Status.RUNNING)

    result = extraction.reap_expired_extractions()

    item_file.refresh_from_db()
    assert result.requeued == [item_file.pk]
    assert item_file.extraction_status == Status.PENDING
    assert "(unknown)" in item_file.extraction_message


@pytest.mark.django_db
def test_reap_command_reports_counts(library, teacher, settings, capsys):
    settings.TASKS = DUMMY_TASKS
    settings.LIBRARY_EXTRACT_MAX_ATTEMPTS = 1
    retry = add_item_file(library, teacher)
    give_up = add_item_file(library, teacher)
    expired = timezone.now() - datetime.timedelta(seconds=1)
    ItemFile.objects.filter(pk=retry.pk).update(
        extraction_status=Status.RUNNING,
        extraction_worker="host:1:a",
        extraction_lease_until=expired,
        extraction_attempts=0,
    )
    ItemFile.objects.filter(pk=give_up.pk).update(
        extraction_status=Status.RUNNING,
        extraction_worker="host:2:b",
        extraction_lease_until=expired,
        extraction_attempts=1,
    )

    call_command("reap_extractions", verbosity=2)

    output = capsys.readouterr().out
    assert f"item file {retry.pk}: queued again" in output
    assert f"item file {give_up.pk}: failed, no attempts left" in output
    assert "1 extractions queued again, 1 marked failed, 0 pending" in output
    assert ItemFile.objects.get(pk=give_up.pk).extraction_status == Status.FAILED


def test_orphaned_extract_worker_stops_itself(tmp_path):
    # Parsing this large text file takes many seconds, and no parent process
    # kills the worker here, so only its own alarm can stop it.
    path = tmp_path / "besar.txt"
    path.write_bytes(b"kata " * (12 * 1024 * 1024))
    started = time.monotonic()

    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "library.extract_worker",
            "--content-type",
            filetypes.PLAIN_TEXT,
            "--memory-limit",
            str(4 * 1024**3),
            "--max-chars",
            str(10**9),
            "--time-limit",
            "1",
            str(path),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == -signal.SIGALRM
    assert time.monotonic() - started < 10
    assert completed.stdout == b""


@pytest.mark.django_db
def test_scheduler_runs_reaper(library, teacher, settings):
    from django.conf import settings as live_settings

    # The job as the deployment settings define it.
    job = live_settings.SCHEDULER_JOBS["reap_extractions"]
    settings.SCHEDULER_JOBS = {"reap_extractions": job}
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    ItemFile.objects.filter(pk=item_file.pk).update(
        extraction_status=Status.RUNNING,
        extraction_worker="host:1:a",
        extraction_lease_until=timezone.now() - datetime.timedelta(seconds=1),
        extraction_attempts=1,
    )

    call_command("run_scheduler", "--once", stdout=io.StringIO())

    item_file.refresh_from_db()
    assert job["every"] == 60
    assert item_file.extraction_status == Status.PENDING
    assert "attempt 1 of 3" in item_file.extraction_message


@pytest.mark.django_db
def test_stale_pending_file_queued_again(
    library, teacher, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    settings.LIBRARY_EXTRACT_QUEUE_TIMEOUT = 600
    stale = add_item_file(library, teacher)
    fresh = add_item_file(library, teacher)
    queued_at = ItemFile.objects.get(pk=stale.pk).extraction_queued_at
    assert queued_at is not None
    later = queued_at + datetime.timedelta(seconds=601)
    ItemFile.objects.filter(pk=fresh.pk).update(
        extraction_queued_at=later - datetime.timedelta(seconds=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = extraction.reap_expired_extractions(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        second = extraction.reap_expired_extractions(now=later)

    assert first.stale == [stale.pk]
    assert first.requeued == []
    assert second.stale == []
    assert queued_ids() == [stale.pk]
    assert ItemFile.objects.get(pk=stale.pk).extraction_queued_at > queued_at
    assert ItemFile.objects.get(pk=stale.pk).extraction_status == Status.PENDING


@pytest.mark.django_db
def test_pending_file_without_queue_time(library, teacher, settings):
    settings.TASKS = DUMMY_TASKS
    item_file = add_item_file(library, teacher)
    # A file from before the queueing time was recorded.
    ItemFile.objects.filter(pk=item_file.pk).update(extraction_queued_at=None)

    recent = extraction.reap_expired_extractions()
    old = extraction.reap_expired_extractions(
        now=item_file.created_at + datetime.timedelta(days=1)
    )

    assert recent.stale == []
    assert old.stale == [item_file.pk]


@pytest.mark.django_db
def test_lease_renewed_after_copy(library, teacher, monkeypatch):
    item_file = add_item_file(library, teacher)
    leases = {}
    real_claim = extraction.claim
    real_run_worker = extraction.run_worker

    def recording_claim(item_file_id, worker):
        claimed = real_claim(item_file_id, worker)
        leases["claimed"] = ItemFile.objects.get(pk=item_file_id).extraction_lease_until
        return claimed

    def recording_run_worker(path, content_type):
        row = ItemFile.objects.get(pk=item_file.pk)
        leases["running"] = row.extraction_lease_until
        return real_run_worker(path, content_type)

    monkeypatch.setattr(extraction, "claim", recording_claim)
    monkeypatch.setattr(extraction, "run_worker", recording_run_worker)

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert leases["running"] > leases["claimed"]
    assert item_file.extraction_lease_until is None
    assert item_file.extraction_worker == ""
