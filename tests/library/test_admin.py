"""Library pages in the Wagtail admin and files in the Django admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from library.models import AccessLevel, LibraryIndexPage, LibraryItemPage

from .conftest import make_person, pdf_upload, upload_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return make_person("admin", is_superuser=True, is_staff=True)


def test_admin_add_forms_render(home, library, superuser, client):
    client.force_login(superuser)

    for parent, model in ((home, "libraryindexpage"), (library, "libraryitempage")):
        url = reverse("wagtailadmin_pages:add", args=["library", model, parent.pk])
        assert client.get(url).status_code == 200, model


def test_admin_edit_form_renders(library, teacher, superuser, upload, client):
    upload(teacher, upload_data(library, pdf_upload()))
    item = LibraryItemPage.objects.get()
    client.force_login(superuser)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[item.pk]))

    assert response.status_code == 200


def test_city_library_rejects_own_school_access(home):
    city = LibraryIndexPage(title="Perpustakaan Kota", slug="kota")
    home.add_child(instance=city)
    item = LibraryItemPage(
        title="Koleksi", slug="koleksi", access_level=AccessLevel.SCHOOL
    )

    with pytest.raises(ValidationError) as error:
        city.add_child(instance=item)

    assert error.value.error_dict["access_level"][0].code == (
        "school_access_without_school"
    )


def test_django_admin_lists_files(library, teacher, superuser, upload, client):
    upload(teacher, upload_data(library, pdf_upload()))
    client.force_login(superuser)

    response = client.get(reverse("admin:library_itemfile_changelist"))

    assert response.status_code == 200
    assert "contoh.pdf" in response.content.decode()
