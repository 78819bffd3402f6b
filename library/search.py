"""
Search the library and build highlighted snippets of the matching text.

Searching runs on ``SearchDocument`` rows (see ``library.indexing``). On
PostgreSQL the query is parsed with ``websearch_to_tsquery`` once per text
search configuration (Indonesian, English and simple) and the three queries
are OR-ed, so each item is matched by the stems of its own language, and
hits are ranked with ``ts_rank`` over the weighted vector. Other databases
(SQLite, the embedded default) match every query word as a casefolded
substring with ``LIKE``, without stemming or the phrase, ``or`` and ``-``
operators, and rank title and subject matches first.

Access is part of the SQL: only live items that ``visible_items_filter``
lets the person see are counted, listed or quoted in snippets.

A work shared into other libraries as Wagtail aliases is one hit. A filter
on any school that lists it finds it, and the school facet counts it under
each of them, so the school counts may add up to more than the hits.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from lms.models import School

from .access import visible_items_filter
from .indexing import CITY_WIDE, DEFAULT_CONFIG, TEXT_SEARCH_CONFIGS, fold, join_slugs
from .models import (
    ItemLanguage,
    ItemType,
    LibraryItemPage,
    SearchDocument,
    SearchFacetGroup,
    SearchSubjectSet,
)

RESULTS_PER_PAGE = 20
# Facet values listed per facet, the most frequent first.
FACET_LIMIT = 10
# The ``school`` filter value of items without a school: the city-wide
# library and harvested collections.
NO_SCHOOL = CITY_WIDE
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

# Memory for the search statement's sorts and hash tables. With the server's
# default of 4 MB, the hits of a common word (60,000 rows) spill to a
# temporary file before they are counted.
SEARCH_WORK_MEM = "32MB"


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
    filters = filters or {}
    documents = filter_documents(visible_documents(user), filters)
    has_words = bool(query_words(query))
    if query and not has_words:
        documents = documents.none()
    tsquery = None
    if has_words and connection.vendor == "postgresql":
        tsquery = text_search_query(query)
        if tsquery is None:
            documents = hits = documents.none()
        else:
            documents = documents.filter(vector=tsquery)
            hits = documents.annotate(rank=SearchRank(F("vector"), tsquery))
            hits = hits.order_by("-rank", "-item_id")
    elif has_words:
        documents, hits = _match_plain_text(documents, query)
    else:
        hits = documents.order_by(F("published_at").desc(nulls_last=True), "-item_id")

    paginator = Paginator([], per_page)
    try:
        requested = int(page_number or 1)
    except (TypeError, ValueError):
        requested = 1
    if connection.vendor == "postgresql":
        item_ids, counts = _search_postgresql(
            hits, tsquery is not None, max(requested, 1), per_page
        )
    else:
        item_ids, counts = None, _count_plain(documents)
    paginator.count = counts.total
    number = paginator.get_page(requested).number
    if item_ids is None or number != requested:
        offset = (number - 1) * per_page
        item_ids = list(
            hits.values_list("item_id", flat=True)[offset : offset + per_page]
        )
    page = Page(_load_hits(item_ids, query, tsquery), number, paginator)
    return SearchResults(
        page=page,
        facets=facet_counts(counts, filters),
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
    if filters.get("school"):
        # ``schools`` lists the item's own school and its aliases' schools.
        documents = documents.filter(
            schools__contains=join_slugs([str(filters["school"])])
        )
    if filters.get("year"):
        documents = documents.filter(year=filters["year"])
    if filters.get("subject"):
        documents = documents.filter(
            subjects__contains=join_slugs([filters["subject"]])
        )
    return documents


def query_words(query):
    """Return the casefolded words of ``query``."""
    return re.findall(r"\w+", fold(query))


def text_search_query(query):
    """
    Return the PostgreSQL tsquery of ``query`` in every search language, or
    None when no language finds a word in it.

    ``websearch_to_tsquery`` accepts any text: quotes make phrases, ``or``
    alternatives and ``-`` exclusions, and tsquery operators such as ``&``,
    ``!`` or ``<->`` are ignored instead of raising a syntax error. Languages
    often parse a query alike ("siswa" is "siswa" in all three), and each
    copy would be matched and ranked again in every row, so only distinct
    parses are OR-ed.
    """
    with connection.cursor() as cursor:
        cursor.execute(_DISTINCT_PARSES_SQL, [list(QUERY_CONFIGS), query])
        (text,) = cursor.fetchone()
    return None if text is None else ParsedSearchQuery(text)


# The distinct non-empty parses of a query, OR-ed in the order of
# QUERY_CONFIGS, as tsquery text. NULL when every parse is empty, as for a
# query of punctuation only ("simple" has no stop words).
_DISTINCT_PARSES_SQL = """
SELECT string_agg('(' || parse || ')', ' | ' ORDER BY position)
FROM (
    SELECT DISTINCT ON (parsed::text) parsed::text AS parse, position
    FROM unnest(%s::regconfig[]) WITH ORDINALITY AS config(name, position)
    CROSS JOIN LATERAL websearch_to_tsquery(config.name, %s) AS parsed
    WHERE numnode(parsed) > 0
    ORDER BY parsed::text, position
) AS parses
"""


class ParsedSearchQuery(SearchQuery):
    """
    A tsquery given as the text that PostgreSQL prints for one, such as
    ``('ajar') | ('pembelajaran')``, cast without being parsed again.
    """

    template = "(%(expressions)s)::tsquery"

    def __init__(self, text):
        super().__init__(text, search_type="raw")
        self.text = text


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
        items = items.defer("full_text").annotate(headline=_headline(tsquery))
    by_id = {item.pk: item for item in items}
    hits = [by_id[item_id] for item_id in item_ids if item_id in by_id]
    terms = query_terms(query)
    for item in hits:
        if tsquery is not None:
            item.snippet = _marked_html(item.headline)
        else:
            text = item.abstract if item.is_embargoed() else item.full_text
            item.snippet = snippet(text or item.abstract, terms)
        item.creator_names = [creator.name for creator in item.creators.all()]
        item.source_url = item.source if _is_web_address(item.source) else ""
    return hits


def _headline(tsquery):
    """
    Return an item expression of its snippet, highlighted by ts_headline with
    the text search configuration of the item's language.

    While an embargo hides the files, only the abstract is quoted.
    """
    source = Case(
        When(embargo_until__gt=timezone.localdate(), then=F("abstract")),
        default=Concat(
            "abstract", Value("\n\n"), Left("full_text", HEADLINE_MAX_CHARS)
        ),
        output_field=TextField(),
    )
    without_marks = Func(
        source, Value(MARK_START + MARK_STOP), Value(""), function="translate"
    )
    config = Case(
        *[
            When(language=language, then=Value(config))
            for language, config in TEXT_SEARCH_CONFIGS.items()
        ],
        default=Value(DEFAULT_CONFIG),
        output_field=CharField(),
    )
    return SearchHeadline(
        without_marks,
        tsquery,
        config=config,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _marked_html(headline):
    html = escape(" ".join(headline.split()))
    html = html.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308


def _is_web_address(value):
    return value.startswith(("https://", "http://")) and " " not in value


@dataclass
class FacetCounts:
    """The number of hits, and of hits per facet value, most frequent first."""

    total: int = 0
    # {column: [(value, count), ...]} for FACET_COLUMNS.
    columns: dict = field(default_factory=dict)
    # [(entry of SearchDocument.schools, count), ...]: "none" or a school id.
    schools: list = field(default_factory=list)
    # [(subject slug, count), ...], at most FACET_LIMIT of them.
    subjects: list = field(default_factory=list)


FACET_COLUMNS = ("item_type", "language", "year")

# ``counts`` counts the hits per facet group and per subject set, in one
# pass over ``matches`` with two hash tables keyed by integers (see
# ``SearchFacetGroup``). Only the groups and sets found are then joined to
# their values, and the per-column counts are summed from those few rows.
# The school and subject lists are split only there, not in every hit. The
# page of hits is sorted with LIMIT, so PostgreSQL keeps only the best rows
# in memory instead of sorting every hit, and it is numbered after the
# LIMIT.
_POSTGRESQL_SEARCH = """
WITH matches AS MATERIALIZED ({matches}),
counts AS MATERIALIZED (
    SELECT facet_group_id, subject_set_id,
        GROUPING(subject_set_id) = 0 AS by_subjects, COUNT(*) AS count
    FROM matches
    GROUP BY GROUPING SETS ((facet_group_id), (subject_set_id))
),
facets AS MATERIALIZED (
    SELECT facet.item_type, facet.language, facet.schools, facet.year, counts.count
    FROM counts JOIN {facet_group} AS facet ON facet.id = counts.facet_group_id
    WHERE NOT counts.by_subjects
)
(
    SELECT 'hit', row_number() OVER (ORDER BY {order}), item_id, NULL::text,
        NULL::text, NULL::integer, NULL::integer, NULL::bigint
    FROM (
        SELECT item_id, rank, published_at FROM matches
        ORDER BY {order} LIMIT %s OFFSET %s
    ) AS page
)
UNION ALL
(
    SELECT 'facet', NULL, NULL, item_type, language, year,
        GROUPING(item_type, language, year), SUM(count)::bigint
    FROM facets
    GROUP BY GROUPING SETS ((item_type), (language), (year))
)
UNION ALL
(
    SELECT 'school', NULL, NULL, school, NULL, NULL, NULL, SUM(count)::bigint
    FROM facets
    CROSS JOIN LATERAL unnest(string_to_array(btrim(facets.schools, '|'), '|'))
        AS school
    GROUP BY school
)
UNION ALL
(
    SELECT 'subject', NULL, NULL, subject, NULL, NULL, NULL,
        SUM(counts.count)::bigint
    FROM counts
    JOIN {subject_set} AS subject_set ON subject_set.id = counts.subject_set_id
    CROSS JOIN LATERAL unnest(
        string_to_array(btrim(subject_set.subjects, '|'), '|')
    ) AS subject
    WHERE counts.by_subjects
    GROUP BY subject
    ORDER BY 8 DESC, subject
    LIMIT %s
)
"""


def _search_postgresql(hits, ranked, number, per_page):
    """
    Return the item ids of page ``number`` of ``hits`` and the facet counts
    of all hits, from one statement.

    The hits are gathered once, with their rank, into a materialised common
    table expression, and the page and the counts are read from it. The
    statement's steps were timed with EXPLAIN ANALYZE in
    ``tests/benchmarks/test_library_search.py``, which records the figures.
    """
    order = (
        "rank DESC, item_id DESC"
        if ranked
        else "published_at DESC NULLS LAST, item_id DESC"
    )
    if not ranked:
        hits = hits.annotate(rank=Value(0.0))
    try:
        matches, params = (
            hits.order_by()
            .values(
                "item_id", "rank", "published_at", "facet_group_id", "subject_set_id"
            )
            .query.sql_with_params()
        )
    except EmptyResultSet:
        # Django raises this for a filter that matches nothing, such as none().
        return [], FacetCounts(columns={column: [] for column in FACET_COLUMNS})
    # The SQL around ``matches`` is constant, and ``matches`` is compiled by
    # Django with its values kept apart in ``params``.
    sql = _POSTGRESQL_SEARCH.format(
        matches=matches,
        order=order,
        facet_group=SearchFacetGroup._meta.db_table,
        subject_set=SearchSubjectSet._meta.db_table,
    )
    counts = FacetCounts(columns={column: [] for column in FACET_COLUMNS})
    hits_by_position = []
    with transaction.atomic(), connection.cursor() as cursor:
        # The setting ends with the transaction, so pooled connections keep
        # the server's default.
        cursor.execute("SELECT set_config('work_mem', %s, true)", [SEARCH_WORK_MEM])
        cursor.execute(sql, [*params, per_page, (number - 1) * per_page, FACET_LIMIT])
        for kind, position, item_id, *values, grouping, count in cursor.fetchall():
            if kind == "hit":
                hits_by_position.append((position, item_id))
            elif kind == "subject":
                counts.subjects.append((values[0], count))
            elif kind == "school":
                counts.schools.append((values[0], count))
            else:
                _add_grouping_row(counts, values, grouping, count)
    for column in FACET_COLUMNS:
        counts.columns[column].sort(key=lambda pair: (-pair[1], str(pair[0])))
    counts.schools.sort(key=lambda pair: (-pair[1], pair[0]))
    counts.total = sum(count for _value, count in counts.columns["item_type"])
    return [item_id for _position, item_id in sorted(hits_by_position)], counts


def _add_grouping_row(counts, values, grouping, count):
    # GROUPING() sets a bit for each column that the row is not grouped by,
    # the first column being the highest bit.
    for position, column in enumerate(FACET_COLUMNS):
        if not grouping & (1 << (len(FACET_COLUMNS) - 1 - position)):
            counts.columns[column].append((values[position], count))


def _count_plain(documents):
    """Return the ``FacetCounts`` of ``documents`` with one query per facet."""
    documents = documents.order_by()
    counts = FacetCounts()
    for column in FACET_COLUMNS:
        counts.columns[column] = [
            (row[column], row["count"])
            for row in documents.values(column)
            .annotate(count=Count("pk"))
            .order_by("-count", column)
        ]
    counts.total = sum(count for _value, count in counts.columns["item_type"])
    schools = Counter()
    for listed, count in documents.values_list("schools").annotate(count=Count("pk")):
        for school in listed.strip("|").split("|"):
            if school:
                schools[school] += count
    counts.schools = sorted(schools.items(), key=lambda pair: (-pair[1], pair[0]))
    subjects = Counter()
    for slugs in documents.exclude(subjects="").values_list("subjects", flat=True):
        subjects.update(slugs.strip("|").split("|"))
    counts.subjects = sorted(subjects.items(), key=lambda pair: (-pair[1], pair[0]))
    counts.subjects = counts.subjects[:FACET_LIMIT]
    return counts


def facet_counts(counts, filters):
    """
    Return the facets, with their labels, of the ``FacetCounts`` of a search.

    The counts cover only hits that the person may see, so they never
    reveal hidden items.
    """
    facets = {
        "item_type": Facet("item_type", _("Type")),
        "subject": Facet("subject", _("Subject")),
        "school": Facet("school", _("School")),
        "year": Facet("year", _("Year")),
        "language": Facet("language", _("Language")),
    }
    type_labels = dict(ItemType.choices)
    for value, count in counts.columns["item_type"]:
        label = type_labels.get(value, value)
        facets["item_type"].values.append(FacetValue(value, label, count))
    language_labels = dict(ItemLanguage.choices)
    for value, count in counts.columns["language"]:
        label = language_labels.get(value, value)
        facets["language"].values.append(FacetValue(value, label, count))
    school_names = {
        str(pk): name
        for pk, name in School.objects.filter(
            pk__in=[value for value, _count in counts.schools if value.isdigit()]
        ).values_list("pk", "name")
    }
    for value, count in counts.schools:
        if value == NO_SCHOOL:
            label = _("City-wide and harvested collections")
        else:
            label = school_names.get(value, value)
        facets["school"].values.append(FacetValue(value, label, count))
    for value, count in counts.columns["year"]:
        if value is not None:
            facets["year"].values.append(FacetValue(str(value), str(value), count))
    subject_names = dict(
        Tag.objects.filter(
            slug__in=[slug for slug, _count in counts.subjects]
        ).values_list("slug", "name")
    )
    for slug, count in counts.subjects:
        label = subject_names.get(slug, slug)
        facets["subject"].values.append(FacetValue(slug, label, count))

    for facet in facets.values():
        facet.values = facet.values[:FACET_LIMIT]
        selected = str(filters.get(facet.name) or "")
        for value in facet.values:
            value.selected = value.value == selected
    return [facet for facet in facets.values() if facet.values]
