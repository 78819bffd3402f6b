"""
OAI-PMH records of items that have Wagtail page aliases.

An alias is no record of its own, but it puts its original's record in the
set of the alias's school, and adding or removing one moves the record's
datestamp.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.actions.move_page import MovePageAction
from wagtail.models import Page

from library.models import AccessLevel, ItemType, LibraryItemPage
from library.oai.models import DeletedRecord
from library.oai.records import oai_identifier

from ..conftest import make_library, make_school
from .conftest import NS, error_code, identifiers, make_item

pytestmark = pytest.mark.django_db

OLD_DATESTAMP = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


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


def header_sets(root, item):
    path = f"//oai:header[oai:identifier='{oai_identifier(item.pk)}']/oai:setSpec"
    return root.xpath(f"{path}/text()", namespaces=NS)


def make_old(item):
    """Set ``item``'s datestamp far back, so a move to now is seen."""
    Page.objects.filter(pk=item.pk).update(last_published_at=OLD_DATESTAMP)


def datestamp(item):
    return Page.objects.get(pk=item.pk).last_published_at


def test_record_in_set_of_alias_school(
    oai, library, other_library, school, other_school
):
    item = make_item(library, "Batik Depok", item_type=ItemType.THESIS)
    make_alias(item, other_library, "alias-batik")
    expected = [
        "school",
        f"school:{school.npsn}",
        f"school:{other_school.npsn}",
        "type",
        "type:thesis",
    ]

    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    assert sorted(header_sets(root, item)) == sorted(expected)
    for verb in ("ListRecords", "ListIdentifiers"):
        for set_spec in (f"school:{other_school.npsn}", "school"):
            root = oai(verb=verb, metadataPrefix="oai_dc", set=set_spec)
            assert identifiers(root) == [oai_identifier(item.pk)], (verb, set_spec)
            assert sorted(header_sets(root, item)) == sorted(expected)


def test_alias_in_city_library_adds_city_set(oai, library, home, school):
    city = make_library(home, None, "perpustakaan-kota")
    item = make_item(library, "Batik Depok", item_type=ItemType.THESIS)
    make_alias(item, city, "alias-batik")

    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="city")

    assert identifiers(root) == [oai_identifier(item.pk)]
    assert header_sets(root, item) == [
        "city",
        "school",
        f"school:{school.npsn}",
        "type",
        "type:thesis",
    ]


def test_city_item_alias_adds_school_sets(oai, home, other_library, other_school):
    city = make_library(home, None, "perpustakaan-kota")
    item = make_item(city, "Batik Depok", item_type=ItemType.THESIS)
    make_alias(item, other_library, "alias-batik")

    for set_spec in ("city", "school", f"school:{other_school.npsn}"):
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        assert identifiers(root) == [oai_identifier(item.pk)], set_spec


def test_other_school_set_skips_aliased_record(oai, library, other_library, home):
    third = make_library(home, make_school("SMP Negeri 3 Contoh"), "perpustakaan-3")
    item = make_item(library, "Batik Depok")
    make_alias(item, other_library, "alias-batik")

    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"school:{third.school.npsn}",
    )

    assert error_code(root) == "noRecordsMatch"


def test_adding_alias_moves_datestamp(oai, library, other_library, other_school):
    item = make_item(library, "Batik Depok")
    make_old(item)
    started = timezone.now().replace(microsecond=0)

    make_alias(item, other_library, "alias-batik")

    assert datestamp(item) >= started
    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"school:{other_school.npsn}",
        **{"from": started.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    assert identifiers(root) == [oai_identifier(item.pk)]


@pytest.mark.parametrize("removal", ["delete", "unpublish", "move", "convert"])
def test_removing_alias_moves_datestamp(
    oai, library, other_library, other_school, removal
):
    item = make_item(library, "Batik Depok")
    alias = make_alias(item, other_library, "alias-batik")
    make_old(item)
    started = timezone.now().replace(microsecond=0)

    if removal == "delete":
        alias.delete()
    elif removal == "unpublish":
        alias.unpublish()
    elif removal == "move":
        MovePageAction(alias, library, pos="last-child").execute(
            skip_permission_checks=True
        )
    else:
        ConvertAliasPageAction(alias).execute(skip_permission_checks=True)

    assert datestamp(item) >= started
    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"school:{other_school.npsn}",
    )
    if removal == "convert":
        # The converted alias is a record of its own in that school's set.
        assert identifiers(root) == [oai_identifier(alias.pk)]
    else:
        assert error_code(root) == "noRecordsMatch"


def test_saving_alias_keeps_datestamp(library, other_library):
    item = make_item(library, "Batik Depok")
    make_alias(item, other_library, "alias-batik")
    make_old(item)
    alias = LibraryItemPage.objects.get(alias_of=item)

    alias.title = "Judul lain"
    alias.save()

    assert datestamp(item) == OLD_DATESTAMP


def test_restricted_item_alias_not_in_set(oai, library, other_library, other_school):
    item = make_item(library, "Batik Depok", access_level=AccessLevel.SCHOOL)
    make_alias(item, other_library, "alias-batik")

    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"school:{other_school.npsn}",
    )

    assert error_code(root) == "noRecordsMatch"


def test_tombstone_keeps_alias_sets(oai, library, other_library, school, other_school):
    item = make_item(library, "Batik Depok", item_type=ItemType.THESIS)
    make_alias(item, other_library, "alias-batik")

    item.unpublish()

    root = oai(
        verb="ListIdentifiers",
        metadataPrefix="oai_dc",
        set=f"school:{other_school.npsn}",
    )
    header = root.find("oai:ListIdentifiers/oai:header", NS)
    assert header.get("status") == "deleted"
    assert identifiers(root) == [oai_identifier(item.pk)]
    assert sorted(header_sets(root, item)) == sorted(
        [
            "school",
            f"school:{school.npsn}",
            f"school:{other_school.npsn}",
            "type",
            "type:thesis",
        ]
    )


def test_migration_fills_tombstone_sets(library, school):
    item = make_item(library, "Batik Depok", item_type=ItemType.DATASET)
    item.delete()
    DeletedRecord.objects.update(set_specs="")
    migration = importlib.import_module(
        "library.oai.migrations.0003_deleted_record_set_specs"
    )

    migration.fill_set_specs(django_apps, None)

    record = DeletedRecord.objects.get()
    assert record.sets() == ["school", f"school:{school.npsn}", "type", "type:dataset"]
