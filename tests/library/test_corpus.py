"""
Real PDFs of the shared corpus, uploaded through the view and searched.

Each file goes through a multipart POST by a logged-in teacher. The
extraction task runs on the immediate backend when the upload commits.
A file with a text layer must then be found by a word of its own text,
which the test chose after reading that text.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from library.models import ItemFile, LibraryItemPage

from .conftest import upload_data

pytestmark = pytest.mark.django_db

Status = ItemFile.ExtractionStatus

# (file, expected status, a word of its own text, pages reported by pypdf)
CORPUS = [
    ("crazyones.pdf", Status.DONE, "troublemakers", 1),
    ("tracemonkey.pdf", Status.DONE, "TraceMonkey", 14),
    ("guntur-skripsi-ugm-2013.pdf", Status.DONE, "nirkabel", 63),
    ("Seige_of_Vicksburg_Sample_OCR.pdf", Status.DONE, "Johnston", 6),
    # Encrypted with an empty user password: opened, and the "fi" ligature
    # of "misfits" is folded by NFKC.
    ("owner-password-only.pdf", Status.DONE, "misfits", 1),
    ("multilang.pdf", Status.DONE, "Привет", 1),
    # Arabic presentation forms become plain Arabic letters under NFKC.
    ("ArabicCIDTrueType.pdf", Status.DONE, "العربية", 1),
    # A corrupted Flate content stream.
    ("zen_of_python_corrupted.pdf", Status.RECOVERED_WITH_WARNINGS, "Readability", 1),
    # Kilobytes of garbage after %%EOF.
    ("scan-bad.pdf", Status.RECOVERED_WITH_WARNINGS, "pdf.js", 1),
    # The "xref" keyword is missing.
    ("xref_command_missing.pdf", Status.RECOVERED_WITH_WARNINGS, "Reduced", 1),
    ("libreoffice-writer-password.pdf", Status.PASSWORD_PROTECTED, None, None),
    ("issue6010_1.pdf", Status.PASSWORD_PROTECTED, None, None),
    ("scanned-skripsi-image-only.pdf", Status.NO_TEXT_LAYER, None, 2),
]


def upload_corpus_file(path, library, user, upload):
    pdf = SimpleUploadedFile(
        path.name, path.read_bytes(), content_type="application/pdf"
    )
    started = time.monotonic()
    response = upload(user, upload_data(library, pdf, title="Unggahan korpus"))
    return response, time.monotonic() - started


@pytest.mark.parametrize(
    ("name", "status", "word", "pages"),
    CORPUS,
    ids=[row[0] for row in CORPUS],
)
def test_corpus_pdf_is_stored_and_found(
    corpus_dir, library, teacher, upload, client, settings, name, status, word, pages
):
    path = corpus_dir / "pdf" / name

    response, elapsed = upload_corpus_file(path, library, teacher, upload)

    assert response.status_code == 302
    assert elapsed < settings.LIBRARY_EXTRACT_TIMEOUT
    item_file = ItemFile.objects.get()
    item = LibraryItemPage.objects.get()
    assert item.live
    assert item_file.size == path.stat().st_size
    assert item_file.document.file.read() == path.read_bytes()
    assert item_file.extraction_status == status, item_file.extraction_message
    assert item_file.extracted_at is not None
    assert item_file.page_count == pages
    if status == Status.RECOVERED_WITH_WARNINGS:
        assert item_file.extraction_message
    if word is None:
        assert item_file.extracted_text == ""
        assert item.full_text == ""
        return

    assert word.casefold() in item.full_text.casefold()
    found = client.get(reverse("library:search"), {"q": word})
    assert found.status_code == 200
    results = found.context["results"]
    assert [result.pk for result in results.object_list] == [item.pk]
    assert "<mark>" in str(results.object_list[0].snippet)


@pytest.mark.parametrize("name", ["scanned-skripsi-image-only.pdf", "issue6010_1.pdf"])
def test_corpus_file_without_text_shows_status(
    corpus_dir, library, teacher, upload, client, name
):
    upload_corpus_file(corpus_dir / "pdf" / name, library, teacher, upload)

    item = LibraryItemPage.objects.get()
    page = client.get(item.url).content.decode()
    item_file = ItemFile.objects.get()
    assert item_file.get_extraction_status_display() in page
    assert reverse("library:download", args=[item_file.pk]) in page
