"""
PostgreSQL restarted while quiz answers and admission applications are sent.

The platform runs in a daphne child against a private PostgreSQL, with
persistent connections (``DATABASE_CONN_MAX_AGE``), which a restart breaks.
Each request must either succeed or get a 503 response with
``Retry-After`` and a translated request to retry. Quiz answers must end
up stored once each, and an admission application sent again with its
submission token must be stored once, with its documents.
"""

import shutil
import threading
import time

import pytest
import requests

from tests.ppdb.registration_factories import JPEG, PDF

from .conftest import run_child
from .services import child_environment, temporary_folder

pytestmark = pytest.mark.slow

TIMEOUT = 15
MAX_TRIES = 40


# The two ways a process keeps connections: one persistent connection per
# thread, or a pool (as production settings do), each checked before reuse.
CONNECTION_MODES = {
    "persistent": {"DATABASE_CONN_MAX_AGE": 600},
    "pool": {"DATABASE_POOL_MAX_SIZE": 4, "DATABASE_POOL_TIMEOUT": 2},
}


@pytest.fixture(params=sorted(CONNECTION_MODES))
def quiz_server(request, own_postgres, start_daphne):
    """Serve a quiz attempt from daphne on the private PostgreSQL."""
    seed = run_child(child_environment(DATABASE_URL=own_postgres.url), "quiz")
    server = start_daphne(
        DATABASE_URL=own_postgres.url,
        DATABASE_RETRY_AFTER_SECONDS=1,
        **CONNECTION_MODES[request.param],
    )
    session = requests.Session()
    session.cookies.set("sessionid", seed["cookie"])
    page = session.get(
        f"{server.url}/courses/quizzes/attempt/{seed['attempt']}/", timeout=TIMEOUT
    )
    assert page.status_code == 200, page.text[:500]
    seed.update(url=server.url, session=session, csrf=session.cookies["csrftoken"])
    return seed


def save_url(seed):
    return f"{seed['url']}/courses/quizzes/attempt/{seed['attempt']}/save/"


def save_json(seed, question, text, language=None):
    cookies = {"django_language": language} if language else None
    return seed["session"].post(
        save_url(seed),
        json={"question": question, "text": text},
        headers={"X-CSRFToken": seed["csrf"], "Accept": "application/json"},
        cookies=cookies,
        timeout=TIMEOUT,
    )


def save_until_stored(seed, question, text, outcomes):
    """Send one answer until it is saved, appending each response to ``outcomes``."""
    for _try in range(MAX_TRIES):
        response = save_json(seed, question, text)
        outcomes.append(response)
        if response.status_code == 200:
            return
        assert response.status_code == 503, response.text[:500]
        time.sleep(int(response.headers["Retry-After"]) / 4)
    pytest.fail(f"question {question} was not saved after {MAX_TRIES} tries")


def stored_answers(server, attempt):
    """Return ``{question id: [texts]}`` of the attempt, read with psql."""
    rows = server.psql(
        "SELECT question_id, data->>'text' FROM quizzes_answer "  # noqa: S608
        f"WHERE attempt_id = {int(attempt)} ORDER BY question_id"
    )
    answers = {}
    for line in filter(None, rows.splitlines()):
        question, text = line.split("|", 1)
        answers.setdefault(int(question), []).append(text)
    return answers


def test_save_while_database_down(quiz_server, own_postgres):
    first, second = quiz_server["questions"][:2]
    assert save_json(quiz_server, first, "jawaban 1").status_code == 200

    stopped = own_postgres.stop(mode="immediate")
    assert stopped.returncode == 0, stopped.stderr
    assert not own_postgres.is_running()
    failed = save_json(quiz_server, second, "jawaban 2")
    english = save_json(quiz_server, second, "jawaban 2", language="en")
    form = quiz_server["session"].post(
        save_url(quiz_server),
        data={"question": second, "text": "jawaban 2"},
        headers={"X-CSRFToken": quiz_server["csrf"]},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    page = quiz_server["session"].get(
        f"{quiz_server['url']}/courses/quizzes/attempt/{quiz_server['attempt']}/",
        timeout=TIMEOUT,
    )
    own_postgres.start()
    retried = save_json(quiz_server, second, "jawaban 2")

    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "1"
    assert failed.json()["code"] == "unavailable"
    assert "coba lagi" in failed.json()["message"]
    assert english.status_code == 503
    assert "try again" in english.json()["message"]
    assert form.status_code == 503
    assert form.headers["Content-Type"].startswith("text/html")
    assert "coba lagi" in form.text
    assert page.status_code == 503
    assert "Muat ulang halaman ini" in page.text
    assert retried.status_code == 200, retried.text[:500]
    assert stored_answers(own_postgres, quiz_server["attempt"]) == {
        first: ["jawaban 1"],
        second: ["jawaban 2"],
    }


def restart_repeatedly(server, times, stop):
    for _restart in range(times):
        time.sleep(0.4)
        server.stop(mode="immediate")
        time.sleep(0.6)
        server.start()
    stop.set()


def test_saves_across_restarts(quiz_server, own_postgres):
    questions = quiz_server["questions"]
    outcomes = []
    expected = {}
    stop = threading.Event()
    restarter = threading.Thread(
        target=restart_repeatedly, args=(own_postgres, 3, stop), daemon=True
    )
    restarter.start()
    round_number = 0
    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        round_number += 1
        for question in questions:
            text = f"jawaban {question} putaran {round_number}"
            save_until_stored(quiz_server, question, text, outcomes)
            expected[question] = [text]
    restarter.join(timeout=60)

    unavailable = [r for r in outcomes if r.status_code == 503]
    assert not restarter.is_alive()
    assert unavailable, "no request fell into a restart"
    assert {r.status_code for r in outcomes} == {200, 503}
    assert all(r.headers["Retry-After"] == "1" for r in unavailable)
    assert all(r.json()["code"] == "unavailable" for r in unavailable)
    assert stored_answers(own_postgres, quiz_server["attempt"]) == expected
    # The attempt is still open and whole: no restart left it half-closed.
    assert (
        own_postgres.psql(
            "SELECT status FROM quizzes_attempt "  # noqa: S608
            f"WHERE id = {int(quiz_server['attempt'])}"
        )
        == "in_progress"
    )


@pytest.fixture
def registration_server(own_postgres, start_daphne):
    """Serve an open admission period's form to a parent who gave consent."""
    media = temporary_folder("faults-media-")
    services = {"DATABASE_URL": own_postgres.url, "MEDIA_ROOT": media}
    seed = run_child(child_environment(**services), "registration")
    server = start_daphne(**services, DATABASE_RETRY_AFTER_SECONDS=1)
    session = requests.Session()
    session.cookies.set("sessionid", seed["cookie"])
    url = f"{server.url}/ppdb/periods/{seed['period']}/register/form/"
    page = session.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    seed.update(url=url, session=session, csrf=session.cookies["csrftoken"])
    yield seed
    shutil.rmtree(media, ignore_errors=True)


def post_registration(seed):
    return seed["session"].post(
        seed["url"],
        data=seed["fields"],
        files={
            "document_kk": ("kk.pdf", PDF, "application/pdf"),
            "document_birth_certificate": ("akta.jpg", JPEG, "image/jpeg"),
        },
        headers={"X-CSRFToken": seed["csrf"], "Referer": seed["url"]},
        timeout=TIMEOUT,
        allow_redirects=False,
    )


def application_counts(server):
    return server.psql(
        "SELECT (SELECT count(*) FROM ppdb_application), "
        "(SELECT count(*) FROM ppdb_applicationdocument)"
    )


def test_registration_while_database_down(registration_server, own_postgres):
    own_postgres.stop(mode="immediate")
    failed = post_registration(registration_server)
    own_postgres.start()
    counts_after_failure = application_counts(own_postgres)
    stored = post_registration(registration_server)
    again = post_registration(registration_server)

    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "1"
    assert "coba lagi" in failed.text
    assert counts_after_failure == "0|0"
    assert stored.status_code == 302, stored.text[:1000]
    assert again.status_code == 302
    assert again.headers["Location"] == stored.headers["Location"]
    assert application_counts(own_postgres) == "1|2"


def test_registration_retried_across_restarts(registration_server, own_postgres):
    stop = threading.Event()
    restarter = threading.Thread(
        target=restart_repeatedly, args=(own_postgres, 2, stop), daemon=True
    )
    restarter.start()
    outcomes = []
    deadline = time.monotonic() + 60
    while not stop.is_set() and time.monotonic() < deadline:
        response = post_registration(registration_server)
        outcomes.append(response.status_code)
        assert response.status_code in (302, 503), response.text[:1000]
    restarter.join(timeout=60)
    final = post_registration(registration_server)

    assert not restarter.is_alive()
    assert 503 in outcomes
    assert 302 in outcomes
    assert final.status_code == 302
    assert application_counts(own_postgres) == "1|2"
