"""
Requests per second of course and lesson pages against a bare Django view.

Both are served by the same daphne in the same run on PostgreSQL and Redis,
so the ratio holds on a noisy machine better than the absolute figures do.
The bare view is the health check, a short HTML page that runs no query of
its own. Every request carries the student's session cookie, as students
read the pages, so the middleware loads the session (from Redis) and the
user (one query) for the bare view too.

On a cached route a lesson page runs two queries: the user, then the page
with the student's role in the course and progress row. A course page runs
one more, for the progress rows of its lessons. Each reads one cache entry
more than the bare view: the route with its route data (links, teachers'
names, the rendered lesson body).

NOTE: the asserts hold the goal of 0.5, which the course page has not
reached and the lesson page reached only on a quieter machine. All
figures below come from ``python -m pytest tests/benchmarks/test_lessons.py
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

Two costs remain. Compiling the query of Wagtail's multi-table page models
and rendering the templates take several times the bare view's whole
request in CPU time. The course page also runs one more query, for the
progress rows of its lessons. Under load every round trip to PostgreSQL or
Redis also waits for a CPU, which the bare view rarely does.
"""

import pytest

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


@pytest.mark.django_db(transaction=True)
def test_course_and_lesson_pages_against_bare_view(postgres, redis_url, daphne_server):
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    lessons = [make_lesson(course, title=f"Pelajaran {n}") for n in range(8)]
    student = make_student(school)
    enrol(course, student)
    cookie = f"sessionid={log_in(student)}"
    paths = {"course": course.url, "lesson": lessons[3].url, "bare": "/healthz"}
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
