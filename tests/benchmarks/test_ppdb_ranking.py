"""
Requests per second of a public ranking page against a bare Django view.

The ranking page of one school and track (200 applicants) is rendered once
per run and then served from the cache, with only the CSRF token of its
language switch filled in per request. The bare view is the health check,
which touches neither the database nor the cache. Both are served by the
same daphne in the same run, alternating rounds, and the best round of
each is compared, so the ratio holds on a busy machine where the absolute
figures do not.

Measured by running this file as `make bench` does (best of 3 rounds),
on the shared 2-core development machine at load averages of 10 to 14
from other test runs: on PostgreSQL and Redis, ratios of 1.00, 1.01,
0.91, 0.82 and 0.64 (74 to 122 req/s against 90 to 136); on the embedded
default (SQLite, local memory cache), 1.32. Before pages were kept in
process memory, each request read the shared cache and the ratio was
0.83.

NOTE: at that load the spread between runs is wide, so the assert below
can fail on a busy machine although the page meets the goal on a quiet
one. The rounds went from 3 to 5 to narrow the spread; the first run
with 5 measured 0.96 (135 against 141 req/s). Per request, the
page does the bare view's work plus a CSRF token and 56 kB of body.
"""

import datetime

import pytest
from django.urls import reverse

from ppdb.selection.runs import execute_run, start_run
from tests.benchmarks.helpers import requests_per_second
from tests.ppdb.selection_world import (
    make_application,
    make_city_admin,
    make_period_school,
    make_selection_period,
)

APPLICANTS = 200
REQUESTS = 400
ROUNDS = 5
GOAL = 0.8


def build_ranking():
    """Return the URL of a ranking page of ``APPLICANTS`` rows."""
    period = make_selection_period(phase="announcement")
    school = make_period_school(period, capacity=64, name="SMP Negeri Benchmark")
    other = make_period_school(period, capacity=64, offset=8)
    for index in range(APPLICANTS):
        make_application(
            period,
            [school, other],
            north=1 + index % 40,
            east=index % 7,
            birth_date=datetime.date(2012, 1 + index % 12, 1 + index % 28),
        )
    run = start_run(period, make_city_admin(), dry_run=False, execute=False)
    assert execute_run(run.pk).status == "succeeded"
    return reverse(
        "ppdb:ranking_program", args=(period.pk, school.school.npsn, "domisili")
    )


@pytest.mark.django_db(transaction=True)
def test_ranking_page_against_bare_view(daphne_server):
    path = build_ranking()
    # Warm up both paths: the first request renders the run's pages.
    requests_per_second(daphne_server, path, 20)
    requests_per_second(daphne_server, "/healthz", 20)

    ranking, bare = [], []
    for _ in range(ROUNDS):
        bare.append(requests_per_second(daphne_server, "/healthz", REQUESTS))
        ranking.append(requests_per_second(daphne_server, path, REQUESTS))
    best_ranking, best_bare = max(ranking), max(bare)
    ratio = best_ranking / best_bare

    print(  # noqa: T201
        f"\nranking page ({APPLICANTS} rows): {best_ranking:.0f} req/s, bare view: "
        f"{best_bare:.0f} req/s, ratio {ratio:.2f} (best of {ROUNDS} rounds of "
        f"{REQUESTS} sequential requests over one keep-alive connection)"
    )
    assert ratio >= GOAL
