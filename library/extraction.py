"""
Extract the text of library files and index it for search.

Parsing runs in a child process (``library.extract_worker``) with a
wall-time limit (``LIBRARY_EXTRACT_TIMEOUT`` seconds) and an address-space
limit (``LIBRARY_EXTRACT_MEMORY`` bytes), on a temporary copy of the stored
file. A broken, hostile or huge file can therefore only fail its own
extraction: it cannot crash or hang the web process or the task worker.

A task worker claims a file before extracting it, which records a lease on
the ``ItemFile``. When the task worker itself dies, ``reap_expired_extractions``
(run by the ``reap_extractions`` command) finds the expired lease and queues
the file again, or marks it failed after ``LIBRARY_EXTRACT_MAX_ATTEMPTS``.
"""

import datetime
import json
import logging
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.search import index

from . import extract_worker
from .indexing import index_items
from .models import ItemFile, LibraryItemPage

logger = logging.getLogger(__name__)

Status = ItemFile.ExtractionStatus
Error = ItemFile.ExtractionError


@dataclass
class ReapResult:
    """The ids of the files that a reaper run queued again or failed."""

    requeued: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    # Files that stayed pending past LIBRARY_EXTRACT_QUEUE_TIMEOUT.
    stale: list = field(default_factory=list)


@dataclass
class Outcome:
    """The result of one extraction, as stored on the ``ItemFile``."""

    status: str
    text: str = ""
    page_count: int | None = None
    error: str = ""
    message: str = ""


def worker_command(path, content_type):
    return [
        sys.executable,
        # Ignore PYTHON* variables: the worker needs only its own arguments.
        "-E",
        "-m",
        "library.extract_worker",
        "--content-type",
        content_type,
        "--memory-limit",
        str(settings.LIBRARY_EXTRACT_MEMORY),
        "--max-chars",
        str(settings.LIBRARY_FULL_TEXT_MAX_CHARS),
        # A second wall-time limit that the worker enforces on itself, in
        # case this process dies and can no longer kill it.
        "--time-limit",
        str(math.ceil(settings.LIBRARY_EXTRACT_TIMEOUT) + 5),
        str(path),
    ]


def worker_environment():
    """Return a minimal environment, so no secret reaches the parser process."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8"}


def run_worker(path, content_type):
    """Run the extraction worker on ``path`` and return its ``Outcome``."""
    timeout = settings.LIBRARY_EXTRACT_TIMEOUT
    try:
        # The command is fixed. Only the path of our own temporary copy and
        # the content type that the upload form detected vary.
        completed = subprocess.run(  # noqa: S603
            worker_command(path, content_type),
            capture_output=True,
            timeout=timeout,
            cwd=settings.BASE_DIR,
            env=worker_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the worker.
        return Outcome(
            Status.FAILED,
            error=Error.TIMEOUT,
            message=f"Stopped after the time limit of {timeout} seconds.",
        )
    if completed.returncode == extract_worker.EXIT_MEMORY:
        return Outcome(
            Status.FAILED,
            error=Error.MEMORY,
            message=(
                f"Stopped at the memory limit of "
                f"{settings.LIBRARY_EXTRACT_MEMORY} bytes."
            ),
        )
    try:
        data = json.loads(completed.stdout)
    except ValueError:
        data = None
    if (
        completed.returncode != 0
        or not isinstance(data, dict)
        or data.get("status") not in extract_worker.STATUSES
    ):
        stderr = completed.stderr.decode("utf-8", errors="replace").strip()
        return Outcome(
            Status.FAILED,
            error=Error.CRASHED,
            message=f"Exit status {completed.returncode}. {stderr[-500:]}".strip(),
        )
    error = data.get("error") or ""
    details = [*data.get("warnings", []), data.get("detail") or ""]
    return Outcome(
        status=data["status"],
        text=data.get("text") or "",
        page_count=data.get("page_count"),
        error=error if error in Error.values else "",
        message="\n".join(detail for detail in details if detail),
    )


def extract_stored_file(item_file, worker=None):
    """
    Copy ``item_file``'s document to a temporary file and extract its text.

    Copying a large file from S3 can take a while, so the lease of
    ``worker`` is renewed after the copy, before the worker's time limit
    starts.
    """
    suffix = Path(item_file.original_name).suffix.lower()
    try:
        source = item_file.document.file.open("rb")
    except OSError as error:
        logger.warning(
            "library file missing item_file=%s error=%s", item_file.pk, error
        )
        return Outcome(Status.FAILED, error=Error.MISSING_FILE, message=str(error))
    with source, tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        shutil.copyfileobj(source, copy, length=1024 * 1024)
        copy.flush()
        if worker is not None:
            held_by(item_file.pk, worker).update(
                extraction_lease_until=timezone.now() + lease_duration()
            )
        return run_worker(copy.name, item_file.content_type)


def worker_identity():
    """Return a name for this claim: host, process id and a random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_duration():
    """Return how long a claim lasts: the worker's time limit plus a margin."""
    return datetime.timedelta(
        seconds=settings.LIBRARY_EXTRACT_TIMEOUT + settings.LIBRARY_EXTRACT_LEASE_MARGIN
    )


def claim(item_file_id, worker):
    """
    Mark a ``pending`` file as ``running`` for ``worker`` and return whether it did.

    Only one caller can win the claim. On PostgreSQL the row is locked with
    ``SELECT ... FOR UPDATE SKIP LOCKED``, so a second worker skips it at
    once instead of waiting. Elsewhere the conditional ``UPDATE`` alone
    decides, because the database applies it to the row atomically.
    """
    claimable = ItemFile.objects.filter(
        pk=item_file_id, extraction_status=Status.PENDING
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            locked = claimable.select_for_update(skip_locked=True).values_list(
                "pk", flat=True
            )
            if not list(locked):
                return False
        claimed = claimable.update(
            extraction_status=Status.RUNNING,
            extraction_error="",
            extraction_message="",
            extraction_worker=worker,
            extraction_lease_until=timezone.now() + lease_duration(),
            extraction_attempts=F("extraction_attempts") + 1,
        )
    return claimed == 1


def held_by(item_file_id, worker):
    """Return a queryset of the file while ``worker`` still holds its lease."""
    return ItemFile.objects.filter(
        pk=item_file_id,
        extraction_status=Status.RUNNING,
        extraction_worker=worker,
    )


def extract_item_file(item_file_id):
    """
    Claim one ``pending`` ``ItemFile``, extract its text and reindex its item.

    The status is ``running`` while the worker runs and ends in a final
    status, ``failed`` when anything goes wrong. If this process dies
    before then, the lease expires and ``reap_expired_extractions`` takes
    over. Return the final status, or ``None`` when the file is missing or
    was not ``pending`` (another worker claimed it, or it is finished).
    """
    item_file = (
        ItemFile.objects.select_related("document", "item")
        .filter(pk=item_file_id)
        .first()
    )
    if item_file is None:
        logger.warning(
            "library extraction skipped item_file=%s: not found", item_file_id
        )
        return None
    worker = worker_identity()
    if not claim(item_file.pk, worker):
        logger.info(
            "library extraction skipped item_file=%s: not pending (status=%s)",
            item_file.pk,
            ItemFile.objects.filter(pk=item_file.pk)
            .values_list("extraction_status", flat=True)
            .first(),
        )
        return None
    logger.info(
        "library extraction started item_file=%s worker=%s", item_file.pk, worker
    )
    outcome = Outcome(
        Status.FAILED, error=Error.CRASHED, message="Extraction did not finish."
    )
    try:
        outcome = extract_stored_file(item_file, worker)
    except Exception:
        # Whatever went wrong, the file gets a final status below instead of
        # staying "running" for ever.
        logger.exception("library extraction error item_file=%s", item_file.pk)
    finally:
        finished = held_by(item_file.pk, worker).update(
            extraction_status=outcome.status,
            extraction_error=outcome.error,
            extraction_message=outcome.message,
            extracted_text=outcome.text,
            page_count=outcome.page_count,
            extracted_at=timezone.now(),
            extraction_worker="",
            extraction_lease_until=None,
        )
    if not finished:
        # The lease expired and the reaper gave the file to another attempt
        # or failed it, so this late result is dropped.
        logger.warning(
            "library extraction result dropped item_file=%s worker=%s: "
            "the lease was lost",
            item_file.pk,
            worker,
        )
        return None
    logger.log(
        logging.WARNING if outcome.status == Status.FAILED else logging.INFO,
        "library extraction finished item_file=%s status=%s error=%s pages=%s",
        item_file.pk,
        outcome.status,
        outcome.error or "-",
        outcome.page_count,
    )
    refresh_full_text(item_file.item_id)
    return outcome.status


def reap_expired_extractions(now=None):
    """
    Re-queue or fail the ``running`` files whose lease has expired.

    A lease expires when the process that claimed the file died (killed,
    out of memory, machine restarted) before it stored a result. A file
    with fewer than ``LIBRARY_EXTRACT_MAX_ATTEMPTS`` attempts goes back to
    ``pending`` and is queued again. Otherwise it is marked ``failed`` with
    the ``worker_lost`` error. Each change is a conditional ``UPDATE`` on the
    expired lease, so running this often or from several processes at once
    is safe.

    A file still ``pending`` ``LIBRARY_EXTRACT_QUEUE_TIMEOUT`` seconds after
    it was queued is queued again too, because its task may have been lost
    (for example when the queue was down as the upload committed). When the
    task was only slow, the extra task finds the file claimed and does
    nothing. Return a ``ReapResult``.
    """
    from .tasks import schedule_extraction

    now = now or timezone.now()
    maximum = settings.LIBRARY_EXTRACT_MAX_ATTEMPTS
    result = ReapResult()
    expired = ItemFile.objects.filter(extraction_status=Status.RUNNING).filter(
        Q(extraction_lease_until__lt=now) | Q(extraction_lease_until__isnull=True)
    )
    for item_file in expired.only(
        "pk", "extraction_worker", "extraction_attempts", "extraction_lease_until"
    ):
        same_lease = ItemFile.objects.filter(
            pk=item_file.pk,
            extraction_status=Status.RUNNING,
            extraction_worker=item_file.extraction_worker,
            extraction_lease_until=item_file.extraction_lease_until,
        )
        with transaction.atomic():
            if item_file.extraction_attempts < maximum:
                changed = same_lease.update(
                    extraction_status=Status.PENDING,
                    extraction_worker="",
                    extraction_lease_until=None,
                    extraction_message=(
                        f"Worker {item_file.extraction_worker or '(unknown)'} "
                        f"stopped during attempt {item_file.extraction_attempts} "
                        f"of {maximum}. Queued again."
                    ),
                )
                if changed:
                    schedule_extraction(item_file, now=now)
                    result.requeued.append(item_file.pk)
            else:
                changed = same_lease.update(
                    extraction_status=Status.FAILED,
                    extraction_error=Error.WORKER_LOST,
                    extraction_worker="",
                    extraction_lease_until=None,
                    extracted_at=now,
                    extraction_message=(
                        f"Worker {item_file.extraction_worker or '(unknown)'} "
                        f"stopped during attempt {item_file.extraction_attempts} "
                        f"of {maximum}. No attempts are left."
                    ),
                )
                if changed:
                    result.failed.append(item_file.pk)
        if changed:
            logger.warning(
                "library extraction lease expired item_file=%s worker=%s "
                "attempt=%s/%s action=%s",
                item_file.pk,
                item_file.extraction_worker or "-",
                item_file.extraction_attempts,
                maximum,
                "requeued" if item_file.extraction_attempts < maximum else "failed",
            )
    requeue_stale_pending(now, result)
    return result


def requeue_stale_pending(now, result):
    """Queue the files ``pending`` for too long again and add them to ``result``."""
    from .tasks import schedule_extraction

    cutoff = now - datetime.timedelta(seconds=settings.LIBRARY_EXTRACT_QUEUE_TIMEOUT)
    stale = (
        ItemFile.objects.filter(extraction_status=Status.PENDING)
        .filter(
            Q(extraction_queued_at__lt=cutoff)
            | Q(extraction_queued_at__isnull=True, created_at__lt=cutoff)
        )
        .exclude(pk__in=result.requeued)
    )
    for item_file in stale.only("pk", "extraction_queued_at"):
        with transaction.atomic():
            # Only one reaper queues the file again for this queueing time.
            changed = ItemFile.objects.filter(
                pk=item_file.pk,
                extraction_status=Status.PENDING,
                extraction_queued_at=item_file.extraction_queued_at,
            ).update(extraction_queued_at=now)
            if changed:
                schedule_extraction(item_file, now=now)
        if changed:
            result.stale.append(item_file.pk)
            logger.warning(
                "library extraction still pending item_file=%s queued_at=%s: "
                "queued again",
                item_file.pk,
                item_file.extraction_queued_at,
            )


def refresh_full_text(item_id):
    """Gather the text of an item's files into its ``full_text`` and reindex it."""
    texts = ItemFile.objects.filter(
        item_id=item_id,
        replaced_by__isnull=True,
        extraction_status__in=[Status.DONE, Status.RECOVERED_WITH_WARNINGS],
    ).values_list("extracted_text", flat=True)
    full_text = "\n\n".join(text for text in texts if text)
    # PostgreSQL rejects a search vector above 1 MiB; the settings explain
    # how LIBRARY_FULL_TEXT_MAX_CHARS keeps the text below that.
    full_text = full_text[: settings.LIBRARY_FULL_TEXT_MAX_CHARS]
    with transaction.atomic():
        # A plain update, not page.save(), because the text is derived data
        # and must not create a page revision.
        LibraryItemPage.objects.filter(pk=item_id).update(full_text=full_text)
        item = LibraryItemPage.objects.filter(pk=item_id).first()
        if item is not None:
            index.insert_or_update_object(item)
            index_items([item_id])
