"""
Extract the text of library files and index it for search.

Parsing runs in a child process (``library.extract_worker``) with a
wall-time limit (``LIBRARY_EXTRACT_TIMEOUT`` seconds) and an address-space
limit (``LIBRARY_EXTRACT_MEMORY`` bytes), on a temporary copy of the stored
file. A broken, hostile or huge file can therefore only fail its own
extraction: it cannot crash or hang the web process or the task worker.
"""

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.search import index

from . import extract_worker
from .models import ItemFile, LibraryItemPage

logger = logging.getLogger(__name__)

Status = ItemFile.ExtractionStatus
Error = ItemFile.ExtractionError


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


def extract_stored_file(item_file):
    """Copy ``item_file``'s document to a temporary file and extract its text."""
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
        return run_worker(copy.name, item_file.content_type)


def extract_item_file(item_file_id):
    """
    Extract the text of one ``ItemFile`` and refresh its item's search entry.

    The status is ``running`` while the worker runs and always ends in a
    final status, ``failed`` when anything goes wrong.
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
    ItemFile.objects.filter(pk=item_file.pk).update(
        extraction_status=Status.RUNNING, extraction_error="", extraction_message=""
    )
    logger.info("library extraction started item_file=%s", item_file.pk)
    outcome = Outcome(
        Status.FAILED, error=Error.CRASHED, message="Extraction did not finish."
    )
    try:
        outcome = extract_stored_file(item_file)
    except Exception:
        # Whatever went wrong, the file gets a final status below instead of
        # staying "running" for ever.
        logger.exception("library extraction error item_file=%s", item_file.pk)
    finally:
        ItemFile.objects.filter(pk=item_file.pk).update(
            extraction_status=outcome.status,
            extraction_error=outcome.error,
            extraction_message=outcome.message,
            extracted_text=outcome.text,
            page_count=outcome.page_count,
            extracted_at=timezone.now(),
        )
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
