"""The 503 response with a request to retry, for database and file store errors."""

import logging

import pytest
from botocore.exceptions import EndpointConnectionError
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from courses.quizzes import services
from courses.quizzes.models import Answer
from lms.unavailable import OutageLog, server_error
from tests.quizzes.helpers import make_bank, make_classroom, make_quiz


@pytest.fixture
def attempt(db):
    _teacher, course, (student,) = make_classroom(students=1)
    bank = make_bank(course)
    return services.start_attempt(make_quiz(course, [bank["short"]]), student)


def fail_with(error):
    def save_answer(*args, **kwargs):
        raise error

    return save_answer


def post_answer(client, attempt, **headers):
    question = attempt.question_ids()[0]
    return client.post(
        reverse("quizzes:save", args=[attempt.pk]),
        {"question": question, "text": "Bandung"},
        **headers,
    )


@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_view_database_error_returns_json_503(
    client, attempt, monkeypatch, settings, error_class
):
    settings.DATABASE_RETRY_AFTER_SECONDS = 7
    monkeypatch.setattr(services, "save_answer", fail_with(error_class("down")))
    client.force_login(attempt.student)

    response = post_answer(client, attempt, HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Cache-Control"] == "no-store"
    assert response.json()["code"] == "unavailable"
    assert response.json()["retry_after"] == 7
    assert "coba lagi" in response.json()["message"]
    assert not Answer.objects.exists()


def test_view_database_error_returns_html_503(client, attempt, monkeypatch):
    monkeypatch.setattr(services, "save_answer", fail_with(OperationalError("down")))
    client.force_login(attempt.student)
    client.cookies["django_language"] = "en"

    response = post_answer(client, attempt)

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Please try again" in response.text
    assert "could not reach its database" in response.text
    assert "Go back, check your last entry" in response.text
    assert "<script" not in response.text


def test_view_storage_error_names_file_store(client, attempt, monkeypatch):
    error = EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    monkeypatch.setattr(services, "save_answer", fail_with(error))
    client.force_login(attempt.student)

    response = post_answer(client, attempt, HTTP_ACCEPT="application/json")

    assert response.status_code == 503
    assert "Penyimpanan berkas" in response.json()["message"]


def test_server_error_handler_returns_503_for_database():
    request = RequestFactory().get("/kursus/")
    with translation.override("id"):
        try:
            raise OperationalError("terminating connection")
        except OperationalError:
            response = server_error(request)

    assert response.status_code == 503
    assert "Muat ulang halaman ini" in response.content.decode()
    assert 'href="/kursus/"' in response.content.decode()


def test_server_error_handler_keeps_500_for_others():
    request = RequestFactory().get("/")
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500


def test_outage_log_limits_repeats(caplog):
    log = OutageLog(interval=3600)
    request = RequestFactory().post("/simpan/")
    caplog.set_level(logging.WARNING, logger="lms.unavailable")

    for _number in range(5):
        log.record(request, OperationalError("connection refused"))
    log.last_logged -= 3600
    log.record(request, OperationalError("connection refused"))

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert "path=/simpan/" in lines[0]
    assert "error_class=OperationalError" in lines[0]
    assert "unlogged_since_last=0" in lines[0]
    assert "unlogged_since_last=4" in lines[1]
