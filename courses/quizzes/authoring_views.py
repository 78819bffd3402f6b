"""
Teachers' pages that change or delete questions and quizzes.

Deleting always goes through a confirmation page and a POST. The rules on
what may change after students have answered are in ``editing``.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from courses.api import CourseRole, course_role

from . import editing
from .forms import QuestionEditForm, QuizForm
from .models import Question, Quiz, QuizQuestion

logger = logging.getLogger(__name__)


def _require_teacher(request, course):
    if request.user.is_superuser:
        return
    if course_role(request.user, course) != CourseRole.TEACHER:
        logger.info(
            "quiz authoring denied user=%s path=%s", request.user.pk, request.path
        )
        raise PermissionDenied


def _teacher_question(request, question_id):
    question = get_object_or_404(
        Question.objects.select_related("course").prefetch_related("choices"),
        pk=question_id,
    )
    _require_teacher(request, question.course)
    return question


def _teacher_quiz(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    _require_teacher(request, quiz.course)
    return quiz


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, question_id):
    """Change a question of the bank, and regrade attempts when the form asks."""
    question = _teacher_question(request, question_id)
    form = QuestionEditForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            question = form.save()
            regraded = None
            if form.answer_count and form.scoring_changed:
                regraded = editing.regrade_question(question, by=request.user)
        logger.info(
            "quiz question changed question=%s by=%s", question.pk, request.user.pk
        )
        if regraded is None:
            messages.success(request, _("Question saved."))
        else:
            messages.success(
                request,
                _("Question saved and %(count)s attempts regraded.")
                % {"count": regraded},
            )
        return redirect("quizzes:questions", course_id=question.course_id)
    return render(
        request,
        "quizzes/question_edit.html",
        {"course": question.course, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request, question_id):
    """Ask to confirm, then delete a question that no attempt has used."""
    question = _teacher_question(request, question_id)
    blockers = editing.deletion_blockers(question)
    if request.method == "POST":
        if blockers:
            messages.error(
                request,
                _("This question cannot be deleted: %(reasons)s")
                % {"reasons": " ".join(blockers)},
            )
            return redirect("quizzes:question_delete", question_id=question.pk)
        course_id = question.course_id
        editing.delete_question(question, by=request.user)
        messages.success(request, _("Question deleted."))
        return redirect("quizzes:questions", course_id=course_id)
    quizzes = Quiz.objects.filter(items__question=question).distinct()
    return render(
        request,
        "quizzes/question_delete.html",
        {
            "course": question.course,
            "question": question,
            "blockers": blockers,
            "quizzes": quizzes,
        },
    )


def _sync_items(quiz, form):
    """Make the quiz's questions match the form, in the order of the bank."""
    chosen = list(form.cleaned_data["questions"])
    points = form.cleaned_data["points"]
    points_changed = "points" in form.changed_data
    existing = {item.question_id: item for item in quiz.items.all()}
    QuizQuestion.objects.filter(quiz=quiz).exclude(
        question__in=[question.pk for question in chosen]
    ).delete()
    for position, question in enumerate(chosen):
        item = existing.get(question.pk)
        if item is None:
            QuizQuestion.objects.create(
                quiz=quiz, question=question, points=points, position=position
            )
            continue
        item.position = position
        if points_changed:
            item.points = points
        item.save(update_fields=["position", "points"])


@login_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request, quiz_id):
    """Change a quiz. Its questions and points stay fixed once it has attempts."""
    quiz = _teacher_quiz(request, quiz_id)
    form = QuizForm(request.POST or None, instance=quiz, course=quiz.course)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            quiz = form.save()
            if not form.has_attempts:
                _sync_items(quiz, form)
            editing.refresh_gradebook_item(quiz)
        logger.info("quiz changed quiz=%s by=%s", quiz.pk, request.user.pk)
        messages.success(request, _("Quiz saved."))
        return redirect("quizzes:detail", quiz_id=quiz.pk)
    return render(
        request,
        "quizzes/quiz_form.html",
        {"course": quiz.course, "quiz": quiz, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz_delete(request, quiz_id):
    """
    Ask to confirm, then delete a quiz with its attempts.

    A quiz with attempts needs the extra "confirm" box, because its
    attempts and gradebook scores go with it.
    """
    quiz = _teacher_quiz(request, quiz_id)
    summary = editing.attempt_summary(quiz)
    if request.method == "POST":
        if summary["attempts"] and request.POST.get("confirm") != "yes":
            messages.error(
                request,
                _(
                    "Tick the box to confirm that the attempts of this quiz "
                    "will be deleted."
                ),
            )
            return render(
                request,
                "quizzes/quiz_delete.html",
                {"course": quiz.course, "quiz": quiz, **summary},
                status=400,
            )
        course_id = quiz.course_id
        title = quiz.title
        removed = editing.delete_quiz(quiz, by=request.user)
        if removed:
            message = _(
                "Quiz %(title)s deleted. Its %(count)s gradebook scores were "
                "removed, and the grade history records why."
            )
        else:
            message = _("Quiz %(title)s deleted.")
        messages.success(request, message % {"title": title, "count": removed})
        return redirect("quizzes:course", course_id=course_id)
    return render(
        request,
        "quizzes/quiz_delete.html",
        {"course": quiz.course, "quiz": quiz, **summary},
    )
