"""The OAI-PMH provider: verbs, sets, dates and paging, against the schemas."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from library.models import AccessLevel, ItemContributor, ItemType, LibraryItemPage
from library.oai.models import DeletedRecord
from library.oai.records import oai_identifier

from ..conftest import make_library
from .conftest import NS, dc_values, error_code, identifiers, make_item, token_element

pytestmark = pytest.mark.django_db


def set_published_at(item, moment):
    LibraryItemPage.objects.filter(pk=item.pk).update(last_published_at=moment)


def test_identify_announces_granularity(oai, library):
    make_item(library, "Fotosintesis")
    root = oai(verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:granularity", namespaces=NS) == (
        "YYYY-MM-DDThh:mm:ssZ"
    )
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:baseURL", namespaces=NS).endswith("/oai/")
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"


def test_identify_with_empty_repository(oai, db):
    root = oai(verb="Identify")
    assert root.find("oai:Identify/oai:earliestDatestamp", NS) is not None


def test_list_metadata_formats(oai, library):
    item = make_item(library, "Fotosintesis")
    root = oai(verb="ListMetadataFormats")
    prefixes = root.xpath("//oai:metadataPrefix/text()", namespaces=NS)
    assert prefixes == ["oai_dc"]
    root = oai(verb="ListMetadataFormats", identifier=oai_identifier(item.pk))
    assert root.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc"]


def test_list_metadata_formats_unknown_identifier(oai, library):
    root = oai(verb="ListMetadataFormats", identifier="oai:elsewhere:1")
    assert error_code(root) == "idDoesNotExist"


def test_list_sets(oai, library, other_library, school):
    root = oai(verb="ListSets")
    specs = root.xpath("//oai:setSpec/text()", namespaces=NS)
    assert f"school:{school.npsn}" in specs
    assert "city" in specs
    assert "type:thesis" in specs
    assert len(specs) == len(set(specs))


def test_list_sets_rejects_token(oai, db):
    root = oai(verb="ListSets", resumptionToken="abc")
    assert error_code(root) == "badResumptionToken"


def test_get_record_dublin_core(oai, library, school):
    item = make_item(
        library,
        "Kualitas air Sungai Ciliwung",
        abstract="Pengukuran pH dan oksigen terlarut.",
        issued=datetime.date(2024, 5, 1),
        item_type=ItemType.THESIS,
        language="id",
        licence="cc-by-sa",
        publisher="SMP Negeri 1",
        identifier="ISBN 978-602-000-000-1",
        coverage="Depok",
        rights="Hak cipta penulis.",
        subjects=["lingkungan", "air"],
    )
    ItemContributor.objects.create(item=item, name="Budi Santoso", role="pembimbing")
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    record = root.find("oai:GetRecord/oai:record", NS)
    assert identifiers(root) == [oai_identifier(item.pk)]
    assert dc_values(record, "title") == ["Kualitas air Sungai Ciliwung"]
    assert dc_values(record, "creator") == ["Siti Rahma (SMP Negeri 1)"]
    assert dc_values(record, "subject") == ["air", "lingkungan"]
    assert dc_values(record, "contributor") == ["Budi Santoso (pembimbing)"]
    assert dc_values(record, "date") == ["2024-05-01"]
    assert dc_values(record, "type") == ["Text", "student thesis or final paper"]
    assert dc_values(record, "language") == ["id"]
    assert dc_values(record, "coverage") == ["Depok"]
    assert dc_values(record, "rights") == [
        "https://creativecommons.org/licenses/by-sa/4.0/",
        "Hak cipta penulis.",
    ]
    found_identifiers = dc_values(record, "identifier")
    assert found_identifiers[0] == "ISBN 978-602-000-000-1"
    assert found_identifiers[1].startswith("http")
    assert found_identifiers[1].endswith(item.url_path.split("/", 2)[2])
    sets = record.xpath("oai:header/oai:setSpec/text()", namespaces=NS)
    assert sets == ["school", f"school:{school.npsn}", "type", "type:thesis"]


def test_get_record_strips_control_characters(oai, library):
    item = make_item(library, "Laporan", abstract="teks\x0crusak\x01 dari PDF")
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    assert dc_values(root, "description") == ["teksrusak dari PDF"]


@pytest.mark.parametrize(
    "access_level", [AccessLevel.CITY, AccessLevel.SCHOOL, AccessLevel.PEOPLE]
)
def test_restricted_item_not_exposed(oai, library, access_level):
    item = make_item(library, "Rahasia", access_level=access_level)
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    assert error_code(root) == "idDoesNotExist"
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert error_code(root) == "noRecordsMatch"
    assert not DeletedRecord.objects.exists()


def test_embargoed_item_shows_metadata(oai, library):
    item = make_item(
        library, "Embargo", embargo_until=timezone.localdate() + datetime.timedelta(30)
    )
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    assert dc_values(root, "title") == ["Embargo"]


def test_list_records_by_set(oai, library, other_library, home, school, other_school):
    city = make_library(home, None, "perpustakaan-kota")
    in_school = make_item(library, "Satu", item_type=ItemType.THESIS)
    in_other = make_item(other_library, "Dua", item_type=ItemType.ARTICLE)
    in_city = make_item(city, "Tiga", item_type=ItemType.THESIS)
    cases = {
        f"school:{school.npsn}": [in_school],
        f"school:{other_school.npsn}": [in_other],
        "school": [in_school, in_other],
        "city": [in_city],
        "type:thesis": [in_school, in_city],
        "type": [in_school, in_other, in_city],
    }
    for set_spec, expected in cases.items():
        root = oai(verb="ListRecords", metadataPrefix="oai_dc", set=set_spec)
        assert sorted(identifiers(root)) == sorted(
            oai_identifier(item.pk) for item in expected
        ), set_spec


def test_unknown_set_matches_nothing(oai, library):
    make_item(library, "Satu")
    for set_spec in ("school:999", "type:poem", "nothing"):
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        assert error_code(root) == "noRecordsMatch", set_spec


def test_from_until_day_and_second(oai, library):
    early = make_item(library, "Awal")
    late = make_item(library, "Akhir")
    set_published_at(early, datetime.datetime(2024, 3, 1, 10, 0, 0, 500, datetime.UTC))
    set_published_at(late, datetime.datetime(2024, 3, 2, 23, 59, 59, 900, datetime.UTC))
    cases = [
        ({"from": "2024-03-01", "until": "2024-03-01"}, [early]),
        ({"from": "2024-03-02"}, [late]),
        ({"until": "2024-03-02"}, [early, late]),
        ({"from": "2024-03-01T10:00:00Z", "until": "2024-03-01T10:00:00Z"}, [early]),
        ({"from": "2024-03-01T10:00:01Z"}, [late]),
        ({"until": "2024-03-02T23:59:58Z"}, [early]),
        ({"from": "2024-03-02T23:59:59Z"}, [late]),
        ({"from": "2024-03-03"}, []),
    ]
    for arguments, expected in cases:
        root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **arguments)
        if expected:
            assert identifiers(root) == [oai_identifier(i.pk) for i in expected], (
                arguments
            )
        else:
            assert error_code(root) == "noRecordsMatch", arguments
    root = oai(
        verb="GetRecord", identifier=oai_identifier(early.pk), metadataPrefix="oai_dc"
    )
    datestamps = root.xpath("//oai:datestamp/text()", namespaces=NS)
    assert datestamps == ["2024-03-01T10:00:00Z"]


def test_resumption_tokens_page_the_list(oai, library, settings):
    settings.OAI_PAGE_SIZE = 2
    items = [make_item(library, f"Buku {number}") for number in range(5)]
    seen = []
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    cursors = []
    while True:
        seen += identifiers(root)
        token = token_element(root)
        assert token is not None
        assert token.get("completeListSize") == "5"
        cursors.append(token.get("cursor"))
        if not token.text:
            assert token.get("expirationDate") is None
            break
        assert token.get("expirationDate") is not None
        root = oai(verb="ListRecords", resumptionToken=token.text)
    assert seen == [oai_identifier(item.pk) for item in items]
    assert cursors == ["0", "2", "4"]


def test_single_page_has_no_token(oai, library):
    make_item(library, "Satu")
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert token_element(root) is None


def test_deleted_records_follow_items(oai, library, settings):
    settings.OAI_PAGE_SIZE = 2
    remaining = [make_item(library, f"Tetap {n}") for n in range(3)]
    removed = [make_item(library, f"Hilang {n}") for n in range(2)]
    removed[0].unpublish()
    removed[1].delete()
    seen, deleted = [], []
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    while True:
        seen += identifiers(root)
        deleted += root.xpath(
            "//oai:header[@status='deleted']/oai:identifier/text()", namespaces=NS
        )
        token = token_element(root)
        if token is None or not token.text:
            break
        root = oai(verb="ListIdentifiers", resumptionToken=token.text)
    assert seen == [oai_identifier(i.pk) for i in remaining + removed]
    assert deleted == [oai_identifier(i.pk) for i in removed]


def test_get_record_of_deleted_item(oai, library, school):
    item = make_item(library, "Hilang", item_type=ItemType.DATASET)
    page_id = item.pk
    item.delete()
    root = oai(
        verb="GetRecord", identifier=oai_identifier(page_id), metadataPrefix="oai_dc"
    )
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert root.find("oai:GetRecord/oai:record/oai:metadata", NS) is None
    assert header.xpath("oai:setSpec/text()", namespaces=NS) == [
        "school",
        f"school:{school.npsn}",
        "type",
        "type:dataset",
    ]
    root = oai(verb="ListMetadataFormats", identifier=oai_identifier(page_id))
    assert error_code(root) is None


def test_item_made_restricted_gets_tombstone(oai, library):
    item = make_item(library, "Dulu publik")
    item.access_level = AccessLevel.SCHOOL
    item.save_revision().publish()
    assert DeletedRecord.objects.filter(page_id=item.pk).exists()
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert root.xpath("//oai:header", namespaces=NS)[0].get("status") == "deleted"
    item.access_level = AccessLevel.PUBLIC
    item.save_revision().publish()
    assert not DeletedRecord.objects.filter(page_id=item.pk).exists()
    root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert root.xpath("//oai:header", namespaces=NS)[0].get("status") is None


def test_post_request(oai, library):
    make_item(library, "Satu")
    root = oai(method="post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(identifiers(root)) == 1


def test_list_records_queries_per_page(
    oai, library, settings, django_assert_max_num_queries
):
    settings.OAI_PAGE_SIZE = 10
    for number in range(12):
        item = make_item(library, f"Buku {number}", subjects=["a", "b"])
        ItemContributor.objects.create(item=item, name="Editor", role="editor")
    with django_assert_max_num_queries(12) as first:
        root = oai(verb="ListRecords", metadataPrefix="oai_dc")
    token = token_element(root).text
    with django_assert_max_num_queries(12) as second:
        root = oai(verb="ListRecords", resumptionToken=token)
    assert len(identifiers(root)) == 2
    assert len(second.captured_queries) <= len(first.captured_queries)


def test_view_restricted_item_not_exposed(oai, library):
    item = make_item(library, "Berkata sandi")
    PageViewRestriction.objects.create(
        page=library, restriction_type=PageViewRestriction.PASSWORD, password="x1"
    )
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="oai_dc"
    )
    assert error_code(root) == "idDoesNotExist"
