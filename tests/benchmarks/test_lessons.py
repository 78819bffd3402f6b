"""
Requests per second of course and lesson pages against a bare Django view.

Both are served by the same daphne in the same run on PostgreSQL and Redis,
so the ratio holds on a noisy machine better than the absolute figures do.
The bare view is the health check, a short HTML page that runs no query of
its own. Every request carries the student's session cookie, as students
read the pages, so the middleware loads the session (from Redis) and the
user (one query) for the bare view too.

On a cached route both pages run two queries: the user, then the page with
the student's role in the course and progress (the lesson's progress row,
or the course's lessons done and the lesson last opened). Each reads one
cache entry more than the bare view: the route with its route data (links,
teachers' names, the names of the course's class group and term, the
rendered lesson body).

The asserts hold the goal of 0.5. With nothing else running (load average
0.6 at the start, 1.1 at the end), the code of the last item below
measured 0.52 (course page) and 0.55 (lesson page), at 50, 53 and 95
requests per second, and 6.58, 5.62 and 0.95 ms of CPU per request. At a
load average of 6 to 7 each page has missed the goal by up to 0.03 on
some runs.

All other figures below come from ``python -m pytest tests/benchmarks/test_lessons.py
-o addopts="" -s`` with DATABASE_URL and REDIS_URL set, on a shared 2-core
machine loaded by other test runs. ``make bench PYTEST_ARGS=...`` runs
every benchmark in the folder, with this file given twice.

- With routes, link lists and sessions cached, a course page ran five
  queries and a lesson page four. At load averages of 8 to 15, three runs
  measured ratios of 0.22 to 0.23 (course page) and 0.22 to 0.28 (lesson
  page), and a fourth failed when one request took more than the helper's
  10 second timeout. Each page cost about 7 times the bare view's CPU time
  in process (15 to 17 ms against 2.4 ms, Django test client). At a load
  average of 8 to 9, a later run measured 0.25 and 0.28 (9, 9 and 33
  requests per second).
- With the role, the progress row and the route data folded into the
  page query and the route's cache round trip, four runs measured 0.32
  and 0.38 (11, 13 and 35 requests per second, load average 10 to 14),
  0.37 and 0.46 (16, 20 and 44, load average 10 falling to 6.5),
  0.29 and 0.41 (16, 23 and 57, load average 5 to 6) and 0.41 and 0.52
  (24, 30 and 58, load average 3.6 to 4.1). So the lesson page reached
  the goal once, on the quietest run, and the course page did not.
- With the course's progress rows folded into its page query and the
  course's class group, semester and year names moved from joined rows
  to the route data, one run measured 0.44 and 0.44 (36, 36 and 82
  requests per second, load average 8.3 to 9.1). The same run's
  ``test_cpu_time_per_request`` printed 7.45 ms (course page), 6.68 ms
  (lesson page) and 1.01 ms (bare view) of CPU per request. Before the
  change, a run at a load average of 2.6 to 6.8 measured 0.33 and 0.51
  (28, 44 and 87 requests per second). The lesson page's ratio fell at
  the higher load although its code did not change.
- With the route query also run without an ORDER BY (it matches one row
  by primary key), two runs at a load average of 6.2 to 6.7 measured
  0.52 and 0.49 (40, 38 and 77 requests per second) and 0.47 and 0.48
  (41, 42 and 87). Their CPU time per request was 6.74, 5.88 and 1.12 ms,
  then 5.40, 4.72 and 0.90 ms (course page, lesson page, bare view).
  Before the course's progress was folded in, the same in-process
  measurement (one round) gave 5.7, 4.5 and 0.9 ms at a load average of
  about 2.5.

Profiling the course and lesson pages in process (cProfile, Django test
client, PostgreSQL) puts most of the remaining CPU time in the page's route
query: about 0.5 ms building the queryset and 0.7 ms compiling it to SQL,
against 0.2 ms executing it, on a 2-core machine at a load average of 9,
before the ORDER BY went. The query joins a page type's table to Wagtail's
page table and selects every column of both. Template rendering comes
next, about a quarter of a course page's time under cProfile, with 15
``{% url %}`` reversals among it. Then come the two round trips to
PostgreSQL and Redis that the bare view does not make. Under load each
round trip also waits for a CPU, which the bare view rarely does.
"""

import time

import pytest
from django.test import Client

from tests.benchmarks.helpers import log_in, requests_per_second
from tests.courses.factories import (
    enrol,
    make_course,
    make_course_index,
    make_lesson,
    make_school,
    make_student,
    make_teacher,
)

REQUESTS = 300
ROUNDS = 3
CPU_REQUESTS = 200


def make_pages():
    """Return a student's session key and the paths of the measured pages."""
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    lessons = [make_lesson(course, title=f"Pelajaran {n}") for n in range(8)]
    student = make_student(school)
    enrol(course, student)
    paths = {"course": course.url, "lesson": lessons[3].url, "bare": "/healthz"}
    return log_in(student), paths


@pytest.mark.django_db(transaction=True)
def test_course_and_lesson_pages_against_bare_view(postgres, redis_url, daphne_server):
    session_key, paths = make_pages()
    cookie = f"sessionid={session_key}"
    for path in paths.values():
        requests_per_second(daphne_server, path, 20, cookie)

    best = {}
    for _ in range(ROUNDS):
        for name, path in paths.items():
            rate = requests_per_second(daphne_server, path, REQUESTS, cookie)
            best[name] = max(best.get(name, 0), rate)
    ratios = {name: best[name] / best["bare"] for name in ("course", "lesson")}

    print(  # noqa: T201
        f"\ncourse page: {best['course']:.0f} req/s, "
        f"lesson page: {best['lesson']:.0f} req/s, "
        f"bare view: {best['bare']:.0f} req/s, "
        f"ratios {ratios['course']:.2f} and {ratios['lesson']:.2f} (best of "
        f"{ROUNDS} rounds of {REQUESTS} sequential requests over one keep-alive "
        "connection, logged in as a student)"
    )
    assert ratios["course"] >= 0.5
    assert ratios["lesson"] >= 0.5


@pytest.mark.django_db(transaction=True)
def test_cpu_time_per_request(postgres, redis_url):
    """
    Print the CPU time of this process per request of each page, in process.

    The Django test client calls the handler directly, with no server and
    with the database connection kept open, so the figures leave out daphne
    and the waits for PostgreSQL and Redis. They vary less with the load of
    the machine than the requests per second do.
    """
    session_key, paths = make_pages()
    client = Client()
    client.cookies["sessionid"] = session_key
    for path in paths.values():
        for _ in range(5):
            assert client.get(path).status_code == 200

    best = {}
    for _ in range(ROUNDS):
        for name, path in paths.items():
            started = time.process_time()
            for _ in range(CPU_REQUESTS):
                client.get(path)
            elapsed = time.process_time() - started
            best[name] = min(best.get(name, elapsed), elapsed)
    milliseconds = {name: 1000 * best[name] / CPU_REQUESTS for name in paths}

    print(  # noqa: T201
        f"\nCPU per request: course page {milliseconds['course']:.2f} ms, "
        f"lesson page {milliseconds['lesson']:.2f} ms, "
        f"bare view {milliseconds['bare']:.2f} ms (best of {ROUNDS} rounds of "
        f"{CPU_REQUESTS} requests, Django test client, logged in as a student)"
    )
