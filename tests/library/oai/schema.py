"""Validate OAI-PMH responses against the official schemas, read from local files."""

from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

LOCAL_COPIES = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
}


def schema_dir():
    return Path(settings.CORPUS_DIR) / "oai"


class LocalSchemas(etree.Resolver):
    """Resolve the schemas' imports of remote addresses to the local copies."""

    def resolve(self, system_url, public_id, context):
        if system_url in LOCAL_COPIES:
            return self.resolve_filename(
                str(schema_dir() / LOCAL_COPIES[system_url]), context
            )
        return None


@cache
def oai_schema():
    """Return one schema that covers the OAI-PMH envelope and oai_dc records."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalSchemas())
    wrapper = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
                 schemaLocation="{(schema_dir() / "OAI-PMH.xsd").as_uri()}"/>
      <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
                 schemaLocation="{(schema_dir() / "oai_dc.xsd").as_uri()}"/>
    </xs:schema>"""
    document = etree.fromstring(
        wrapper.encode(), parser, base_url=schema_dir().as_uri() + "/"
    )
    return etree.XMLSchema(document)


def assert_valid(content):
    """Parse ``content`` and assert that it validates; return the root element."""
    root = etree.fromstring(content, etree.XMLParser(no_network=True))
    schema = oai_schema()
    if not schema.validate(root):
        errors = "\n".join(str(error) for error in schema.error_log)
        raise AssertionError(f"response does not validate:\n{errors}")
    return root
