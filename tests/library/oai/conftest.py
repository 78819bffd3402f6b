"""Fixtures of the OAI-PMH tests: published items and a response helper."""

import pytest
from django.urls import reverse
from lxml import etree

from library.models import AccessLevel, ItemCreator, LibraryItemPage

from .schema import assert_valid

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
}


def make_item(library, title, access_level=AccessLevel.PUBLIC, **fields):
    """Create and publish an item in ``library``."""
    creators = fields.pop("creators", [("Siti Rahma", "SMP Negeri 1")])
    subjects = fields.pop("subjects", ["sains"])
    item = LibraryItemPage(title=title, access_level=access_level, **fields)
    item.creators = [
        ItemCreator(name=name, affiliation=affiliation)
        for name, affiliation in creators
    ]
    library.add_child(instance=item)
    item.subjects.add(*subjects)
    item.save_revision().publish()
    item.refresh_from_db()
    return item


@pytest.fixture
def oai(client):
    """Return a function that GETs /oai/, validates the response and parses it."""

    def get(method="get", **arguments):
        url = reverse("oai:endpoint")
        response = getattr(client, method)(url, arguments)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        return assert_valid(response.content)

    return get


def error_code(root):
    codes = root.xpath("oai:error/@code", namespaces=NS)
    return codes[0] if codes else None


def identifiers(root):
    return root.xpath("//oai:header/oai:identifier/text()", namespaces=NS)


def token_element(root):
    found = root.xpath("//oai:resumptionToken", namespaces=NS)
    return found[0] if found else None


def dc_values(record, name):
    return record.xpath(f".//dc:{name}/text()", namespaces=NS)


def to_string(root):
    return etree.tostring(root, encoding="unicode")
