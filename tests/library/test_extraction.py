"""The extraction task, its worker process and the worker's limits."""

import sys
import time
import zlib

import pytest
from django.core.files.base import ContentFile

from library import extract_worker, extraction, filetypes
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemFile, LibraryItemPage
from library.uploads import ItemMetadata, create_item

pytestmark = pytest.mark.django_db

Status = ItemFile.ExtractionStatus
Error = ItemFile.ExtractionError


def add_pdf(library, owner, content, name="berkas.pdf"):
    """Create an item whose extraction has not run yet."""
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
        ContentFile(content, name=name),
        user=owner,
        content_type=filetypes.PDF,
        publish=True,
    )


def flate_bomb_pdf(inflated_size):
    """Return a PDF whose one content stream inflates to ``inflated_size`` bytes."""
    compressor = zlib.compressobj(1)
    chunk = b" " * (1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(inflated_size // len(chunk))]
    stream = b"".join([*parts, compressor.flush()])
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(output)
    output += b"xref\n0 6\n0000000000 65535 f \n"
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(output)


def test_demo_pdf_is_extracted(library, teacher):
    item_file = add_pdf(
        library, teacher, minimal_pdf("Judul", ["Kata gerhana (bulan)."])
    )

    status = extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert status == Status.DONE
    assert item_file.extraction_status == Status.DONE
    assert item_file.page_count == 1
    assert "Kata gerhana (bulan)." in item_file.extracted_text
    assert "gerhana" in LibraryItemPage.objects.get().full_text


def test_timeout_marks_file_failed(library, teacher, corpus_dir, settings):
    settings.LIBRARY_EXTRACT_TIMEOUT = 0.2
    item_file = add_pdf(
        library, teacher, (corpus_dir / "pdf/tracemonkey.pdf").read_bytes()
    )

    started = time.monotonic()
    extraction.extract_item_file(item_file.pk)
    elapsed = time.monotonic() - started

    item_file.refresh_from_db()
    assert elapsed < 10
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.TIMEOUT
    assert "0.2 seconds" in item_file.extraction_message
    assert item_file.extracted_at is not None


def test_memory_limit_marks_file_failed(library, teacher, settings):
    settings.LIBRARY_EXTRACT_MEMORY = 256 * 1024 * 1024
    # The content stream inflates to 512 MiB: twice the worker's limit.
    item_file = add_pdf(library, teacher, flate_bomb_pdf(512 * 1024 * 1024))

    started = time.monotonic()
    extraction.extract_item_file(item_file.pk)
    elapsed = time.monotonic() - started

    item_file.refresh_from_db()
    assert elapsed < settings.LIBRARY_EXTRACT_TIMEOUT
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.MEMORY
    assert str(256 * 1024 * 1024) in item_file.extraction_message


def test_crashed_worker_marks_file_failed(library, teacher, monkeypatch):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Teks."]))
    monkeypatch.setattr(
        extraction,
        "worker_command",
        lambda path, content_type: [sys.executable, "-c", "raise SystemExit(7)"],
    )

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.CRASHED
    assert "Exit status 7" in item_file.extraction_message


def test_garbage_output_marks_file_failed(library, teacher, monkeypatch):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Teks."]))
    monkeypatch.setattr(
        extraction,
        "worker_command",
        lambda path, content_type: [sys.executable, "-c", "print('bukan json')"],
    )

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.CRASHED


def test_status_is_running_during_extraction(library, teacher, monkeypatch):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Teks."]))
    seen = []
    real_run_worker = extraction.run_worker

    def spy(path, content_type):
        seen.append(ItemFile.objects.get(pk=item_file.pk).extraction_status)
        return real_run_worker(path, content_type)

    monkeypatch.setattr(extraction, "run_worker", spy)

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert seen == [Status.RUNNING]
    assert item_file.extraction_status == Status.DONE


def test_unexpected_error_still_sets_final_status(library, teacher, monkeypatch):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Teks."]))

    def explode(path, content_type):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(extraction, "run_worker", explode)

    status = extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert status == Status.FAILED
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.CRASHED


def test_missing_stored_file_marks_failed(library, teacher):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Teks."]))
    item_file.document.file.storage.delete(item_file.document.file.name)

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert item_file.extraction_status == Status.FAILED
    assert item_file.extraction_error == Error.MISSING_FILE


def test_unknown_item_file_is_skipped(db):
    assert extraction.extract_item_file(987654) is None


def test_publishing_old_revision_keeps_text(library, teacher):
    item_file = add_pdf(library, teacher, minimal_pdf("Judul", ["Kata komodo."]))
    extraction.extract_item_file(item_file.pk)
    item = LibraryItemPage.objects.get()

    # The only revision was saved before extraction, with no text.
    item.get_latest_revision().publish()

    item.refresh_from_db()
    assert "komodo" in item.full_text
    assert list(LibraryItemPage.objects.live().search("komodo")) == [item]


def test_worker_environment_has_no_secrets(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "rahasia")
    monkeypatch.setenv("SECRET_KEY", "rahasia")

    environment = extraction.worker_environment()

    assert "rahasia" not in environment.values()


def test_text_cut_at_limit(library, teacher, settings):
    settings.LIBRARY_FULL_TEXT_MAX_CHARS = 20
    item_file = add_pdf(
        library, teacher, minimal_pdf("Judul", ["Kalimat yang panjang sekali."])
    )

    extraction.extract_item_file(item_file.pk)

    item_file.refresh_from_db()
    assert len(item_file.extracted_text) == 20
    # The cut is the platform's limit, not damage in the file.
    assert item_file.extraction_status == Status.DONE
    assert "cut to its first 20 characters" in item_file.extraction_message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("e\ufb03cient", "efficient"),
        ("a\x00b\x07c", "abc"),
        ("halaman 1\x0chalaman 2", "halaman 1\nhalaman 2"),
        ("  banyak    spasi  \n\n\n\n baris ", "banyak spasi\n\nbaris"),
        ("\ufe8d\ufedf\ufecc\ufeae\ufe91\ufef4\ufe94", "العربية"),
    ],
)
def test_normalise_text(raw, expected):
    assert extract_worker.normalise_text(raw) == expected


def test_worker_reports_unknown_content_type(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"data")

    outcome = extract_worker.extract(str(path), "application/zip", 1000)

    assert outcome["status"] == extract_worker.FAILED
    assert outcome["error"] == extract_worker.ERROR_UNREADABLE


def test_worker_reads_cp1252_text(tmp_path):
    path = tmp_path / "catatan.txt"
    path.write_bytes("Caf\u00e9 di Depok".encode("cp1252"))

    outcome = extract_worker.extract(str(path), filetypes.PLAIN_TEXT, 1000)

    assert outcome["text"] == "Café di Depok"
    assert outcome["status"] == extract_worker.RECOVERED_WITH_WARNINGS
    assert outcome["warnings"] == [
        "The file is not valid UTF-8; it was read as Windows-1252."
    ]


def test_worker_rejects_broken_epub(tmp_path):
    path = tmp_path / "buku.epub"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)

    outcome = extract_worker.extract(str(path), filetypes.EPUB, 1000)

    assert outcome["status"] == extract_worker.FAILED
    assert outcome["error"] == extract_worker.ERROR_UNREADABLE
