"""Build OAI-PMH 2.0 responses with lxml."""

import datetime

from django.utils import timezone
from lxml import etree

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


def datestamp(value):
    """Return an aware datetime as an OAI-PMH datestamp in UTC, to the second."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def element(parent, name, text=None, **attributes):
    node = etree.SubElement(parent, f"{{{OAI_NS}}}{name}", attributes)
    if text is not None:
        node.text = text
    return node


def envelope(base_url, arguments):
    """
    Return the root element with ``responseDate`` and ``request``.

    ``arguments`` are echoed as attributes of ``request``. Pass none for the
    badVerb and badArgument errors, because the protocol requires that.
    """
    root = etree.Element(f"{{{OAI_NS}}}OAI-PMH", nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_NS} {OAI_SCHEMA}")
    element(root, "responseDate", datestamp(timezone.now()))
    element(root, "request", base_url, **arguments)
    return root


def header(parent, identifier, stamp, set_specs, deleted=False):
    attributes = {"status": "deleted"} if deleted else {}
    node = element(parent, "header", **attributes)
    element(node, "identifier", identifier)
    element(node, "datestamp", datestamp(stamp))
    for set_spec in set_specs:
        element(node, "setSpec", set_spec)
    return node


def oai_dc(parent, elements):
    """Append an ``oai_dc:dc`` block of ``(name, value)`` Dublin Core pairs."""
    dc = etree.SubElement(
        parent,
        f"{{{OAI_DC_NS}}}dc",
        nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS},
    )
    dc.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for name, value in elements:
        etree.SubElement(dc, f"{{{DC_NS}}}{name}").text = value
    return dc


def resumption_token(parent, token, complete_list_size, cursor, expires_at=None):
    attributes = {"completeListSize": str(complete_list_size), "cursor": str(cursor)}
    if expires_at is not None:
        attributes["expirationDate"] = datestamp(expires_at)
    return element(parent, "resumptionToken", token or None, **attributes)


def serialize(root):
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
