"""
Quiz pages: a student starts, answers and submits; a teacher grades.

The attempt page works without JavaScript: each question is its own form
with a save button. ``quizzes/attempt.js`` saves each answer as it changes
and asks for JSON, which ``save`` returns when the request accepts it.
"""

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from courses.api import CourseRole, course_role, enrolled_students, get_course
from courses.notify import Notification, notify

from . import services
from .forms import AllowanceForm, QuestionForm, QuizForm
from .models import Allowance, Answer, Attempt, Choice, Question, Quiz, QuizQuestion

logger = logging.getLogger(__name__)

# Error codes that mean the attempt is over, returned with 409 Conflict.
CLOSED_CODES = {"time_up", "submitted"}


def _role(user, course):
    if user.is_superuser:
        return CourseRole.TEACHER
    return course_role(user, course)


def _forbidden(request, message):
    logger.info("quiz page denied user=%s path=%s", request.user.pk, request.path)
    return render(request, "courses/forbidden.html", {"message": message}, status=403)


def _wants_json(request):
    return "application/json" in request.headers.get(
        "Accept", ""
    ) or request.content_type == ("application/json")


def _error_message(error):
    return " ".join(error.messages)


def _own_attempt(request, attempt_id):
    """Return the attempt when it is the requesting student's, else raise."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "quiz__course", "student"),
        pk=attempt_id,
    )
    if attempt.student_id != request.user.pk:
        raise PermissionDenied
    return attempt


def _teacher_quiz(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    if _role(request.user, quiz.course) != CourseRole.TEACHER:
        raise PermissionDenied
    return quiz


@login_required
@require_GET
def course_quizzes(request, course_id):
    """List a course's quizzes for its teachers and students."""
    course = get_course(course_id)
    if course is None:
        raise Http404
    role = _role(request.user, course)
    if role not in (CourseRole.TEACHER, CourseRole.STUDENT):
        return _forbidden(
            request, _("Only the course's teachers and students can open its quizzes.")
        )
    quizzes = course.quizzes.order_by("opens_at", "pk")
    return render(
        request,
        "quizzes/course_quizzes.html",
        {"course": course, "quizzes": quizzes, "is_teacher": role == "teacher"},
    )


@login_required
@require_GET
def detail(request, quiz_id):
    """Show a quiz's rules and the student's attempts, with a start button."""
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    role = _role(request.user, quiz.course)
    if role not in (CourseRole.TEACHER, CourseRole.STUDENT):
        return _forbidden(
            request, _("Only the course's teachers and students can open its quizzes.")
        )
    attempts = []
    current = None
    allowed = None
    if role == CourseRole.STUDENT:
        current = services.current_attempt(quiz, request.user)
        attempts = quiz.attempts.filter(student=request.user).order_by("number")
        allowed = services.attempts_allowed(quiz, request.user)
    used = len(attempts)
    context = {
        "quiz": quiz,
        "course": quiz.course,
        "is_teacher": role == CourseRole.TEACHER,
        "attempts": attempts,
        "current": current,
        "allowed": allowed,
        "attempts_left": allowed is not None and used < allowed,
        "is_open": quiz.is_open(),
    }
    return render(request, "quizzes/detail.html", context)


@login_required
@require_POST
def start(request, quiz_id):
    """Start an attempt, or continue the one in progress."""
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    if _role(request.user, quiz.course) != CourseRole.STUDENT:
        return _forbidden(request, _("Only the course's students take its quizzes."))
    try:
        attempt = services.start_attempt(quiz, request.user)
    except ValidationError as error:
        if _wants_json(request):
            return JsonResponse(
                {"code": error.code, "message": _error_message(error)}, status=400
            )
        messages.error(request, _error_message(error))
        return redirect("quizzes:detail", quiz_id=quiz.pk)
    if _wants_json(request):
        return JsonResponse(
            {"attempt": attempt.pk, "questions": attempt.question_ids()}
        )
    return redirect("quizzes:attempt", attempt_id=attempt.pk)


def _attempt_questions(attempt):
    """Return the questions of an attempt in its order, with their answers."""
    questions = Question.objects.filter(pk__in=attempt.question_ids()).prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "pk"))
    )
    by_pk = {question.pk: question for question in questions}
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    points = attempt.points_by_question()
    rows = []
    for number, pk in enumerate(attempt.question_ids(), start=1):
        question = by_pk.get(pk)
        if question is None:
            continue
        answer = answers.get(pk)
        data = answer.data if answer else {}
        rows.append(
            {
                "number": number,
                "question": question,
                "choices": attempt.ordered_choices(question),
                "answer": answer,
                "chosen": set(data.get("choices", ())),
                "value": data.get("value"),
                "text": data.get("text", ""),
                "points": points[pk],
            }
        )
    return rows


@login_required
@require_GET
def attempt_page(request, attempt_id):
    """Show the questions of an attempt in progress with the saved answers."""
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_in_progress and attempt.is_past_deadline():
        services.finalise(attempt, Attempt.Ending.TIME_UP)
        messages.warning(
            request, _("The time is up. Your attempt was submitted with your answers.")
        )
    if not attempt.is_in_progress:
        return redirect("quizzes:review", attempt_id=attempt.pk)
    deadline = attempt.deadline()
    remaining = None
    if deadline is not None:
        remaining = max(0, int((deadline - timezone.now()).total_seconds()))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "rows": _attempt_questions(attempt),
        "deadline": deadline,
        "remaining_seconds": remaining,
        "remaining_minutes": None if remaining is None else (remaining + 59) // 60,
    }
    response = render(request, "quizzes/attempt.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _raw_answer(request):
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ValidationError(_("The request is not valid JSON."), code="bad_json")
        return body.get("question"), body
    raw = {
        "choices": request.POST.getlist("choices"),
        "value": request.POST.get("value"),
        "text": request.POST.get("text"),
    }
    return request.POST.get("question"), raw


@login_required
@require_POST
def save(request, attempt_id):
    """Save one answer of the student's own attempt."""
    attempt = _own_attempt(request, attempt_id)
    question_id = None
    try:
        question_id, raw = _raw_answer(request)
        saved_at = services.save_answer(attempt, question_id, raw)
    except ValidationError as error:
        logger.info(
            "quiz answer rejected attempt=%s question=%s code=%s",
            attempt.pk,
            question_id,
            error.code,
        )
        if _wants_json(request):
            status = 409 if error.code in CLOSED_CODES else 400
            return JsonResponse(
                {"code": error.code, "message": _error_message(error)}, status=status
            )
        messages.error(request, _error_message(error))
        if error.code in CLOSED_CODES:
            return redirect("quizzes:review", attempt_id=attempt.pk)
        return redirect(reverse("quizzes:attempt", args=[attempt.pk]))
    if _wants_json(request):
        return JsonResponse({"saved_at": saved_at.isoformat()})
    messages.success(request, _("Answer saved."))
    return redirect(
        reverse("quizzes:attempt", args=[attempt.pk]) + f"#question-{question_id}"
    )


@login_required
@require_POST
def submit(request, attempt_id):
    """Submit the student's own attempt; a second submit changes nothing."""
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_in_progress:
        messages.info(
            request,
            _("This attempt was already submitted; your answers are as they were."),
        )
        return redirect("quizzes:review", attempt_id=attempt.pk)
    if attempt.is_past_deadline():
        services.finalise(attempt, Attempt.Ending.TIME_UP)
        messages.warning(
            request,
            _("The time was up, so your attempt was submitted with saved answers."),
        )
    elif services.finalise(attempt, Attempt.Ending.STUDENT):
        messages.success(request, _("Your attempt is submitted."))
    else:
        messages.info(request, _("This attempt was already submitted."))
    return redirect("quizzes:review", attempt_id=attempt.pk)


@login_required
@require_GET
def review(request, attempt_id):
    """Show a submitted attempt as far as the quiz's review setting allows."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "quiz__course", "student"),
        pk=attempt_id,
    )
    role = _role(request.user, attempt.quiz.course)
    is_teacher = role == CourseRole.TEACHER
    if not is_teacher and attempt.student_id != request.user.pk:
        raise PermissionDenied
    if attempt.is_in_progress and attempt.is_past_deadline():
        services.finalise(attempt, Attempt.Ending.TIME_UP)
    if attempt.is_in_progress and not is_teacher:
        return redirect("quizzes:attempt", attempt_id=attempt.pk)
    quiz = attempt.quiz
    may_review = is_teacher or services.may_review(attempt)
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "is_teacher": is_teacher,
        "may_review": may_review,
        "show_answers": is_teacher or quiz.review_shows_answers,
        "show_score": is_teacher or quiz.grades_released,
        "rows": _attempt_questions(attempt) if may_review else [],
        "max_points": quiz.max_points(),
    }
    return render(request, "quizzes/review.html", context)


@login_required
@require_GET
def grading(request, quiz_id):
    """List the attempts of a quiz and the essays waiting for a score."""
    quiz = _teacher_quiz(request, quiz_id)
    attempts = quiz.attempts.exclude(status=Attempt.Status.IN_PROGRESS).select_related(
        "student"
    )
    essays = (
        Answer.objects.filter(
            attempt__quiz=quiz,
            question__kind=Question.Kind.ESSAY,
        )
        .exclude(attempt__status=Attempt.Status.IN_PROGRESS)
        .select_related("attempt__student", "question")
        .order_by("score", "attempt__student__username")
    )
    rows = [
        {
            "answer": answer,
            "points": answer.attempt.points_by_question()[answer.question_id],
        }
        for answer in essays
    ]
    return render(
        request,
        "quizzes/grading.html",
        {"quiz": quiz, "course": quiz.course, "attempts": attempts, "essays": rows},
    )


@login_required
@require_POST
def grade_answer(request, answer_id):
    """Store a teacher's score and feedback for one essay answer."""
    answer = get_object_or_404(
        Answer.objects.select_related("attempt__quiz__course", "question"),
        pk=answer_id,
    )
    quiz = answer.attempt.quiz
    if _role(request.user, quiz.course) != CourseRole.TEACHER:
        raise PermissionDenied
    if answer.question.kind != Question.Kind.ESSAY:
        messages.error(request, _("Only essay answers are graded by hand."))
        return redirect("quizzes:grading", quiz_id=quiz.pk)
    try:
        services.grade_essay(
            answer,
            request.POST.get("score"),
            request.POST.get("feedback", ""),
            request.user,
        )
    except ValidationError as error:
        messages.error(request, _error_message(error))
        return redirect("quizzes:grading", quiz_id=quiz.pk)
    messages.success(request, _("Score saved."))
    return redirect("quizzes:grading", quiz_id=quiz.pk)


@login_required
@require_POST
def release(request, quiz_id):
    """Release the quiz's grades to the students and the gradebook."""
    quiz = _teacher_quiz(request, quiz_id)
    try:
        count = services.release_grades(quiz, request.user)
    except ValidationError as error:
        messages.error(request, _error_message(error))
        return redirect("quizzes:grading", quiz_id=quiz.pk)
    messages.success(
        request,
        _("Grades released; %(count)s students have a score in the gradebook.")
        % {"count": count},
    )
    return redirect("quizzes:grading", quiz_id=quiz.pk)


def _teacher_course(request, course_id):
    course = get_course(course_id)
    if course is None:
        raise Http404
    if _role(request.user, course) != CourseRole.TEACHER:
        raise PermissionDenied
    return course


@login_required
@require_http_methods(["GET", "POST"])
def question_bank(request, course_id):
    """List the course's question bank and add a question to it."""
    course = _teacher_course(request, course_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.course = course
        with transaction.atomic():
            question = form.save()
        logger.info("quiz question added question=%s course=%s", question.pk, course.pk)
        messages.success(request, _("Question added."))
        return redirect("quizzes:questions", course_id=course.pk)
    questions = course.quiz_questions.prefetch_related("choices")
    return render(
        request,
        "quizzes/question_bank.html",
        {"course": course, "form": form, "questions": questions},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request, course_id):
    """Create a quiz of the course from questions of its bank."""
    course = _teacher_course(request, course_id)
    form = QuizForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.course = course
            quiz = form.save()
            for position, question in enumerate(form.cleaned_data["questions"]):
                QuizQuestion.objects.create(
                    quiz=quiz,
                    question=question,
                    points=form.cleaned_data["points"],
                    position=position,
                )
        logger.info("quiz created quiz=%s course=%s", quiz.pk, course.pk)
        notify(
            enrolled_students(course),
            Notification.Kind.NEW_MATERIAL,
            _("New quiz in %(course)s: %(title)s")
            % {"course": course.title, "title": quiz.title},
            reverse("quizzes:detail", args=[quiz.pk]),
        )
        messages.success(request, _("Quiz created."))
        return redirect("quizzes:detail", quiz_id=quiz.pk)
    return render(
        request,
        "quizzes/quiz_form.html",
        {"course": course, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allowances(request, quiz_id):
    """Grant one student extra time or extra attempts at a quiz."""
    quiz = _teacher_quiz(request, quiz_id)
    form = AllowanceForm(request.POST or None, students=enrolled_students(quiz.course))
    if request.method == "POST" and form.is_valid():
        Allowance.objects.update_or_create(
            quiz=quiz,
            student=form.cleaned_data["student"],
            defaults={
                "extra_minutes": form.cleaned_data["extra_minutes"],
                "extra_attempts": form.cleaned_data["extra_attempts"],
            },
        )
        messages.success(request, _("Allowance saved."))
        return redirect("quizzes:allowances", quiz_id=quiz.pk)
    return render(
        request,
        "quizzes/allowances.html",
        {
            "quiz": quiz,
            "course": quiz.course,
            "form": form,
            "allowances": quiz.allowances.select_related("student"),
        },
        status=400 if form.errors else 200,
    )
