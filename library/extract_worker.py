"""
Extract the text of one uploaded file in a separate, limited process.

Run as::

    python -m library.extract_worker --content-type TYPE --memory-limit BYTES \
        [--max-chars N] [--time-limit SECONDS] PATH

The worker caps its own address space (``RLIMIT_AS``) before it imports any
parser, and prints one JSON object on stdout::

    {"status": "done", "text": "...", "page_count": 3, "warnings": [],
     "error": "", "detail": ""}

``status`` is one of the ``ItemFile.ExtractionStatus`` values and ``error``
one of the ``ItemFile.ExtractionError`` values (or empty). The parent process
enforces the wall-time limit by killing the worker. When memory runs out the
worker exits with ``EXIT_MEMORY``.

The module imports nothing from Django: parsing untrusted files happens apart
from the settings, the database and the storage credentials.
"""

import argparse
import codecs
import io
import json
import logging
import os
import posixpath
import re
import resource
import signal
import sys
import unicodedata
import warnings
import zlib
from html.parser import HTMLParser
from urllib.parse import unquote

from library.filetypes import EPUB, PDF, PLAIN_TEXT

DONE = "done"
RECOVERED_WITH_WARNINGS = "recovered_with_warnings"
PASSWORD_PROTECTED = "password_protected"  # noqa: S105 - a status, not a secret
NO_TEXT_LAYER = "no_text_layer"
FAILED = "failed"
STATUSES = {DONE, RECOVERED_WITH_WARNINGS, PASSWORD_PROTECTED, NO_TEXT_LAYER, FAILED}

ERROR_MEMORY = "memory"
ERROR_UNREADABLE = "unreadable"
ERROR_NO_TEXT = "no_text"

EXIT_MEMORY = 3

MAX_WARNINGS = 20
MAX_WARNING_LENGTH = 300
# Readers such as Acrobat look for the %%EOF marker only in the last 1024
# bytes of a file. A file with more data after the marker is damaged or
# padded.
EOF_SEARCH_WINDOW = 1024
# Largest EPUB member (one chapter, the package file) that is read, in bytes.
MAX_EPUB_MEMBER_SIZE = 50 * 1024 * 1024
# Most bytes that all members of one EPUB may inflate to together.
MAX_EPUB_TOTAL_SIZE = 200 * 1024 * 1024
# Most members an EPUB may have. Reading the central directory of a larger
# archive alone would cost much time and memory.
MAX_EPUB_MEMBERS = 10_000
# Form XObjects nested deeper than this are not searched for images.
MAX_XOBJECT_DEPTH = 5


class WarningCollector(logging.Handler):
    """
    Collect the distinct warnings that the parsers log or raise.

    ``messages`` are signs of damage and make the status
    ``recovered_with_warnings``. ``notes`` are the platform's own limits,
    such as a cut text, which leave the status as it is. ``max_chars`` is
    the text length after which extractors may stop reading.
    """

    def __init__(self, max_chars=10_000_000):
        super().__init__(level=logging.WARNING)
        self.messages = []
        self.notes = []
        self.max_chars = max_chars

    def emit(self, record):
        self.add(record.getMessage())

    def add(self, message):
        message = " ".join(str(message).split())[:MAX_WARNING_LENGTH]
        if message and message not in self.messages:
            if len(self.messages) < MAX_WARNINGS:
                self.messages.append(message)


def result(status, text="", page_count=None, error="", detail=""):
    return {
        "status": status,
        "text": text,
        "page_count": page_count,
        "warnings": [],
        "error": error,
        "detail": detail,
    }


def normalise_text(text):
    """
    Normalise extracted text for storage and search.

    NFKC folds ligatures (the "fi" glyph becomes "fi") and Arabic
    presentation forms into plain letters. Control characters other than
    newline and tab are dropped (PostgreSQL rejects NUL in text), as are
    lone surrogates, which cannot be encoded. Form feeds between pages
    become newlines and runs of blank space shrink.
    """
    text = unicodedata.normalize("NFKC", text).replace("\x0c", "\n")
    text = "".join(
        char
        for char in text
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# PDF


def check_eof_marker(path, collector):
    """Warn when the %%EOF marker is missing from the end of the file."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - EOF_SEARCH_WINDOW))
        tail = handle.read()
    if b"%%EOF" not in tail:
        collector.add(
            f"No %%EOF marker in the last {EOF_SEARCH_WINDOW} bytes: the file "
            "is damaged or has extra data after its end."
        )


def flate_error(raw):
    """Return why a Flate stream is damaged, or ``None`` when it is intact."""
    decompressor = zlib.decompressobj()
    data = raw
    try:
        while data:
            # Cap each step's output so that a huge stream needs little memory.
            decompressor.decompress(data, 1024 * 1024)
            data = decompressor.unconsumed_tail
    except zlib.error as error:
        return str(error)
    return None if decompressor.eof else "the compressed data ends early"


def check_content_streams(page, number, collector):
    """
    Warn about damaged Flate content streams of a page.

    pypdf 7 silently repairs some broken streams (it drops up to eight
    trailing bytes until zlib accepts the rest), so the raw bytes are checked
    here to report the damage.
    """
    from pypdf.generic import ArrayObject

    contents = page.get("/Contents")
    if contents is None:
        return
    contents = contents.get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    for stream in streams:
        stream = stream.get_object()
        filters = stream.get("/Filter")
        if isinstance(filters, list):
            filters = filters[0] if filters else None
        # The encoded bytes of a stream have no public accessor in pypdf.
        raw = getattr(stream, "_data", None)
        if filters != "/FlateDecode" or not isinstance(raw, bytes):
            continue
        problem = flate_error(raw)
        if problem:
            collector.add(f"Page {number}: damaged content stream ({problem}).")


def page_resources(page):
    """Return whether a page's resources include fonts, and whether images."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return False, False
    has_fonts = bool(resources.get("/Font"))
    return has_fonts, _has_images(resources, depth=0)


def _has_images(resources, depth):
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not xobjects or depth > MAX_XOBJECT_DEPTH:
        return False
    for reference in xobjects.values():
        xobject = reference.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            return True
        if subtype == "/Form":
            nested = xobject.get("/Resources")
            if nested is not None and _has_images(nested.get_object(), depth + 1):
                return True
    return False


def extract_pdf(path, collector):
    """Extract a PDF's text with pypdf, falling back to pdfminer.six."""
    from pypdf import PasswordType, PdfReader

    check_eof_marker(path, collector)
    texts = []
    page_count = None
    has_fonts = has_images = False
    pypdf_failed = False
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return result(PASSWORD_PROTECTED)
        page_count = len(reader.pages)
        length = 0
        for number, page in enumerate(reader.pages, start=1):
            fonts, images = page_resources(page)
            has_fonts = has_fonts or fonts
            has_images = has_images or images
            check_content_streams(page, number, collector)
            texts.append(page.extract_text() or "")
            length += len(texts[-1])
            if length >= collector.max_chars and number < page_count:
                collector.notes.append(
                    f"Stopped reading after page {number} of {page_count}: "
                    f"the text limit of {collector.max_chars} characters was "
                    "reached."
                )
                break
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001
        # Broken files make pypdf raise almost any exception type; each one
        # is a parser error to report before trying the second parser.
        collector.add(f"pypdf: {type(error).__name__}: {error}")
        pypdf_failed = True

    text = normalise_text("\n".join(texts))
    if pypdf_failed or (not text and has_fonts):
        fallback = extract_pdf_with_pdfminer(path, collector)
        if fallback["status"] == PASSWORD_PROTECTED:
            return fallback
        if fallback["text"]:
            text = fallback["text"]
        page_count = page_count or fallback["page_count"]
        has_images = has_images or fallback["has_images"]

    if text:
        status = RECOVERED_WITH_WARNINGS if collector.messages else DONE
        return result(status, text=text, page_count=page_count)
    if has_images:
        return result(NO_TEXT_LAYER, page_count=page_count)
    if pypdf_failed and page_count is None:
        return result(
            FAILED,
            page_count=page_count,
            error=ERROR_UNREADABLE,
            detail="Neither pypdf nor pdfminer.six could read the file.",
        )
    return result(FAILED, page_count=page_count, error=ERROR_NO_TEXT)


def extract_pdf_with_pdfminer(path, collector):
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import PDFStream, resolve1
    from pdfminer.psparser import LIT

    image = LIT("Image")

    output = io.StringIO()
    page_count = 0
    has_images = False
    manager = PDFResourceManager()
    device = TextConverter(manager, output, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    try:
        with open(path, "rb") as handle:
            for page in PDFPage.get_pages(handle, password=""):
                interpreter.process_page(page)
                page_count += 1
                xobjects = resolve1((page.resources or {}).get("XObject")) or {}
                for reference in xobjects.values():
                    xobject = resolve1(reference)
                    if isinstance(xobject, PDFStream) and (
                        xobject.get("Subtype") is image
                    ):
                        has_images = True
    except PDFPasswordIncorrect:
        return {**result(PASSWORD_PROTECTED), "has_images": False}
    except MemoryError:
        raise
    except Exception as error:  # noqa: BLE001
        # As with pypdf, any exception type means the file is broken.
        collector.add(f"pdfminer.six: {type(error).__name__}: {error}")
    finally:
        device.close()
    text = normalise_text(output.getvalue())
    return {
        **result(DONE, text=text, page_count=page_count or None),
        "has_images": has_images,
    }


# Plain text and EPUB


def extract_plain_text(path, collector):
    """
    Decode a text file as UTF-8, or as Windows-1252 when it is not UTF-8.

    Only the first bytes that can hold ``max_chars`` characters are read (a
    UTF-8 character has at most four bytes), so a huge file costs no more
    memory than the text that is kept.
    """
    limit = 4 * collector.max_chars
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    truncated = len(data) > limit
    data = data[:limit]
    try:
        # Not final when cut: a multi-byte character split by the cut is
        # dropped instead of being taken for invalid UTF-8.
        decoder = codecs.getincrementaldecoder("utf-8-sig")()
        text = decoder.decode(data, final=not truncated)
    except UnicodeDecodeError:
        collector.add("The file is not valid UTF-8; it was read as Windows-1252.")
        text = data.decode("cp1252", errors="replace")
    if truncated:
        collector.notes.append(f"Only the first {limit} bytes of the file were read.")
    text = normalise_text(text)
    if not text:
        return result(FAILED, error=ERROR_NO_TEXT)
    status = RECOVERED_WITH_WARNINGS if collector.messages else DONE
    return result(status, text=text)


class HTMLTextParser(HTMLParser):
    """Collect the text of an XHTML document, one line per block element."""

    SKIPPED = {"script", "style", "head", "title"}
    BLOCKS = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "blockquote",
        "pre",
        "td",
        "th",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self):
        return "".join(self.parts)


class EPUBError(ValueError):
    """An EPUB that cannot be read as a whole, with the reason in its message."""


def read_epub_member(archive, name, budget):
    """
    Return the bytes of member ``name``, counting them against ``budget``.

    A zip member's declared size can lie, so at most ``MAX_EPUB_MEMBER_SIZE``
    bytes are inflated whatever it declares. ``budget`` is a one-item list
    of the bytes that all members may still inflate to together.
    """
    info = archive.getinfo(name)
    if info.file_size > MAX_EPUB_MEMBER_SIZE:
        raise ValueError(f"it is larger than {MAX_EPUB_MEMBER_SIZE} bytes")
    with archive.open(info) as member:
        data = member.read(MAX_EPUB_MEMBER_SIZE + 1)
    if len(data) > MAX_EPUB_MEMBER_SIZE:
        raise ValueError(
            f"it inflates to more than {MAX_EPUB_MEMBER_SIZE} bytes, "
            f"although it declares {info.file_size}"
        )
    budget[0] -= len(data)
    if budget[0] < 0:
        raise EPUBError(
            f"The archive inflates to more than {MAX_EPUB_TOTAL_SIZE} bytes "
            "in all (a zip bomb?)."
        )
    return data


def epub_member_name(base, href):
    """
    Return the archive name that ``href`` (relative to ``base``) points at.

    Return ``None`` for a reference that leaves the archive's root, such as
    ``../../etc/passwd`` or an absolute path: nothing is read from disk, but
    such a reference is not a chapter either.
    """
    name = posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))
    if name.startswith(("/", "../")) or name == "..":
        return None
    return name


def epub_package(archive, budget):
    """Return the package document's path and its parsed XML tree."""
    from defusedxml import ElementTree

    container_ns = "{urn:oasis:names:tc:opendocument:xmlns:container}"
    try:
        container_data = read_epub_member(archive, "META-INF/container.xml", budget)
    except KeyError as error:
        raise EPUBError("META-INF/container.xml is missing.") from error
    container = ElementTree.fromstring(container_data)
    rootfile = container.find(f".//{container_ns}rootfile")
    package_path = rootfile.get("full-path") if rootfile is not None else None
    if not package_path:
        raise EPUBError("META-INF/container.xml names no package file.")
    try:
        package_data = read_epub_member(archive, package_path, budget)
    except KeyError as error:
        raise EPUBError(f"The package file {package_path!r} is missing.") from error
    return package_path, ElementTree.fromstring(package_data)


def extract_epub(path, collector):
    """
    Extract the text of an EPUB's reading order (its spine).

    The archive is read with bounds: at most ``MAX_EPUB_MEMBERS`` members,
    ``MAX_EPUB_MEMBER_SIZE`` bytes per member and ``MAX_EPUB_TOTAL_SIZE``
    bytes inflated in all, and reading stops once the text reaches
    ``collector.max_chars``. A damaged or missing chapter is skipped with a
    warning. An archive that breaks a bound or lacks its package file fails.
    """
    import zipfile

    opf_ns = {"opf": "http://www.idpf.org/2007/opf"}
    texts = []
    length = 0
    budget = [MAX_EPUB_TOTAL_SIZE]
    try:
        with zipfile.ZipFile(path) as archive:
            if len(archive.infolist()) > MAX_EPUB_MEMBERS:
                raise EPUBError(
                    f"The archive has more than {MAX_EPUB_MEMBERS} members."
                )
            package_path, package = epub_package(archive, budget)
            manifest = {
                item.get("id"): item.get("href")
                for item in package.iterfind("opf:manifest/opf:item", opf_ns)
            }
            base = posixpath.dirname(package_path)
            spine = list(package.iterfind("opf:spine/opf:itemref", opf_ns))
            for position, itemref in enumerate(spine, start=1):
                href = manifest.get(itemref.get("idref"))
                if not href:
                    collector.add(f"Spine entry {itemref.get('idref')!r} is missing.")
                    continue
                name = epub_member_name(base, href)
                if name is None:
                    collector.add(
                        f"Chapter {href!r} skipped: it points outside the archive."
                    )
                    continue
                try:
                    content = read_epub_member(archive, name, budget)
                except (KeyError, ValueError, zipfile.BadZipFile, zlib.error) as error:
                    if isinstance(error, EPUBError):
                        raise
                    collector.add(f"Chapter {name!r} skipped: {error}")
                    continue
                parser = HTMLTextParser()
                parser.feed(content.decode("utf-8", errors="replace"))
                parser.close()
                texts.append(parser.text())
                length += len(texts[-1])
                if length >= collector.max_chars and position < len(spine):
                    collector.notes.append(
                        f"Stopped reading after chapter {position} of {len(spine)}: "
                        f"the text limit of {collector.max_chars} characters was "
                        "reached."
                    )
                    break
    except MemoryError:
        raise
    except EPUBError as error:
        return result(FAILED, error=ERROR_UNREADABLE, detail=f"Invalid EPUB: {error}")
    except Exception as error:  # noqa: BLE001
        # zipfile and the XML parser raise many types on a broken archive.
        return result(
            FAILED,
            error=ERROR_UNREADABLE,
            detail=f"Invalid EPUB: {type(error).__name__}: {error}",
        )
    text = normalise_text("\n\n".join(texts))
    if not text:
        return result(FAILED, error=ERROR_NO_TEXT)
    status = RECOVERED_WITH_WARNINGS if collector.messages else DONE
    return result(status, text=text)


EXTRACTORS = {PDF: extract_pdf, EPUB: extract_epub, PLAIN_TEXT: extract_plain_text}


def extract(path, content_type, max_chars):
    """Extract the text of ``path``, collecting the parsers' warnings."""
    extractor = EXTRACTORS.get(content_type)
    if extractor is None:
        return result(
            FAILED,
            error=ERROR_UNREADABLE,
            detail=f"No text extractor for content type {content_type!r}.",
        )
    collector = WarningCollector(max_chars)
    root = logging.getLogger()
    root.addHandler(collector)
    root.setLevel(logging.WARNING)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = extractor(path, collector)
    for warning in caught:
        if not issubclass(
            warning.category, DeprecationWarning | PendingDeprecationWarning
        ):
            collector.add(str(warning.message))
    if len(outcome["text"]) > max_chars:
        outcome["text"] = outcome["text"][:max_chars]
        collector.notes.append(f"The text was cut to its first {max_chars} characters.")
    outcome["warnings"] = [*collector.messages, *collector.notes]
    return outcome


def limit_memory(limit):
    """Cap this process's address space at ``limit`` bytes (soft and hard)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def write_output(outcome):
    sys.stdout.buffer.write(json.dumps(outcome).encode("ascii"))
    sys.stdout.buffer.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="File to read.")
    parser.add_argument("--content-type", required=True, help="MIME type of PATH.")
    parser.add_argument(
        "--memory-limit",
        type=int,
        required=True,
        help="Address-space limit of this process, in bytes.",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=10_000_000,
        help="Maximum length of the returned text, in characters.",
    )
    parser.add_argument(
        "--time-limit",
        type=int,
        default=0,
        help=(
            "Wall time after which the process kills itself with SIGALRM, in "
            "seconds (0: no limit). The parent normally stops it earlier."
        ),
    )
    arguments = parser.parse_args(argv)
    if arguments.time_limit > 0:
        # SIGALRM's default action ends the process, even when the parent
        # that would have killed it at its own timeout has died.
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(arguments.time_limit)
    limit_memory(arguments.memory_limit)
    try:
        outcome = extract(arguments.path, arguments.content_type, arguments.max_chars)
    except MemoryError:
        outcome = None
    if outcome is None:
        try:
            write_output(
                result(
                    FAILED,
                    error=ERROR_MEMORY,
                    detail=f"Memory limit of {arguments.memory_limit} bytes reached.",
                )
            )
        finally:
            os._exit(EXIT_MEMORY)
    write_output(outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
