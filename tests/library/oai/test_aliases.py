"""OAI-PMH records of items that have Wagtail page aliases."""

import pytest

from library.models import LibraryItemPage
from library.oai.models import DeletedRecord
from library.oai.records import oai_identifier

from .conftest import error_code, identifiers, make_item

pytestmark = pytest.mark.django_db


def make_alias(item, parent, slug):
    alias = item.create_alias(parent=parent, update_slug=slug)
    return LibraryItemPage.objects.get(pk=alias.pk)


def test_alias_not_listed_as_record(oai, library, other_library):
    item = make_item(library, "Batik Depok")
    make_alias(item, library, "alias-sama")
    make_alias(item, other_library, "alias-lain")

    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")

    assert identifiers(root) == [oai_identifier(item.pk)]


def test_alias_identifier_does_not_exist(oai, library, other_library):
    item = make_item(library, "Batik Depok")
    alias = make_alias(item, other_library, "alias-batik")

    root = oai(
        verb="GetRecord", identifier=oai_identifier(alias.pk), metadataPrefix="oai_dc"
    )

    assert error_code(root) == "idDoesNotExist"


def test_unpublished_alias_gets_no_tombstone(library, other_library):
    item = make_item(library, "Batik Depok")
    alias = make_alias(item, other_library, "alias-batik")

    item.unpublish()

    alias.refresh_from_db()
    assert alias.live is False
    assert list(DeletedRecord.objects.values_list("page_id", flat=True)) == [item.pk]


def test_deleted_alias_gets_no_tombstone(library, other_library):
    item = make_item(library, "Batik Depok")
    alias = make_alias(item, other_library, "alias-batik")

    alias.delete()

    assert not DeletedRecord.objects.exists()


def test_former_alias_listed_once_published(oai, library, other_library):
    item = make_item(library, "Batik Depok")
    alias = make_alias(item, other_library, "alias-batik")
    item_id = item.pk

    # Wagtail 8.0 unpublishes the aliases of a page that it deletes.
    item.delete()
    assert identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc")) == [
        oai_identifier(item_id)
    ]
    alias = LibraryItemPage.objects.get(pk=alias.pk)
    alias.save_revision().publish()

    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert set(identifiers(root)) == {oai_identifier(item_id), oai_identifier(alias.pk)}
    assert list(DeletedRecord.objects.values_list("page_id", flat=True)) == [item_id]
