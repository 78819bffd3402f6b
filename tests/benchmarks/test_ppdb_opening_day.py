"""
Opening day of registration: 500 parents submit their form at once.

Real HTTP against one daphne process on PostgreSQL. Each parent is logged
in beforehand, with the privacy consent already in the session, so the
measured request is the registration itself: a multipart POST with the
child's data, three school choices and two documents. Every tenth parent
double-clicks: the same form is queued twice back to back, so both copies
are in flight together, and must still leave one application. Requests
run through a bounded pool, and the same pool then fetches the health
check as a floor (a view that touches neither the database nor the
cache), so the two latencies are side by side from the same run.

Measured with `make bench` on the shared 2-core development machine at a
load average near 12 from other test runs: registration p50 1.8 s, p95
7.7 s, p99 10.4 s, 12.2 requests/s, all 550 requests done in 45 s; the
health check from the same pool p50 0.19 s, p95 2.8 s. Every application
was stored once with a distinct number. With 64 requests in flight, a run
at a load average near 10 measured p50 3.5 s and p99 27 s, and a run while
other suites held PostgreSQL's connections got 503 responses ("too many
clients"), which the client now sends again after their Retry-After.

NOTE: one daphne process serves the whole load here; production runs
several behind a load balancer, which this benchmark does not measure.
"""

import http.client
import secrets
import statistics
import string
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from ppdb.models import Application, ApplicationDocument, PeriodSchool
from ppdb.registration.forms import PRIVACY_NOTICE_VERSION
from tests.benchmarks.helpers import log_in
from tests.factories import make_user
from tests.ppdb.registration_factories import (
    JPEG,
    PDF,
    child_birth_date,
    form_data,
    make_registration_period,
    nik_for,
)

PARENTS = 500
# Every DOUBLE_CLICK_EVERY-th parent sends the same form twice, back to back.
DOUBLE_CLICK_EVERY = 10
# Requests in flight at once. Django serves each request of an ASGI server
# on its own thread with its own database connection, so this also bounds
# the PostgreSQL connections the run opens.
CONCURRENCY = 32
# A 503 (the database refused a connection, say) is sent again after its
# Retry-After, capped at RETRY_WAIT_SECONDS, up to ATTEMPTS times in all,
# as a parent pressing Submit again would.
ATTEMPTS = 3
RETRY_WAIT_SECONDS = 2
REQUEST_TIMEOUT_SECONDS = 120


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
    return ordered[index]


def consenting_session(user, period):
    """Return a session key of ``user`` with the registration consent in it."""
    key = log_in(user)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session["ppdb_consent"] = {
        str(period.pk): {
            "version": PRIVACY_NOTICE_VERSION,
            "at": timezone.now().isoformat(),
        }
    }
    session.save()
    return key


def multipart(fields, files):
    """Encode ``fields`` and ``files`` ({name: (filename, bytes)}) as a form."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            f"\r\n\r\n{value}\r\n".encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream'
            "\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def parent_forms(period):
    """Return (session key, body, content type) for every parent's form."""
    forms = []
    birth_date = child_birth_date()
    schools = list(PeriodSchool.objects.filter(period=period).order_by("pk"))
    for index in range(PARENTS):
        parent = make_user()
        data = form_data(period, nik=nik_for(birth_date), full_name=f"Anak {index}")
        fields = {
            key: value for key, value in data.items() if not key.startswith("document_")
        }
        # Spread the choices over the schools, three each.
        for rank in range(3):
            school = schools[(index + rank) % len(schools)]
            fields[f"choice_{rank + 1}"] = str(school.pk)
        body, content_type = multipart(
            fields,
            {
                "document_kk": ("kk.pdf", PDF),
                "document_birth_certificate": ("akta.jpg", JPEG),
            },
        )
        forms.append((consenting_session(parent, period), body, content_type))
    return forms


class Client:
    """Send one request per connection and record latency and errors."""

    def __init__(self, base_url):
        parsed = urlparse(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.lock = threading.Lock()
        self.errors = []
        self.retries = 0

    def request(self, method, path, expected, body=None, headers=None):
        started = time.perf_counter()
        for attempt in range(1, ATTEMPTS + 1):
            status, response, content = self.send(method, path, body, headers)
            if status != 503 or attempt == ATTEMPTS:
                break
            with self.lock:
                self.retries += 1
            wait = float(response.getheader("Retry-After") or 1)
            time.sleep(min(wait, RETRY_WAIT_SECONDS))
        elapsed = time.perf_counter() - started
        if status != expected:
            with self.lock:
                self.errors.append(f"{path}: HTTP {status} {content[:300]!r}")
            return None, elapsed
        return response, elapsed

    def send(self, method, path, body, headers):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response, response.read()
        except OSError as error:
            return None, None, repr(error).encode()
        finally:
            connection.close()

    def submit(self, path, session_key, body, content_type):
        # Django accepts a CSRF cookie of 32 letters and digits.
        csrf = "".join(secrets.choice(string.ascii_letters) for _i in range(32))
        headers = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": content_type,
        }
        response, elapsed = self.request("POST", path, 302, body, headers)
        location = response.getheader("Location") if response is not None else None
        return location, elapsed


@pytest.mark.slow
def test_opening_day(postgres, daphne_server):
    period = make_registration_period(schools=10, capacity=96)
    forms = parent_forms(period)
    client = Client(daphne_server)
    path = reverse("ppdb:register_form", args=[period.pk])
    # Warm up: templates, connections, the rule set.
    for _index in range(5):
        client.request("GET", "/healthz", 200)

    jobs = []
    for index, (session_key, body, content_type) in enumerate(forms):
        jobs.append((session_key, body, content_type))
        if index % DOUBLE_CLICK_EVERY == 0:
            jobs.append((session_key, body, content_type))
    latencies = []
    locations = {}
    lock = threading.Lock()

    def send(job):
        session_key, body, content_type = job
        location, elapsed = client.submit(path, session_key, body, content_type)
        with lock:
            latencies.append(elapsed)
            locations.setdefault(session_key, set()).add(location)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(send, jobs))
    total = time.perf_counter() - began

    floor = []
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        for _response, elapsed in pool.map(
            lambda _job: client.request("GET", "/healthz", 200), jobs
        ):
            floor.append(elapsed)

    applications = Application.objects.filter(period=period)
    stored = applications.count()
    numbers = set(applications.values_list("registration_number", flat=True))
    per_parent = applications.values("parent").annotate(count=Count("pk"))
    repeated = [row for row in per_parent if row["count"] != 1]
    documents = ApplicationDocument.objects.filter(application__period=period).count()
    print(  # noqa: T201
        f"\nopening day: {PARENTS} parents, {len(jobs) - PARENTS} double clicks, "
        f"{CONCURRENCY} requests in flight, one daphne process, PostgreSQL\n"
        f"  register: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
        f"{len(jobs) / total:.1f} requests/s; all done in {total:.1f} s\n"
        f"  floor (health check, same pool): "
        f"p50 {percentile(floor, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(floor, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(floor, 0.99) * 1000:.0f} ms; "
        f"mean {statistics.fmean(floor or [0]) * 1000:.0f} ms\n"
        f"  errors: {len(client.errors)}; retries after a 503: {client.retries}; "
        f"applications {stored}, distinct "
        f"numbers {len(numbers)}, documents {documents}"
    )
    for error in client.errors[:10]:
        print("  " + error)  # noqa: T201
    assert client.errors == []
    assert stored == PARENTS
    assert len(numbers) == PARENTS
    assert repeated == []
    assert documents == 2 * PARENTS
    # Both requests of a double click were sent to the same receipt.
    assert all(len(targets) == 1 for targets in locations.values())
    serials = sorted(int(number[-6:]) for number in numbers)
    assert serials == list(range(1, PARENTS + 1))
