"""
Library search over generated items against hand-written SQL on the same index.

``library_generate`` fills the test database with LIBRARY_BENCH_ITEMS items
(default 100,000) the first time; with ``--reuse-db`` later runs of this
file alone reuse them. Other benchmarks flush the tables, so a run of the
whole folder generates them again. Generating 100,000 items took 93 s on
a shared 2-core machine at a load average of 2.5.

Each query runs through ``library.search.search_items``, the function that
the search view calls (ranked hits, snippets, facet counts, access
filtering), for an anonymous visitor and for a logged-in teacher. The same
results are then computed with two hand-written SQL statements. The first
returns the ranked page of hits, the facet counts and the subject counts,
as the platform does. The second returns the titles, creators, schools,
subject names and snippets of the hits. The two sides alternate, so that both meet
the same machine noise.

EXPLAIN (ANALYZE, BUFFERS) split the platform's statement for the
teacher's search for "siswa" (60,209 hits of 100,000), at a load average
of 3 from other test runs, into: the sequential scan that matches and
ranks the hits 287 ms of 550 (ranking is about a quarter of the scan: 134
ms without ts_rank, 185 ms with it), the subject counts 133 ms, sorting
every hit for the page 50 ms (spilled to disk), and the other facet
counts 35 ms. The page's snippets took 7 ms and the access filter's two
lookups under 1 ms. Three changes, made to both sides, then took the
statement from 771 to 429 ms for "siswa" and from 562 to 385 ms for
"learning", with old and new alternating at a load average of 9. The
facets are summed from one pass with two hash tables instead of five, the
subjects are split in those grouped rows instead of in every hit, and the
page is sorted with LIMIT. Afterwards the scan took 358 ms of 569, the
facets 85 ms, the sort 23 ms and the subjects 0.3 ms.

Both sides OR only the distinct parses of a query (for "siswa" the three
languages give the same one) and run with 32 MB of work_mem, so the hits
are no longer spilled to a temporary file. Alone on the machine (load
average 0.4 to 0.6), 100,000 items: search_items p50 27 ms, p95 145 ms;
hand-written SQL p50 18 ms, p95 139 ms; ratio 1.05. Rare words took 14 to
17 ms (SQL 6 to 7 ms), words in half of the items 117 to 153 ms. Before
these two changes, the same machine gave a p95 of 148 ms against 130 ms.
A parallel scan (parallel_setup_cost lowered) was no faster in a trial on
the quiet machine, so it is not used.

The school facet is counted from ``schools``, the list of schools whose
libraries show the item (its own and those of its aliases), split in the
grouped rows like the subjects, instead of from ``school_id``. The old and
new hand-written statements, alternating for 9 rounds of each of 10 query
and user pairs on the 100,000 generated items, gave the same counts with
medians of 130.2 ms (old) and 132.9 ms (new) at a load average of 8 to 13
on the shared 2-core machine, and 71.3 ms and 74.8 ms at a load average of
1.6. A second quiet run of the three most common words gave 86.5 ms and
88.1 ms, with equal means, so the difference is within the noise.

Counting the facets of a common word still hashed the four facet
columns and the subjects string of every hit, and copied those wide rows
into the materialised hits. Under callgrind (instruction counts, which
the machine's load does not change) that was about a third of the
statement for "siswa". Each search row now points at a shared
``SearchFacetGroup`` and ``SearchSubjectSet``; both sides group the hits by
those two integers and join the values of the few groups found. The
statement's count for "siswa" fell from 824 to 682 million instructions.
The generator and this file also vacuum the bulk-loaded tables, as
autovacuum would later, so that scans skip checking each row's
visibility. Alone on the machine (load average 0.4 to 0.8), on the same
vacuumed 100,000 items, alternating the commits: search_items p95 88.8,
94.3 and 92.6 ms (hand-written SQL 81.6, 85.6 and 86.5 ms, ratios 1.07 to
1.10) with the integer groups, against 110.4 and 106.0 ms before. Words
in half of the items took 77 to 89 ms, rare words 9 to 10 ms.

Two more trials were dropped. A PostgreSQL with 1 GB of shared_buffers, which
fits the whole table, was not faster than the default 128 MB. Matching
each item only by the parse of its own language was 5 % cheaper for
"pembelajaran", but lost items: an Indonesian text that mentions
"ecobrick" is found by the English stem of "ecobricks" only when the
parses are OR-ed (70 hits against 22).
"""

import os
import statistics
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from wagtail.models import Page, Site

from library.management.commands.library_generate import ANALYZED_MODELS
from library.models import AccessLevel, LibraryIndexPage, SearchDocument
from library.search import search_items
from lms.models import HomePage, Membership, User
from tests.conftest import require, restore_wagtail_root

ITEMS = int(os.environ.get("LIBRARY_BENCH_ITEMS", "100000"))
ROUNDS = int(os.environ.get("LIBRARY_BENCH_ROUNDS", "5"))
P95_GOAL_MS = 100
RATIO_GOAL = 2.0

# (query, filters): Indonesian and English, one and two words, common and
# rare words, and facet filters.
QUERIES = [
    ("pembelajaran", {}),
    ("siswa", {}),
    ("motivasi belajar", {}),
    ("etnomatematika", {}),
    ("learning", {}),
    ("critical thinking", {}),
    ("ecobricks", {}),
    ("literasi digital", {"item_type": "thesis"}),
    ("recycling", {"language": "en", "year": 2020}),
    ("kompos", {"subject": "pendidikan-lingkungan"}),
]
# Queries filtered by the teacher's school, which matches the list of
# schools in each search row.
SCHOOL_QUERIES = ["siswa", "pembelajaran", "ecobricks"]

# The distinct parses of the query in the three languages, OR-ed in the
# same order as the platform's, so that both sum ranks in the same order.
_PARSE_SQL = """
SELECT string_agg('(' || parse || ')', ' | ' ORDER BY position)
FROM (
    SELECT DISTINCT ON (parsed::text) parsed::text AS parse, position
    FROM unnest(ARRAY['indonesian', 'english', 'simple']::regconfig[])
        WITH ORDINALITY AS config(name, position),
        websearch_to_tsquery(config.name, %(q)s) AS parsed
    WHERE numnode(parsed) > 0
    ORDER BY parsed::text, position
) AS parses
"""
_SEARCH_SQL = """
WITH matches AS MATERIALIZED (
    SELECT d.item_id, d.facet_group_id, d.subject_set_id,
        ts_rank(d.vector, %(tsquery)s::tsquery) AS rank
    FROM library_searchdocument AS d
    WHERE {where}
),
counts AS MATERIALIZED (
    SELECT facet_group_id, subject_set_id,
        GROUPING(subject_set_id) = 0 AS by_subjects, COUNT(*) AS count
    FROM matches
    GROUP BY GROUPING SETS ((facet_group_id), (subject_set_id))
),
facets AS MATERIALIZED (
    SELECT f.item_type, f.language, f.schools, f.year, c.count
    FROM counts AS c JOIN library_searchfacetgroup AS f ON f.id = c.facet_group_id
    WHERE NOT c.by_subjects
)
(
    SELECT 'hit', row_number() OVER (ORDER BY rank DESC, item_id DESC), item_id,
        NULL::text, NULL::text, NULL::integer, NULL::integer, NULL::bigint
    FROM (
        SELECT item_id, rank FROM matches ORDER BY rank DESC, item_id DESC LIMIT 20
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
    FROM facets, unnest(string_to_array(btrim(schools, '|'), '|')) AS school
    GROUP BY school
)
UNION ALL
(
    SELECT 'subject', NULL, NULL, subject, NULL, NULL, NULL, SUM(c.count)::bigint
    FROM counts AS c
    JOIN library_searchsubjectset AS s ON s.id = c.subject_set_id,
    unnest(string_to_array(btrim(s.subjects, '|'), '|')) AS subject
    WHERE c.by_subjects
    GROUP BY subject ORDER BY 8 DESC, subject LIMIT 10
)
"""

_HITS_SQL = """
SELECT item.page_ptr_id, page.title, item.item_type, item.issued, school.name,
    tag_names.names,
    (SELECT string_agg(c.name, '; ' ORDER BY c.sort_order)
     FROM library_itemcreator AS c WHERE c.item_id = item.page_ptr_id),
    ts_headline(d.config::regconfig,
        translate(item.abstract || E'\\n\\n' || left(item.full_text, 20000),
            E'\\x02\\x03', ''),
        %(tsquery)s::tsquery,
        'StartSel=\x02, StopSel=\x03, MaxWords=35, MinWords=15, MaxFragments=2')
FROM library_libraryitempage AS item
JOIN wagtailcore_page AS page ON page.id = item.page_ptr_id
JOIN library_searchdocument AS d ON d.item_id = item.page_ptr_id
LEFT JOIN lms_school AS school ON school.id = item.school_id
CROSS JOIN LATERAL (
    SELECT string_agg(tag.name, ', ') AS names FROM taggit_tag AS tag
    WHERE tag.slug = ANY(%(slugs)s)
) AS tag_names
WHERE item.page_ptr_id = ANY(%(ids)s)
"""


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """Generate the items once, outside the tests' transactions."""
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms",
        embedded_skips=True,
    )
    with django_db_blocker.unblock():
        restore_wagtail_root()
        if not HomePage.objects.exists():
            home = Page.get_first_root_node().add_child(
                instance=HomePage(title="Beranda", slug="beranda")
            )
            Site.objects.update_or_create(
                is_default_site=True,
                defaults={"root_page": home, "hostname": "localhost", "port": 80},
            )
        missing = ITEMS - SearchDocument.objects.count()
        if missing > 0:
            started = time.monotonic()
            call_command("library_generate", count=missing, seed=ITEMS, verbosity=0)
            print(  # noqa: T201
                f"\ngenerated {missing} items in {time.monotonic() - started:.0f} s"
            )
        with connection.cursor() as cursor:
            # As autovacuum leaves a table that has stopped growing: analysed,
            # and with its pages marked all-visible.
            for model in ANALYZED_MODELS:
                cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        library = (
            LibraryIndexPage.objects.filter(school__isnull=False)
            .select_related("school")
            .first()
        )
        teacher, _created = User.objects.get_or_create(username="bench.teacher")
        Membership.objects.get_or_create(
            user=teacher, school=library.school, role=Membership.Role.TEACHER
        )
    return teacher


def _sql_where(user, filters):
    """Return the WHERE clause and its parameters, written by hand."""
    clauses = ["d.live", "d.vector @@ %(tsquery)s::tsquery"]
    params = {}
    if user.is_authenticated:
        school_ids = list(user.memberships.values_list("school_id", flat=True))
        clauses.append(
            "(d.access_level IN ('public', 'city') OR d.owner_id = %(user)s"
            " OR (d.access_level = 'school' AND d.school_id = ANY(%(schools)s))"
            " OR (d.access_level = 'people' AND d.item_id IN (SELECT"
            " libraryitempage_id FROM library_libraryitempage_allowed_readers"
            " WHERE user_id = %(user)s)))"
        )
        params.update(user=user.pk, schools=school_ids)
    else:
        clauses.append(f"d.access_level = '{AccessLevel.PUBLIC}'")
    for name in ("item_type", "language", "year"):
        if name in filters:
            clauses.append(f"d.{name} = %({name})s")
            params[name] = filters[name]
    if "subject" in filters:
        clauses.append("d.subjects LIKE %(subject)s")
        params["subject"] = f"%|{filters['subject']}|%"
    if "school" in filters:
        clauses.append("d.schools LIKE %(school)s")
        params["school"] = f"%|{filters['school']}|%"
    return " AND ".join(clauses), params


def _run_sql(user, query, filters):
    """Return the ids of the first page of hits and their number."""
    where, params = _sql_where(user, filters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PARSE_SQL, {"q": query})
        params["tsquery"] = cursor.fetchone()[0]
        cursor.execute("SET LOCAL work_mem = '32MB'")
        cursor.execute(_SEARCH_SQL.format(where=where), params)
        rows = cursor.fetchall()
        hits = sorted((row[1], row[2]) for row in rows if row[0] == "hit")
        ids = [item_id for _position, item_id in hits]
        slugs = [row[3] for row in rows if row[0] == "subject"]
        cursor.execute(
            _HITS_SQL, {"tsquery": params["tsquery"], "ids": ids, "slugs": slugs}
        )
        cursor.fetchall()
    # The rows grouped by type alone have GROUPING() 0b011.
    total = sum(row[-1] for row in rows if row[0] == "facet" and row[6] == 0b011)
    return ids, total


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - started) * 1000, result


def _percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _compare(user, query, filters):
    """
    Time ``query`` through the platform and as hand-written SQL, ROUNDS times
    each, alternating, after one untimed run of each side that warms the
    caches and checks that both return the same hits.

    Return the platform's times, the SQL's times and the number of hits.
    """
    results = search_items(user, query, filters)
    ids, total = _run_sql(user, query, filters)
    assert [item.pk for item in results.page.object_list] == ids, query
    assert results.page.paginator.count == total, query
    platform_ms, floor_ms = [], []
    for _round in range(ROUNDS):
        platform_ms.append(_timed(search_items, user, query, filters)[0])
        floor_ms.append(_timed(_run_sql, user, query, filters)[0])
    return platform_ms, floor_ms, total


@pytest.mark.django_db
def test_search_against_sql_floor(corpus):
    teacher = corpus
    users = {"anonymous": AnonymousUser(), "teacher": teacher}
    platform, floor = [], []
    rows = []
    for user_name, user in users.items():
        for query, filters in QUERIES:
            platform_ms, floor_ms, total = _compare(user, query, filters)
            platform += platform_ms
            floor += floor_ms
            rows.append(
                f"  {user_name:9} {query!r:22} {str(filters):38} hits {total:6}"
                f"  search {statistics.median(platform_ms):7.1f} ms"
                f"  SQL {statistics.median(floor_ms):7.1f} ms"
            )

    p50 = statistics.median(platform), statistics.median(floor)
    p95 = _percentile(platform, 0.95), _percentile(floor, 0.95)
    print(  # noqa: T201
        f"\nlibrary search over {SearchDocument.objects.count()} items, "
        f"{ROUNDS} rounds per query (medians):\n"
        + "\n".join(rows)
        + f"\nsearch_items p50 {p50[0]:.1f} ms, p95 {p95[0]:.1f} ms; "
        f"hand-written SQL p50 {p50[1]:.1f} ms, p95 {p95[1]:.1f} ms; "
        f"p95 ratio {p95[0] / p95[1]:.2f}"
    )
    assert p95[0] < P95_GOAL_MS
    assert p95[0] <= RATIO_GOAL * p95[1]


@pytest.mark.django_db
def test_school_filter_against_sql_floor(corpus):
    """
    Compare searches filtered by one school with the hand-written SQL.

    The goal of 100 ms is checked by ``test_search_against_sql_floor``,
    so this test checks only the ratio to the floor.
    """
    teacher = corpus
    school_id = teacher.memberships.values_list("school_id", flat=True).first()
    filters = {"school": school_id}
    platform, floor = [], []
    rows = []
    for query in SCHOOL_QUERIES:
        platform_ms, floor_ms, total = _compare(teacher, query, filters)
        platform += platform_ms
        floor += floor_ms
        rows.append(
            f"  teacher   {query!r:22} school {school_id:<6} hits {total:6}"
            f"  search {statistics.median(platform_ms):7.1f} ms"
            f"  SQL {statistics.median(floor_ms):7.1f} ms"
        )

    p95 = _percentile(platform, 0.95), _percentile(floor, 0.95)
    print(  # noqa: T201
        "\nlibrary search filtered by school (medians):\n"
        + "\n".join(rows)
        + f"\nsearch_items p95 {p95[0]:.1f} ms; hand-written SQL p95 {p95[1]:.1f} ms;"
        f" p95 ratio {p95[0] / p95[1]:.2f}"
    )
    assert p95[0] <= RATIO_GOAL * p95[1]
