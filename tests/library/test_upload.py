"""Uploads: who may upload, what is stored, and what bad input leaves behind."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model

from library.forms import UploadForm
from library.models import ItemFile, LibraryItemPage
from lms.models import AuditLog, Membership

from .conftest import make_person, pdf_upload, upload_data

pytestmark = pytest.mark.django_db

Document = get_document_model()


def stored_files(settings):
    folder = settings.MEDIA_ROOT / "documents"
    return sorted(path.name for path in folder.rglob("*")) if folder.exists() else []


def assert_nothing_stored(settings):
    assert ItemFile.objects.count() == 0
    assert LibraryItemPage.objects.count() == 0
    assert Document.objects.count() == 0
    assert stored_files(settings) == []


def make_epub(chapter_text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/epub+zip",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        archive.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
            'version="3.0"><manifest><item id="c1" href="bab%201.xhtml" '
            'media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c1"/></spine></package>',
        )
        archive.writestr(
            "OEBPS/bab 1.xhtml",
            "<html><head><title>Judul</title><style>p{}</style></head><body>"
            f"<h1>Bab 1</h1><p>{chapter_text}</p><script>skrip()</script>"
            "</body></html>",
        )
    return buffer.getvalue()


def test_teacher_upload_publishes_item(library, teacher, upload, settings):
    response = upload(teacher, upload_data(library, pdf_upload()))

    item = LibraryItemPage.objects.get()
    assert response.status_code == 302
    assert response.url == item.url
    assert item.live
    assert item.owner == teacher
    assert item.school == library.school
    assert item.get_parent().pk == library.pk
    assert [creator.name for creator in item.creators.all()] == [
        "Siti Rahma",
        "Budi Santoso",
    ]
    assert item.creators.first().affiliation == "SMP Negeri 1"
    assert sorted(tag.name for tag in item.subjects.all()) == ["lingkungan", "sains"]
    item_file = ItemFile.objects.get()
    assert item_file.original_name == "contoh.pdf"
    assert item_file.content_type == "application/pdf"
    assert len(item_file.sha256) == 64
    assert item_file.document.collection.name.startswith(library.school.name)
    assert item_file.extraction_status == ItemFile.ExtractionStatus.DONE
    assert "Fotosintesis" in item.full_text
    assert len(stored_files(settings)) == 1
    assert AuditLog.objects.filter(action="library.upload", actor=teacher).exists()


def test_student_upload_stays_draft(library, student, upload, client):
    response = upload(student, upload_data(library, pdf_upload()))

    item = LibraryItemPage.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("library:my_uploads")
    assert not item.live
    assert item.has_unpublished_changes
    listing = client.get(reverse("library:my_uploads"))
    assert item.title in listing.content.decode()
    # A draft is not found by search, even by its uploader.
    found = client.get(reverse("library:search"), {"q": "Fotosintesis"})
    assert found.context["results"].paginator.count == 0


def test_second_collection_is_reused(library, teacher, upload):
    upload(teacher, upload_data(library, pdf_upload("satu.pdf")))
    upload(teacher, upload_data(library, pdf_upload("dua.pdf"), title="Karya dua"))

    documents = Document.objects.all()
    assert documents.count() == 2
    assert documents[0].collection_id == documents[1].collection_id


@pytest.mark.parametrize(
    ("name", "content", "detected"),
    [
        ("laporan.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "msdownload"),
        (
            "laporan.pdf",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "HTML",
        ),
        ("laporan.pdf", b"Hanya teks biasa, bukan PDF.", "plain-text"),
        ("buku.epub", b"%PDF-1.4 bukan epub", "PDF"),
        ("catatan.txt", b"\x00\x01\x02\x03binary", "unknown"),
    ],
)
def test_fake_file_is_rejected(
    library, teacher, upload, client, settings, name, content, detected
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fake = SimpleUploadedFile(name, content, content_type="application/pdf")

    response = upload(teacher, upload_data(library, fake))

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["file"]
    assert [error.code for error in errors] == ["content_mismatch"]
    assert detected in response.content.decode()
    assert_nothing_stored(settings)


def test_fake_pdf_error_is_translated(library, teacher, upload, settings, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    fake = SimpleUploadedFile("laporan.pdf", b"MZ\x90\x00" + b"\x00" * 100)

    response = upload(teacher, upload_data(library, fake))

    assert "bukan dokumen PDF yang asli" in response.content.decode()
    assert_nothing_stored(settings)


def test_unknown_extension_is_rejected(library, teacher, upload, settings):
    program = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100)

    response = upload(teacher, upload_data(library, program))

    errors = response.context["form"].errors.as_data()["file"]
    assert [error.code for error in errors] == ["unsupported_type"]
    assert_nothing_stored(settings)


def test_too_large_file_is_rejected(library, teacher, upload, settings):
    settings.LIBRARY_MAX_FILE_SIZE = 1000
    big = pdf_upload(words=["kata " * 400])

    response = upload(teacher, upload_data(library, big))

    form = response.context["form"]
    errors = form.errors.as_data()["file"]
    assert [error.code for error in errors] == ["file_too_large"]
    # The upload handler dropped the file while it arrived.
    assert form.oversized_name == "contoh.pdf"
    assert_nothing_stored(settings)


def test_form_checks_size_without_handler(library, teacher, settings):
    settings.LIBRARY_MAX_FILE_SIZE = 1000
    data = upload_data(library, None)
    big = pdf_upload(words=["kata " * 400])

    form = UploadForm(data, {"file": big}, user=teacher)

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["file"]] == ["file_too_large"]


def test_upload_checks_csrf_token(library, teacher, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)

    response = client.post(
        reverse("library:upload"), upload_data(library, pdf_upload())
    )

    assert response.status_code == 403
    assert_nothing_stored(settings)


def test_empty_file_is_rejected(library, teacher, upload, settings):
    empty = SimpleUploadedFile("kosong.pdf", b"")

    response = upload(teacher, upload_data(library, empty))

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert_nothing_stored(settings)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("creators", "  \n ", "required"),
        ("creators", "; Tanpa nama", "creator_name_missing"),
        ("issued", "2999-01-01", "issued_in_future"),
        ("item_type", "novel", "invalid_choice"),
        ("access_level", "people", "invalid_choice"),
        ("subjects", ",".join(f"topik {n}" for n in range(25)), "too_many_subjects"),
        ("title", "", "required"),
    ],
)
def test_invalid_metadata_is_rejected(
    library, teacher, upload, settings, field, value, code
):
    response = upload(teacher, upload_data(library, pdf_upload(), **{field: value}))

    errors = response.context["form"].errors.as_data()[field]
    assert [error.code for error in errors] == [code]
    assert_nothing_stored(settings)


def test_other_school_library_is_not_a_choice(
    library, other_library, teacher, upload, settings
):
    response = upload(teacher, upload_data(other_library, pdf_upload()))

    errors = response.context["form"].errors.as_data()["library"]
    assert [error.code for error in errors] == ["invalid_choice"]
    assert_nothing_stored(settings)


def test_anonymous_upload_is_rejected(library, upload, settings):
    response = upload(None, upload_data(library, pdf_upload()))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert_nothing_stored(settings)


def test_person_without_school_cannot_upload(library, upload, settings):
    parent = make_person("orang.tua")

    response = upload(parent, upload_data(library, pdf_upload()))

    assert response.status_code == 403
    assert_nothing_stored(settings)


def test_librarian_upload_is_published(library, school, upload):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)

    upload(librarian, upload_data(library, pdf_upload()))

    assert LibraryItemPage.objects.get().live


def test_plain_text_upload_is_extracted(library, teacher, upload):
    text = SimpleUploadedFile(
        "catatan.txt", "Catatan praktikum: ﬁltrasi air keruh.".encode()
    )

    upload(teacher, upload_data(library, text))

    item_file = ItemFile.objects.get()
    assert item_file.content_type == "text/plain"
    assert item_file.extraction_status == ItemFile.ExtractionStatus.DONE
    # NFKC folds the "fi" ligature.
    assert "filtrasi" in item_file.extracted_text


def test_epub_upload_is_extracted(library, teacher, upload):
    book = SimpleUploadedFile(
        "buku.epub", make_epub("Ekosistem mangrove &amp; pantai.")
    )

    upload(teacher, upload_data(library, book, item_type="ebook"))

    item_file = ItemFile.objects.get()
    assert item_file.content_type == "application/epub+zip"
    assert item_file.extraction_status == ItemFile.ExtractionStatus.DONE
    assert "Ekosistem mangrove & pantai." in item_file.extracted_text
    assert "skrip" not in item_file.extracted_text
    assert "Judul" not in item_file.extracted_text


def test_upload_page_renders_form(library, teacher, client):
    client.force_login(teacher)

    response = client.get(reverse("library:upload"))

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "<script>" not in response.content.decode()
