"""Teachers change and delete questions and quizzes on their own pages."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from courses.gradebook.models import Grade, GradeChange, GradeItem
from courses.quizzes import services
from courses.quizzes.models import Answer, Attempt, Choice, Question, Quiz
from tests.factories import PASSWORD

from .helpers import correct_raw, make_bank, make_classroom, make_quiz

pytestmark = pytest.mark.django_db

BASE_FIELDS = {
    "single": {"kind": "single", "choices_text": "3\n* 4\n5"},
    "multiple": {"kind": "multiple", "choices_text": "* 2\n* 3\n4"},
    "true_false": {"kind": "true_false", "correct_boolean": "true"},
    "short": {"kind": "short", "accepted_text": "Bandung\nKota Bandung"},
    "numeric": {"kind": "numeric", "number": "3.14", "tolerance": "0.01"},
    "essay": {"kind": "essay"},
}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def form_codes(response):
    form = response.context["form"]
    return {error.code for errors in form.errors.as_data().values() for error in errors}


def question_data(question, **changes):
    """Return the edit form's POST data of ``question`` with ``changes``."""
    data = {"text": question.text, "tolerance": "0", **BASE_FIELDS[question.kind]}
    if question.shuffle_choices:
        data["shuffle_choices"] = "on"
    data.update(changes)
    return data


def quiz_data(quiz, **changes):
    data = {
        "title": quiz.title,
        "max_attempts": str(quiz.max_attempts),
        "random_count": str(quiz.random_count),
        "random_points": str(quiz.random_points),
        "review": quiz.review,
        "questions": [item.question_id for item in quiz.items.all()],
        "points": str(quiz.items.first().points) if quiz.items.exists() else "1",
    }
    data.update(changes)
    return data


def submitted_attempt(quiz, student, answers):
    """Start, answer and submit an attempt. ``answers`` maps questions to raw data."""
    attempt = services.start_attempt(quiz, student)
    for question, raw in answers.items():
        services.save_answer(attempt, question.pk, raw)
    services.finalise(attempt, Attempt.Ending.STUDENT)
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def classroom():
    return make_classroom()


@pytest.fixture
def bank(classroom):
    return make_bank(classroom[1])


@pytest.mark.parametrize(
    ("kind", "changes", "check"),
    [
        (
            "single",
            {"choices_text": "3\n4\n* 5"},
            lambda q: [c.is_correct for c in q.choices.all()] == [False, False, True],
        ),
        (
            "multiple",
            {"choices_text": "* 2\n* 3\n4\n* 5"},
            lambda q: q.choices.filter(is_correct=True).count() == 3,
        ),
        ("true_false", {"correct_boolean": "false"}, lambda q: not q.correct_boolean),
        (
            "short",
            {"accepted_text": "Bandung\nBdg"},
            lambda q: q.accepted_answers == ["Bandung", "Bdg"],
        ),
        (
            "numeric",
            {"number": "2.72", "tolerance": "0.5"},
            lambda q: (q.number, q.tolerance) == (Decimal("2.72"), Decimal("0.5")),
        ),
        ("essay", {"text": "Jelaskan respirasi."}, lambda q: "respirasi" in q.text),
    ],
)
def test_edit_unanswered_question(client, classroom, bank, kind, changes, check):
    teacher, _course, _students = classroom
    question = bank[kind]
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, **changes),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert check(question)


def test_edit_form_shows_current_values(client, classroom, bank):
    teacher, _course, _students = classroom
    login(client, teacher)
    response = client.get(reverse("quizzes:question_edit", args=[bank["single"].pk]))
    assert response.status_code == 200
    assert response.context["form"].initial["choices_text"] == "3\n* 4\n5"
    response = client.get(reverse("quizzes:question_edit", args=[bank["short"].pk]))
    assert response.context["form"].initial["accepted_text"] == "Bandung\nKota Bandung"
    response = client.get(
        reverse("quizzes:question_edit", args=[bank["true_false"].pk])
    )
    assert response.context["form"].initial["correct_boolean"] == "true"


def test_choice_typo_fix_keeps_choice_ids(client, classroom, bank):
    teacher, _course, _students = classroom
    question = bank["single"]
    before = list(question.choices.values_list("pk", flat=True))
    login(client, teacher)
    client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, choices_text="tiga\n* empat\nlima"),
    )
    after = list(question.choices.values_list("pk", "text"))
    assert [pk for pk, _text in after] == before
    assert [text for _pk, text in after] == ["tiga", "empat", "lima"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"choices_text": "3\n4"}, "no_correct_choice"),
        ({"choices_text": "* 3\n* 4"}, "several_correct"),
        ({"choices_text": "* 4"}, "choice_count"),
        ({"kind": "numeric", "number": ""}, "missing_number"),
        ({"kind": "bogus"}, "invalid_choice"),
        ({"text": ""}, "required"),
    ],
)
def test_invalid_edit_stores_nothing(client, classroom, bank, changes, code):
    teacher, _course, _students = classroom
    question = bank["single"]
    before = list(question.choices.values_list("pk", "text", "is_correct"))
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, **changes),
    )
    assert response.status_code == 400
    assert code in form_codes(response)
    question.refresh_from_db()
    assert question.kind == "single"
    assert question.text == "2 + 2 = ?"
    assert list(question.choices.values_list("pk", "text", "is_correct")) == before


def test_answered_scoring_change_blocked(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["single"]
    quiz = make_quiz(course, [question])
    attempt = submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, choices_text="* 3\n4\n5"),
    )
    assert response.status_code == 400
    assert "answered_scoring_locked" in form_codes(response)
    assert question.choices.get(is_correct=True).text == "4"
    attempt.refresh_from_db()
    assert attempt.score == 2


def test_answered_wording_change_allowed(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["short"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: {"text": "bandung"}})
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(
            question,
            text="Apa ibu kota Provinsi Jawa Barat?",
            accepted_text="kota bandung\nBANDUNG",
        ),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Apa ibu kota Provinsi Jawa Barat?"


def test_regrade_updates_attempts_and_gradebook(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["single"]
    quiz = make_quiz(course, [question])
    wrong = question.choices.get(text="3").pk
    right = question.choices.get(text="4").pk
    first = submitted_attempt(quiz, students[0], {question: {"choices": [wrong]}})
    second = submitted_attempt(quiz, students[1], {question: {"choices": [right]}})
    services.release_grades(quiz, teacher)
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, choices_text="* 3\n4\n5", regrade="on"),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.score == 2
    assert second.score == 0
    item = GradeItem.objects.get(course=course, key=f"quiz:{quiz.pk}")
    assert Grade.objects.get(item=item, student=students[0]).score == 2
    assert Grade.objects.get(item=item, student=students[1]).score == 0
    change = GradeChange.objects.filter(item=item, student=students[0]).first()
    assert change.old_value == 0
    assert change.new_value == 2
    assert question.text in change.reason


def test_regrade_cannot_change_choice_count(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["multiple"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, choices_text="* 2\n3", regrade="on"),
    )
    assert response.status_code == 400
    assert "answered_structure_locked" in form_codes(response)
    assert question.choices.count() == 3


def test_regrade_cannot_change_kind(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["true_false"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    login(client, teacher)
    response = client.post(
        reverse("quizzes:question_edit", args=[question.pk]),
        question_data(question, kind="essay", regrade="on"),
    )
    assert response.status_code == 400
    assert "answered_structure_locked" in form_codes(response)
    question.refresh_from_db()
    assert question.kind == "true_false"


def test_locked_edit_message_is_indonesian(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["numeric"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    login(client, teacher)
    with translation.override("id"):
        response = client.post(
            reverse("quizzes:question_edit", args=[question.pk]),
            question_data(question, number="3"),
            HTTP_ACCEPT_LANGUAGE="id",
        )
    assert response.status_code == 400
    assert "dinilai ulang" in response.content.decode()


def test_delete_question_needs_post(client, classroom, bank):
    teacher, course, _students = classroom
    question = bank["essay"]
    quiz = make_quiz(course, [question, bank["single"]])
    login(client, teacher)
    url = reverse("quizzes:question_delete", args=[question.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert quiz.title in response.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert [item.question for item in quiz.items.all()] == [bank["single"]]


def test_delete_answered_question_blocked(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["single"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    login(client, teacher)
    url = reverse("quizzes:question_delete", args=[question.pk])
    response = client.get(url)
    assert response.context["blockers"]
    response = client.post(url)
    assert response.status_code == 302
    assert Question.objects.filter(pk=question.pk).exists()
    assert Answer.objects.filter(question=question).count() == 1


def test_delete_random_question_of_attempt_blocked(client, classroom):
    teacher, course, students = classroom
    drawn = Question.objects.create(
        course=course, kind="essay", text="Acak", category="bab1"
    )
    quiz = Quiz.objects.create(
        course=course, title="Acak", random_category="bab1", random_count=1
    )
    services.start_attempt(quiz, students[0])
    login(client, teacher)
    response = client.post(reverse("quizzes:question_delete", args=[drawn.pk]))
    assert response.status_code == 302
    assert Question.objects.filter(pk=drawn.pk).exists()


def test_edit_quiz_without_attempts(client, classroom, bank):
    teacher, course, _students = classroom
    quiz = make_quiz(course, [bank["single"], bank["essay"]], points=2)
    login(client, teacher)
    response = client.post(
        reverse("quizzes:edit", args=[quiz.pk]),
        quiz_data(
            quiz,
            title="UH 2",
            questions=[bank["essay"].pk, bank["numeric"].pk],
        ),
    )
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "UH 2"
    # The quiz lists its questions in the order of the question bank.
    items = list(quiz.items.values_list("question_id", "points"))
    assert items == [(bank["numeric"].pk, 2), (bank["essay"].pk, 2)]


def test_edit_quiz_points_change_all(client, classroom, bank):
    teacher, course, _students = classroom
    quiz = make_quiz(course, [bank["single"], bank["essay"]], points=2)
    login(client, teacher)
    client.post(reverse("quizzes:edit", args=[quiz.pk]), quiz_data(quiz, points="5"))
    assert quiz.max_points() == 10


def test_attempted_quiz_keeps_questions(client, classroom, bank):
    teacher, course, students = classroom
    quiz = make_quiz(course, [bank["single"]])
    submitted_attempt(quiz, students[0], {})
    login(client, teacher)
    url = reverse("quizzes:edit", args=[quiz.pk])
    for changes in (
        {"questions": [bank["single"].pk, bank["essay"].pk]},
        {"points": "10"},
        {"random_count": "2", "random_category": "bab1"},
    ):
        response = client.post(url, quiz_data(quiz, **changes))
        assert response.status_code == 400, changes
        assert "quiz_has_attempts" in form_codes(response)
    assert list(quiz.items.values_list("question_id", flat=True)) == [bank["single"].pk]
    response = client.post(url, quiz_data(quiz, title="Ulangan 1", max_attempts="2"))
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert (quiz.title, quiz.max_attempts) == ("Ulangan 1", 2)


def test_released_quiz_rename_reaches_gradebook(client, classroom, bank):
    teacher, course, students = classroom
    quiz = make_quiz(course, [bank["single"]])
    submitted_attempt(quiz, students[0], {})
    services.release_grades(quiz, teacher)
    login(client, teacher)
    client.post(reverse("quizzes:edit", args=[quiz.pk]), quiz_data(quiz, title="PH"))
    assert GradeItem.objects.get(key=f"quiz:{quiz.pk}").title == "PH"


def test_delete_attempted_quiz_needs_confirm(client, classroom, bank):
    teacher, course, students = classroom
    question = bank["single"]
    quiz = make_quiz(course, [question])
    submitted_attempt(quiz, students[0], {question: correct_raw(question)})
    services.release_grades(quiz, teacher)
    login(client, teacher)
    url = reverse("quizzes:delete", args=[quiz.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["attempts"] == 1
    response = client.post(url)
    assert response.status_code == 400
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert Attempt.objects.count() == 1

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not Quiz.objects.filter(pk=quiz.pk).exists()
    assert not Attempt.objects.exists()
    assert not GradeItem.objects.filter(key=f"quiz:{quiz.pk}").exists()
    history = list(
        GradeChange.objects.filter(student=students[0]).order_by("changed_at", "pk")
    )
    assert [(c.old_value, c.new_value) for c in history] == [(None, 2), (2, None)]
    assert "Ulangan Harian" in history[-1].reason
    assert history[-1].item_title == "Ulangan Harian"
    assert Question.objects.filter(pk=question.pk).exists()


def test_delete_unattempted_quiz(client, classroom, bank):
    teacher, course, _students = classroom
    quiz = make_quiz(course, [bank["single"]])
    login(client, teacher)
    response = client.post(reverse("quizzes:delete", args=[quiz.pk]))
    assert response.status_code == 302
    assert not Quiz.objects.exists()


@pytest.mark.parametrize("who", ["student", "other_teacher", "guardian"])
def test_outsiders_cannot_edit_or_delete(client, classroom, bank, who):
    from tests.factories import make_guardian

    teacher, course, students = classroom
    quiz = make_quiz(course, [bank["single"]])
    question = bank["single"]
    if who == "student":
        user = students[0]
    elif who == "other_teacher":
        user = make_classroom(students=0)[0]
    else:
        user = make_guardian(students[0])
    login(client, user)
    urls = [
        reverse("quizzes:question_edit", args=[question.pk]),
        reverse("quizzes:question_delete", args=[question.pk]),
        reverse("quizzes:edit", args=[quiz.pk]),
        reverse("quizzes:delete", args=[quiz.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"confirm": "yes", "text": "x"}).status_code == 403
    assert Question.objects.filter(pk=question.pk, text="2 + 2 = ?").exists()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_anonymous_redirected_to_login(client, classroom, bank):
    response = client.post(
        reverse("quizzes:delete", args=[make_quiz(classroom[1], [bank["single"]]).pk])
    )
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert Quiz.objects.exists()


def test_delete_without_csrf_token_rejected(classroom, bank):
    teacher, course, _students = classroom
    quiz = make_quiz(course, [bank["single"]])
    client = Client(enforce_csrf_checks=True)
    login(client, teacher)
    response = client.post(reverse("quizzes:delete", args=[quiz.pk]))
    assert response.status_code == 403
    response = client.post(reverse("quizzes:question_delete", args=[bank["essay"].pk]))
    assert response.status_code == 403
    assert Quiz.objects.exists()
    assert Question.objects.filter(pk=bank["essay"].pk).exists()
    assert Choice.objects.count() == 6
