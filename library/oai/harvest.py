"""
Harvest another OAI-PMH repository into a library of its own.

Each record becomes a live, public ``LibraryItemPage`` under the source's
``LibraryIndexPage``, so the library search finds it beside local items,
and its ``source`` field links to the original record. A
``HarvestedRecord`` row ties the page to the record's identifier, which
makes harvests idempotent: a record seen again updates its page only when
its datestamp changed, and a deleted record unpublishes its page.

Each response page is stored in one transaction, so a broken page stores
nothing. The source's ``last_datestamp``, the ``from`` of the next
incremental harvest, advances only when the whole list was harvested.
"""

import datetime
import hashlib
import logging
import re
import urllib.parse
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Site

from library.models import (
    AccessLevel,
    ItemContributor,
    ItemCreator,
    ItemLanguage,
    ItemType,
    LibraryIndexPage,
    LibraryItemPage,
    Licence,
)

from .client import NS, HarvestError, OAIErrorResponse, parse_datestamp
from .models import HarvestedRecord
from .records import LICENCE_URLS
from .xml import DC_NS, OAI_DC_NS

logger = logging.getLogger(__name__)

METADATA_PREFIX = "oai_dc"
_NAME_WITH_NOTE = re.compile(r"^(?P<name>.*\S)\s*\((?P<note>[^()]*)\)$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
# Words in dc:type values, checked in this order, and the item type they
# stand for. Anything else becomes an article.
_TYPE_WORDS = [
    ("dataset", ItemType.DATASET),
    ("thesis", ItemType.THESIS),
    ("dissertation", ItemType.THESIS),
    ("skripsi", ItemType.THESIS),
    ("tesis", ItemType.THESIS),
    ("module", ItemType.TEACHING_MODULE),
    ("modul", ItemType.TEACHING_MODULE),
    ("learning object", ItemType.TEACHING_MODULE),
    ("book", ItemType.EBOOK),
    ("buku", ItemType.EBOOK),
    ("research", ItemType.RESEARCH_PAPER),
    ("working paper", ItemType.RESEARCH_PAPER),
    ("report", ItemType.RESEARCH_PAPER),
    ("penelitian", ItemType.RESEARCH_PAPER),
]
_LANGUAGES = {
    "id": ItemLanguage.INDONESIAN,
    "in": ItemLanguage.INDONESIAN,
    "ind": ItemLanguage.INDONESIAN,
    "indonesian": ItemLanguage.INDONESIAN,
    "bahasa indonesia": ItemLanguage.INDONESIAN,
    "en": ItemLanguage.ENGLISH,
    "eng": ItemLanguage.ENGLISH,
    "english": ItemLanguage.ENGLISH,
}


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failed: int = 0
    pages: int = 0
    failures: list = field(default_factory=list)

    def __str__(self):
        return (
            f"{self.new} new, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged, {self.failed} failed, {self.pages} pages"
        )


@dataclass
class Record:
    identifier: str
    datestamp: datetime.datetime
    is_deleted: bool
    # Dublin Core element name to its values, in document order.
    dc: dict


def parse_records(list_element):
    """
    Return the ``Record`` of each record in a ListRecords page.

    Raise ``HarvestError`` when a header lacks its identifier or has an
    invalid datestamp: the page is then treated as broken.
    """
    parsed = []
    for record in list_element.findall("oai:record", NS):
        header = record.find("oai:header", NS)
        if header is None:
            raise HarvestError("a record has no header")
        identifier = (header.findtext("oai:identifier", namespaces=NS) or "").strip()
        if not identifier:
            raise HarvestError("a record header has no identifier")
        try:
            stamp = parse_datestamp(header.findtext("oai:datestamp", namespaces=NS))
        except ValueError as error:
            raise HarvestError(f"record {identifier}: {error}") from error
        dc = {}
        for node in record.iterfind(f"oai:metadata/{{{OAI_DC_NS}}}dc/*", NS):
            if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{DC_NS}}}"):
                continue
            value = " ".join("".join(node.itertext()).split())
            if value:
                dc.setdefault(node.tag.split("}", 1)[1], []).append(value)
        parsed.append(Record(identifier, stamp, header.get("status") == "deleted", dc))
    return parsed


def _clip(value, length):
    return value[:length].strip()


def _split_note(value):
    match = _NAME_WITH_NOTE.match(value)
    if match:
        return match["name"], match["note"]
    return value, ""


def _issued(values):
    for value in values:
        match = _DATE.match(value)
        if not match:
            continue
        try:
            return datetime.date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
        except ValueError:
            continue
    return None


def _item_type(values):
    text = " ".join(values).casefold()
    for value in ItemType:
        if str(value.label).casefold() in text or value.value in text:
            return value
    for word, item_type in _TYPE_WORDS:
        if word in text:
            return item_type
    return ItemType.ARTICLE


def _language(values):
    for value in values:
        code = value.casefold().replace("_", "-")
        if code in _LANGUAGES:
            return _LANGUAGES[code]
        if code.split("-")[0] in _LANGUAGES:
            return _LANGUAGES[code.split("-")[0]]
    return ItemLanguage.OTHER


def _licence(values):
    by_url = {url.rstrip("/"): licence for licence, url in LICENCE_URLS.items()}
    for value in values:
        for word in value.split():
            candidate = word.rstrip("/").replace("http://", "https://")
            if candidate in by_url:
                return by_url[candidate]
    return Licence.ALL_RIGHTS_RESERVED


def _subjects(values):
    names, seen = [], set()
    for value in values:
        for part in value.split(";"):
            name = _clip(part.strip(), 100)
            if name and name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
    return names


def record_url(base_url, record):
    """Return the address of the original record: its own URL, or GetRecord."""
    for value in record.dc.get("identifier", []):
        if value.startswith(("http://", "https://")) and len(value) <= 255:
            return value
    query = urllib.parse.urlencode(
        {
            "verb": "GetRecord",
            "metadataPrefix": METADATA_PREFIX,
            "identifier": record.identifier,
        }
    )
    separator = "&" if "?" in base_url else "?"
    url = f"{base_url}{separator}{query}"
    return url if len(url) <= 255 else ""


def page_fields(base_url, record):
    """Return the ``LibraryItemPage`` fields of ``record``, or raise ValueError."""
    dc = record.dc
    titles = dc.get("title", [])
    if not titles:
        raise ValueError(f"record {record.identifier} has no title")
    identifiers = [
        value
        for value in dc.get("identifier", [])
        if not value.startswith(("http://", "https://"))
    ]
    rights = [value for value in dc.get("rights", []) if "://" not in value]
    return {
        "title": _clip(titles[0], 255),
        "abstract": "\n\n".join(dc.get("description", [])),
        "issued": _issued(dc.get("date", [])),
        "item_type": _item_type(dc.get("type", [])),
        "language": _language(dc.get("language", [])),
        "licence": _licence(dc.get("rights", [])),
        "rights": "\n".join(rights),
        "publisher": _clip("; ".join(dc.get("publisher", [])), 255),
        "identifier": _clip(identifiers[0], 255) if identifiers else "",
        "source": record_url(base_url, record),
        "relation": _clip("; ".join(dc.get("relation", [])), 255),
        "coverage": _clip("; ".join(dc.get("coverage", [])), 255),
        "access_level": AccessLevel.PUBLIC,
    }


def ensure_index(source):
    """Return the source's library, creating it under the default site's home."""
    if source.index_id is not None:
        return source.index
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    home = site.root_page
    base_slug = _clip(slugify(f"harvested {source.name}"), 60) or "harvested"
    slug, number = base_slug, 1
    while home.get_children().filter(slug=slug).exists():
        number += 1
        slug = f"{base_slug}-{number}"
    index = LibraryIndexPage(title=_clip(source.name, 255), slug=slug)
    home.add_child(instance=index)
    index.save_revision().publish()
    source.index = index
    source.save(update_fields=["index"])
    return index


class Harvester:
    """Harvest one ``HarvestSource`` through an ``OAIClient``."""

    def __init__(self, source, client, progress=None):
        self.source = source
        self.client = client
        self.progress = progress
        self.summary = Summary()

    def run(self, from_date=None):
        """
        Harvest every page of the list and advance the source's state.

        Raise ``HarvestError`` when a page fails. The pages stored before it
        stay stored, and the source's state stays where it was.
        """
        started_at = timezone.now()
        arguments = {"metadataPrefix": METADATA_PREFIX}
        if self.source.set_spec:
            arguments["set"] = self.source.set_spec
        if from_date:
            arguments["from"] = from_date
        newest = self.source.last_datestamp
        index = ensure_index(self.source)
        logger.info(
            "harvest started source=%s from=%s", self.source.pk, from_date or "-"
        )
        try:
            for element, total in self.client.pages("ListRecords", **arguments):
                if self.progress is not None and total and not self.progress.total:
                    self.progress.total = total
                records = parse_records(element)
                self._store_page(index, records)
                self.summary.pages += 1
                for record in records:
                    if newest is None or record.datestamp > newest:
                        newest = record.datestamp
        except HarvestError as error:
            if not (
                isinstance(error, OAIErrorResponse) and error.code == "noRecordsMatch"
            ):
                logger.warning(
                    "harvest failed source=%s error=%s", self.source.pk, error
                )
                raise
            logger.info("no new records source=%s", self.source.pk)
        self.source.last_datestamp = newest
        self.source.last_harvest_at = started_at
        self.source.save(update_fields=["last_datestamp", "last_harvest_at"])
        logger.info("harvest finished source=%s %s", self.source.pk, self.summary)
        return self.summary

    @transaction.atomic
    def _store_page(self, index, records):
        known = {
            harvested.identifier: harvested
            for harvested in HarvestedRecord.objects.filter(
                source=self.source, identifier__in=[r.identifier for r in records]
            ).select_related("page")
        }
        for record in records:
            try:
                with transaction.atomic():
                    outcome = self._store(index, record, known.get(record.identifier))
            except (ValueError, ValidationError, IntegrityError, DataError) as error:
                outcome = "failed"
                self.summary.failures.append(f"{record.identifier}: {error}")
                logger.warning(
                    "harvested record not stored source=%s identifier=%s error=%s",
                    self.source.pk,
                    record.identifier,
                    error,
                )
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            if self.progress is not None:
                self.progress.update(1)

    def _store(self, index, record, harvested):
        if record.is_deleted:
            if harvested is None or harvested.is_deleted:
                return "unchanged"
            harvested.page.unpublish()
            harvested.is_deleted = True
            harvested.datestamp = record.datestamp
            harvested.save(update_fields=["is_deleted", "datestamp"])
            return "deleted"

        fields = page_fields(self.source.base_url, record)
        if harvested is not None and not harvested.is_deleted:
            if harvested.datestamp == record.datestamp:
                return "unchanged"
        now = timezone.now()
        if harvested is None:
            page = LibraryItemPage(
                slug=_item_slug(fields["title"], record.identifier),
                live=True,
                first_published_at=now,
                **fields,
            )
            harvested = HarvestedRecord(
                source=self.source, identifier=record.identifier
            )
            outcome = "new"
        else:
            page = harvested.page
            for name, value in fields.items():
                setattr(page, name, value)
            page.live = True
            page.has_unpublished_changes = False
            outcome = "updated"
        # One save without a revision per record, because the page only
        # mirrors the source. Revisions start when someone edits it here.
        page.last_published_at = now
        _set_people(page, record)
        page.subjects.set(_subjects(record.dc.get("subject", [])))
        if outcome == "new":
            index.add_child(instance=page)
        else:
            page.save()
        harvested.page = page
        harvested.datestamp = record.datestamp
        harvested.is_deleted = False
        harvested.harvested_at = now
        harvested.save()
        return outcome


def _item_slug(title, identifier):
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:12]
    return f"{_clip(slugify(title), 60)}-{digest}".lstrip("-")


def _set_people(page, record):
    creators = []
    for value in record.dc.get("creator", []):
        name, affiliation = _split_note(value)
        creators.append(
            ItemCreator(name=_clip(name, 200), affiliation=_clip(affiliation, 200))
        )
    contributors = []
    for value in record.dc.get("contributor", []):
        name, role = _split_note(value)
        contributors.append(
            ItemContributor(name=_clip(name, 200), role=_clip(role, 100))
        )
    page.creators = creators
    page.contributors = contributors
