"""
Slides: the pages of a PDF that a teacher shows in a live session.

The teacher picks a PDF from a lesson of the session's course
(``courses.api.lesson_documents``) or a library file they may download
(``library.api``), and then turns its pages. Every change is a ``slide``
event in the session's log, so resumed clients and the replay follow it,
and ``SlidePosition`` keeps the current slide for people who join later.

Pages are rendered server-side to small WebP images by ``live.slide_worker``
in a child process with a memory and a time limit. They are cached in the
default storage under the SHA-256 of the file. A phone then downloads one
image per page, never the whole PDF, and ``slide_views.slide_image`` serves
them to the session's participants only.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model

from courses import api as courses_api
from library import api as library_api

from . import protocol, slide_worker
from .models import LiveSession, SlideDeck, SlidePosition
from .protocol import ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# Settings of the same names with a LIVE_SLIDE_ prefix override these.
# A PDF over MAX_BYTES is not shown: a teacher's slides are rarely over
# 20 MB, and every first view of a page copies the file from the storage.
MAX_BYTES = 50 * 1024 * 1024
# The longer side of a rendered page in pixels. At 960 px an A4 page full of
# 11-point text stays legible and is 90 KB as WebP (pypdfium2 5.15, quality
# 60). Slides with less text are smaller.
IMAGE_SIZE = 960
# Limits of one page render. Rendering that A4 text page took 38 MB of
# resident memory in the worker, so a page that needs 512 MB of address
# space, or 20 seconds, is rejected as broken or hostile.
RENDER_MEMORY_BYTES = 512 * 1024 * 1024
RENDER_TIMEOUT_SECONDS = 20
PDF_MAGIC = b"%PDF-"
COPY_CHUNK_BYTES = 1024 * 1024


def setting(name, default):
    return getattr(settings, f"LIVE_SLIDE_{name}", default)


# Choosing a document.


def find_document(user, session_id, source, document_id):
    """
    Return ``(document, title)`` of a PDF that ``user`` may show in a session.

    A course document must be in a live lesson of the session's course. A
    library file must be one that ``user`` may download. Raise
    ``ProtocolError`` with ``document_not_found`` or ``document_not_allowed``.
    """
    params = {"document": document_id}
    if source == SlideDeck.Source.COURSE:
        session = LiveSession.objects.get(pk=session_id)
        course = courses_api.get_course(session.course_id)
        documents = courses_api.lesson_documents(course) if course else []
        for document in documents:
            if document.pk == document_id:
                return document, document.title
        if get_document_model().objects.filter(pk=document_id).exists():
            raise ProtocolError(ErrorCode.DOCUMENT_NOT_ALLOWED, **params)
        raise ProtocolError(ErrorCode.DOCUMENT_NOT_FOUND, **params)

    item_file = library_api.get_file(document_id)
    if item_file is None:
        raise ProtocolError(ErrorCode.DOCUMENT_NOT_FOUND, **params)
    if not library_api.can_download(user, item_file):
        raise ProtocolError(ErrorCode.DOCUMENT_NOT_ALLOWED, **params)
    return item_file.document, item_file.item.title


def course_pdfs(session):
    """Return the PDF documents of the session's course lessons, for a picker."""
    course = courses_api.get_course(session.course_id)
    if course is None:
        return []
    return [
        document
        for document in courses_api.lesson_documents(course)
        if document.file_extension.lower() == "pdf"
    ]


# Files and rendering. These functions do file and process work and no
# database queries, so the consumer runs them in a worker thread.


@contextlib.contextmanager
def local_copy(document, title):
    """
    Copy a document's file to a temporary file and yield ``(path, sha256)``.

    Raise ``ProtocolError`` with ``pdf_too_large`` or ``not_pdf`` before
    copying more than needed.
    """
    limit = setting("MAX_BYTES", MAX_BYTES)
    stored = document.file
    try:
        size = stored.size
    except (OSError, ValueError) as error:
        logger.warning(
            "live slide file missing document=%s error=%s", document.pk, error
        )
        raise ProtocolError(ErrorCode.NOT_PDF, title=title) from error
    if size > limit:
        raise ProtocolError(
            ErrorCode.PDF_TOO_LARGE, title=title, size=size, limit=limit
        )
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        with stored.open("rb") as source:
            head = source.read(len(PDF_MAGIC))
            if head != PDF_MAGIC:
                raise ProtocolError(ErrorCode.NOT_PDF, title=title)
            chunk = head
            while chunk:
                digest.update(chunk)
                copy.write(chunk)
                chunk = source.read(COPY_CHUNK_BYTES)
        copy.flush()
        yield copy.name, digest.hexdigest()


def image_name(file_hash, page):
    return f"live/slides/{file_hash}/{setting('IMAGE_SIZE', IMAGE_SIZE)}/{page}.webp"


def info_name(file_hash):
    """Return the storage name of a PDF's ``{"page_count": N}`` file."""
    return f"live/slides/{file_hash}/info.json"


def stored_page_count(file_hash):
    """Return the page count stored by an earlier render, or ``None``."""
    name = info_name(file_hash)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        return json.load(stored)["page_count"]


def run_worker(path, page, output):
    """
    Render ``page`` of the PDF at ``path`` to ``output`` in a child process.

    Return the worker's result dict, or an error result on a timeout or a
    crash.
    """
    command = [
        sys.executable,
        "-E",
        "-m",
        slide_worker.__name__,
        "--memory-limit",
        str(setting("RENDER_MEMORY_BYTES", RENDER_MEMORY_BYTES)),
        "--size",
        str(setting("IMAGE_SIZE", IMAGE_SIZE)),
        "--page",
        str(page),
        "--output",
        output,
        path,
    ]
    timeout = setting("RENDER_TIMEOUT_SECONDS", RENDER_TIMEOUT_SECONDS)
    # The worker runs from the project directory, where ``live`` imports.
    project_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # The child gets a minimal environment, so a renderer exploited by a
    # hostile PDF cannot read secrets that production passes as environment
    # variables (SECRET_KEY, DATABASE_URL).
    environment = {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C.UTF-8"}
    try:
        finished = subprocess.run(  # noqa: S603 - fixed command, no shell
            command,
            capture_output=True,
            timeout=timeout,
            cwd=project_dir,
            env=environment,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "error", "error": "timeout"}
    try:
        return json.loads(finished.stdout)
    except ValueError:
        return {
            "status": "error",
            "error": "crashed",
            "detail": finished.stderr[-500:].decode("utf-8", "replace"),
        }


def render_page(path, file_hash, page, title):
    """
    Render ``page`` of the local PDF at ``path`` into the storage, if needed.

    Also store the PDF's page count. Raise ``ProtocolError`` when the file
    is not a readable PDF, the page does not exist or rendering failed.
    """
    name = image_name(file_hash, page)
    info = info_name(file_hash)
    if default_storage.exists(name) and default_storage.exists(info):
        return
    with tempfile.TemporaryDirectory() as directory:
        output = os.path.join(directory, "page.webp")
        result = run_worker(path, page, output)
        page_count = result.get("page_count")
        if page_count is not None and not default_storage.exists(info):
            payload = json.dumps({"page_count": page_count}).encode()
            default_storage.save(info, ContentFile(payload))
        if result.get("status") != "ok":
            raise render_error(result, page, title)
        if not default_storage.exists(name):
            with open(output, "rb") as image:
                default_storage.save(name, ContentFile(image.read()))
    logger.info("live slide rendered hash=%s page=%s", file_hash[:12], page)


def render_error(result, page, title):
    """Turn a failed worker result into the ``ProtocolError`` to send."""
    error = result.get("error")
    if error == slide_worker.ERROR_NOT_PDF:
        return ProtocolError(ErrorCode.NOT_PDF, title=title)
    if error == slide_worker.ERROR_PAGE_OUT_OF_RANGE:
        return ProtocolError(
            ErrorCode.PAGE_OUT_OF_RANGE, page=page, count=result.get("page_count")
        )
    logger.warning(
        "live slide render failed page=%s error=%s detail=%s",
        page,
        error,
        result.get("detail", ""),
    )
    return ProtocolError(ErrorCode.RENDER_FAILED, page=page)


def prepare_file(document, title, page, known_hash=None):
    """
    Render ``page`` of ``document`` unless stored and return ``(hash, page_count)``.

    ``known_hash`` is the hash of the file when the session last showed it.
    While that page is cached, the file is not read again.
    """
    if known_hash and default_storage.exists(image_name(known_hash, page)):
        page_count = stored_page_count(known_hash)
        if page_count is not None:
            return known_hash, page_count
    with local_copy(document, title) as (path, file_hash):
        render_page(path, file_hash, page, title)
    return file_hash, stored_page_count(file_hash)


def ensure_image(deck, page):
    """
    Render a page of a stored deck if the storage lacks it and return its name.

    ``deck.document`` must be loaded already, because this runs outside the
    database thread.
    """
    name = image_name(deck.file_hash, page)
    if not default_storage.exists(name):
        with local_copy(deck.document, deck.title) as (path, file_hash):
            render_page(path, file_hash, page, deck.title)
        # NOTE: when the document's file was replaced after it was shown,
        # this serves the new file's page under the deck's old hash.
        name = image_name(file_hash, page)
    return name


# The session's slide state.


def save_deck(session_id, user, source, document, title, file_hash, page_count):
    """Create or update the session's deck for ``document`` and return it."""
    deck, created = SlideDeck.objects.get_or_create(
        session_id=session_id,
        source=source,
        document=document,
        defaults={
            "title": title[:255],
            "page_count": page_count,
            "file_hash": file_hash,
            "shown_by": user,
        },
    )
    if not created and (deck.file_hash, deck.page_count) != (file_hash, page_count):
        deck.file_hash = file_hash
        deck.page_count = page_count
        deck.title = title[:255]
        deck.save(update_fields=["file_hash", "page_count", "title"])
    return deck


def move_to(session_id, deck, page):
    """Make ``page`` of ``deck`` (or no slide) current and return the new version."""
    SlidePosition.objects.get_or_create(session_id=session_id)
    with transaction.atomic():
        position = SlidePosition.objects.select_for_update().get(session_id=session_id)
        position.deck = deck
        position.page = page or 1
        position.version += 1
        position.updated_at = timezone.now()
        position.save()
    return position.version


def current_position(session_id):
    return (
        SlidePosition.objects.select_related("deck__document")
        .filter(session_id=session_id)
        .first()
    )


def describe_deck(deck):
    """Return the ``deck`` object of ``slide`` messages and events."""
    if deck is None:
        return None
    return {
        "id": deck.pk,
        "title": deck.title,
        "source": deck.source,
        "pages": deck.page_count,
        "hash": deck.file_hash[:16],
    }


def image_url(session_id, deck, page):
    """Return the URL of a page image, which changes with the file's hash."""
    if deck is None:
        return None
    url = reverse("live:slide_image", args=[session_id, deck["id"], page])
    return f"{url}?v={deck['hash']}"


def slide_message(session_id, seq, sender, payload):
    """Build the ``slide`` message of a logged slide event."""
    deck = payload.get("deck")
    page = payload.get("page") if deck else None
    return protocol.slide(
        seq,
        sender,
        payload.get("version", 0),
        deck,
        page,
        image_url(session_id, deck, page),
    )


def snapshot(session_id):
    """Return the ``slide`` message of the current slide, or ``None``."""
    position = current_position(session_id)
    if position is None or position.deck is None:
        return None
    deck = describe_deck(position.deck)
    return protocol.slide(
        None,
        None,
        position.version,
        deck,
        position.page,
        image_url(session_id, deck, position.page),
    )


# The steps of the consumer's slide messages. Each returns the payload of
# the event to log.


async def show(session_id, user, source, document_id, page):
    """Show ``page`` of a document and return the event payload."""
    document, title = await database_sync_to_async(find_document)(
        user, session_id, source, document_id
    )
    known = await database_sync_to_async(
        SlideDeck.objects.filter(
            session_id=session_id, source=source, document=document
        ).first
    )()
    known_hash = known.file_hash if known else None
    file_hash, page_count = await asyncio.to_thread(
        prepare_file, document, title, page, known_hash
    )
    deck = await database_sync_to_async(save_deck)(
        session_id, user, source, document, title, file_hash, page_count
    )
    if page > deck.page_count:
        raise ProtocolError(
            ErrorCode.PAGE_OUT_OF_RANGE, page=page, count=deck.page_count
        )
    version = await database_sync_to_async(move_to)(session_id, deck, page)
    logger.info(
        "live slide shown session=%s deck=%s document=%s source=%s by=%s",
        session_id,
        deck.pk,
        document.pk,
        source,
        user.pk,
    )
    return {"deck": describe_deck(deck), "page": page, "version": version}


async def turn(session_id, page):
    """Show another page of the current deck and return the event payload."""
    position = await database_sync_to_async(current_position)(session_id)
    if position is None or position.deck is None:
        raise ProtocolError(ErrorCode.NO_SLIDES)
    deck = position.deck
    if page > deck.page_count:
        raise ProtocolError(
            ErrorCode.PAGE_OUT_OF_RANGE, page=page, count=deck.page_count
        )
    await asyncio.to_thread(ensure_image, deck, page)
    version = await database_sync_to_async(move_to)(session_id, deck, page)
    return {"deck": describe_deck(deck), "page": page, "version": version}


async def stop(session_id):
    """Stop showing slides and return the event payload."""
    version = await database_sync_to_async(move_to)(session_id, None, None)
    return {"deck": None, "page": None, "version": version}
