"""
Search the library and build highlighted snippets of the matching text.

Searching runs on ``SearchDocument`` rows (see ``library.indexing``). On
PostgreSQL the query is parsed with ``websearch_to_tsquery`` once per text
search configuration (Indonesian, English and simple) and the three queries
are OR-ed, so each item is matched by the stems of its own language, and
hits are ranked with ``ts_rank`` over the weighted vector. Other databases
(SQLite, the embedded default) match every query word as a casefolded
substring with ``LIKE``, without stemming, and rank title and subject
matches first.

Access is part of the SQL: only live items that ``visible_items_filter``
lets the person see are counted, listed or quoted in snippets.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, Count, F, Func, Q, Value, When
from django.db.models.functions import Concat, Left
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from lms.models import School

from .access import visible_items_filter
from .indexing import DEFAULT_CONFIG, TEXT_SEARCH_CONFIGS, fold
from .models import (
    ItemLanguage,
    ItemType,
    LibraryItemPage,
    LibraryItemPageTag,
    SearchDocument,
)

RESULTS_PER_PAGE = 20
# Facet values listed per facet, the most frequent first.
FACET_LIMIT = 10
# The ``school`` filter value of items without a school: the city-wide
# library and harvested collections.
NO_SCHOOL = "none"
QUERY_CONFIGS = (*TEXT_SEARCH_CONFIGS.values(), DEFAULT_CONFIG)
# ts_headline parses all the text that it is given, so snippets quote only
# the start of long texts.
HEADLINE_MAX_CHARS = 20_000
# ts_headline marks matches with these characters, which are removed from
# the text first, so that the snippet can be escaped before <mark> is added.
MARK_START = "\x02"
MARK_STOP = "\x03"

SNIPPET_BEFORE = 80
SNIPPET_AFTER = 160
# Query words shorter than this are not highlighted: they match everywhere.
MIN_TERM_LENGTH = 2


def query_terms(query):
    """Split a search query into the distinct words to highlight."""
    query = unicodedata.normalize("NFKC", query)
    terms = []
    for word in re.findall(r"\w[\w.\-']*", query):
        word = word.strip(".-'")
        if len(word) >= MIN_TERM_LENGTH and word.casefold() not in {
            term.casefold() for term in terms
        }:
            terms.append(word)
    return terms


def term_pattern(terms):
    """
    Return a regex that finds the terms at the start of words.

    The PostgreSQL backend stems words and the SQLite backend matches the
    last word as a prefix, so a word is highlighted when it starts with a
    term ("trace" in "traces" is found, but "trace" in "tracing" is not).
    """
    if not terms:
        return None
    alternatives = "|".join(
        re.escape(term) for term in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def snippet(text, terms, before=SNIPPET_BEFORE, after=SNIPPET_AFTER):
    """
    Return an HTML snippet of ``text`` around the first match of ``terms``.

    Everything is escaped and each match is wrapped in ``<mark>``. When no
    term matches, return the start of the text. Return an empty string for
    empty text.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    pattern = term_pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        start, end = 0, before + after
    else:
        start = max(0, match.start() - before)
        end = match.end() + after
    start, end = _widen_to_words(text, start, end)
    excerpt = text[start:end]
    parts = []
    position = 0
    if pattern is not None:
        for found in pattern.finditer(excerpt):
            parts.append(escape(excerpt[position : found.start()]))
            parts.append(f"<mark>{escape(found.group(0))}</mark>")
            position = found.end()
    parts.append(escape(excerpt[position:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308


def _widen_to_words(text, start, end):
    """Move ``start`` and ``end`` to word boundaries so no word is cut."""
    end = min(end, len(text))
    if start > 0:
        space = text.find(" ", start)
        if space != -1 and space < end:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    return start, end


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    # The link that selects this value, or removes it when selected.
    url: str = ""


@dataclass
class Facet:
    name: str
    label: str
    values: list = field(default_factory=list)


@dataclass
class SearchResults:
    """One page of hits, with the facets of all hits."""

    page: object
    facets: list
    # False when the query contains no word to search for.
    has_words: bool = True


def search_items(
    user, query="", filters=None, page_number=1, per_page=RESULTS_PER_PAGE
):
    """
    Return the live items that match ``query`` and ``filters`` and that
    ``user`` may see, ranked, with snippets and facet counts.

    ``filters`` maps facet names (``item_type``, ``language``, ``school``,
    ``year``, ``subject``) to one value each. Without query words, the hits
    are the filtered items, the most recently published first.
    """
    query = unicodedata.normalize("NFKC", query).strip()
    documents = filter_documents(visible_documents(user), filters or {})
    has_words = bool(query_words(query))
    if query and not has_words:
        documents = documents.none()
    tsquery = None
    if has_words and connection.vendor == "postgresql":
        tsquery = text_search_query(query)
        documents = documents.filter(vector=tsquery)
        hits = documents.annotate(rank=SearchRank(F("vector"), tsquery))
        hits = hits.order_by("-rank", "-item_id")
    elif has_words:
        documents, hits = _match_plain_text(documents, query)
    else:
        hits = documents.order_by(F("published_at").desc(nulls_last=True), "-item_id")

    counts = _column_counts(documents.order_by())
    paginator = Paginator(hits.values_list("item_id", flat=True), per_page)
    # Every hit has one type, so the type counts add up to the number of
    # hits, and the paginator needs no COUNT query of its own.
    paginator.count = sum(count for _value, count in counts["item_type"])
    page = paginator.get_page(page_number)
    page.object_list = _load_hits(list(page.object_list), query, tsquery)
    return SearchResults(
        page=page,
        facets=facet_counts(documents, counts, filters or {}),
        has_words=has_words or not query,
    )


def visible_documents(user):
    """Return the search documents of the live items that ``user`` may see."""
    return SearchDocument.objects.filter(live=True).filter(
        _on_documents(visible_items_filter(user))
    )


def _on_documents(condition):
    """
    Return the item filter ``condition`` as a filter of search documents.

    The documents copy every field that ``visible_items_filter`` uses, under
    the same names, except the item's ``id``, which is their ``item_id``.
    """
    copy = Q.create(connector=condition.connector, negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            copy.children.append(_on_documents(child))
            continue
        lookup, value = child
        name, separator, rest = lookup.partition("__")
        if name in ("id", "pk"):
            lookup = f"item_id{separator}{rest}"
        copy.children.append((lookup, value))
    return copy


def filter_documents(documents, filters):
    """Narrow ``documents`` to the facet values in ``filters``."""
    if filters.get("item_type"):
        documents = documents.filter(item_type=filters["item_type"])
    if filters.get("language"):
        documents = documents.filter(language=filters["language"])
    school = filters.get("school")
    if school == NO_SCHOOL:
        documents = documents.filter(school__isnull=True)
    elif school:
        documents = documents.filter(school_id=school)
    if filters.get("year"):
        documents = documents.filter(year=filters["year"])
    if filters.get("subject"):
        tagged = LibraryItemPageTag.objects.filter(tag__slug=filters["subject"])
        documents = documents.filter(item_id__in=tagged.values("content_object_id"))
    return documents


def query_words(query):
    """Return the casefolded words of ``query``."""
    return re.findall(r"\w+", fold(query))


def text_search_query(query):
    """
    Return the PostgreSQL tsquery of ``query`` in every search language.

    ``websearch_to_tsquery`` accepts any text (quotes make phrases, ``or``
    alternatives and ``-`` exclusions) and never raises a syntax error.
    """
    tsquery = None
    for config in QUERY_CONFIGS:
        part = SearchQuery(query, config=config, search_type="websearch")
        tsquery = part if tsquery is None else tsquery | part
    return tsquery


def _match_plain_text(documents, query):
    """
    Return the documents that contain every word of ``query``, and the same
    ranked by the number of words in their title and subjects.
    """
    words = list(dict.fromkeys(query_words(query)))
    for word in words:
        documents = documents.filter(text__contains=word)
    heading_matches = [
        Case(When(heading__contains=word, then=1), default=0) for word in words
    ]
    score = sum(heading_matches[1:], heading_matches[0])
    hits = documents.annotate(rank=score).order_by("-rank", "-item_id")
    return documents, hits


def _load_hits(item_ids, query, tsquery):
    """Return the items of ``item_ids`` in that order, each with a snippet."""
    items = (
        LibraryItemPage.objects.filter(pk__in=item_ids)
        .select_related("school")
        .prefetch_related("creators")
    )
    if tsquery is not None:
        items = items.defer("full_text")
        snippets = _headlines(item_ids, tsquery)
    by_id = {item.pk: item for item in items}
    hits = [by_id[item_id] for item_id in item_ids if item_id in by_id]
    terms = query_terms(query)
    for item in hits:
        if tsquery is not None:
            item.snippet = snippets.get(item.pk, "")
        else:
            item.snippet = snippet(item.full_text or item.abstract, terms)
        item.creator_names = [creator.name for creator in item.creators.all()]
        item.source_url = item.source if _is_web_address(item.source) else ""
    return hits


def _headlines(item_ids, tsquery):
    """Return HTML snippets by item id, highlighted by ts_headline."""
    source = Concat(
        "item__abstract",
        Value("\n\n"),
        Left("item__full_text", HEADLINE_MAX_CHARS),
    )
    without_marks = Func(
        source, Value(MARK_START + MARK_STOP), Value(""), function="translate"
    )
    rows = (
        SearchDocument.objects.filter(item_id__in=item_ids)
        .annotate(
            headline=SearchHeadline(
                without_marks,
                tsquery,
                config=F("config"),
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("item_id", "headline")
    )
    return {item_id: _marked_html(headline) for item_id, headline in rows}


def _marked_html(headline):
    html = escape(" ".join(headline.split()))
    html = html.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308


def _is_web_address(value):
    return value.startswith(("https://", "http://")) and " " not in value


def facet_counts(documents, counts, filters):
    """
    Return the facets of ``documents`` with a count per value.

    ``counts`` are the ``_column_counts`` of ``documents``. The counts cover
    only ``documents``, which are already narrowed to what the person may
    see, so they never reveal hidden items.
    """
    documents = documents.order_by()
    facets = [
        Facet("item_type", _("Type")),
        Facet("subject", _("Subject")),
        Facet("school", _("School")),
        Facet("year", _("Year")),
        Facet("language", _("Language")),
    ]
    by_name = {facet.name: facet for facet in facets}
    type_labels = dict(ItemType.choices)
    language_labels = dict(ItemLanguage.choices)
    for value, count in counts["item_type"]:
        by_name["item_type"].values.append(
            FacetValue(value, type_labels.get(value, value), count)
        )
    for value, count in counts["language"]:
        by_name["language"].values.append(
            FacetValue(value, language_labels.get(value, value), count)
        )
    school_names = dict(
        School.objects.filter(
            pk__in=[value for value, _count in counts["school_id"] if value]
        ).values_list("pk", "name")
    )
    for value, count in counts["school_id"]:
        if value is None:
            label, value = _("City-wide and harvested collections"), NO_SCHOOL
        else:
            label = school_names.get(value, str(value))
        by_name["school"].values.append(FacetValue(str(value), label, count))
    for value, count in counts["year"]:
        if value is not None:
            by_name["year"].values.append(FacetValue(str(value), str(value), count))
    subjects = (
        LibraryItemPageTag.objects.filter(
            content_object_id__in=documents.values("item_id")
        )
        .values("tag__slug", "tag__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "tag__name")[:FACET_LIMIT]
    )
    for row in subjects:
        by_name["subject"].values.append(
            FacetValue(row["tag__slug"], row["tag__name"], row["count"])
        )

    for facet in facets:
        facet.values = facet.values[:FACET_LIMIT]
        selected = str(filters.get(facet.name) or "")
        for value in facet.values:
            value.selected = value.value == selected
    return [facet for facet in facets if facet.values]


FACET_COLUMNS = ("item_type", "language", "school_id", "year")


def _column_counts(documents):
    """
    Return ``{column: [(value, count), ...]}`` for the facet columns, the
    most frequent value first.

    PostgreSQL counts all columns in one pass with ``GROUPING SETS``.
    """
    if connection.vendor != "postgresql":
        return {
            column: [
                (row[column], row["count"])
                for row in documents.values(column)
                .annotate(count=Count("pk"))
                .order_by("-count", column)
            ]
            for column in FACET_COLUMNS
        }
    try:
        inner, params = documents.values(*FACET_COLUMNS).query.sql_with_params()
    except EmptyResultSet:
        # Django raises this for a filter that matches nothing, such as none().
        return {column: [] for column in FACET_COLUMNS}
    columns = ", ".join(FACET_COLUMNS)
    grouping_sets = ", ".join(f"({column})" for column in FACET_COLUMNS)
    # The column names are constants and ``inner`` is SQL compiled by Django
    # with its values kept apart in ``params``.
    sql = (
        f"SELECT {columns}, GROUPING({columns}), COUNT(*) AS count "  # noqa: S608
        f"FROM ({inner}) AS hits GROUP BY GROUPING SETS ({grouping_sets}) "
        "ORDER BY count DESC"
    )
    counts = {column: [] for column in FACET_COLUMNS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *values, grouping, count in cursor.fetchall():
            # GROUPING() sets a bit for each column that is not grouped, the
            # first column being the highest bit.
            for position, column in enumerate(FACET_COLUMNS):
                bit = 1 << (len(FACET_COLUMNS) - 1 - position)
                if not grouping & bit:
                    counts[column].append((values[position], count))
    for column in FACET_COLUMNS:
        counts[column].sort(key=lambda pair: (-pair[1], str(pair[0])))
    return counts
