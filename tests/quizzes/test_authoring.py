import pytest
from django.urls import reverse

from courses.notify import Notification
from courses.quizzes.models import Allowance, Question, Quiz
from tests.factories import PASSWORD

from .helpers import make_bank, make_classroom, make_quiz

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def classroom():
    return make_classroom()


def form_codes(response):
    form = response.context["form"]
    return {error.code for errors in form.errors.as_data().values() for error in errors}


def test_teacher_adds_choice_question(client, classroom):
    teacher, course, _students = classroom
    login(client, teacher)
    response = client.post(
        reverse("quizzes:questions", args=[course.pk]),
        {
            "kind": "single",
            "text": "Ibu kota Indonesia?",
            "choices_text": "Bandung\n* Jakarta\n\nSurabaya",
            "tolerance": "0",
            "shuffle_choices": "on",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(course=course)
    choices = list(question.choices.values_list("text", "is_correct"))
    assert choices == [("Bandung", False), ("Jakarta", True), ("Surabaya", False)]


def test_teacher_adds_short_answer(client, classroom):
    teacher, course, _students = classroom
    login(client, teacher)
    client.post(
        reverse("quizzes:questions", args=[course.pk]),
        {
            "kind": "short",
            "text": "Planet terbesar?",
            "accepted_text": "Jupiter\nYupiter",
            "tolerance": "0",
        },
    )
    question = Question.objects.get(course=course)
    assert question.accepted_answers == ["Jupiter", "Yupiter"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"kind": "single", "choices_text": "A\nB"}, "no_correct_choice"),
        ({"kind": "single", "choices_text": "*A\n*B"}, "several_correct"),
        ({"kind": "multiple", "choices_text": "*A"}, "choice_count"),
        ({"kind": "short", "accepted_text": "  "}, "no_accepted_answer"),
        ({"kind": "numeric"}, "missing_number"),
        ({"kind": "true_false"}, "missing_boolean"),
        ({"kind": "numeric", "number": "abc"}, "invalid"),
        ({"kind": "bogus"}, "invalid_choice"),
    ],
)
def test_invalid_question_rejected(client, classroom, fields, code):
    teacher, course, _students = classroom
    login(client, teacher)
    data = {"text": "Soal", "tolerance": "0", **fields}
    response = client.post(reverse("quizzes:questions", args=[course.pk]), data)
    assert response.status_code == 400
    assert code in form_codes(response)
    assert not Question.objects.exists()


def test_teacher_creates_quiz(client, classroom):
    teacher, course, students = classroom
    bank = make_bank(course)
    login(client, teacher)
    response = client.post(
        reverse("quizzes:new", args=[course.pk]),
        {
            "title": "UTS",
            "opens_at": "2030-01-10T08:00",
            "closes_at": "2030-01-10T10:00",
            "time_limit_minutes": "60",
            "max_attempts": "1",
            "random_count": "0",
            "random_points": "1",
            "review": "after_close",
            "questions": [bank["single"].pk, bank["essay"].pk],
            "points": "5",
        },
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(title="UTS")
    assert quiz.max_points() == 10
    notes = Notification.objects.filter(kind=Notification.Kind.NEW_MATERIAL)
    assert sorted(note.recipient_id for note in notes) == sorted(
        student.pk for student in students
    )
    assert all("UTS" in note.title for note in notes)
    assert [item.question for item in quiz.items.all()] == [
        bank["single"],
        bank["essay"],
    ]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (
            {"opens_at": "2030-01-10T10:00", "closes_at": "2030-01-10T08:00"},
            "closes_before_opens",
        ),
        ({"questions": []}, "no_questions"),
        ({"questions": [], "random_count": "3"}, "missing_category"),
    ],
)
def test_invalid_quiz_rejected(client, classroom, fields, code):
    teacher, course, _students = classroom
    bank = make_bank(course)
    login(client, teacher)
    data = {
        "title": "UTS",
        "max_attempts": "1",
        "random_count": "0",
        "random_points": "1",
        "review": "never",
        "questions": [bank["single"].pk],
        "points": "1",
        **fields,
    }
    response = client.post(reverse("quizzes:new", args=[course.pk]), data)
    assert response.status_code == 400
    assert code in form_codes(response)
    assert not Quiz.objects.exists()


def test_question_from_other_course_rejected(client, classroom):
    teacher, course, _students = classroom
    _other_teacher, other_course, _others = make_classroom(students=0)
    foreign = make_bank(other_course)["essay"]
    login(client, teacher)
    response = client.post(
        reverse("quizzes:new", args=[course.pk]),
        {
            "title": "UTS",
            "max_attempts": "1",
            "random_count": "0",
            "random_points": "1",
            "review": "never",
            "questions": [foreign.pk],
            "points": "1",
        },
    )
    assert response.status_code == 400
    assert "invalid_choice" in form_codes(response)
    assert not Quiz.objects.exists()


def test_student_cannot_author(client, classroom):
    _teacher, course, students = classroom
    quiz = make_quiz(course, [])
    login(client, students[0])
    assert client.get(reverse("quizzes:questions", args=[course.pk])).status_code == 403
    response = client.post(
        reverse("quizzes:questions", args=[course.pk]),
        {"kind": "essay", "text": "x", "tolerance": "0"},
    )
    assert response.status_code == 403
    assert not Question.objects.exists()
    assert client.get(reverse("quizzes:new", args=[course.pk])).status_code == 403
    allowances = reverse("quizzes:allowances", args=[quiz.pk])
    response = client.post(
        allowances,
        {"student": students[0].pk, "extra_minutes": "60", "extra_attempts": "3"},
    )
    assert response.status_code == 403
    assert not Allowance.objects.exists()


def test_teacher_of_other_course_forbidden(client, classroom):
    _teacher, course, _students = classroom
    other_teacher, _other_course, _others = make_classroom(students=0)
    login(client, other_teacher)
    assert client.get(reverse("quizzes:questions", args=[course.pk])).status_code == 403


def test_allowance_for_enrolled_student_only(client, classroom):
    teacher, course, students = classroom
    quiz = make_quiz(course, [])
    _other_teacher, _other_course, strangers = make_classroom(students=1)
    login(client, teacher)
    url = reverse("quizzes:allowances", args=[quiz.pk])
    response = client.post(
        url, {"student": strangers[0].pk, "extra_minutes": "10", "extra_attempts": "0"}
    )
    assert response.status_code == 400
    assert "invalid_choice" in form_codes(response)
    response = client.post(
        url, {"student": students[0].pk, "extra_minutes": "-5", "extra_attempts": "0"}
    )
    assert response.status_code == 400
    assert "min_value" in form_codes(response)
    assert not Allowance.objects.exists()
    client.post(
        url, {"student": students[0].pk, "extra_minutes": "15", "extra_attempts": "1"}
    )
    allowance = Allowance.objects.get(quiz=quiz, student=students[0])
    assert (allowance.extra_minutes, allowance.extra_attempts) == (15, 1)
