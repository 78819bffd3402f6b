import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.quizzes import services
from courses.quizzes.models import Allowance, Answer, Attempt, Question
from tests.factories import PASSWORD, make_student

from .helpers import correct_raw, make_bank, make_classroom, make_question, make_quiz

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def save_json(client, attempt, question, raw):
    body = dict(raw, question=question if isinstance(question, int) else question.pk)
    return client.post(
        reverse("quizzes:save", args=[attempt.pk]),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


@pytest.fixture
def classroom():
    teacher, course, students = make_classroom()
    bank = make_bank(course)
    quiz = make_quiz(course, list(bank.values()), time_limit_minutes=30)
    return {
        "teacher": teacher,
        "course": course,
        "students": students,
        "bank": bank,
        "quiz": quiz,
    }


def test_full_attempt_with_reconnect(client, classroom):
    quiz, bank = classroom["quiz"], classroom["bank"]
    student = classroom["students"][0]
    login(client, student)

    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, student=student)
    assert response.status_code == 302
    assert response.url == reverse("quizzes:attempt", args=[attempt.pk])

    for kind in ("single", "multiple", "true_false"):
        response = save_json(client, attempt, bank[kind], correct_raw(bank[kind]))
        assert response.status_code == 200, response.content
    # The form post, as the page sends it without JavaScript.
    response = client.post(
        reverse("quizzes:save", args=[attempt.pk]),
        {"question": bank["short"].pk, "text": " kota   BANDUNG "},
    )
    assert response.status_code == 302

    # The connection drops; ten minutes later the student logs in again.
    client.logout()
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - datetime.timedelta(minutes=10)
    )
    login(client, student)
    response = client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert response.url == reverse("quizzes:attempt", args=[attempt.pk])
    assert Attempt.objects.filter(quiz=quiz, student=student).count() == 1

    page = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    assert 19 * 60 < page.context["remaining_seconds"] <= 20 * 60
    rows = {row["question"].pk: row for row in page.context["rows"]}
    assert rows[bank["single"].pk]["chosen"] == set(
        correct_raw(bank["single"])["choices"]
    )
    assert rows[bank["true_false"].pk]["value"] is True
    assert rows[bank["short"].pk]["text"] == " kota   BANDUNG "
    assert "kota   BANDUNG" in page.content.decode()

    save_json(client, attempt, bank["numeric"], {"value": "3,141"})
    save_json(client, attempt, bank["essay"], correct_raw(bank["essay"]))
    response = client.post(reverse("quizzes:submit", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED  # the essay waits
    assert attempt.ending == Attempt.Ending.STUDENT
    assert attempt.score == Decimal(10)
    assert Answer.objects.filter(attempt=attempt).count() == 6


def test_order_stable_across_reloads(client, classroom):
    quiz = classroom["quiz"]
    quiz.shuffle_questions = True
    quiz.save()
    student = classroom["students"][0]
    login(client, student)
    client.post(reverse("quizzes:start", args=[quiz.pk]))
    attempt = Attempt.objects.get(quiz=quiz, student=student)
    url = reverse("quizzes:attempt", args=[attempt.pk])

    def order():
        rows = client.get(url).context["rows"]
        return [(row["question"].pk, [c.pk for c in row["choices"]]) for row in rows]

    first = order()
    assert order() == first
    assert sorted(pk for pk, _choices in first) == sorted(
        q.pk for q in classroom["bank"].values()
    )


def test_random_questions_from_category(classroom):
    course = classroom["course"]
    for number in range(5):
        make_question(course, Question.Kind.ESSAY, f"Acak {number}", category="acak")
    quiz = make_quiz(course, [], random_category="acak", random_count=3)
    attempt = services.start_attempt(quiz, classroom["students"][0])
    assert len(attempt.question_ids()) == 3
    assert len(set(attempt.question_ids())) == 3
    assert quiz.max_points() == Decimal(3)


def test_save_twice_keeps_one_row(client, classroom):
    quiz, bank = classroom["quiz"], classroom["bank"]
    student = classroom["students"][0]
    attempt = services.start_attempt(quiz, student)
    login(client, student)
    save_json(client, attempt, bank["short"], {"text": "Bogor"})
    save_json(client, attempt, bank["short"], {"text": "Bandung"})
    answers = Answer.objects.filter(attempt=attempt, question=bank["short"])
    assert answers.count() == 1
    assert answers.get().data == {"text": "Bandung"}


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("single", {"choices": [999999]}, "invalid_choice"),
        ("single", {"choices": ["x"]}, "invalid_choice"),
        ("multiple", {"choices": [999999]}, "invalid_choice"),
        ("true_false", {"value": "maybe"}, "invalid_boolean"),
        ("numeric", {"value": "tiga"}, "invalid_number"),
        ("numeric", {"value": "NaN"}, "invalid_number"),
        ("short", {"text": "a" * 20_001}, "too_long"),
        ("essay", {"text": "a" * 20_001}, "too_long"),
        ("true_false", {"value": [1]}, "invalid_boolean"),
        ("true_false", {"value": {"a": 1}}, "invalid_boolean"),
        ("numeric", {"value": [3]}, "invalid_number"),
        ("short", {"text": ["Bandung"]}, "invalid_text"),
        ("multiple", {"choices": {"a": 1}}, "invalid_choice"),
    ],
)
def test_malformed_answer_rejected(client, classroom, kind, raw, code):
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    login(client, student)
    response = save_json(client, attempt, classroom["bank"][kind], raw)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_single_choice_rejects_two(client, classroom):
    question = classroom["bank"]["single"]
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    login(client, student)
    ids = list(question.choices.values_list("pk", flat=True))[:2]
    response = save_json(client, attempt, question, {"choices": ids})
    assert response.json()["code"] == "invalid_choice"
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_question_not_in_attempt_rejected(client, classroom):
    other = make_question(classroom["course"], Question.Kind.ESSAY, "Lain")
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    login(client, student)
    response = save_json(client, attempt, other, {"text": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "question_not_in_attempt"
    response = save_json(client, attempt, 0, {"text": "x"})
    assert response.json()["code"] == "question_not_in_attempt"
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_malformed_json_rejected(client, classroom):
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    login(client, student)
    response = client.post(
        reverse("quizzes:save", args=[attempt.pk]),
        data="[1, 2",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_json"


def test_answer_after_time_up_rejected(client, classroom):
    quiz, bank = classroom["quiz"], classroom["bank"]
    student = classroom["students"][0]
    attempt = services.start_attempt(quiz, student)
    login(client, student)
    save_json(client, attempt, bank["short"], {"text": "Bandung"})
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    response = save_json(client, attempt, bank["single"], correct_raw(bank["single"]))
    assert response.status_code == 409
    assert response.json()["code"] == "time_up"
    attempt.refresh_from_db()
    assert attempt.status != Attempt.Status.IN_PROGRESS
    assert attempt.ending == Attempt.Ending.TIME_UP
    assert list(attempt.answers.values_list("question_id", flat=True)) == [
        bank["short"].pk
    ]
    assert attempt.score == Decimal(2)


def test_extra_time_extends_deadline(classroom):
    quiz = classroom["quiz"]
    student = classroom["students"][0]
    Allowance.objects.create(quiz=quiz, student=student, extra_minutes=15)
    attempt = services.start_attempt(quiz, student)
    assert attempt.deadline() == attempt.started_at + datetime.timedelta(minutes=45)
    later = attempt.started_at + datetime.timedelta(minutes=40)
    services.save_answer(attempt, classroom["bank"]["essay"].pk, {"text": "x"}, later)
    assert attempt.answers.count() == 1


def test_close_time_caps_deadline(classroom):
    quiz = classroom["quiz"]
    quiz.closes_at = timezone.now() + datetime.timedelta(minutes=5)
    quiz.save()
    attempt = services.start_attempt(quiz, classroom["students"][0])
    assert attempt.deadline() == quiz.closes_at


def test_submit_twice_is_harmless(client, classroom):
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    login(client, student)
    url = reverse("quizzes:submit", args=[attempt.pk])
    client.post(url)
    attempt.refresh_from_db()
    first = (attempt.status, attempt.submitted_at, attempt.score)
    response = client.post(url, follow=True)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.submitted_at, attempt.score) == first
    texts = [str(m) for m in response.context["messages"]]
    assert any("sudah dikumpulkan" in text for text in texts), texts


def test_save_after_submit_rejected(client, classroom):
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    services.finalise(attempt, Attempt.Ending.STUDENT)
    login(client, student)
    response = save_json(client, attempt, classroom["bank"]["essay"], {"text": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "submitted"
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_other_student_attempt_forbidden(client, classroom):
    owner, intruder = classroom["students"]
    attempt = services.start_attempt(classroom["quiz"], owner)
    login(client, intruder)
    response = save_json(client, attempt, classroom["bank"]["essay"], {"text": "x"})
    assert response.status_code == 403
    assert not Answer.objects.filter(attempt=attempt).exists()
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 403
    submit = client.post(reverse("quizzes:submit", args=[attempt.pk]))
    assert submit.status_code == 403
    attempt.refresh_from_db()
    assert attempt.is_in_progress


def test_outsider_cannot_start_or_see(client, classroom):
    outsider = make_student(classroom["course"].school)
    login(client, outsider)
    quiz = classroom["quiz"]
    assert client.get(reverse("quizzes:detail", args=[quiz.pk])).status_code == 403
    assert client.post(reverse("quizzes:start", args=[quiz.pk])).status_code == 403
    assert not Attempt.objects.filter(student=outsider).exists()


def test_anonymous_goes_to_login(client, classroom):
    response = client.get(reverse("quizzes:detail", args=[classroom["quiz"].pk]))
    assert response.status_code == 302
    assert "login" in response.url


def test_attempts_limit(client, classroom):
    quiz = classroom["quiz"]
    student = classroom["students"][0]
    services.finalise(services.start_attempt(quiz, student), Attempt.Ending.STUDENT)
    login(client, student)
    response = client.post(
        reverse("quizzes:start", args=[quiz.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "no_attempts_left"
    assert Attempt.objects.filter(student=student).count() == 1
    page = client.get(reverse("quizzes:detail", args=[quiz.pk]))
    assert page.context["attempts_left"] is False
    assert "Anda sudah memakai semua percobaan" in page.content.decode()

    Allowance.objects.create(quiz=quiz, student=student, extra_attempts=1)
    response = client.post(
        reverse("quizzes:start", args=[quiz.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert Attempt.objects.get(pk=response.json()["attempt"]).number == 2


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [(10, None, "not_open"), (None, -10, "closed")],
)
def test_start_outside_window(client, classroom, opens, closes, code):
    quiz = classroom["quiz"]
    now = timezone.now()
    quiz.opens_at = now + datetime.timedelta(minutes=opens) if opens else None
    quiz.closes_at = now + datetime.timedelta(minutes=closes) if closes else None
    quiz.save()
    login(client, classroom["students"][0])
    response = client.post(
        reverse("quizzes:start", args=[quiz.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Attempt.objects.filter(quiz=quiz).exists()
    page = client.post(reverse("quizzes:start", args=[quiz.pk]), follow=True)
    assert [str(m) for m in page.context["messages"]]


def test_reopened_page_finalises_expired_attempt(client, classroom):
    student = classroom["students"][0]
    attempt = services.start_attempt(classroom["quiz"], student)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    login(client, student)
    response = client.get(reverse("quizzes:attempt", args=[attempt.pk]))
    assert response.url == reverse("quizzes:review", args=[attempt.pk])
    attempt.refresh_from_db()
    assert attempt.ending == Attempt.Ending.TIME_UP


def test_service_rejects_without_storing(classroom):
    attempt = services.start_attempt(classroom["quiz"], classroom["students"][0])
    with pytest.raises(ValidationError) as raised:
        services.save_answer(attempt, "abc", {"text": "x"})
    assert raised.value.code == "question_not_in_attempt"
    assert not Answer.objects.exists()
