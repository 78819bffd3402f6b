"""
Change and delete questions and quizzes that students may already have used.

The rules keep recorded grades from changing behind anyone's back:

- A question with saved answers keeps its scoring (kind, correct choices,
  accepted answers, number and tolerance) unless the teacher asks for a
  regrade. A regrade may change which answers are correct, but never the
  kind or the number of choices, because saved answers point at choices.
  Every submitted attempt with an answer is then graded again, and released
  grades go to the gradebook with a reason in its history.
- A question cannot be deleted once it has answers or sits in a quiz that
  has attempts, because those attempts would lose it.
- A quiz with attempts keeps its questions and points; only its title,
  times, limits and review settings may change. Deleting it deletes the
  attempts, and its gradebook item leaves an entry per removed score.
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from courses.gradebook import api as gradebook

from . import grading, services
from .models import Answer, Attempt, Question, Quiz

logger = logging.getLogger(__name__)


def scoring_key(
    kind, *, correct_flags=(), accepted=(), boolean=None, number=None, tolerance=None
):
    """
    Return a value that changes exactly when the grading of a question does.

    ``correct_flags`` lists whether each choice, in order, is correct, so a
    corrected typo in a choice's text does not count as a change.
    """
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return (kind, tuple(bool(flag) for flag in correct_flags))
    if kind == Question.Kind.TRUE_FALSE:
        return (kind, boolean)
    if kind == Question.Kind.SHORT:
        return (kind, frozenset(grading.normalise_text(text) for text in accepted))
    if kind == Question.Kind.NUMERIC:
        number = None if number is None else Decimal(number).normalize()
        return (kind, number, Decimal(tolerance or 0).normalize())
    return (kind,)


def question_scoring_key(question):
    """Return the ``scoring_key`` of a stored question."""
    return scoring_key(
        question.kind,
        correct_flags=[choice.is_correct for choice in question.choices.all()],
        accepted=question.accepted_answers or (),
        boolean=question.correct_boolean,
        number=question.number,
        tolerance=question.tolerance,
    )


def answer_count(question):
    """Return how many attempts, submitted or not, answered ``question``."""
    return Answer.objects.filter(question=question).count()


def quizzes_with_attempts(question):
    """Return the quizzes that place ``question`` and already have attempts."""
    return Quiz.objects.filter(items__question=question, attempts__isnull=False)


def deletion_blockers(question):
    """
    Return the reasons, as sentences, why ``question`` cannot be deleted.

    An empty list means it can go. Questions drawn at random appear only in
    attempts' layouts, so those are checked too.
    """
    reasons = []
    answers = answer_count(question)
    if answers:
        reasons.append(
            _("%(count)s attempts have an answer to it.") % {"count": answers}
        )
    used_in = list(quizzes_with_attempts(question).distinct())
    if question.category:
        random_quizzes = Quiz.objects.filter(
            course_id=question.course_id,
            random_category=question.category,
            random_count__gt=0,
        ).exclude(pk__in=[quiz.pk for quiz in used_in])
        for quiz in random_quizzes:
            layouts = quiz.attempts.values_list("layout", flat=True)
            if any(question.pk in layout_question_ids(layout) for layout in layouts):
                used_in.append(quiz)
    for quiz in used_in:
        reasons.append(
            _("The quiz %(title)s has attempts that include it.")
            % {"title": quiz.title}
        )
    return reasons


def layout_question_ids(layout):
    return {entry["question"] for entry in layout}


def delete_question(question, *, by):
    """Delete ``question`` and take it out of the quizzes that place it."""
    question_id = question.pk
    with transaction.atomic():
        removed_from = list(question.placements.values_list("quiz_id", flat=True))
        question.placements.all().delete()
        question.delete()
    logger.info(
        "quiz question deleted question=%s course=%s quizzes=%s by=%s",
        question_id,
        question.course_id,
        removed_from,
        by.pk,
    )


def regrade_question(question, *, by):
    """
    Grade again every submitted attempt with an answer to ``question``.

    Return the number of attempts regraded. Quizzes whose grades are
    released send the new best scores to the gradebook.
    """
    attempts = (
        Attempt.objects.filter(answers__question=question)
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .select_related("quiz", "student")
        .distinct()
    )
    changed_students = {}
    count = 0
    with transaction.atomic():
        for attempt in attempts:
            services.grade_attempt(attempt)
            changed_students.setdefault(attempt.quiz, set()).add(attempt.student)
            count += 1
        for quiz, students in changed_students.items():
            if quiz.grades_released:
                services.push_grades(
                    quiz,
                    by,
                    students=list(students),
                    reason=_("Question regraded: %(question)s")
                    % {"question": str(question)},
                )
    logger.info(
        "quiz question regraded question=%s attempts=%s by=%s",
        question.pk,
        count,
        by.pk,
    )
    return count


def attempt_summary(quiz):
    """Return the attempts of ``quiz``: total, in progress, and students."""
    attempts = quiz.attempts.all()
    return {
        "attempts": attempts.count(),
        "in_progress": attempts.filter(status=Attempt.Status.IN_PROGRESS).count(),
        "students": attempts.values("student").distinct().count(),
    }


def delete_quiz(quiz, *, by):
    """
    Delete ``quiz`` with its attempts, and retire its gradebook item.

    Return the number of gradebook scores removed, each of which leaves a
    ``GradeChange`` with the reason.
    """
    quiz_id = quiz.pk
    with transaction.atomic():
        removed = gradebook.retire_item(
            quiz.course,
            f"quiz:{quiz_id}",
            by=by,
            reason=_("Quiz deleted: %(title)s") % {"title": quiz.title},
        )
        quiz.delete()
    logger.info(
        "quiz deleted quiz=%s course=%s grades_removed=%s by=%s",
        quiz_id,
        quiz.course_id,
        removed,
        by.pk,
    )
    return removed


def refresh_gradebook_item(quiz):
    """Copy a released quiz's title and close time to its gradebook item."""
    if quiz.grades_released:
        gradebook.register_item(
            quiz.course,
            f"quiz:{quiz.pk}",
            quiz.title,
            quiz.max_points(),
            due_at=quiz.closes_at,
        )
