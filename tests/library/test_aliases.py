"""
Wagtail page aliases of library items: import keys, search and item pages.

An alias mirrors its original, which Wagtail copies into it field by field
on creation and on every publish of the original. The import key stays on
the original alone, search lists the work once, as its original, also
under each school whose library has a live alias of it, and an alias page
shows the original's files, counts its views for it and follows its access
rules.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.actions.move_page import MovePageAction
from wagtail.models import Page

from library import importer
from library.indexing import index_all, join_slugs
from library.models import AccessLevel, LibraryItemPage, SearchDocument
from library.usage.models import ItemUsage
from lms.models import Membership

from .conftest import make_library, make_person, make_school

pytestmark = pytest.mark.django_db

HEADER = "title;creators;type;language;licence;access;identifier;files"
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
)
ROW = "Catatan batik;Ayu Putri;teaching_module;id;cc0;public;ISBN 978-602-1;batik.txt"


@pytest.fixture
def import_folder(tmp_path):
    folder = tmp_path / "impor"
    folder.mkdir()
    (folder / "batik.txt").write_text("Catatan pendek tentang batik tulis.\n")
    return folder


@pytest.fixture
def run_import(import_folder, django_capture_on_commit_callbacks):
    """Return a function that imports ``ROW`` into a library."""

    def run(library):
        data = f"{HEADER}\n{ROW}\n".encode()
        with django_capture_on_commit_callbacks(execute=True):
            return importer.import_items(library, import_folder, data)

    return run


@pytest.fixture
def imported(library, run_import):
    """Return the item that an import of ``ROW`` stored in ``library``."""
    result = run_import(library)
    assert result.errors == []
    # Reloaded, because the item in the result is the draft before publishing.
    return LibraryItemPage.objects.get(pk=result.imported[0][1].pk)


def make_alias(item, parent, slug):
    alias = item.create_alias(parent=parent, update_slug=slug)
    return LibraryItemPage.objects.get(pk=alias.pk)


def search_ids(client, query):
    response = client.get(reverse("library:search"), {"q": query})
    assert response.status_code == 200
    return [item.pk for item in response.context["results"].object_list]


@pytest.mark.parametrize("parent_name", ["library", "other_library"])
def test_alias_of_imported_item_created(imported, parent_name, request):
    parent = request.getfixturevalue(parent_name)

    alias = make_alias(imported, parent, "alias-batik")

    assert alias.alias_of_id == imported.pk
    assert alias.get_parent().pk == parent.pk
    assert alias.import_key == ""
    assert alias.import_library is None
    imported.refresh_from_db()
    assert imported.import_key == "identifier:ISBN 978-602-1"
    assert imported.import_library_id == imported.get_parent().pk


def test_publishing_original_updates_aliases(imported, library, other_library):
    same = make_alias(imported, library, "alias-sama")
    other = make_alias(imported, other_library, "alias-lain")

    imported.title = "Catatan batik tulis"
    imported.save_revision().publish()

    for alias in (same, other):
        alias.refresh_from_db()
        assert alias.title == "Catatan batik tulis"
        assert alias.import_key == ""
        assert alias.import_library is None


def test_reimport_skips_row_of_aliased_item(imported, library, run_import):
    make_alias(imported, library, "alias-batik")
    pages = LibraryItemPage.objects.count()

    result = run_import(library)

    assert result.imported == []
    assert result.errors == []
    assert [page_id for _line, page_id in result.skipped] == [imported.pk]
    assert LibraryItemPage.objects.count() == pages


def test_import_into_library_of_alias(imported, other_library, run_import):
    alias = make_alias(imported, other_library, "alias-batik")

    result = run_import(other_library)

    assert result.errors == []
    assert result.skipped == []
    copy = LibraryItemPage.objects.get(pk=result.imported[0][1].pk)
    assert copy.pk != alias.pk
    assert copy.import_library_id == other_library.pk
    assert copy.import_key == "identifier:ISBN 978-602-1"


def test_converted_alias_is_own_item(imported, library, run_import):
    alias = make_alias(imported, library, "alias-batik")

    ConvertAliasPageAction(alias).execute(skip_permission_checks=True)

    alias.refresh_from_db()
    assert alias.alias_of_id is None
    assert alias.import_key == ""
    assert SearchDocument.objects.filter(item_id=alias.pk).exists()
    result = run_import(library)
    assert [page_id for _line, page_id in result.skipped] == [imported.pk]


def test_deleting_original_keeps_its_aliases(imported, library, other_library):
    aliases = [
        make_alias(imported, library, "alias-satu"),
        make_alias(imported, library, "alias-dua"),
        make_alias(imported, other_library, "alias-tiga"),
    ]

    imported.delete()

    # Wagtail 8.0 unpublishes a page and its aliases before deleting it
    # (pre_delete_page_unpublish in wagtail/signal_handlers.py).
    for alias in aliases:
        alias.refresh_from_db()
        assert alias.alias_of_id is None
        assert alias.live is False
        assert alias.import_key == ""
        assert SearchDocument.objects.filter(item_id=alias.pk, live=False).exists()


def test_search_lists_aliased_item_once(
    imported, library, other_library, teacher, client
):
    make_alias(imported, library, "alias-sama")
    make_alias(imported, other_library, "alias-lain")
    client.force_login(teacher)

    assert search_ids(client, "batik") == [imported.pk]
    assert SearchDocument.objects.count() == 1


def test_search_finds_former_alias_published(imported, other_library, teacher, client):
    alias = make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)
    imported.delete()
    alias = LibraryItemPage.objects.get(pk=alias.pk)

    assert search_ids(client, "batik") == []
    alias.save_revision().publish()
    assert search_ids(client, "batik") == [alias.pk]


def test_reindex_skips_aliases(imported, other_library):
    make_alias(imported, other_library, "alias-batik")
    SearchDocument.objects.all().delete()

    assert sum(index_all()) == 1
    assert list(SearchDocument.objects.values_list("item_id", flat=True)) == [
        imported.pk
    ]


def test_alias_page_shows_original_files(imported, other_library, teacher, client):
    alias = make_alias(imported, other_library, "alias-batik")
    item_file = imported.files.get()
    client.force_login(teacher)

    response = client.get(alias.url)

    assert response.status_code == 200
    assert [shown.pk for shown in response.context["files"]] == [item_file.pk]
    assert response.context["files"][0].downloadable is True
    assert reverse("library:download", args=[item_file.pk]) in response.text


def test_original_item_follows_alias_chain(imported, library, other_library):
    alias = make_alias(imported, other_library, "alias-batik")

    second = make_alias(alias, library, "alias-kedua")

    assert second.original_item() == imported
    assert alias.original_item() == imported
    assert imported.original_item() is imported


def test_alias_view_counted_for_original(imported, other_library, teacher, client):
    alias = make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    response = client.get(alias.url, HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 200
    assert ItemUsage.objects.filter(item_id=imported.pk, views=1).exists()
    assert not ItemUsage.objects.filter(item_id=alias.pk).exists()


def test_alias_page_links_original_usage(imported, school, other_library, client):
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    alias = make_alias(imported, other_library, "alias-batik")
    item_file = imported.files.get()
    client.force_login(librarian)

    response = client.get(alias.url)

    assert response.status_code == 200
    assert reverse("library:item_usage", args=[imported.pk]) in response.text
    assert reverse("library:new_version", args=[item_file.pk]) in response.text


def test_library_page_lists_alias(imported, other_library, teacher, client):
    alias = make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    response = client.get(other_library.url)

    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [alias.pk]


def search_response(client, **params):
    response = client.get(reverse("library:search"), params)
    assert response.status_code == 200
    return response


def result_ids(response):
    return [item.pk for item in response.context["results"].object_list]


def school_counts(response):
    facets = {facet.name: facet for facet in response.context["facets"]}
    if "school" not in facets:
        return {}
    return {value.value: value.count for value in facets["school"].values}


def listed_schools(item):
    return SearchDocument.objects.get(item_id=item.pk).schools


def test_school_filter_finds_aliased_item(
    imported, school, other_school, other_library, teacher, client
):
    make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    for listing in (school, other_school):
        response = search_response(client, q="batik", school=listing.pk)
        assert result_ids(response) == [imported.pk]
        assert response.context["results"].paginator.count == 1
    response = search_response(client, q="batik")
    assert result_ids(response) == [imported.pk]
    assert school_counts(response) == {str(school.pk): 1, str(other_school.pk): 1}


def test_school_facet_counts_alias_once_per_school(
    imported, school, library, other_library, teacher, client
):
    make_alias(imported, library, "alias-sama")
    make_alias(imported, other_library, "alias-satu")
    make_alias(imported, other_library, "alias-dua")
    client.force_login(teacher)

    response = search_response(client, q="batik")

    assert result_ids(response) == [imported.pk]
    assert school_counts(response) == {
        str(school.pk): 1,
        str(other_library.school_id): 1,
    }


def test_alias_in_city_library_listed_there(imported, home, school, teacher, client):
    city = make_library(home, None, "perpustakaan-kota")
    make_alias(imported, city, "alias-batik")
    client.force_login(teacher)

    response = search_response(client, q="batik", school="none")

    assert result_ids(response) == [imported.pk]
    assert listed_schools(imported) == f"|{school.pk}|none|"


def test_school_filter_skips_other_schools(
    imported, home, other_library, teacher, client
):
    third = make_library(home, make_school("SMP Negeri 3 Contoh"), "perpustakaan-3")
    make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    response = search_response(client, q="batik", school=third.school_id)

    assert result_ids(response) == []


def test_unpublished_alias_leaves_school(
    imported, school, other_school, other_library, teacher, client
):
    alias = make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    alias.unpublish()

    assert listed_schools(imported) == f"|{school.pk}|"
    response = search_response(client, q="batik", school=other_school.pk)
    assert result_ids(response) == []
    # Publishing the original publishes its aliases again.
    imported.save_revision().publish()
    assert listed_schools(imported) == join_slugs(
        sorted([str(school.pk), str(other_school.pk)])
    )


def test_unpublished_base_page_leaves_school(imported, school, other_library):
    alias = make_alias(imported, other_library, "alias-batik")

    Page.objects.get(pk=alias.pk).unpublish()

    assert listed_schools(imported) == f"|{school.pk}|"


@pytest.mark.parametrize("through_base_page", [False, True])
def test_deleted_alias_leaves_school(
    imported, school, other_library, through_base_page
):
    alias = make_alias(imported, other_library, "alias-batik")
    assert listed_schools(imported) != f"|{school.pk}|"

    (Page.objects.get(pk=alias.pk) if through_base_page else alias).delete()

    assert listed_schools(imported) == f"|{school.pk}|"


def test_moved_alias_listed_in_new_school(
    imported, home, school, other_library, teacher, client
):
    third = make_library(home, make_school("SMP Negeri 3 Contoh"), "perpustakaan-3")
    alias = make_alias(imported, other_library, "alias-batik")
    client.force_login(teacher)

    MovePageAction(alias, third, pos="last-child").execute(skip_permission_checks=True)

    assert listed_schools(imported) == join_slugs(
        sorted([str(school.pk), str(third.school_id)])
    )
    response = search_response(client, q="batik", school=other_library.school_id)
    assert result_ids(response) == []
    response = search_response(client, q="batik", school=third.school_id)
    assert result_ids(response) == [imported.pk]


def test_moved_original_takes_new_school(
    imported, library, other_library, teacher, client
):
    alias = make_alias(imported, library, "alias-batik")
    client.force_login(teacher)

    MovePageAction(imported, other_library, pos="last-child").execute(
        skip_permission_checks=True
    )

    imported.refresh_from_db()
    alias.refresh_from_db()
    assert imported.school_id == other_library.school_id
    assert alias.school_id == other_library.school_id
    assert listed_schools(imported) == join_slugs(
        sorted([str(library.school_id), str(other_library.school_id)])
    )


def test_converted_alias_leaves_original_schools(
    imported, school, other_school, other_library
):
    alias = make_alias(imported, other_library, "alias-batik")

    ConvertAliasPageAction(alias).execute(skip_permission_checks=True)

    assert listed_schools(imported) == f"|{school.pk}|"
    assert listed_schools(alias) == f"|{other_school.pk}|"


def test_alias_of_alias_lists_its_school(imported, home, school, other_library):
    third = make_library(home, make_school("SMP Negeri 3 Contoh"), "perpustakaan-3")
    alias = make_alias(imported, other_library, "alias-batik")

    make_alias(alias, third, "alias-kedua")

    assert listed_schools(imported) == join_slugs(
        sorted([str(school.pk), str(other_library.school_id), str(third.school_id)])
    )
    assert SearchDocument.objects.count() == 1


def test_reindex_keeps_alias_schools(imported, school, other_library):
    make_alias(imported, other_library, "alias-batik")
    expected = listed_schools(imported)
    SearchDocument.objects.all().delete()

    assert sum(index_all()) == 1
    assert listed_schools(imported) == expected


def test_data_migration_fills_schools(imported, school, other_library):
    alias = make_alias(imported, other_library, "alias-batik")
    SearchDocument.objects.update(schools="")
    LibraryItemPage.objects.filter(pk=alias.pk).update(school=other_library.school)
    migration = importlib.import_module(
        "library.migrations.0011_search_document_schools"
    )

    migration.fill_schools(django_apps, None)

    assert listed_schools(imported) == join_slugs(
        sorted([str(school.pk), str(other_library.school_id)])
    )
    alias.refresh_from_db()
    assert alias.school_id == school.pk


@pytest.fixture
def restricted(imported):
    """Return ``imported`` limited to members of its own school."""
    imported.access_level = AccessLevel.SCHOOL
    imported.save_revision().publish()
    return LibraryItemPage.objects.get(pk=imported.pk)


def test_restricted_alias_hidden_from_other_school(
    restricted, school, other_school, other_library, client
):
    alias = make_alias(restricted, other_library, "alias-batik")
    other_student = make_person("siswa.lain", other_school, Membership.Role.STUDENT)
    own_student = make_person("siswa.sendiri", school, Membership.Role.STUDENT)
    item_file = restricted.files.get()

    assert alias.access_level == AccessLevel.SCHOOL
    assert alias.school_id == school.pk
    client.force_login(other_student)
    response = search_response(client, q="batik", school=other_school.pk)
    assert result_ids(response) == []
    assert school_counts(response) == {}
    assert client.get(alias.url).status_code == 403
    download = reverse("library:download", args=[item_file.pk])
    assert client.get(download).status_code == 403
    response = client.get(other_library.url)
    assert [item.pk for item in response.context["items"]] == []

    client.force_login(own_student)
    response = search_response(client, q="batik", school=other_school.pk)
    assert result_ids(response) == [restricted.pk]
    assert client.get(alias.url).status_code == 200
    assert client.get(download).status_code == 200
