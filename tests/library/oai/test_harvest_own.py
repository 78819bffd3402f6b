"""Harvest this platform's own provider over HTTP, and sickle's harvest of it."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from sickle import Sickle

from library.models import AccessLevel, LibraryItemPage
from library.oai.models import HarvestedRecord, HarvestSource
from library.oai.records import exposed_items, oai_identifier

from .conftest import make_item

PAGE_SIZE = 3


@pytest.fixture
def small_pages(settings):
    """Split lists into pages of three; set before daphne forks."""
    settings.OAI_PAGE_SIZE = PAGE_SIZE


@pytest.fixture
def provider(small_pages, library, daphne_server):
    return f"{daphne_server}/oai/"


def sickle_identifiers(base_url, **arguments):
    harvester = Sickle(base_url, max_retries=0, timeout=30)
    return [
        header.identifier
        for header in harvester.ListIdentifiers(metadataPrefix="oai_dc", **arguments)
    ]


def test_sickle_harvests_whole_repository(provider, library, other_library):
    items = [make_item(library, f"Buku sains {n}") for n in range(5)]
    items += [make_item(other_library, f"Artikel {n}") for n in range(4)]
    make_item(library, "Hanya sekolah", access_level=AccessLevel.SCHOOL)
    withdrawn = make_item(library, "Ditarik")
    withdrawn.unpublish()

    found = sickle_identifiers(provider)
    expected = [
        oai_identifier(pk) for pk in exposed_items().values_list("pk", flat=True)
    ]
    assert len(found) == 10
    assert len(set(found)) == len(found)
    assert set(found) == {*expected, oai_identifier(withdrawn.pk)}

    harvester = Sickle(provider, max_retries=0, timeout=30)
    records = list(harvester.ListRecords(metadataPrefix="oai_dc"))
    titles = {r.metadata["title"][0] for r in records if not r.deleted}
    assert titles == {item.title for item in items}
    assert [r.header.identifier for r in records if r.deleted] == [
        oai_identifier(withdrawn.pk)
    ]


def test_harvest_own_instance(provider, client, library):
    originals = [
        make_item(library, f"Fotosintesis tumbuhan {n}", subjects=["biologi"])
        for n in range(7)
    ]
    call_command("harvest_oai", provider, "--name", "Salinan")
    source = HarvestSource.objects.get()
    harvested = LibraryItemPage.objects.child_of(source.index).live()
    assert harvested.count() == 7
    urls = {item.get_full_url() for item in originals}
    assert (
        set(harvested.values_list("source", flat=True))
        <= urls | {url.replace("localhost", "127.0.0.1") for url in urls}
        or len(set(harvested.values_list("source", flat=True))) == 7
    )
    for page in harvested:
        assert page.source.startswith("http")
        assert page.subjects.filter(name="biologi").exists()
        assert page.creators.get().name == "Siti Rahma"
        assert page.creators.get().affiliation == "SMP Negeri 1"

    # Harvested records are searchable beside the local ones.
    response = client.get(reverse("library:search"), {"q": "fotosintesis"})
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("Fotosintesis tumbuhan 3") >= 1

    # A second run requests only what changed, and changes nothing.
    call_command("harvest_oai", provider)
    assert HarvestedRecord.objects.count() == 7
    assert LibraryItemPage.objects.count() == 14

    # A deleted original unpublishes its copy on the next run.
    originals[0].delete()
    call_command("harvest_oai", provider)
    record = HarvestedRecord.objects.get(identifier=oai_identifier(originals[0].pk))
    assert record.is_deleted
    assert not record.page.live
    assert harvested.all().count() == 6
