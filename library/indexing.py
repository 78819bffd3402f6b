"""
Build the search index rows (``SearchDocument``) of library items.

Each row is rebuilt from what is stored in the database, never from a page
object in memory: a page saved by ``save_revision`` still carries its draft
in memory, and drafts must not become searchable.

On PostgreSQL one ``INSERT ... SELECT`` builds the tsvector of every item
with the text search configuration of the item's language. On other
databases the rows carry casefolded plain text instead, which
``library.search`` matches with ``LIKE``.

While an item's embargo runs, the text of its files stays out of its row,
because the embargo hides the files. ``library_reindex --embargo-ended``
adds it once the embargo ends.

Wagtail page aliases get no row, so search lists each work once, as its
original. The original's row lists, in ``schools``, its own school and the
schools of the libraries that its live aliases are in, so a search filtered
by one of those schools finds it. Indexing an alias rebuilds its original's
row. An alias gets a row of its own when it is converted into an ordinary
page. ``listed_schools_changed`` is sent with the items whose ``schools``
changed, so that OAI-PMH can move their datestamps.

Every row also points at its ``SearchFacetGroup`` and ``SearchSubjectSet``,
the shared records of its facet values, which search counts hits by.

``LibraryItemPage.save`` and ``library.extraction.refresh_full_text`` call
``index_items``. Code that changes items with ``QuerySet.update`` or
``bulk_create`` must call it too.
"""

import unicodedata

from django.db import connection
from django.dispatch import Signal
from django.utils import timezone
from wagtail.models import Page

from .models import (
    ItemContributor,
    ItemCreator,
    ItemLanguage,
    LibraryIndexPage,
    LibraryItemPage,
    LibraryItemPageTag,
    SearchDocument,
    SearchFacetGroup,
    SearchSubjectSet,
)

# Sent with ``item_ids``, the items whose indexed ``schools`` changed.
listed_schools_changed = Signal()

# PostgreSQL text search configurations by item language, both listed in
# pg_ts_config of PostgreSQL 15. Other languages use "simple", which only
# lowercases.
TEXT_SEARCH_CONFIGS = {
    ItemLanguage.INDONESIAN: "indonesian",
    ItemLanguage.ENGLISH: "english",
}
DEFAULT_CONFIG = "simple"
# Items per statement when the whole index is rebuilt.
BATCH_SIZE = 2000
# The entry of ``SearchDocument.schools`` for the city-wide library, which
# has no school.
CITY_WIDE = "none"
# Wagtail's admin cannot create an alias loop, but code can, so walking
# alias chains stops after this many steps.
MAX_ALIAS_DEPTH = 50

_POSTGRESQL_UPSERT = """
INSERT INTO {document} (
    item_id, config, vector, heading, text, subjects, item_type, language,
    school_id, schools, year, access_level, owner_id, live, published_at,
    full_text_withheld_until, facet_group_id, subject_set_id
)
SELECT
    item.page_ptr_id,
    cfg.name,
    setweight(to_tsvector(cfg.name::regconfig,
        concat_ws(' ', page.title, subjects.names)), 'A')
    || setweight(to_tsvector(cfg.name::regconfig, concat_ws(' ',
        creators.names, contributors.names, item.publisher, item.identifier)), 'B')
    || setweight(to_tsvector(cfg.name::regconfig, item.abstract), 'C')
    || setweight(to_tsvector(cfg.name::regconfig, CASE
        WHEN item.embargo_until > %(today)s THEN '' ELSE item.full_text END), 'D'),
    '',
    '',
    listed.subjects,
    item.item_type,
    item.language,
    item.school_id,
    listed.schools,
    EXTRACT(YEAR FROM item.issued)::integer,
    item.access_level,
    page.owner_id,
    page.live,
    page.first_published_at,
    CASE WHEN item.embargo_until > %(today)s THEN item.embargo_until END,
    listed.facet_group_id,
    listed.subject_set_id
FROM unnest(
    %(ids)s::bigint[], %(schools)s::text[], %(subjects)s::text[],
    %(facet_groups)s::bigint[], %(subject_sets)s::bigint[]
) AS listed(item_id, schools, subjects, facet_group_id, subject_set_id)
JOIN {item} AS item ON item.page_ptr_id = listed.item_id
JOIN wagtailcore_page AS page ON page.id = item.page_ptr_id
CROSS JOIN LATERAL (
    SELECT CASE item.language {config_cases} ELSE %(default_config)s END AS name
) AS cfg
LEFT JOIN LATERAL (
    SELECT string_agg(concat_ws(' ', creator.name, creator.affiliation), ' ')
        AS names
    FROM {creator} AS creator WHERE creator.item_id = item.page_ptr_id
) AS creators ON TRUE
LEFT JOIN LATERAL (
    SELECT string_agg(contributor.name, ' ') AS names
    FROM {contributor} AS contributor
    WHERE contributor.item_id = item.page_ptr_id
) AS contributors ON TRUE
LEFT JOIN LATERAL (
    SELECT string_agg(tag.name, ' ') AS names
    FROM {tagged} AS tagged JOIN taggit_tag AS tag ON tag.id = tagged.tag_id
    WHERE tagged.content_object_id = item.page_ptr_id
) AS subjects ON TRUE
WHERE page.alias_of_id IS NULL
ON CONFLICT (item_id) DO UPDATE SET
    config = EXCLUDED.config,
    vector = EXCLUDED.vector,
    heading = EXCLUDED.heading,
    text = EXCLUDED.text,
    subjects = EXCLUDED.subjects,
    item_type = EXCLUDED.item_type,
    language = EXCLUDED.language,
    school_id = EXCLUDED.school_id,
    schools = EXCLUDED.schools,
    year = EXCLUDED.year,
    access_level = EXCLUDED.access_level,
    owner_id = EXCLUDED.owner_id,
    live = EXCLUDED.live,
    published_at = EXCLUDED.published_at,
    full_text_withheld_until = EXCLUDED.full_text_withheld_until,
    facet_group_id = EXCLUDED.facet_group_id,
    subject_set_id = EXCLUDED.subject_set_id
"""


def config_for(language):
    """Return the PostgreSQL text search configuration for an item language."""
    return TEXT_SEARCH_CONFIGS.get(language, DEFAULT_CONFIG)


def fold(text):
    """Return ``text`` NFKC-normalised and casefolded, as SQLite rows store it."""
    return unicodedata.normalize("NFKC", text).casefold()


def join_slugs(slugs):
    """Return subject slugs as stored in ``SearchDocument.subjects``."""
    return f"|{'|'.join(slugs)}|" if slugs else ""


def facet_ids(keys):
    """
    Return the ``SearchFacetGroup`` and ``SearchSubjectSet`` ids of ``keys``.

    ``keys`` are tuples of a document's ``item_type``, ``language``,
    ``schools``, ``year`` and ``subjects``. The result maps each to a pair
    of ids. Groups and sets that do not exist yet are created. Another
    transaction creating the same group at the same time makes this one
    wait for it and then reuse its group.
    """
    keys = set(keys)
    facet_keys = {key[:4] for key in keys}
    subject_keys = {key[4] for key in keys}
    groups = _facet_groups(facet_keys)
    if not facet_keys <= groups.keys():
        SearchFacetGroup.objects.bulk_create(
            [
                SearchFacetGroup(
                    item_type=item_type, language=language, schools=schools, year=year
                )
                for item_type, language, schools, year in facet_keys - groups.keys()
            ],
            ignore_conflicts=True,
        )
        groups = _facet_groups(facet_keys)
    subject_sets = _subject_sets(subject_keys)
    if not subject_keys <= subject_sets.keys():
        SearchSubjectSet.objects.bulk_create(
            [
                SearchSubjectSet(subjects=subjects)
                for subjects in subject_keys - subject_sets.keys()
            ],
            ignore_conflicts=True,
        )
        subject_sets = _subject_sets(subject_keys)
    return {key: (groups[key[:4]], subject_sets[key[4]]) for key in keys}


def _facet_groups(facet_keys):
    """Return the ids of the stored groups of the schools in ``facet_keys``."""
    # Every school string has a few dozen groups at most, so reading them
    # all is simpler than matching each key.
    rows = SearchFacetGroup.objects.filter(
        schools__in={key[2] for key in facet_keys}
    ).values_list("pk", "item_type", "language", "schools", "year")
    return {tuple(row[1:]): row[0] for row in rows}


def _subject_sets(subject_keys):
    """Return the ids of the stored subject sets among ``subject_keys``."""
    rows = SearchSubjectSet.objects.filter(subjects__in=subject_keys)
    return dict(rows.values_list("subjects", "pk"))


def _subject_slugs(item_ids):
    """Return the subject slugs of each item of ``item_ids``, sorted."""
    slugs = {item_id: [] for item_id in item_ids}
    for item_id, slug in LibraryItemPageTag.objects.filter(
        content_object_id__in=item_ids
    ).values_list("content_object_id", "tag__slug"):
        slugs[item_id].append(slug)
    return {item_id: sorted(found) for item_id, found in slugs.items()}


def index_items(item_ids):
    """
    Create or update the search documents of ``item_ids``.

    An alias's original is indexed in its place. Send
    ``listed_schools_changed`` with the items, indexed before, whose
    ``schools`` changed.
    """
    item_ids = original_ids(item_ids)
    if not item_ids:
        return
    schools = listed_schools(item_ids)
    before = dict(
        SearchDocument.objects.filter(pk__in=item_ids).values_list("pk", "schools")
    )
    if connection.vendor == "postgresql":
        _index_postgresql(item_ids, schools)
    else:
        _index_plain_text(item_ids, schools)
    changed = [
        item_id
        for item_id, listed in before.items()
        if item_id in schools and schools[item_id] != listed
    ]
    if changed:
        listed_schools_changed.send(sender=SearchDocument, item_ids=changed)


def original_ids(page_ids):
    """Return ``page_ids`` with each alias replaced by its original, in order."""
    page_ids = list(dict.fromkeys(page_ids))
    original_of = {}
    pending = set(page_ids)
    for _step in range(MAX_ALIAS_DEPTH):
        rows = Page.objects.filter(pk__in=pending, alias_of__isnull=False)
        pending = set()
        for page_id, alias_of_id in rows.values_list("pk", "alias_of_id"):
            original_of[page_id] = alias_of_id
            pending.add(alias_of_id)
        if not pending:
            break

    def original(page_id):
        seen = set()
        while page_id in original_of and page_id not in seen:
            seen.add(page_id)
            page_id = original_of[page_id]
        return page_id

    return list(dict.fromkeys(original(page_id) for page_id in page_ids))


def listed_schools(item_ids, include_unpublished=False):
    """
    Return the ``SearchDocument.schools`` value of each item of ``item_ids``.

    It lists the item's own school and the school of the library of each
    live alias, also of aliases of aliases. Unpublished aliases list
    nothing, because their pages cannot be opened, unless
    ``include_unpublished`` is set.
    """
    tokens = {
        item_id: {_school_token(school_id)}
        for item_id, school_id in LibraryItemPage.objects.filter(
            pk__in=item_ids
        ).values_list("pk", "school_id")
    }
    parent_paths = {}
    for alias in alias_pages(tokens):
        if alias["live"] or include_unpublished:
            parent_path = alias["path"][: -Page.steplen]
            parent_paths.setdefault(alias["original_id"], []).append(parent_path)
    all_paths = {path for paths in parent_paths.values() for path in paths}
    library_school = dict(
        LibraryIndexPage.objects.filter(path__in=all_paths).values_list(
            "path", "school_id"
        )
    )
    for root, paths in parent_paths.items():
        for path in paths:
            if path in library_school:
                tokens[root].add(_school_token(library_school[path]))
    return {item_id: join_slugs(sorted(found)) for item_id, found in tokens.items()}


def alias_pages(item_ids):
    """
    Return the aliases of ``item_ids`` and the aliases of those aliases.

    Each is a dict of the page's ``pk``, ``path`` and ``live``,
    and ``original_id``, the item of ``item_ids`` that it mirrors.
    """
    originals = set(item_ids)
    original_of = {item_id: item_id for item_id in originals}
    found = []
    for _step in range(MAX_ALIAS_DEPTH):
        if not original_of:
            break
        aliases = Page.objects.filter(alias_of__in=original_of.keys()).values(
            "pk", "alias_of_id", "path", "live"
        )
        next_level = {}
        for alias in aliases:
            if alias["pk"] in originals:
                # A loop back to an original.
                continue
            alias["original_id"] = original_of[alias.pop("alias_of_id")]
            next_level[alias["pk"]] = alias["original_id"]
            found.append(alias)
        original_of = next_level
    return found


def _school_token(school_id):
    return CITY_WIDE if school_id is None else str(school_id)


def index_all(batch_size=BATCH_SIZE, embargo_ended=False):
    """
    Rebuild the search documents of every item but aliases, ``batch_size``
    at a time.

    With ``embargo_ended``, rebuild only those whose files' text was kept
    out for an embargo that has ended. Yield the number of items indexed
    after each batch, for progress bars.
    """
    if embargo_ended:
        ids = list(
            SearchDocument.objects.filter(
                full_text_withheld_until__lte=timezone.localdate()
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    else:
        items = LibraryItemPage.objects.filter(alias_of__isnull=True)
        ids = list(items.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        index_items(batch)
        yield len(batch)


def _index_postgresql(item_ids, schools):
    items = LibraryItemPage.objects.filter(pk__in=item_ids, alias_of__isnull=True)
    facets = {
        pk: (item_type, language, schools[pk], issued.year if issued else None)
        for pk, item_type, language, issued in items.values_list(
            "pk", "item_type", "language", "issued"
        )
    }
    slugs = _subject_slugs(list(facets))
    keys = {pk: (*facet, join_slugs(slugs[pk])) for pk, facet in facets.items()}
    ids = facet_ids(keys.values())
    config_cases = " ".join(
        f"WHEN '{language}' THEN '{config}'"
        for language, config in TEXT_SEARCH_CONFIGS.items()
    )
    sql = _POSTGRESQL_UPSERT.format(
        document=SearchDocument._meta.db_table,
        item=LibraryItemPage._meta.db_table,
        creator=ItemCreator._meta.db_table,
        contributor=ItemContributor._meta.db_table,
        tagged=LibraryItemPageTag._meta.db_table,
        config_cases=config_cases,
    )
    with connection.cursor() as cursor:
        # Table names and configurations come from code, never from input.
        cursor.execute(
            sql,
            {
                "default_config": DEFAULT_CONFIG,
                "ids": list(keys),
                "schools": [key[2] for key in keys.values()],
                "subjects": [key[4] for key in keys.values()],
                "facet_groups": [ids[key][0] for key in keys.values()],
                "subject_sets": [ids[key][1] for key in keys.values()],
                "today": timezone.localdate(),
            },
        )


def _index_plain_text(item_ids, schools):
    names = {item_id: [] for item_id in item_ids}
    for item_id, name, affiliation in ItemCreator.objects.filter(
        item_id__in=item_ids
    ).values_list("item_id", "name", "affiliation"):
        names[item_id] += [name, affiliation]
    for item_id, name in ItemContributor.objects.filter(
        item_id__in=item_ids
    ).values_list("item_id", "name"):
        names[item_id].append(name)
    subjects = {item_id: [] for item_id in item_ids}
    for item_id, name in LibraryItemPageTag.objects.filter(
        content_object_id__in=item_ids
    ).values_list("content_object_id", "tag__name"):
        subjects[item_id].append(name)
    slugs = _subject_slugs(item_ids)

    today = timezone.localdate()
    documents = []
    keys = []
    items = LibraryItemPage.objects.filter(pk__in=item_ids, alias_of__isnull=True)
    for item in items.values(
        "pk",
        "title",
        "abstract",
        "full_text",
        "publisher",
        "identifier",
        "item_type",
        "language",
        "school_id",
        "issued",
        "access_level",
        "owner_id",
        "live",
        "first_published_at",
        "embargo_until",
    ):
        heading = " ".join([item["title"], *subjects[item["pk"]]])
        embargo = item["embargo_until"]
        withheld_until = embargo if embargo and embargo > today else None
        text = " ".join(
            [
                heading,
                *names[item["pk"]],
                item["publisher"],
                item["identifier"],
                item["abstract"],
                "" if withheld_until else item["full_text"],
            ]
        )
        documents.append(
            SearchDocument(
                item_id=item["pk"],
                config=config_for(item["language"]),
                heading=fold(heading),
                text=fold(text),
                subjects=join_slugs(slugs[item["pk"]]),
                item_type=item["item_type"],
                language=item["language"],
                school_id=item["school_id"],
                schools=schools[item["pk"]],
                year=item["issued"].year if item["issued"] else None,
                access_level=item["access_level"],
                owner_id=item["owner_id"],
                live=item["live"],
                published_at=item["first_published_at"],
                full_text_withheld_until=withheld_until,
            )
        )
        document = documents[-1]
        keys.append(
            (
                document.item_type,
                document.language,
                document.schools,
                document.year,
                document.subjects,
            )
        )
    ids = facet_ids(keys)
    for document, key in zip(documents, keys, strict=True):
        document.facet_group_id, document.subject_set_id = ids[key]
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=[
            field.name
            for field in SearchDocument._meta.concrete_fields
            if not field.primary_key
        ],
    )
