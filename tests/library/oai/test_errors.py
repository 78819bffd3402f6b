"""Every OAI-PMH error code, each in a response that validates."""

import datetime

import pytest
from django.core import signing

from library.oai import tokens
from library.oai.records import oai_identifier

from .conftest import NS, error_code, make_item, token_element

pytestmark = pytest.mark.django_db


def request_attributes(root):
    return dict(root.find("oai:request", NS).attrib)


@pytest.mark.parametrize(
    "arguments",
    [{}, {"verb": "Harvest"}, {"verb": ["Identify", "Identify"]}],
    ids=["missing", "unknown", "repeated"],
)
def test_bad_verb(oai, arguments):
    root = oai(**arguments)
    assert error_code(root) == "badVerb"
    assert request_attributes(root) == {}


@pytest.mark.parametrize(
    "arguments",
    [
        {"verb": "Identify", "set": "city"},
        {"verb": "ListRecords"},
        {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-02-30"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "24-01-01"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2024-01-01T10Z"},
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-01-01",
            "until": "2024-02-01T00:00:00Z",
        },
        {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-02-01",
            "until": "2024-01-01",
        },
        {"verb": "ListRecords", "metadataPrefix": "oai dc"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "school::1"},
        {"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"},
        {"verb": "ListSets", "resumptionToken": "x", "set": "city"},
    ],
    ids=[
        "illegal",
        "missing",
        "repeated",
        "missing identifier",
        "impossible date",
        "short year",
        "partial time",
        "mixed granularity",
        "from after until",
        "prefix syntax",
        "set syntax",
        "token not alone",
        "token with set",
    ],
)
def test_bad_argument(oai, arguments):
    root = oai(**arguments)
    assert error_code(root) == "badArgument"
    assert request_attributes(root) == {}


def test_cannot_disseminate_format(oai, library):
    item = make_item(library, "Satu")
    root = oai(verb="ListRecords", metadataPrefix="marc21")
    assert error_code(root) == "cannotDisseminateFormat"
    assert request_attributes(root)["metadataPrefix"] == "marc21"
    root = oai(
        verb="GetRecord", identifier=oai_identifier(item.pk), metadataPrefix="marc21"
    )
    assert error_code(root) == "cannotDisseminateFormat"


@pytest.mark.parametrize(
    "identifier", ["oai:elsewhere.example:1", "oai:perpustakaan.depok.example:999999"]
)
def test_id_does_not_exist(oai, db, identifier):
    root = oai(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"


def test_no_records_match(oai, library):
    make_item(library, "Satu")
    root = oai(verb="ListRecords", metadataPrefix="oai_dc", until="2000-01-01")
    assert error_code(root) == "noRecordsMatch"


def first_token(oai, library, settings):
    settings.OAI_PAGE_SIZE = 1
    make_item(library, "Satu")
    make_item(library, "Dua")
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    return token_element(root).text


def test_forged_token(oai, library, settings):
    token = first_token(oai, library, settings)
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    root = oai(verb="ListIdentifiers", resumptionToken=forged)
    assert error_code(root) == "badResumptionToken"
    unsigned = signing.dumps({"verb": "ListIdentifiers"}, salt="another salt")
    root = oai(verb="ListIdentifiers", resumptionToken=unsigned)
    assert error_code(root) == "badResumptionToken"


def test_token_of_other_verb(oai, library, settings):
    token = first_token(oai, library, settings)
    root = oai(verb="ListRecords", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"


def test_expired_token(oai, library, settings, monkeypatch):
    token = first_token(oai, library, settings)
    later = datetime.datetime.now().timestamp() + settings.OAI_TOKEN_LIFETIME + 10
    monkeypatch.setattr(signing.time, "time", lambda: later)
    root = oai(verb="ListIdentifiers", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"
    assert "kedaluwarsa" in root.findtext("oai:error", namespaces=NS)


def test_signed_token_with_bad_state(oai, db):
    token = signing.dumps(
        {"verb": "ListIdentifiers", "after": ["not a date", 1]},
        salt=tokens.SALT,
        compress=True,
    )
    root = oai(verb="ListIdentifiers", resumptionToken=token)
    assert error_code(root) == "badResumptionToken"


def test_error_messages_in_indonesian_and_english(oai, settings):
    root = oai(verb="Harvest")
    assert root.findtext("oai:error", namespaces=NS) == ("Harvest bukan verb OAI-PMH.")
    settings.LANGUAGE_CODE = "en"
    root = oai(verb="Harvest")
    assert root.findtext("oai:error", namespaces=NS) == (
        "Harvest is not an OAI-PMH verb."
    )
