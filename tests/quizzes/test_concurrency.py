import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from courses.quizzes import services
from courses.quizzes.models import Answer

from .helpers import make_bank, make_classroom, make_quiz


def make_attempt():
    _teacher, course, students = make_classroom(students=1)
    bank = make_bank(course)
    quiz = make_quiz(course, list(bank.values()), time_limit_minutes=30)
    return services.start_attempt(quiz, students[0]), bank


@pytest.mark.django_db
def test_save_writes_one_statement():
    attempt, bank = make_attempt()
    for text in ("Bogor", "Bandung"):
        with CaptureQueriesContext(connection) as queries:
            services.save_answer(attempt, bank["short"].pk, {"text": text})
        writes = [
            query["sql"]
            for query in queries.captured_queries
            if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
        ]
        assert len(writes) == 1, writes
    assert Answer.objects.get(attempt=attempt).data == {"text": "Bandung"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_keep_one_row(postgres):
    attempt, bank = make_attempt()
    question = bank["essay"]
    barrier = threading.Barrier(8)
    errors = []

    def save(number):
        try:
            barrier.wait(timeout=10)
            services.save_answer(attempt, question.pk, {"text": f"jawaban {number}"})
        except Exception as error:  # noqa: BLE001 - reported by the assert below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    answers = Answer.objects.filter(attempt=attempt, question=question)
    assert answers.count() == 1
    assert answers.get().data["text"].startswith("jawaban ")


@pytest.mark.django_db(transaction=True)
def test_save_racing_submit_never_lands_after(postgres):
    attempt, bank = make_attempt()
    barrier = threading.Barrier(2)
    outcomes = []

    def save():
        barrier.wait(timeout=10)
        try:
            services.save_answer(attempt, bank["essay"].pk, {"text": "akhir"})
            outcomes.append("saved")
        except services.ValidationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    def submit():
        barrier.wait(timeout=10)
        services.finalise(attempt, "student")
        connections.close_all()

    threads = [threading.Thread(target=save), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    attempt.refresh_from_db()
    stored = Answer.objects.filter(attempt=attempt).exists()
    assert outcomes in (["saved"], ["submitted"])
    # A saved answer was graded with the attempt: the essay waits for a teacher.
    assert stored == (outcomes == ["saved"])
    if stored:
        assert attempt.status == "submitted"
