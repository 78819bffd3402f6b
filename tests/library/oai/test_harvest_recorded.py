"""The harvester against real repositories' responses, replayed on 127.0.0.1."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from library.models import LibraryIndexPage, LibraryItemPage
from library.oai.client import HarvestError, OAIClient
from library.oai.models import HarvestedRecord, HarvestSource

from .recorded import RecordedRepository, cassette_routes, route

pytestmark = pytest.mark.django_db

ERASMUS_81 = "erasmus-dspace-2004_ListRecords-81records.xml"


@pytest.fixture
def responses(corpus_dir):
    folder = corpus_dir / "oai" / "responses"
    return lambda name: (folder / name).read_bytes()


@pytest.fixture
def identify(responses):
    return {route(verb="Identify"): responses("erasmus-dspace-2003_Identify.xml")}


def harvest(url, *arguments):
    call_command("harvest_oai", url, *arguments)


def test_harvest_erasmus_records(home, identify, responses):
    routes = {
        **identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): responses(ERASMUS_81),
    }
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
    source = HarvestSource.objects.get()
    assert source.name == "Erasmus University : Research Online"
    assert source.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert source.last_datestamp == datetime.datetime(
        2004, 2, 17, 10, 32, 17, tzinfo=datetime.UTC
    )
    # 81 records, of which 2 are deleted ones never seen before.
    assert HarvestedRecord.objects.count() == 79
    items = LibraryItemPage.objects.child_of(source.index)
    assert items.live().count() == 79
    assert items.filter(access_level="public").count() == 79
    assert isinstance(source.index.specific, LibraryIndexPage)
    assert source.index.specific.school is None

    record = HarvestedRecord.objects.get(identifier="hdl:1765/9")
    page = record.page
    assert page.source == "http://hdl.handle.net/1765/9"
    assert page.identifier == "RePEc:dgr:eureri:2001134"
    assert page.language in ("en", "other")
    assert page.creators.exists()
    assert page.subjects.exists()


def test_harvest_again_is_idempotent(home, identify, responses):
    listing = responses(ERASMUS_81)
    routes = {**identify, route(verb="ListRecords", metadataPrefix="oai_dc"): listing}
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
        first_datestamp = HarvestSource.objects.get().last_datestamp
        stamp = first_datestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        repository.routes[
            route(verb="ListRecords", metadataPrefix="oai_dc", **{"from": stamp})
        ] = listing
        harvest(repository.url)
        harvest(repository.url, "--full")
        assert repository.requests[-3]["from"] == stamp
        assert "from" not in repository.requests[-1]
    assert HarvestedRecord.objects.count() == 79
    assert LibraryItemPage.objects.count() == 79
    assert LibraryIndexPage.objects.filter(harvest_source__isnull=False).count() == 1


def test_harvest_set_of_mit(home, identify, responses):
    routes = {
        **identify,
        route(
            verb="ListRecords", metadataPrefix="oai_dc", set="com_1721.1_140587"
        ): responses("mit-dspace_harvest-from-set_01.xml"),
    }
    with RecordedRepository(routes) as repository:
        harvest(repository.url, "--set", "com_1721.1_140587", "--name", "MIT")
    source = HarvestSource.objects.get()
    assert source.set_spec == "com_1721.1_140587"
    assert source.index.title == "MIT"
    assert HarvestedRecord.objects.filter(source=source).count() == 58
    for page in LibraryItemPage.objects.all():
        assert page.source.startswith("http"), page.title


def test_client_follows_tokens_of_mit(responses):
    arguments = {
        "metadataPrefix": "oai_dc",
        "from": "2022-01-01T00:00:00Z",
        "until": "2022-01-10T00:00:00Z",
        "set": "hdl_1721.1_49432",
    }
    token = "oai_dc/2022-01-01T00:00:00Z/2022-01-10T00:00:00Z/hdl_1721.1_49432/100"
    routes = {
        route(verb="ListIdentifiers", **arguments): responses(
            "mit-dspace_get-identifiers_01.xml"
        ),
        route(verb="ListIdentifiers", resumptionToken=token): responses(
            "mit-dspace_get-identifiers_02.xml"
        ),
    }
    with RecordedRepository(routes) as repository:
        client = OAIClient(repository.url)
        pages = list(client.pages("ListIdentifiers", **arguments))
    assert len(pages) == 2
    assert [size for _element, size in pages] == [171, 171]
    headers = [h for element, _size in pages for h in element.iter("{*}header")]
    assert len(headers) == 171


def test_no_records_match_is_not_an_error(home, identify, responses):
    routes = {
        **identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): responses(
            "mit-dspace_get-identifiers-no-matches_01.xml"
        ),
    }
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
    source = HarvestSource.objects.get()
    assert source.last_harvest_at is not None
    assert not HarvestedRecord.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "broken_erasmus-2006_Identify-bogus-wrapper.xml",
        "broken_erasmus-2006_Identify-undefined-entity.xml",
        "broken_erasmus-2006_Identify-bad-earliestDatestamp.xml",
        "sickle_ListRecordsBroken.xml",
    ],
)
def test_broken_identify_stores_nothing(home, responses, name):
    routes = {route(verb="Identify"): responses(name)}
    with RecordedRepository(routes) as repository:
        with pytest.raises(CommandError, match="failed"):
            harvest(repository.url)
    assert not HarvestSource.objects.exists()
    assert not LibraryItemPage.objects.exists()


@pytest.mark.parametrize(
    "answer, message",
    [
        ("sickle_ListRecordsBroken.xml", "not well-formed"),
        ("sickle_badResumptionToken.xml", "badResumptionToken"),
        ("sickle_cannotDisseminateFormat.xml", "cannotDisseminateFormat"),
        ((500, b"Internal Server Error"), "HTTP 500"),
        ((200, b"<html><body>Maintenance</body></html>"), "not an OAI-PMH"),
    ],
    ids=["not xml", "oai error", "no oai_dc", "http 500", "html page"],
)
def test_broken_listing_stores_nothing(home, identify, responses, answer, message):
    body = responses(answer) if isinstance(answer, str) else answer
    routes = {**identify, route(verb="ListRecords", metadataPrefix="oai_dc"): body}
    with RecordedRepository(routes) as repository:
        with pytest.raises(CommandError, match=message):
            harvest(repository.url)
    source = HarvestSource.objects.get()
    assert source.last_datestamp is None
    assert source.last_harvest_at is None
    assert not LibraryItemPage.objects.exists()


def test_broken_second_page_keeps_state(home, identify, responses):
    first = responses("erasmus-dspace-2003_ListRecords.xml").replace(
        b"</ListRecords>",
        b'<resumptionToken completeListSize="97">page-2</resumptionToken>'
        b"</ListRecords>",
    )
    routes = {
        **identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): first,
        route(verb="ListRecords", resumptionToken="page-2"): responses(
            "sickle_ListRecordsBroken.xml"
        ),
    }
    with RecordedRepository(routes) as repository:
        with pytest.raises(CommandError, match="not well-formed"):
            harvest(repository.url)
        assert repository.requests[-1] == {
            "verb": "ListRecords",
            "resumptionToken": "page-2",
        }
    source = HarvestSource.objects.get()
    # The first page is stored, but the next run starts from the same point.
    assert HarvestedRecord.objects.count() == 16
    assert source.last_datestamp is None


def test_unreachable_repository(home):
    with RecordedRepository({}) as repository:
        url = repository.url
    with pytest.raises(CommandError, match="failed"):
        harvest(url)
    assert not HarvestSource.objects.exists()


def test_client_rejects_other_schemes():
    with pytest.raises(HarvestError, match="http"):
        OAIClient("file:///etc/passwd")


def test_from_and_full_together(home):
    with pytest.raises(CommandError, match="either"):
        harvest("http://127.0.0.1:9/oai", "--from", "2024-01-01", "--full")


def test_changed_record_updates_page(home, identify, responses):
    listing = responses("erasmus-dspace-2003_ListRecords.xml")
    routes = {**identify, route(verb="ListRecords", metadataPrefix="oai_dc"): listing}
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
        record = HarvestedRecord.objects.get(identifier="hdl:1765/308")
        old_title = record.page.title
        changed = listing.replace(
            b"<datestamp>2003-04-15T10:18:51Z</datestamp>",
            b"<datestamp>2003-05-01T08:00:00Z</datestamp>",
            1,
        ).replace(old_title.encode(), b"Judul yang diperbaiki", 1)
        repository.routes[route(verb="ListRecords", metadataPrefix="oai_dc")] = changed
        harvest(repository.url, "--full")
    record.refresh_from_db()
    page = LibraryItemPage.objects.get(pk=record.page_id)
    assert page.title == "Judul yang diperbaiki"
    assert record.datestamp == datetime.datetime(2003, 5, 1, 8, tzinfo=datetime.UTC)
    assert HarvestedRecord.objects.count() == 16
    assert LibraryItemPage.objects.count() == 16


def test_record_without_title_fails_alone(home, identify, responses, capsys):
    listing = responses("erasmus-dspace-2003_ListRecords.xml")
    start = listing.index(b"<dc:title>")
    end = listing.index(b"</dc:title>", start) + len(b"</dc:title>")
    routes = {
        **identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): listing[:start]
        + listing[end:],
    }
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
    output = capsys.readouterr()
    assert "15 new" in output.out
    assert "1 failed" in output.out
    assert "hdl:1765/308: record hdl:1765/308 has no title" in output.err
    assert HarvestedRecord.objects.count() == 15
    assert not HarvestedRecord.objects.filter(identifier="hdl:1765/308").exists()


def test_redirect_to_other_host_rejected(home, identify):
    with RecordedRepository(identify) as other:
        routes = {route(verb="Identify"): (302, b"", {"Location": other.url})}
        with RecordedRepository(routes) as repository:
            with pytest.raises(CommandError, match="redirected to another host"):
                harvest(repository.url)
        assert other.requests == []
    assert not HarvestSource.objects.exists()


@pytest.fixture
def cassette(corpus_dir):
    folder = corpus_dir / "oai" / "responses"
    return lambda name: cassette_routes(folder / f"mit-dspace_cassette_{name}.yaml")


def test_client_follows_ten_set_pages(cassette):
    with RecordedRepository(cassette("get-sets")) as repository:
        pages = list(OAIClient(repository.url).pages("ListSets"))
        assert len(repository.requests) == 10
    specs = [s for element, _size in pages for s in element.iter("{*}setSpec")]
    assert len(pages) == 10
    # The recorded DSpace server announced 966 sets but sent 100 on each of
    # its ten pages, so the harvester must not stop at the announced size.
    assert {size for _element, size in pages} == {966}
    assert len(specs) == 1000


def test_client_follows_identifier_pages(cassette):
    arguments = {
        "metadataPrefix": "oai_dc",
        "from": "2022-01-01",
        "until": "2022-01-10",
        "set": "hdl_1721.1_49432",
    }
    with RecordedRepository(cassette("get-identifiers")) as repository:
        pages = list(OAIClient(repository.url).pages("ListIdentifiers", **arguments))
    headers = [h for element, _size in pages for h in element.iter("{*}header")]
    assert len(headers) == 171


def test_harvest_set_from_cassette(home, identify, cassette):
    routes = {**identify, **cassette("harvest-from-set")}
    with RecordedRepository(routes) as repository:
        harvest(repository.url, "--set", "com_1721.1_140587")
    assert HarvestedRecord.objects.count() == 58
    assert LibraryItemPage.objects.live().count() == 58


def test_day_granularity_source_gets_day_from(home, responses):
    identify = responses("erasmus-dspace-2003_Identify.xml").replace(
        b"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
        b"<granularity>YYYY-MM-DD</granularity>",
    )
    listing = responses("erasmus-dspace-2003_ListRecords.xml")
    routes = {
        route(verb="Identify"): identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): listing,
    }
    with RecordedRepository(routes) as repository:
        harvest(repository.url)
        source = HarvestSource.objects.get()
        assert source.granularity == "YYYY-MM-DD"
        day = source.last_datestamp.date().isoformat()
        repository.routes[
            route(verb="ListRecords", metadataPrefix="oai_dc", **{"from": day})
        ] = listing
        harvest(repository.url)
        assert repository.requests[-1]["from"] == day
    assert HarvestedRecord.objects.count() == 16


def test_repeated_token_stops_harvest(home, identify, responses):
    looping = responses("erasmus-dspace-2003_ListRecords.xml").replace(
        b"</ListRecords>", b"<resumptionToken>again</resumptionToken></ListRecords>"
    )
    routes = {
        **identify,
        route(verb="ListRecords", metadataPrefix="oai_dc"): looping,
        route(verb="ListRecords", resumptionToken="again"): looping,
    }
    with RecordedRepository(routes) as repository:
        with pytest.raises(CommandError, match="twice"):
            harvest(repository.url)
        assert len(repository.requests) == 3
    assert HarvestedRecord.objects.count() == 16
    assert HarvestSource.objects.get().last_datestamp is None
