"""
Start, answer, submit and grade quiz attempts.

Views, the management command and tests go through these functions, which
check the rules of the quiz and raise ``ValidationError`` with a ``code``
when a request breaks one. No answer or score is stored when they raise,
but a save after the deadline still closes the attempt.
"""

import logging
import random
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.notify import Notification, notify

from . import grading
from .models import Answer, Attempt, Question, Quiz

logger = logging.getLogger(__name__)

# The longest text a short answer or an essay may have, in characters.
MAX_TEXT_LENGTH = 20_000


def attempts_allowed(quiz, student):
    return quiz.max_attempts + quiz.allowance_for(student).extra_attempts


def pick_layout(quiz, seed):
    """Return the questions of a new attempt with their points, in order."""
    rng = random.Random(seed)  # noqa: S311 - an order, not a secret
    layout = [
        {"question": item.question_id, "points": str(item.points)}
        for item in quiz.items.all()
    ]
    if quiz.random_count:
        chosen = {entry["question"] for entry in layout}
        pool = list(
            Question.objects.filter(course=quiz.course, category=quiz.random_category)
            .exclude(pk__in=chosen)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in rng.sample(pool, min(quiz.random_count, len(pool))):
            layout.append({"question": pk, "points": str(quiz.random_points)})
    if quiz.shuffle_questions:
        rng.shuffle(layout)
    return layout


def start_attempt(quiz, student, now=None):
    """
    Return the student's attempt in progress, or start a new one.

    A student who comes back after losing the connection gets the same
    attempt, with the answers saved so far and the time that remains.
    """
    now = now or timezone.now()
    current = current_attempt(quiz, student, now=now)
    if current is not None:
        return current
    if quiz.opens_at and now < quiz.opens_at:
        raise ValidationError(_("This quiz is not open yet."), code="not_open")
    if quiz.has_closed(now):
        raise ValidationError(_("This quiz is closed."), code="closed")
    used = quiz.attempts.filter(student=student).count()
    if used >= attempts_allowed(quiz, student):
        raise ValidationError(
            _("You have used all %(count)s attempts at this quiz.") % {"count": used},
            code="no_attempts_left",
        )
    seed = secrets.randbelow(2**62)
    attempt = Attempt(
        quiz=quiz,
        student=student,
        number=used + 1,
        seed=seed,
        layout=pick_layout(quiz, seed),
        started_at=now,
    )
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        # Two start requests raced: the other one created this number.
        existing = current_attempt(quiz, student, now=now)
        if existing is None:
            raise
        return existing
    logger.info(
        "quiz attempt started attempt=%s quiz=%s student=%s",
        attempt.pk,
        quiz.pk,
        student.pk,
    )
    return attempt


def current_attempt(quiz, student, now=None):
    """Return the attempt in progress, finalising it first when time is up."""
    attempt = (
        quiz.attempts.filter(student=student, status=Attempt.Status.IN_PROGRESS)
        .order_by("-number")
        .first()
    )
    if attempt is None:
        return None
    if attempt.is_past_deadline(now):
        finalise(attempt, Attempt.Ending.TIME_UP)
        return None
    return attempt


def clean_answer(question, raw, choice_ids):
    """
    Return the answer ``raw`` in the stored form of ``question``'s kind.

    ``raw`` maps "choices" to a list, or "value"/"text" to a string, as
    the attempt page and its script send them.
    """
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        values = raw.get("choices") or []
        if not isinstance(values, list):
            values = [values]
        try:
            chosen = sorted({int(value) for value in values})
        except (TypeError, ValueError):
            chosen = None
        if chosen is None or not set(chosen) <= set(choice_ids):
            raise ValidationError(
                _("That choice does not belong to this question."),
                code="invalid_choice",
            )
        if kind == Question.Kind.SINGLE and len(chosen) > 1:
            raise ValidationError(
                _("Choose only one answer to this question."), code="invalid_choice"
            )
        return {"choices": chosen}
    if kind == Question.Kind.TRUE_FALSE:
        value = raw.get("value")
        mapping = {"true": True, "false": False, True: True, False: False}
        if not isinstance(value, str | bool) or value not in mapping:
            raise ValidationError(_("Answer true or false."), code="invalid_boolean")
        return {"value": mapping[value]}
    if kind == Question.Kind.NUMERIC:
        value = raw.get("value")
        if grading.parse_decimal(value) is None:
            raise ValidationError(
                _("Enter a number, for example 3.5."), code="invalid_number"
            )
        return {"value": str(value).strip()}
    text = raw.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise ValidationError(_("The answer must be text."), code="invalid_text")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            _("The answer is too long: at most %(limit)s characters.")
            % {"limit": MAX_TEXT_LENGTH},
            code="too_long",
        )
    return {"text": text}


def save_answer(attempt, question_id, raw, now=None):
    """
    Validate and store one answer of an attempt in progress.

    The write is one INSERT ... ON CONFLICT DO UPDATE on (attempt,
    question), so a repeated or concurrent save replaces the earlier one.
    Return the saved time.
    """
    now = now or timezone.now()
    if not attempt.is_in_progress:
        raise ValidationError(
            _("This attempt has been submitted; answers can no longer change."),
            code="submitted",
        )
    if attempt.is_past_deadline(now):
        finalise(attempt, Attempt.Ending.TIME_UP)
        raise ValidationError(
            _("The time is up: this answer was not saved. Your attempt is submitted."),
            code="time_up",
        )
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        question_id = None
    if question_id not in attempt.question_ids():
        raise ValidationError(
            _("That question is not part of this attempt."),
            code="question_not_in_attempt",
        )
    question = Question.objects.get(pk=question_id)
    choice_ids = []
    if question.has_choices:
        choice_ids = list(question.choices.values_list("pk", flat=True))
    data = clean_answer(question, raw, choice_ids)
    with transaction.atomic():
        # The row lock makes a concurrent submit wait for this save, so no
        # answer lands in an attempt after it was graded.
        status = (
            Attempt.objects.select_for_update()
            .filter(pk=attempt.pk)
            .values_list("status", flat=True)
            .first()
        )
        if status != Attempt.Status.IN_PROGRESS:
            raise ValidationError(
                _("This attempt has been submitted; answers can no longer change."),
                code="submitted",
            )
        Answer.objects.bulk_create(
            [Answer(attempt=attempt, question=question, data=data, saved_at=now)],
            update_conflicts=True,
            unique_fields=["attempt", "question"],
            update_fields=["data", "saved_at"],
        )
    return now


def finalise(attempt, ending, now=None):
    """
    Close an attempt in progress and grade what can be graded automatically.

    Return ``False`` when the attempt was already closed, which makes a
    second submit harmless.
    """
    now = now or timezone.now()
    with transaction.atomic():
        updated = Attempt.objects.filter(
            pk=attempt.pk, status=Attempt.Status.IN_PROGRESS
        ).update(status=Attempt.Status.SUBMITTED, ending=ending, submitted_at=now)
        attempt.refresh_from_db()
        if not updated:
            return False
        grade_attempt(attempt)
    logger.info(
        "quiz attempt closed attempt=%s ending=%s score=%s",
        attempt.pk,
        ending,
        attempt.score,
    )
    return True


def grade_attempt(attempt):
    """Grade the automatic questions and total the attempt's score."""
    points = attempt.points_by_question()
    questions = Question.objects.filter(pk__in=points).prefetch_related("choices")
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    needs_teacher = False
    total = Decimal(0)
    for question in questions:
        answer = answers.get(question.pk)
        if question.kind == Question.Kind.ESSAY:
            if answer is not None and answer.score is not None:
                total += answer.score
            elif answer is not None:
                needs_teacher = True
            continue
        earned = grading.grade(
            question.grading_key(), answer.data if answer else {}, points[question.pk]
        )
        if answer is not None:
            answer.score = earned
            answer.save(update_fields=["score"])
        total += earned
    attempt.score = total
    attempt.status = (
        Attempt.Status.SUBMITTED if needs_teacher else Attempt.Status.GRADED
    )
    attempt.save(update_fields=["score", "status"])


def grade_essay(answer, score, feedback, teacher):
    """Store a teacher's score for an essay answer and regrade the attempt."""
    maximum = Decimal(answer.attempt.points_by_question()[answer.question_id])
    score = grading.parse_decimal(score)
    if score is None:
        raise ValidationError(_("Enter the score as a number."), code="invalid_number")
    if not Decimal(0) <= score <= maximum:
        raise ValidationError(
            _("The score must be between 0 and %(maximum)s.") % {"maximum": maximum},
            code="score_out_of_range",
        )
    if answer.attempt.is_in_progress:
        raise ValidationError(
            _("The student has not submitted this attempt yet."),
            code="not_submitted",
        )
    with transaction.atomic():
        answer.score = score
        answer.feedback = feedback or ""
        answer.graded_by = teacher
        answer.save(update_fields=["score", "feedback", "graded_by"])
        grade_attempt(answer.attempt)
    quiz = answer.attempt.quiz
    if Quiz.objects.filter(pk=quiz.pk, grades_released=True).exists():
        push_grades(quiz, teacher, students=[answer.attempt.student])


def may_review(attempt, now=None):
    quiz = attempt.quiz
    if attempt.is_in_progress or quiz.review == Quiz.Review.NEVER:
        return False
    if quiz.review == Quiz.Review.AFTER_CLOSE:
        return quiz.has_closed(now)
    return True


def best_scores(quiz, students=None):
    """Return each student's best score among their fully graded attempts."""
    attempts = quiz.attempts.filter(status=Attempt.Status.GRADED)
    if students is not None:
        attempts = attempts.filter(student__in=students)
    best = {}
    for student_id, score in attempts.values_list("student_id", "score"):
        if student_id not in best or score > best[student_id]:
            best[student_id] = score
    return best


def release_grades(quiz, teacher):
    """Release the quiz's grades to students and record them in the gradebook."""
    with transaction.atomic():
        count = push_grades(quiz, teacher)
        first_release = Quiz.objects.filter(pk=quiz.pk, grades_released=False).update(
            grades_released=True
        )
    quiz.grades_released = True
    if first_release:
        students = quiz.attempts.exclude(status=Attempt.Status.IN_PROGRESS).values_list(
            "student_id", flat=True
        )
        notify(
            students,
            Notification.Kind.GRADE,
            _("Quiz grades released: %(title)s") % {"title": quiz.title},
            reverse("quizzes:detail", args=[quiz.pk]),
        )
    return count


def push_grades(quiz, teacher, students=None, reason=None):
    """Record each student's best graded score in the course gradebook."""
    from django.contrib.auth import get_user_model

    from courses.gradebook import api as gradebook

    item = gradebook.register_item(
        quiz.course,
        f"quiz:{quiz.pk}",
        quiz.title,
        quiz.max_points(),
        due_at=quiz.closes_at,
    )
    scores = best_scores(quiz, students)
    people = get_user_model().objects.in_bulk(list(scores))
    for student_id, score in scores.items():
        gradebook.record_score(
            item,
            people[student_id],
            score,
            by=teacher,
            reason=reason or _("quiz result"),
        )
    return len(scores)


def close_expired(now=None):
    """
    Finalise every attempt in progress whose time is up.

    Yield ``(attempt, closed)`` for each attempt in progress, so a caller
    can show progress over all of them; ``closed`` is whether this call
    finalised it.
    """
    now = now or timezone.now()
    candidates = Attempt.objects.filter(
        status=Attempt.Status.IN_PROGRESS
    ).select_related("quiz", "student")
    for attempt in candidates.iterator():
        closed = attempt.is_past_deadline(now) and finalise(
            attempt, Attempt.Ending.TIME_UP, now
        )
        yield attempt, closed
