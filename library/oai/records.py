"""
The items that the OAI-PMH provider exposes, their sets and their Dublin Core.

Only live, public items of this platform are exposed: items with another
access level are never shown, and records harvested from other repositories
are not passed on. Embargoed items are exposed, because the embargo hides
only their files and the records carry no file links. A Wagtail page alias
is no record of its own, so a work has one identifier, its original's,
wherever it is shown. Instead the original's record is in the set of each
school whose library has a live alias of it, as ``SearchDocument.schools``
lists them.
"""

import re

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from library.indexing import CITY_WIDE, join_slugs, listed_schools
from library.models import (
    AccessLevel,
    ItemContributor,
    ItemCreator,
    ItemFile,
    ItemType,
    LibraryItemPage,
    LibraryItemPageTag,
    Licence,
    SearchDocument,
)
from lms.models import School

from .models import DeletedRecord, HarvestedRecord

CITY_SET = "city"
SCHOOL_SET = "school"
TYPE_SET = "type"

LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}
# DCMI Type Vocabulary term of each item type, given before the type's name.
DCMI_TYPES = {ItemType.DATASET: "Dataset"}
DCMI_DEFAULT_TYPE = "Text"

# XML 1.0 forbids most control characters, which extracted or pasted text
# may contain.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """Return ``value`` as a string without the characters XML 1.0 forbids."""
    return _INVALID_XML_CHARS.sub("", str(value))


def exposed_items():
    """Return the items that the provider exposes."""
    harvested = HarvestedRecord.objects.filter(page_id=OuterRef("pk"))
    return (
        LibraryItemPage.objects.live()
        .public()
        .filter(access_level=AccessLevel.PUBLIC, last_published_at__isnull=False)
        .filter(alias_of__isnull=True)
        .filter(~Exists(harvested))
    )


def without_text(items):
    """Return ``items`` without the extracted text, which records never show."""
    return items.select_related("school").defer("full_text")


def attach_metadata(items):
    """
    Load the creators, contributors, subjects and formats of ``items``.

    Each item gains ``dc_creators``, ``dc_contributors``, ``dc_subjects``
    and ``dc_formats`` lists, filled by four queries whatever the number
    of items. Plain value queries are used because building model instances
    for every creator and tag took most of a page's time.
    """
    by_id = {item.pk: item for item in items}
    for item in items:
        item.dc_creators, item.dc_contributors = [], []
        item.dc_subjects, item.dc_formats = [], []
    creators = (
        ItemCreator.objects.filter(item_id__in=by_id)
        .order_by("item_id", "sort_order", "pk")
        .values_list("item_id", "name", "affiliation")
    )
    for item_id, name, affiliation in creators:
        by_id[item_id].dc_creators.append(
            f"{name} ({affiliation})" if affiliation else name
        )
    contributors = (
        ItemContributor.objects.filter(item_id__in=by_id)
        .order_by("item_id", "sort_order", "pk")
        .values_list("item_id", "name", "role")
    )
    for item_id, name, role in contributors:
        by_id[item_id].dc_contributors.append(f"{name} ({role})" if role else name)
    subjects = (
        LibraryItemPageTag.objects.filter(content_object_id__in=by_id)
        .order_by("content_object_id", "tag__name")
        .values_list("content_object_id", "tag__name")
    )
    for item_id, name in subjects:
        by_id[item_id].dc_subjects.append(name)
    formats = (
        ItemFile.objects.filter(item_id__in=by_id, replaced_by__isnull=True)
        .order_by("item_id", "content_type")
        .values_list("item_id", "content_type")
        .distinct()
    )
    for item_id, content_type in formats:
        by_id[item_id].dc_formats.append(content_type)
    return items


def item_sets(school_npsns, item_type):
    """
    Return the setSpecs of an item of ``item_type`` that the libraries of
    ``school_npsns`` list, where a blank NPSN is the city-wide library.
    """
    npsns = sorted(set(school_npsns))
    places = [CITY_SET] if "" in npsns else []
    schools = [f"{SCHOOL_SET}:{npsn}" for npsn in npsns if npsn]
    if schools:
        places += [SCHOOL_SET, *schools]
    return [*places, TYPE_SET, f"{TYPE_SET}:{item_type}"]


def join_sets(set_specs):
    """Return setSpecs as ``DeletedRecord.set_specs`` stores them."""
    return join_slugs(set_specs)


def attach_sets(items):
    """
    Give each of ``items`` its setSpecs as ``oai_sets``, with two queries
    whatever the number of items.

    An item is in the set of its own school, or the city set, and in those
    of the schools whose libraries have live aliases of it.
    """
    listed = dict(
        SearchDocument.objects.filter(pk__in=[item.pk for item in items]).values_list(
            "pk", "schools"
        )
    )
    _attach_sets_of_schools(items, listed)
    return items


def tombstone_sets(item):
    """
    Return the setSpecs for the tombstone of ``item``.

    Wagtail 8.0 unpublishes an item's aliases before it sends
    ``page_unpublished``, so the schools of unpublished aliases count too.
    """
    listed = listed_schools([item.pk], include_unpublished=True)
    return _attach_sets_of_schools([item], listed)[0].oai_sets


def _attach_sets_of_schools(items, listed):
    """Set ``oai_sets`` of ``items`` from ``listed``, their schools by item id."""
    tokens = {
        item.pk: [token for token in listed.get(item.pk, "").split("|") if token]
        for item in items
    }
    school_ids = {
        int(token) for found in tokens.values() for token in found if token.isdigit()
    }
    npsns = {
        str(pk): npsn
        for pk, npsn in School.objects.filter(pk__in=school_ids).values_list(
            "pk", "npsn"
        )
    }
    for item in items:
        places = [item.school.npsn if item.school_id else ""]
        for token in tokens[item.pk]:
            if token == CITY_WIDE:
                places.append("")
            elif token in npsns:
                places.append(npsns[token])
        item.oai_sets = item_sets(places, item.item_type)
    return items


def filter_set(items, tombstones, set_spec):
    """
    Return ``items`` and ``tombstones`` limited to ``set_spec``.

    Items are matched by their own school and by the schools listed in
    their search rows. An unknown set gives empty lists, which the caller
    reports as ``noRecordsMatch``, as the protocol requires.
    """
    tombstones = tombstones.filter(set_specs__contains=join_sets([set_spec]))
    if set_spec == CITY_SET:
        listed = Q(search_document__schools__contains=join_slugs([CITY_WIDE]))
        return items.filter(Q(school__isnull=True) | listed), tombstones
    if set_spec == SCHOOL_SET:
        # A school's id is all digits, unlike CITY_WIDE.
        listed = Q(search_document__schools__regex=r"\|[0-9]+\|")
        return items.filter(Q(school__isnull=False) | listed), tombstones
    if set_spec == TYPE_SET:
        return items, tombstones
    kind, _, value = set_spec.partition(":")
    if kind == SCHOOL_SET and value:
        school_ids = School.objects.filter(npsn=value).values_list("pk", flat=True)
        listed = Q()
        for school_id in school_ids:
            listed |= Q(search_document__schools__contains=join_slugs([str(school_id)]))
        own = Q(school__npsn=value)
        return items.filter(own | listed if listed else own), tombstones
    if kind == TYPE_SET and value in ItemType.values:
        return items.filter(item_type=value), tombstones
    return items.none(), tombstones.none()


def oai_identifier(page_id):
    return f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:{page_id}"


def page_id_from_identifier(identifier):
    """Return the page id in one of this repository's identifiers, or None."""
    prefix = f"oai:{settings.OAI_REPOSITORY_IDENTIFIER}:"
    if not identifier.startswith(prefix):
        return None
    number = identifier.removeprefix(prefix)
    if not number.isascii() or not number.isdigit() or len(number) > 18:
        return None
    return int(number)


def find_record(identifier):
    """
    Return the exposed item or the tombstone behind ``identifier``.

    Return ``(item, None)``, ``(None, tombstone)`` or ``(None, None)``.
    """
    page_id = page_id_from_identifier(identifier)
    if page_id is None:
        return None, None
    item = without_text(exposed_items().filter(pk=page_id)).first()
    if item is not None:
        attach_metadata([item])
        attach_sets([item])
        return item, None
    return None, DeletedRecord.objects.filter(page_id=page_id).first()


def dublin_core(item, request):
    """
    Return the Dublin Core elements of ``item`` as ``(name, value)`` pairs.

    ``item`` must have passed through ``attach_metadata``.
    """
    elements = [("title", item.title)]
    for creator in item.dc_creators:
        elements.append(("creator", creator))
    for subject in item.dc_subjects:
        elements.append(("subject", subject))
    if item.abstract:
        elements.append(("description", item.abstract))
    if item.publisher:
        elements.append(("publisher", item.publisher))
    for contributor in item.dc_contributors:
        elements.append(("contributor", contributor))
    if item.issued:
        elements.append(("date", item.issued.isoformat()))
    elements.append(("type", DCMI_TYPES.get(item.item_type, DCMI_DEFAULT_TYPE)))
    # Type names are given in English, the language harvesters map from.
    with translation.override("en"):
        elements.append(("type", str(ItemType(item.item_type).label)))
    # NOTE: the datestamp is the item's last publication, so a new file
    # format reaches incremental harvesters only after the next publish.
    for content_type in item.dc_formats:
        elements.append(("format", content_type))
    if item.identifier:
        elements.append(("identifier", item.identifier))
    elements.append(("identifier", item.get_full_url(request=request)))
    if item.source:
        elements.append(("source", item.source))
    if item.language in ("id", "en"):
        elements.append(("language", item.language))
    if item.relation:
        elements.append(("relation", item.relation))
    if item.coverage:
        elements.append(("coverage", item.coverage))
    if item.licence in LICENCE_URLS:
        elements.append(("rights", LICENCE_URLS[item.licence]))
    else:
        elements.append(("rights", "All rights reserved"))
    if item.rights:
        elements.append(("rights", item.rights))
    return [(name, xml_text(value)) for name, value in elements if value]
