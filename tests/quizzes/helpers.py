"""Build question banks, quizzes and attempts for the quiz tests."""

from decimal import Decimal

from courses.quizzes.models import Choice, Question, Quiz, QuizQuestion
from tests.factories import (
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
)


def make_classroom(students=2):
    """Return a teacher, a course and enrolled students of one school."""
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    pupils = []
    for _number in range(students):
        pupil = make_student(school)
        enrol(course, pupil)
        pupils.append(pupil)
    return teacher, course, pupils


def make_question(course, kind, text="Soal", choices=(), **fields):
    """Create a question; ``choices`` is a list of (text, is_correct)."""
    question = Question.objects.create(course=course, kind=kind, text=text, **fields)
    for position, (choice_text, correct) in enumerate(choices):
        Choice.objects.create(
            question=question, text=choice_text, is_correct=correct, position=position
        )
    return question


def make_bank(course):
    """Create one question of every kind and return them by kind."""
    return {
        "single": make_question(
            course,
            Question.Kind.SINGLE,
            "2 + 2 = ?",
            [("3", False), ("4", True), ("5", False)],
        ),
        "multiple": make_question(
            course,
            Question.Kind.MULTIPLE,
            "Bilangan prima?",
            [("2", True), ("3", True), ("4", False)],
        ),
        "true_false": make_question(
            course, Question.Kind.TRUE_FALSE, "Bumi bulat.", correct_boolean=True
        ),
        "short": make_question(
            course,
            Question.Kind.SHORT,
            "Ibu kota Jawa Barat?",
            accepted_answers=["Bandung", "Kota Bandung"],
        ),
        "numeric": make_question(
            course,
            Question.Kind.NUMERIC,
            "Nilai pi (2 desimal)?",
            number=Decimal("3.14"),
            tolerance=Decimal("0.01"),
        ),
        "essay": make_question(course, Question.Kind.ESSAY, "Jelaskan fotosintesis."),
    }


def make_quiz(course, questions, points=2, **fields):
    quiz = Quiz.objects.create(course=course, title="Ulangan Harian", **fields)
    for position, question in enumerate(questions):
        QuizQuestion.objects.create(
            quiz=quiz, question=question, points=points, position=position
        )
    return quiz


def correct_raw(question):
    """Return the request data that answers ``question`` correctly."""
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        ids = [c.pk for c in question.choices.all() if c.is_correct]
        return {"choices": ids}
    if kind == Question.Kind.TRUE_FALSE:
        return {"value": "true" if question.correct_boolean else "false"}
    if kind == Question.Kind.NUMERIC:
        return {"value": str(question.number)}
    if kind == Question.Kind.SHORT:
        return {"text": question.accepted_answers[0]}
    return {"text": "Tumbuhan membuat makanan dari cahaya."}
