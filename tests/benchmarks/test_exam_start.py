"""
The start of an exam: 300 students start one quiz and save 20 answers each.

Real HTTP against daphne on PostgreSQL. Students are logged in beforehand
by writing their sessions into the test database, so the measured requests
are the exam's own: one start and twenty saves per student. Starts arrive
spread evenly over ten seconds; each student saves answers as soon as the
start returns, while later students are still starting.
"""

import http.client
import json
import secrets
import statistics
import string
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.urls import reverse

from courses.quizzes.models import Answer, Attempt, Question
from tests.benchmarks.helpers import log_in
from tests.courses.factories import make_student
from tests.quizzes.helpers import make_classroom, make_question, make_quiz

STUDENTS = 300
ANSWERS = 20
START_WINDOW_SECONDS = 10
# Requests in flight at once, for starts and for saves each.
CONCURRENCY = 48
REQUEST_TIMEOUT_SECONDS = 60


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def make_exam():
    """Return a 20-question quiz and the session keys of 300 students."""
    _teacher, course, _students = make_classroom(students=0)
    questions = []
    for number in range(ANSWERS):
        questions.append(
            make_question(
                course,
                Question.Kind.NUMERIC,
                f"{number} + {number} = ?",
                number=Decimal(2 * number),
            )
        )
    quiz = make_quiz(course, questions, time_limit_minutes=90, shuffle_questions=True)
    school = course.school
    sessions = []
    for _number in range(STUDENTS):
        student = make_student(school)
        course.enrol(student, "manual")
        sessions.append(log_in(student))
    return quiz, sessions


class Client:
    """Send one request per connection and record latency and errors."""

    def __init__(self, base_url):
        parsed = urlparse(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.lock = threading.Lock()
        self.errors = []

    def post_json(self, path, session_key, body=None):
        csrf = "".join(secrets.choice(string.ascii_letters) for _i in range(32))
        headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        payload = json.dumps(body or {})
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS
        )
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=payload, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except OSError as error:
            with self.lock:
                self.errors.append(f"{path}: {error!r}")
            return None, time.perf_counter() - started
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            with self.lock:
                self.errors.append(f"{path}: HTTP {response.status} {content[:200]!r}")
            return None, elapsed
        return json.loads(content), elapsed


@pytest.mark.slow
def test_exam_start(postgres, daphne_server):
    quiz, sessions = make_exam()
    client = Client(daphne_server)
    start_path = reverse("quizzes:start", args=[quiz.pk])
    start_latency, save_latency, start_finished = [], [], []
    save_futures = []

    saves = ThreadPoolExecutor(max_workers=CONCURRENCY)
    starts = ThreadPoolExecutor(max_workers=CONCURRENCY)
    began = time.perf_counter()

    def save_all(session_key, attempt_id, question_ids):
        path = reverse("quizzes:save", args=[attempt_id])
        for question_id in question_ids:
            _body, elapsed = client.post_json(
                path, session_key, {"question": question_id, "value": "0"}
            )
            save_latency.append(elapsed)

    def start(index, session_key):
        # Arrive at this student's place in the start window.
        delay = began + index * START_WINDOW_SECONDS / STUDENTS - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        body, elapsed = client.post_json(start_path, session_key)
        start_latency.append(elapsed)
        start_finished.append(time.perf_counter() - began)
        if body is not None:
            save_futures.append(
                saves.submit(save_all, session_key, body["attempt"], body["questions"])
            )

    for future in [
        starts.submit(start, index, key) for index, key in enumerate(sessions)
    ]:
        future.result()
    starts.shutdown()
    for future in list(save_futures):
        future.result()
    saves.shutdown()
    total = time.perf_counter() - began

    stored = Answer.objects.filter(attempt__quiz=quiz).count()
    attempts = Attempt.objects.filter(quiz=quiz).count()
    print(  # noqa: T201
        f"\nexam start: {STUDENTS} students, {ANSWERS} answers each, "
        f"{CONCURRENCY} requests in flight per kind, one daphne process\n"
        f"  start: p50 {percentile(start_latency, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(start_latency, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(start_latency, 0.99) * 1000:.0f} ms; "
        f"last start done at {max(start_finished, default=0):.1f} s\n"
        f"  save:  p50 {percentile(save_latency, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(save_latency, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(save_latency, 0.99) * 1000:.0f} ms; "
        f"mean {statistics.fmean(save_latency or [0]) * 1000:.0f} ms\n"
        f"  errors: {len(client.errors)}; attempts {attempts}, answers stored "
        f"{stored} of {STUDENTS * ANSWERS}; total {total:.1f} s"
    )
    for error in client.errors[:10]:
        print("  " + error)  # noqa: T201
    assert client.errors == []
    assert attempts == STUDENTS
    assert stored == STUDENTS * ANSWERS
