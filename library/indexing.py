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
original. An alias gets a row when it is converted into an ordinary page.

``LibraryItemPage.save`` and ``library.extraction.refresh_full_text`` call
``index_items``. Code that changes items with ``QuerySet.update`` or
``bulk_create`` must call it too.
"""

import unicodedata

from django.db import connection
from django.utils import timezone

from .models import (
    ItemContributor,
    ItemCreator,
    ItemLanguage,
    LibraryItemPage,
    LibraryItemPageTag,
    SearchDocument,
)

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

_POSTGRESQL_UPSERT = """
INSERT INTO {document} (
    item_id, config, vector, heading, text, subjects, item_type, language,
    school_id, year, access_level, owner_id, live, published_at,
    full_text_withheld_until
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
    coalesce('|' || subjects.slugs || '|', ''),
    item.item_type,
    item.language,
    item.school_id,
    EXTRACT(YEAR FROM item.issued)::integer,
    item.access_level,
    page.owner_id,
    page.live,
    page.first_published_at,
    CASE WHEN item.embargo_until > %(today)s THEN item.embargo_until END
FROM {item} AS item
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
    SELECT string_agg(tag.name, ' ') AS names, string_agg(tag.slug, '|') AS slugs
    FROM {tagged} AS tagged JOIN taggit_tag AS tag ON tag.id = tagged.tag_id
    WHERE tagged.content_object_id = item.page_ptr_id
) AS subjects ON TRUE
WHERE item.page_ptr_id = ANY(%(ids)s) AND page.alias_of_id IS NULL
ON CONFLICT (item_id) DO UPDATE SET
    config = EXCLUDED.config,
    vector = EXCLUDED.vector,
    heading = EXCLUDED.heading,
    text = EXCLUDED.text,
    subjects = EXCLUDED.subjects,
    item_type = EXCLUDED.item_type,
    language = EXCLUDED.language,
    school_id = EXCLUDED.school_id,
    year = EXCLUDED.year,
    access_level = EXCLUDED.access_level,
    owner_id = EXCLUDED.owner_id,
    live = EXCLUDED.live,
    published_at = EXCLUDED.published_at,
    full_text_withheld_until = EXCLUDED.full_text_withheld_until
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


def index_items(item_ids):
    """Create or update the search documents of ``item_ids``, except aliases."""
    item_ids = list(item_ids)
    if not item_ids:
        return
    if connection.vendor == "postgresql":
        _index_postgresql(item_ids)
    else:
        _index_plain_text(item_ids)


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


def _index_postgresql(item_ids):
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
                "ids": item_ids,
                "today": timezone.localdate(),
            },
        )


def _index_plain_text(item_ids):
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
    slugs = {item_id: [] for item_id in item_ids}
    for item_id, name, slug in LibraryItemPageTag.objects.filter(
        content_object_id__in=item_ids
    ).values_list("content_object_id", "tag__name", "tag__slug"):
        subjects[item_id].append(name)
        slugs[item_id].append(slug)

    today = timezone.localdate()
    documents = []
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
                year=item["issued"].year if item["issued"] else None,
                access_level=item["access_level"],
                owner_id=item["owner_id"],
                live=item["live"],
                published_at=item["first_published_at"],
                full_text_withheld_until=withheld_until,
            )
        )
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
