"""New versions of library files: who may upload them and what they change."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model

from library import filetypes
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemFile, LibraryItemPage
from library.uploads import ItemMetadata, create_item
from library.versions import NotCurrentVersion, add_version
from lms.models import Membership

from .conftest import make_person, pdf_upload
from .test_upload import stored_files

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def first_file(library, teacher, django_capture_on_commit_callbacks):
    """Return a published item's first file, its text already extracted."""
    metadata = ItemMetadata(
        title="Laporan kualitas air",
        item_type="research_paper",
        language="id",
        licence="cc-by",
        access_level=AccessLevel.PUBLIC,
        creators=[("Siti Rahma", "")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        item_file = create_item(
            library,
            metadata,
            ContentFile(
                minimal_pdf("Versi satu", ["Sungai Ciliwung tercemar limbah."]),
                name="laporan.pdf",
            ),
            user=teacher,
            content_type=filetypes.PDF,
            publish=True,
        )
    return ItemFile.objects.get(pk=item_file.pk)


@pytest.fixture
def post_version(client, django_capture_on_commit_callbacks):
    def post(user, item_file, upload):
        if user is not None:
            client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("library:new_version", args=[item_file.pk]), {"file": upload}
            )

    return post


def second_pdf():
    return pdf_upload("laporan-revisi.pdf", words=["Sungai Cisadane mulai bersih."])


def counts():
    return (
        ItemFile.objects.count(),
        get_document_model().objects.count(),
    )


def test_uploader_adds_version(first_file, teacher, post_version):
    response = post_version(teacher, first_file, second_pdf())

    new_file = ItemFile.objects.get(replaces=first_file)
    item = LibraryItemPage.objects.get(pk=first_file.item_id)
    assert response.status_code == 302
    assert response["Location"] == item.url
    assert new_file.version == 2
    assert new_file.original_name == "laporan-revisi.pdf"
    assert new_file.uploaded_by == teacher
    assert new_file.extraction_status == ItemFile.ExtractionStatus.DONE
    assert new_file.document.collection_id == first_file.document.collection_id
    assert list(item.current_files()) == [new_file]


def test_full_text_from_current_file_only(first_file, teacher, post_version):
    item = LibraryItemPage.objects.get(pk=first_file.item_id)
    assert "Ciliwung" in item.full_text

    post_version(teacher, first_file, second_pdf())

    item.refresh_from_db()
    assert "Cisadane" in item.full_text
    assert "Ciliwung" not in item.full_text


def test_item_page_lists_versions(first_file, teacher, post_version, client):
    post_version(teacher, first_file, second_pdf())
    item = LibraryItemPage.objects.get(pk=first_file.item_id)
    client.logout()

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert [f.original_name for f in response.context["files"]] == [
        "laporan-revisi.pdf"
    ]
    assert [f.original_name for f in response.context["older_versions"]] == [
        "laporan.pdf"
    ]
    assert reverse("library:new_version", args=[first_file.pk]) not in (
        response.content.decode()
    )


def test_old_version_stays_downloadable(first_file, teacher, post_version, client):
    post_version(teacher, first_file, second_pdf())
    client.logout()

    response = client.get(reverse("library:download", args=[first_file.pk]))

    assert response.status_code == 200


def test_manager_sees_version_link(first_file, teacher, client):
    item = LibraryItemPage.objects.get(pk=first_file.item_id)
    client.force_login(teacher)

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert reverse("library:new_version", args=[first_file.pk]) in (
        response.content.decode()
    )


def test_school_librarian_adds_version(first_file, school, post_version):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)

    response = post_version(librarian, first_file, second_pdf())

    assert response.status_code == 302
    assert ItemFile.objects.filter(replaces=first_file).exists()


@pytest.mark.parametrize("who", ["student", "outsider"])
def test_others_cannot_add_version(
    first_file, student, outsider, post_version, settings, who
):
    person = {"student": student, "outsider": outsider}[who]
    before = counts()
    files_before = stored_files(settings)

    response = post_version(person, first_file, second_pdf())

    assert response.status_code == 403
    assert counts() == before
    assert stored_files(settings) == files_before


def test_anonymous_redirected_to_login(first_file, post_version):
    response = post_version(None, first_file, second_pdf())

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not ItemFile.objects.filter(replaces=first_file).exists()


def test_fake_pdf_rejected(first_file, teacher, post_version, settings):
    before = counts()
    files_before = stored_files(settings)
    fake = SimpleUploadedFile("revisi.pdf", b"<html><body>bukan pdf</body></html>")

    response = post_version(teacher, first_file, fake)

    errors = response.context["form"].errors.as_data()["file"]
    assert response.status_code == 400
    assert [error.code for error in errors] == ["content_mismatch"]
    assert counts() == before
    assert stored_files(settings) == files_before


def test_other_format_rejected(first_file, teacher, post_version):
    before = counts()
    text = SimpleUploadedFile("revisi.txt", b"Teks biasa saja.")

    response = post_version(teacher, first_file, text)

    errors = response.context["form"].errors.as_data()["file"]
    assert response.status_code == 400
    assert [error.code for error in errors] == ["format_changed"]
    assert counts() == before


def test_too_large_version_rejected(first_file, teacher, post_version, settings):
    before = counts()
    settings.LIBRARY_MAX_FILE_SIZE = 1000
    big = pdf_upload("besar.pdf", words=["kata " * 400])

    response = post_version(teacher, first_file, big)

    form = response.context["form"]
    assert response.status_code == 400
    assert [e.code for e in form.errors.as_data()["file"]] == ["file_too_large"]
    assert form.oversized_name == "besar.pdf"
    assert counts() == before


def test_error_is_translated(first_file, teacher, post_version, settings):
    settings.LANGUAGE_CODE = "id"
    fake = SimpleUploadedFile("revisi.pdf", b"bukan pdf")

    response = post_version(teacher, first_file, fake)

    assert "bukan" in response.content.decode()
    assert "is not a real" not in response.content.decode()


def test_replaced_version_cannot_be_replaced(
    first_file, teacher, post_version, settings
):
    post_version(teacher, first_file, second_pdf())
    before = counts()
    files_before = stored_files(settings)

    response = post_version(teacher, first_file, second_pdf())

    assert response.status_code == 302
    assert counts() == before
    assert stored_files(settings) == files_before


def test_add_version_rejects_replaced_file(first_file, teacher, settings):
    add_version(
        first_file,
        ContentFile(minimal_pdf("Dua", ["Dua."]), name="dua.pdf"),
        user=teacher,
        content_type=filetypes.PDF,
    )
    files_before = stored_files(settings)

    with pytest.raises(NotCurrentVersion):
        add_version(
            first_file,
            ContentFile(minimal_pdf("Tiga", ["Tiga."]), name="tiga.pdf"),
            user=teacher,
            content_type=filetypes.PDF,
        )

    assert ItemFile.objects.filter(item_id=first_file.item_id).count() == 2
    assert stored_files(settings) == files_before


def test_version_upload_checks_csrf(first_file, teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)

    response = client.post(
        reverse("library:new_version", args=[first_file.pk]), {"file": second_pdf()}
    )

    assert response.status_code == 403
    assert not ItemFile.objects.filter(replaces=first_file).exists()


def test_student_replaces_file_of_draft(library, student, settings, client):
    from .test_access import add_item

    draft_file = add_item(library, student, AccessLevel.PUBLIC, publish=False)
    client.force_login(student)

    response = client.post(
        reverse("library:new_version", args=[draft_file.pk]), {"file": second_pdf()}
    )

    assert response.status_code == 302
    assert ItemFile.objects.filter(replaces=draft_file).exists()


def test_student_cannot_replace_published_file(library, student, client):
    from .test_access import add_item

    published_file = add_item(library, student, AccessLevel.PUBLIC, publish=True)
    client.force_login(student)
    item = LibraryItemPage.objects.get(pk=published_file.item_id)

    response = client.post(
        reverse("library:new_version", args=[published_file.pk]),
        {"file": second_pdf()},
    )
    page = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 403
    assert not ItemFile.objects.filter(replaces=published_file).exists()
    assert reverse("library:new_version", args=[published_file.pk]) not in (
        page.content.decode()
    )


def test_my_uploads_offers_new_version_of_draft(library, student, client):
    from .test_access import add_item

    draft_file = add_item(library, student, AccessLevel.PUBLIC, publish=False)
    client.force_login(student)
    client.post(
        reverse("library:new_version", args=[draft_file.pk]), {"file": second_pdf()}
    )
    new_file = ItemFile.objects.get(replaces=draft_file)

    response = client.get(reverse("library:my_uploads"))

    html = response.content.decode()
    assert reverse("library:new_version", args=[new_file.pk]) in html
    assert reverse("library:new_version", args=[draft_file.pk]) not in html
    assert reverse("library:download", args=[draft_file.pk]) not in html
