"""
Wagtail page aliases of library items: import keys, search and item pages.

An alias mirrors its original, which Wagtail copies into it field by field
on creation and on every publish of the original. The import key stays on
the original alone, search lists the work once, as its original, and an
alias page shows the original's files and counts its views for it.
"""

import pytest
from django.urls import reverse
from wagtail.actions.convert_alias import ConvertAliasPageAction

from library import importer
from library.indexing import index_all
from library.models import LibraryItemPage, SearchDocument
from library.usage.models import ItemUsage
from lms.models import Membership

from .conftest import make_person

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
