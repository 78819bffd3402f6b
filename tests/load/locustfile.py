"""
The load scenario: people arriving as they do on a busy school day.

Students open lessons and save quiz answers, a class of students sits in a
live class over websockets, parents refresh the public ranking and submit
applications, and readers search the library. Run it through
``tests/load/run.py``, which prepares the data, starts daphne on loopback
and passes the plan in ``LOAD_PLAN``. This file imports nothing from the
platform, so locust runs in an environment of its own.
"""

import itertools
import json
import os
import random
import secrets
import string
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import gevent
import websocket
from locust import HttpUser, LoadTestShape, User, between, events, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
LIVE_STUDENTS = int(os.environ.get("LOAD_LIVE_STUDENTS", "300"))
# Seconds in which the live class joins, alone, before the first step.
JOIN_SECONDS = int(os.environ.get("LOAD_JOIN_SECONDS", "20"))
# Seconds per step of the HTTP load, and the users added at each step.
STEP_SECONDS = int(os.environ.get("LOAD_STEP_SECONDS", "60"))
STEP_USERS = [int(n) for n in os.environ.get("LOAD_STEPS", "20,40,80,120").split(",")]
SLOW_SECONDS = 1.0
PING_SECONDS = 20

_counter = itertools.count()
_lock = threading.Lock()

# A minimal PDF: the registration form checks uploads by content.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def take(key):
    """Return the next entry of the plan's list ``key``, round-robin."""
    with _lock:
        values = PLAN[key]
        return values[next(_counter) % len(values)]


def csrf_headers(host, session_key):
    """Return the cookies and header of a logged-in, CSRF-valid request."""
    token = "".join(secrets.choice(string.ascii_letters) for _i in range(32))
    return {
        "Cookie": f"sessionid={session_key}; csrftoken={token}",
        "X-CSRFToken": token,
        "Referer": host + "/",
    }, token


class Student(HttpUser):
    """A student reading lessons and answering a quiz, a save per question."""

    weight = 6
    wait_time = between(2, 6)

    def on_start(self):
        self.headers, self.csrf = csrf_headers(self.host, take("students"))
        response = self.client.post(
            f"/courses/quizzes/{PLAN['quiz']}/start/",
            headers={**self.headers, "Accept": "application/json"},
            name="quiz start",
        )
        body = response.json() if response.ok else {}
        self.attempt = body.get("attempt")
        self.questions = body.get("questions", [])

    @task(3)
    def read_lesson(self):
        self.client.get(
            random.choice(PLAN["lessons"]), headers=self.headers, name="lesson"
        )

    @task(3)
    def save_answer(self):
        if not self.attempt or not self.questions:
            return
        self.client.post(
            f"/courses/quizzes/attempt/{self.attempt}/save/",
            json={"question": random.choice(self.questions), "value": "4"},
            headers={**self.headers, "Accept": "application/json"},
            name="quiz save",
        )


class Parent(HttpUser):
    """A parent refreshing the ranking and, now and then, registering a child."""

    weight = 3
    wait_time = between(3, 8)

    def on_start(self):
        self.session_key = take("parents")

    @task(8)
    def ranking(self):
        period = PLAN["ranking_period"]
        if random.random() < 0.5:
            self.client.get(f"/ppdb/periods/{period}/ranking/", name="ranking")
        else:
            npsn, track = random.choice(PLAN["ranking_programs"])
            self.client.get(
                f"/ppdb/periods/{period}/ranking/{npsn}/{track}/",
                name="ranking of a school",
            )

    @task(1)
    def register(self):
        headers, csrf = csrf_headers(self.host, self.session_key)
        period = PLAN["open_period"]
        self.client.post(
            f"/ppdb/periods/{period}/register/",
            data={"agree": "on", "csrfmiddlewaretoken": csrf},
            headers=headers,
            name="registration consent",
            allow_redirects=False,
        )
        number = next(_counter)
        birth_day = 1 + number % 28
        fields = {
            "csrfmiddlewaretoken": csrf,
            "submission_token": secrets.token_hex(16),
            "full_name": f"Anak Uji {number}",
            "nik": f"327601{birth_day:02d}0313{number % 10000:04d}",
            "nisn": f"{(number * 7919) % 10**10:010d}",
            "birth_place": "Depok",
            "birth_date": f"2013-03-{birth_day:02d}",
            "sex": "L",
            "kk_number": f"3276019{number % 10**9:09d}",
            "kk_issued_on": "2020-01-01",
            "address": "Jl. Uji 1",
            "kelurahan_code": random.choice(PLAN["kelurahan"]),
            "latitude": "-6.402000",
            "longitude": "106.818000",
            "previous_school_name": "SD Negeri Uji",
            "track": "domisili",
            "choice_1": PLAN["open_period_schools"][0],
        }
        files = {
            "document_kk": ("kk.pdf", PDF, "application/pdf"),
            "document_birth_certificate": ("akta.pdf", PDF, "application/pdf"),
        }
        with self.client.post(
            f"/ppdb/periods/{period}/register/form/",
            data=fields,
            files=files,
            headers=headers,
            name="registration submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A stored application redirects to its receipt.
            if response.status_code != 302:
                response.failure(f"not stored: HTTP {response.status_code}")


class Reader(HttpUser):
    """A reader searching the library."""

    weight = 2
    wait_time = between(3, 8)

    @task
    def search(self):
        query = random.choice(PLAN["library_queries"])
        self.client.get("/library/", params={"q": query}, name="library search")


class LiveStudent(User):
    """
    A student in the live class, on one websocket for the whole run.

    Every student listens; each sends a chat message now and then and
    records the time until the server acknowledges it.
    """

    fixed_count = LIVE_STUDENTS
    wait_time = between(45, 90)

    def on_start(self):
        parsed = urlparse(self.host)
        self.url = f"ws://{parsed.netloc}/ws/live/{PLAN['live_session']}/"
        self.session_key = take("students")
        self.pending = {}
        self.socket = None
        self.connect()
        self.reader = gevent.spawn(self.read)
        self.pinger = gevent.spawn(self.keep_alive)

    def connect(self):
        started = time.perf_counter()
        try:
            self.socket = websocket.create_connection(
                self.url,
                cookie=f"sessionid={self.session_key}",
                origin=self.host,
                timeout=30,
                # The reader and the tasks send on the same socket.
                enable_multithread=True,
            )
        except (OSError, websocket.WebSocketException) as error:
            self.fire("connect", started, error)
            self.socket = None
            return
        self.fire("connect", started)

    def fire(self, name, started, error=None):
        events.request.fire(
            request_type="WS",
            name=f"live {name}",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=error,
            context={},
        )

    def keep_alive(self):
        # The server closes a socket that sends nothing for a while.
        while True:
            gevent.sleep(PING_SECONDS)
            if self.socket is not None:
                try:
                    self.socket.send(json.dumps({"type": "ping"}))
                except (OSError, websocket.WebSocketException):
                    self.socket = None

    def read(self):
        # Reconnect with a growing pause, as the browser client does.
        backoff = 1
        while True:
            if self.socket is None:
                gevent.sleep(backoff + random.random())
                backoff = min(backoff * 2, 60)
                self.connect()
                continue
            backoff = 1
            try:
                message = json.loads(self.socket.recv())
            except (OSError, websocket.WebSocketException, ValueError):
                self.socket = None
                continue
            started = self.pending.pop(message.get("ref"), None)
            if started is not None:
                error = None
                if message.get("type") == "error":
                    error = RuntimeError(message.get("code", "error"))
                self.fire("chat ack", started, error)

    @task
    def chat(self):
        if self.socket is None:
            return
        ref = secrets.token_hex(4)
        self.pending[ref] = time.perf_counter()
        try:
            self.socket.send(json.dumps({"type": "chat", "ref": ref, "text": "Siap!"}))
        except (OSError, websocket.WebSocketException) as error:
            self.pending.pop(ref, None)
            self.fire("chat ack", time.perf_counter(), error)

    def on_stop(self):
        self.reader.kill()
        self.pinger.kill()
        if self.socket is not None:
            self.socket.close()


ALL_USERS = [LiveStudent, Student, Parent, Reader]


def step_at(seconds):
    """Return the HTTP step ``seconds`` into the run, or -1 while the class joins."""
    if seconds < JOIN_SECONDS:
        return -1
    return int((seconds - JOIN_SECONDS) // STEP_SECONDS)


class Steps(LoadTestShape):
    """
    The live class joins first, alone, for ``LOAD_JOIN_SECONDS``; HTTP users
    then grow step by step.

    Each step holds for ``LOAD_STEP_SECONDS`` so its figures settle. A class
    joining at once is a burst of its own, which the websocket figures and
    ``tests/benchmarks/test_live_join.py`` measure. The steps measure the
    HTTP load that the server carries beside a class in session.
    """

    def tick(self):
        step = step_at(self.get_run_time())
        if step < 0:
            return LIVE_STUDENTS, max(LIVE_STUDENTS // 10, 20), [LiveStudent]
        if step >= len(STEP_USERS):
            return None
        users = LIVE_STUDENTS + STEP_USERS[step]
        # Locust keeps the classes of the last tick that named them.
        return users, max(STEP_USERS[step] // 10, 20), ALL_USERS


# Per-step figures of HTTP requests, for the summary that finds where the
# 95th percentile passes one second.
_steps = {}
_started_at = []


@events.test_start.add_listener
def _started(environment, **kwargs):
    _started_at.append(time.monotonic())


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    if request_type == "WS" or not _started_at:
        return
    step = step_at(time.monotonic() - _started_at[0])
    if step < 0:
        return
    figures = _steps.setdefault(step, {"times": [], "errors": 0})
    figures["times"].append(response_time)
    if exception is not None:
        figures["errors"] += 1


@events.quitting.add_listener
def _summarise(environment, **kwargs):
    rows = []
    knee = None
    for step in sorted(_steps):
        if step >= len(STEP_USERS):
            continue
        times = sorted(_steps[step]["times"])
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0
        rate = len(times) / STEP_SECONDS
        rows.append(
            {
                "http_users": STEP_USERS[step],
                "live_students": LIVE_STUDENTS,
                "requests_per_second": round(rate, 1),
                "p95_ms": round(p95),
                "errors": _steps[step]["errors"],
            }
        )
        if knee is None and p95 > SLOW_SECONDS * 1000:
            knee = rows[-1]
    summary = {"steps": rows, "first_step_over_one_second": knee}
    path = os.environ.get("LOAD_SUMMARY")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=1)
