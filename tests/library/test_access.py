"""Who may open items and download files, through both download URLs."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.urls import reverse
from wagtail.documents import get_document_model

from library import filetypes
from library.access import visible_items
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemFile, LibraryItemPage
from library.uploads import ItemMetadata, create_item
from lms.models import Membership

from .conftest import make_person

pytestmark = pytest.mark.django_db

PDF_BYTES = minimal_pdf("Rahasia", ["Isi berkas yang dilindungi."])


def add_item(library, owner, access_level, *, publish=True, title="Berkas uji"):
    metadata = ItemMetadata(
        title=title,
        item_type="article",
        language="id",
        licence="cc-by",
        access_level=access_level,
        creators=[("Penulis", "")],
    )
    return create_item(
        library,
        metadata,
        ContentFile(PDF_BYTES, name="berkas uji.pdf"),
        user=owner,
        content_type=filetypes.PDF,
        publish=publish,
    )


def share_with(item, person):
    """Add ``person`` to the named readers and publish, as an editor would."""
    item = LibraryItemPage.objects.get(pk=item.pk)
    item.allowed_readers.add(person)
    item.save_revision().publish()


def download_urls(item_file):
    return [
        reverse("library:download", args=[item_file.pk]),
        item_file.document.url,
    ]


def test_public_file_downloads_as_attachment(library, teacher, client):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)

    response = client.get(reverse("library:download", args=[item_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="berkas uji.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_public_file_via_wagtail_url(library, teacher, client):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)

    response = client.get(item_file.document.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_own_school_file_denied_to_other_school(library, teacher, outsider, client):
    item_file = add_item(library, teacher, AccessLevel.SCHOOL)
    client.force_login(outsider)

    for url in download_urls(item_file):
        response = client.get(url)
        assert response.status_code == 403, url
    assert client.get(item_file.item.url).status_code == 403


def test_own_school_file_redirects_anonymous(library, teacher, client):
    item_file = add_item(library, teacher, AccessLevel.SCHOOL)

    for url in [*download_urls(item_file), item_file.item.url]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url


def test_own_school_file_open_to_members(library, teacher, student, client):
    item_file = add_item(library, teacher, AccessLevel.SCHOOL)
    client.force_login(student)

    for url in download_urls(item_file):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(item_file.item.url).status_code == 200


def test_city_file_needs_login(library, teacher, outsider, client):
    item_file = add_item(library, teacher, AccessLevel.CITY)
    url = reverse("library:download", args=[item_file.pk])

    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 200


def test_named_people_only(library, teacher, outsider, student, client):
    item_file = add_item(library, teacher, AccessLevel.PEOPLE)
    share_with(item_file.item, outsider)
    url = reverse("library:download", args=[item_file.pk])

    client.force_login(student)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 200
    client.force_login(teacher)
    assert client.get(url).status_code == 200


def test_librarian_and_city_admin_see_all(library, school, teacher, client):
    item_file = add_item(library, teacher, AccessLevel.PEOPLE)
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    city_admin = make_person("dinas", is_city_admin=True)
    url = reverse("library:download", args=[item_file.pk])

    for person in (librarian, city_admin):
        client.force_login(person)
        assert client.get(url).status_code == 200, person.username


def test_draft_open_to_owner_and_reviewers(library, school, student, client):
    item_file = add_item(library, student, AccessLevel.PUBLIC, publish=False)
    classmate = make_person("siswa.lain", school, Membership.Role.STUDENT)
    reviewer = make_person("guru.penilai", school, Membership.Role.TEACHER)
    url = reverse("library:download", args=[item_file.pk])

    assert client.get(url).status_code == 302
    client.force_login(classmate)
    assert client.get(url).status_code == 403
    for person in (student, reviewer):
        client.force_login(person)
        assert client.get(url).status_code == 200, person.username


def test_missing_file_id_is_not_found(db, client):
    assert client.get(reverse("library:download", args=[999999])).status_code == 404


def test_download_rejects_post(library, teacher, client):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)

    response = client.post(reverse("library:download", args=[item_file.pk]))

    assert response.status_code == 405


def test_other_documents_pass_the_hook(db, client):
    document = get_document_model().objects.create(
        title="Surat edaran", file=ContentFile(b"Surat edaran.", name="surat.txt")
    )

    response = client.get(document.url)

    assert response.status_code == 200


def test_visible_items_per_person(library, other_library, teacher, outsider):
    public = add_item(library, teacher, AccessLevel.PUBLIC, title="Umum").item
    city = add_item(library, teacher, AccessLevel.CITY, title="Kota").item
    school_only = add_item(library, teacher, AccessLevel.SCHOOL, title="Sekolah").item
    people = add_item(library, teacher, AccessLevel.PEOPLE, title="Orang").item
    draft = add_item(library, teacher, AccessLevel.PUBLIC, publish=False).item

    def titles(user):
        return set(visible_items(user).values_list("title", flat=True))

    assert titles(AnonymousUser()) == {public.title}
    assert titles(outsider) == {public.title, city.title}
    assert titles(teacher) == {
        public.title,
        city.title,
        school_only.title,
        people.title,
    }
    assert draft.title not in titles(teacher)
    share_with(people, outsider)
    assert titles(outsider) == {public.title, city.title, people.title}


def test_deleting_item_removes_its_files(
    library, teacher, settings, django_capture_on_commit_callbacks
):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)
    stored = settings.MEDIA_ROOT / item_file.document.file.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        item_file.item.delete()

    assert not ItemFile.objects.exists()
    assert not get_document_model().objects.exists()
    assert not stored.exists()


def test_deleting_document_removes_file_row(library, teacher):
    item_file = add_item(library, teacher, AccessLevel.PUBLIC)

    item_file.document.delete()

    assert not ItemFile.objects.exists()
    assert LibraryItemPage.objects.filter(pk=item_file.item_id).exists()
