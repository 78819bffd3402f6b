import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.gradebook.models import Grade, GradeItem
from courses.notify import Notification
from courses.quizzes import services
from courses.quizzes.calendar import events_for
from courses.quizzes.models import Answer, Attempt, Quiz
from tests.factories import PASSWORD

from .helpers import correct_raw, make_bank, make_classroom, make_quiz

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def graded():
    """Return a quiz with an essay whose attempt the student has submitted."""
    teacher, course, students = make_classroom()
    bank = make_bank(course)
    quiz = make_quiz(course, [bank["single"], bank["essay"]], points=5)
    attempt = services.start_attempt(quiz, students[0])
    for question in (bank["single"], bank["essay"]):
        services.save_answer(attempt, question.pk, correct_raw(question))
    services.finalise(attempt, Attempt.Ending.STUDENT)
    essay = Answer.objects.get(attempt=attempt, question=bank["essay"])
    return {
        "teacher": teacher,
        "students": students,
        "quiz": quiz,
        "attempt": attempt,
        "essay": essay,
    }


def test_essay_grading_completes_attempt(client, graded):
    login(client, graded["teacher"])
    response = client.post(
        reverse("quizzes:grade_answer", args=[graded["essay"].pk]),
        {"score": "4,5", "feedback": "Bagus."},
    )
    assert response.status_code == 302
    attempt = graded["attempt"]
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.GRADED
    assert attempt.score == Decimal("9.5")
    graded["essay"].refresh_from_db()
    assert graded["essay"].feedback == "Bagus."
    assert graded["essay"].graded_by == graded["teacher"]


@pytest.mark.parametrize("score", ["6", "-1", "lima", ""])
def test_essay_score_out_of_range(client, graded, score):
    login(client, graded["teacher"])
    response = client.post(
        reverse("quizzes:grade_answer", args=[graded["essay"].pk]),
        {"score": score},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert texts
    graded["essay"].refresh_from_db()
    assert graded["essay"].score is None


def test_grade_essay_error_codes(graded):
    with pytest.raises(ValidationError) as raised:
        services.grade_essay(graded["essay"], "99", "", graded["teacher"])
    assert raised.value.code == "score_out_of_range"
    with pytest.raises(ValidationError) as raised:
        services.grade_essay(graded["essay"], "x", "", graded["teacher"])
    assert raised.value.code == "invalid_number"


def test_student_cannot_grade(client, graded):
    login(client, graded["students"][0])
    response = client.post(
        reverse("quizzes:grade_answer", args=[graded["essay"].pk]), {"score": "5"}
    )
    assert response.status_code == 403
    graded["essay"].refresh_from_db()
    assert graded["essay"].score is None
    grading_page = reverse("quizzes:grading", args=[graded["quiz"].pk])
    assert client.get(grading_page).status_code == 403
    release = reverse("quizzes:release", args=[graded["quiz"].pk])
    assert client.post(release).status_code == 403
    assert not GradeItem.objects.exists()


def test_release_records_in_gradebook(client, graded):
    services.grade_essay(graded["essay"], "3", "", graded["teacher"])
    login(client, graded["teacher"])
    client.post(reverse("quizzes:release", args=[graded["quiz"].pk]))
    item = GradeItem.objects.get(key=f"quiz:{graded['quiz'].pk}")
    assert item.max_score == Decimal(10)
    grade = Grade.objects.get(item=item, student=graded["students"][0])
    assert grade.score == Decimal(8)
    notes = Notification.objects.filter(kind=Notification.Kind.GRADE)
    assert [note.recipient for note in notes] == [graded["students"][0]]
    # Releasing again updates the gradebook without notifying twice.
    client.post(reverse("quizzes:release", args=[graded["quiz"].pk]))
    assert notes.count() == 1
    # A later regrade flows into the gradebook because grades are released.
    services.grade_essay(graded["essay"], "5", "", graded["teacher"])
    grade.refresh_from_db()
    assert grade.score == Decimal(10)


def test_review_follows_policy(client, graded):
    quiz, attempt = graded["quiz"], graded["attempt"]
    login(client, graded["students"][0])
    url = reverse("quizzes:review", args=[attempt.pk])
    quiz.review = Quiz.Review.NEVER
    quiz.save()
    assert client.get(url).context["may_review"] is False
    quiz.review = Quiz.Review.AFTER_CLOSE
    quiz.save()
    assert client.get(url).context["may_review"] is False
    quiz.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    quiz.save()
    assert client.get(url).context["may_review"] is True
    assert client.get(url).context["show_answers"] is False
    quiz.review = Quiz.Review.AFTER_SUBMIT
    quiz.review_shows_answers = True
    quiz.save()
    response = client.get(url)
    assert response.context["may_review"] is True
    assert response.context["show_answers"] is True
    assert response.context["show_score"] is False


def test_review_of_other_student_forbidden(client, graded):
    login(client, graded["students"][1])
    url = reverse("quizzes:review", args=[graded["attempt"].pk])
    assert client.get(url).status_code == 403


def test_close_expired_attempts_command(graded, capsys):
    quiz = graded["quiz"]
    quiz.time_limit_minutes = 10
    quiz.save()
    late, on_time = graded["students"][1], graded["students"][0]
    expired = services.start_attempt(quiz, late)
    Attempt.objects.filter(pk=expired.pk).update(
        started_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    quiz.max_attempts = 2
    quiz.save()
    running = services.start_attempt(quiz, on_time)
    call_command("close_expired_attempts")
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.ending == Attempt.Ending.TIME_UP
    assert running.is_in_progress
    assert "1 dari 2" in capsys.readouterr().out


def test_calendar_lists_quiz_windows(graded):
    quiz = graded["quiz"]
    now = timezone.now()
    quiz.opens_at = now + datetime.timedelta(days=1)
    quiz.closes_at = now + datetime.timedelta(days=1, hours=2)
    quiz.save()
    student = graded["students"][0]
    events = events_for(student, now, now + datetime.timedelta(days=7))
    assert [event.title for event in events] == [quiz.title]
    assert events[0].kind == "quiz"
    assert events[0].ends_at == quiz.closes_at
    assert (
        events_for(
            student, now + datetime.timedelta(days=2), now + datetime.timedelta(days=3)
        )
        == []
    )


def test_teacher_sees_attempt_in_progress(client, graded):
    quiz = graded["quiz"]
    running = services.start_attempt(quiz, graded["students"][1])
    services.save_answer(running, graded["essay"].question_id, {"text": "draf"})
    login(client, graded["teacher"])
    response = client.get(reverse("quizzes:review", args=[running.pk]))
    assert response.status_code == 200
    assert "draf" in response.content.decode()
    running.refresh_from_db()
    assert running.is_in_progress
