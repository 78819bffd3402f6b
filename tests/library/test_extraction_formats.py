"""
Plain text, EPUB and very large files in the extraction worker.

EPUBs are built here with the standard zipfile module. The hostile ones
(oversized members, zip bombs, references outside the archive, too many
members, damaged chapters) must end in a clear status, never a crash or a
hang.
"""

import time
import zipfile

import pytest
from django.core.files.base import ContentFile

from library import extract_worker, extraction, filetypes
from library.models import AccessLevel, ItemFile
from library.uploads import ItemMetadata, create_item

Status = ItemFile.ExtractionStatus
Error = ItemFile.ExtractionError

CONTAINER = b"""<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf"
              media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def chapter(title, body):
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title>'
        f"<style>p {{ color: red }}</style></head>"
        f"<body><h1>{title}</h1><p>{body}</p>"
        f"<script>var hidden = 1;</script></body></html>"
    ).encode()


def package(hrefs):
    manifest = "".join(
        f'<item id="c{number}" href="{href}" media-type="application/xhtml+xml"/>'
        for number, href in enumerate(hrefs)
    )
    spine = "".join(f'<itemref idref="c{number}"/>' for number in range(len(hrefs)))
    return (
        '<?xml version="1.0"?>'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        f"<manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    ).encode()


def build_epub(path, chapters, *, spine=None, extra=(), container=CONTAINER):
    """
    Write an EPUB to ``path`` and return ``path``.

    ``chapters`` maps names under OEBPS/ to their bytes. ``spine`` lists the
    hrefs in reading order (default: the chapter names). ``extra`` contains
    further (name, bytes) members.
    """
    with zipfile.ZipFile(path, "w") as archive:
        # The mimetype member comes first and uncompressed (EPUB OCF 3).
        archive.writestr("mimetype", filetypes.EPUB, compress_type=zipfile.ZIP_STORED)
        if container is not None:
            archive.writestr("META-INF/container.xml", container)
        archive.writestr(
            "OEBPS/content.opf", package(spine if spine else list(chapters))
        )
        for name, content in chapters.items():
            archive.writestr(
                f"OEBPS/{name}", content, compress_type=zipfile.ZIP_DEFLATED
            )
        for name, content in extra:
            archive.writestr(name, content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def many_page_pdf(pages, words_per_page=40):
    """Return a valid PDF of ``pages`` pages, each with a line of words."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    kids = []

    for page in range(pages):
        page_number, content_number = 4 + 2 * page, 5 + 2 * page
        text = " ".join(f"kata{page}x{word}" for word in range(words_per_page))
        stream = f"BT /F1 8 Tf 20 800 Td ({text}) Tj ET".encode()
        objects[page_number] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % content_number
        )
        objects[content_number] = (
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        )
        kids.append(b"%d 0 R" % page_number)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(kids),
        pages,
    )

    output = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(output)
        output += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"

    xref = len(output)
    size = max(objects) + 1
    output += b"xref\n0 %d\n0000000000 65535 f \n" % size
    output += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        xref,
    )
    return bytes(output)


def add_file(library, owner, content, name, content_type):
    metadata = ItemMetadata(
        title="Berkas uji",
        item_type="ebook",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.PUBLIC,
        creators=[("Penulis", "")],
    )
    return create_item(
        library,
        metadata,
        ContentFile(content, name=name),
        user=owner,
        content_type=content_type,
        publish=True,
    )


# EPUB


@pytest.mark.django_db
def test_epub_extracted_in_spine_order(library, teacher, tmp_path):
    path = build_epub(
        tmp_path / "buku.epub",
        {
            "b.xhtml": chapter("Bab Dua", "Komodo hidup di Nusa Tenggara."),
            "a.xhtml": chapter("Bab Satu", "Gerhana bulan &amp; matahari."),
        },
        spine=["a.xhtml", "b.xhtml"],
    )
    content = path.read_bytes()
    assert filetypes.sniff(content[: filetypes.SNIFF_SIZE]) == filetypes.EPUB
    item_file = add_file(library, teacher, content, "buku.epub", filetypes.EPUB)

    status = extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    text = item_file.extracted_text
    assert status == Status.DONE
    assert item_file.extraction_message == ""
    assert text.index("Gerhana bulan & matahari.") < text.index("Komodo")
    assert "Bab Satu" in text
    assert "hidden" not in text
    assert "color" not in text
    assert "Komodo" in item_file.item.full_text


def test_zip_without_mimetype_is_not_epub(tmp_path):
    path = tmp_path / "arsip.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OEBPS/a.xhtml", chapter("Bab", "Teks."))

    assert filetypes.sniff(path.read_bytes()) is None


def test_epub_oversized_chapter_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(extract_worker, "MAX_EPUB_MEMBER_SIZE", 1024 * 1024)
    path = build_epub(
        tmp_path / "buku.epub",
        {
            "a.xhtml": chapter("Bab Satu", "Teks pertama."),
            "big.xhtml": chapter("Besar", "x " * (1024 * 1024)),
        },
    )

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 100_000)

    assert outcome["status"] == extract_worker.RECOVERED_WITH_WARNINGS
    assert "Teks pertama." in outcome["text"]
    assert (
        "'OEBPS/big.xhtml' skipped: it is larger than 1048576 bytes"
        in (outcome["warnings"][0])
    )


def test_epub_zip_bomb_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(extract_worker, "MAX_EPUB_TOTAL_SIZE", 3 * 1024 * 1024)
    zeros = b"<p>" + b"0" * (1024 * 1024) + b"</p>"
    path = build_epub(tmp_path / "bom.epub", {f"c{n}.xhtml": zeros for n in range(5)})
    # Five mebibytes of text compress to a few kilobytes.
    assert path.stat().st_size < 100 * 1024

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 10**9)

    assert outcome["status"] == extract_worker.FAILED
    assert outcome["error"] == extract_worker.ERROR_UNREADABLE
    assert outcome["text"] == ""
    assert outcome["detail"] == (
        "Invalid EPUB: The archive inflates to more than 3145728 bytes in all "
        "(a zip bomb?)."
    )


@pytest.mark.parametrize(
    "href",
    ["../../../etc/hostname", "/etc/hostname", "../..", "a/../../../x.xhtml"],
)
def test_epub_reference_outside_archive_skipped(tmp_path, href):
    path = build_epub(
        tmp_path / "buku.epub",
        {"a.xhtml": chapter("Bab Satu", "Teks aman.")},
        spine=["a.xhtml", href],
        # A member whose own name climbs out is never looked up.
        extra=[("../etc/hostname", b"rahasia")],
    )

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 100_000)

    assert outcome["status"] == extract_worker.RECOVERED_WITH_WARNINGS
    assert outcome["text"] == "Bab Satu\n\nTeks aman."
    assert outcome["warnings"] == [
        f"Chapter {href!r} skipped: it points outside the archive."
    ]


def test_epub_too_many_members_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(extract_worker, "MAX_EPUB_MEMBERS", 5)
    path = build_epub(
        tmp_path / "buku.epub",
        {f"c{n}.xhtml": chapter("Bab", "Teks.") for n in range(10)},
    )

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 100_000)

    assert outcome["status"] == extract_worker.FAILED
    assert outcome["error"] == extract_worker.ERROR_UNREADABLE
    assert outcome["detail"] == "Invalid EPUB: The archive has more than 5 members."


def test_epub_without_container_fails(tmp_path):
    path = build_epub(
        tmp_path / "buku.epub", {"a.xhtml": chapter("Bab", "Teks.")}, container=None
    )

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 100_000)

    assert outcome["status"] == extract_worker.FAILED
    assert outcome["error"] == extract_worker.ERROR_UNREADABLE
    assert outcome["detail"] == "Invalid EPUB: META-INF/container.xml is missing."


def test_epub_damaged_chapter_skipped(tmp_path):
    path = build_epub(
        tmp_path / "buku.epub",
        {
            "a.xhtml": chapter("Bab Satu", "Teks utuh."),
            "b.xhtml": chapter("Bab Dua", "Teks rusak " * 200),
        },
    )
    data = bytearray(path.read_bytes())
    # Flip bytes inside the compressed data of the second chapter.
    marker = data.index(b"OEBPS/b.xhtml") + len(b"OEBPS/b.xhtml")
    for offset in range(marker + 20, marker + 40):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 100_000)

    assert outcome["status"] == extract_worker.RECOVERED_WITH_WARNINGS
    assert "Teks utuh." in outcome["text"]
    assert "rusak" not in outcome["text"]
    assert outcome["warnings"][0].startswith("Chapter 'OEBPS/b.xhtml' skipped:")


def test_epub_reading_stops_at_text_limit(tmp_path):
    path = build_epub(
        tmp_path / "buku.epub",
        {f"c{n}.xhtml": chapter(f"Bab {n}", "kata " * 500) for n in range(50)},
    )

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 1000)

    assert outcome["status"] == extract_worker.DONE
    assert len(outcome["text"]) == 1000
    assert outcome["warnings"][0] == (
        "Stopped reading after chapter 1 of 50: the text limit of 1000 "
        "characters was reached."
    )


# Plain text and very large files


def test_large_text_file_read_up_to_limit(tmp_path):
    path = tmp_path / "besar.txt"
    # The cut at 4 x 1000 bytes falls inside a two-byte "é".
    path.write_bytes(b"a" * 3999 + "é".encode() + b"b" * (20 * 1024 * 1024))

    started = time.monotonic()
    outcome = extract_worker.extract(str(path), filetypes.PLAIN_TEXT, 1000)
    elapsed = time.monotonic() - started

    assert elapsed < 5
    assert outcome["status"] == extract_worker.DONE
    assert outcome["text"] == "a" * 1000
    assert outcome["warnings"] == [
        "Only the first 4000 bytes of the file were read.",
        "The text was cut to its first 1000 characters.",
    ]


def test_text_with_bom_is_utf8(tmp_path):
    path = tmp_path / "catatan.txt"
    path.write_bytes("\ufeffPerpustakaan Depok: Ø".encode())

    outcome = extract_worker.extract(str(path), filetypes.PLAIN_TEXT, 1000)

    assert outcome["status"] == extract_worker.DONE
    assert outcome["text"] == "Perpustakaan Depok: Ø"


@pytest.mark.django_db
def test_text_file_extracted_end_to_end(library, teacher):
    item_file = add_file(
        library,
        teacher,
        b"Catatan tentang angklung.\n",
        "catatan.txt",
        filetypes.PLAIN_TEXT,
    )

    status = extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert status == Status.DONE
    assert item_file.extracted_text == "Catatan tentang angklung."


@pytest.mark.django_db
def test_long_pdf_stops_at_text_limit(library, teacher, settings):
    settings.LIBRARY_FULL_TEXT_MAX_CHARS = 5000
    settings.LIBRARY_EXTRACT_TIMEOUT = 30
    content = many_page_pdf(3000)
    assert len(content) > 1024 * 1024
    item_file = add_file(library, teacher, content, "tebal.pdf", filetypes.PDF)

    started = time.monotonic()
    status = extraction.extract_item_file(item_file.pk)
    elapsed = time.monotonic() - started

    item_file.refresh_from_db()
    assert status == Status.DONE
    assert elapsed < 20
    assert item_file.page_count == 3000
    assert len(item_file.extracted_text) == 5000
    assert item_file.extracted_text.startswith("kata0x0 kata0x1")
    assert "Stopped reading after page" in item_file.extraction_message
    assert "of 3000: the text limit of 5000 characters" in (
        item_file.extraction_message
    )


@pytest.mark.django_db
def test_long_pdf_over_time_limit_fails(library, teacher, settings):
    # Without the text limit the same file takes longer than the time limit.
    settings.LIBRARY_FULL_TEXT_MAX_CHARS = 10**9
    settings.LIBRARY_EXTRACT_TIMEOUT = 1
    item_file = add_file(
        library, teacher, many_page_pdf(3000), "tebal.pdf", filetypes.PDF
    )

    started = time.monotonic()
    status = extraction.extract_item_file(item_file.pk)
    elapsed = time.monotonic() - started

    item_file.refresh_from_db()
    assert status == Status.FAILED
    assert elapsed < 10
    assert item_file.extraction_error == Error.TIMEOUT
    assert item_file.extraction_lease_until is None
