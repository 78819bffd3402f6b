"""
The question bank of a course, its quizzes, and the attempts of students.

Every answer lives in its own row (``Answer``), unique per attempt and
question, and is written with one INSERT ... ON CONFLICT DO UPDATE, so
concurrent saves of the same answer never duplicate and the last one wins.
"""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage

from . import grading


class Question(models.Model):
    """A question in the bank of one course."""

    class Kind(models.TextChoices):
        SINGLE = grading.SINGLE, _("multiple choice, one answer")
        MULTIPLE = grading.MULTIPLE, _("multiple choice, several answers")
        TRUE_FALSE = grading.TRUE_FALSE, _("true or false")
        SHORT = grading.SHORT, _("short answer")
        NUMERIC = grading.NUMERIC, _("numeric")
        ESSAY = grading.ESSAY, _("essay")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="quiz_questions",
        verbose_name=_("course"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.CharField(
        _("category"),
        max_length=100,
        blank=True,
        help_text=_("Quizzes can draw random questions from one category."),
    )
    text = models.TextField(_("question"))
    accepted_answers = models.JSONField(
        _("accepted answers"),
        default=list,
        blank=True,
        help_text=_(
            "Short answer: every accepted variant. Case and spacing are ignored."
        ),
    )
    correct_boolean = models.BooleanField(_("correct answer (true/false)"), null=True)
    number = models.DecimalField(
        _("correct number"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=20,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Numeric: answers this far from the number still count."),
    )
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "category", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:60]

    @property
    def has_choices(self):
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    def grading_key(self, choices=None):
        """Return the ``grading.Key`` of this question."""
        if choices is None:
            choices = self.choices.all()
        return grading.Key(
            kind=self.kind,
            correct_choices=frozenset(c.pk for c in choices if c.is_correct),
            correct_boolean=self.correct_boolean,
            accepted_texts=tuple(self.accepted_answers or ()),
            number=self.number,
            tolerance=self.tolerance or 0,
        )


class Choice(models.Model):
    question = models.ForeignKey(
        Question,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("question"),
    )
    text = models.CharField(_("text"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self):
        return self.text


class Quiz(models.Model):
    """A quiz of one course: which questions, when, and for how long."""

    class Review(models.TextChoices):
        NEVER = "never", _("never")
        AFTER_SUBMIT = "after_submit", _("after the student submits")
        AFTER_CLOSE = "after_close", _("after the quiz closes")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="quizzes",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no time limit."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=1, validators=[MinValueValidator(1)]
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    random_category = models.CharField(
        _("random questions from category"), max_length=100, blank=True
    )
    random_count = models.PositiveSmallIntegerField(
        _("number of random questions"), default=0
    )
    random_points = models.DecimalField(
        _("points per random question"), max_digits=6, decimal_places=2, default=1
    )
    review = models.CharField(
        _("review"), max_length=12, choices=Review.choices, default=Review.AFTER_CLOSE
    )
    review_shows_answers = models.BooleanField(
        _("review shows correct answers"), default=False
    )
    grades_released = models.BooleanField(_("grades released"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["course", "opens_at", "pk"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self):
        return self.title

    def is_open(self, now=None):
        now = now or timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def has_closed(self, now=None):
        return bool(self.closes_at and (now or timezone.now()) >= self.closes_at)

    def allowance_for(self, student):
        """Return the extra time and attempts of ``student`` (unsaved if none)."""
        allowance = self.allowances.filter(student=student).first()
        return allowance or Allowance(quiz=self, student=student)

    def max_points(self):
        explicit = sum((item.points for item in self.items.all()), Decimal(0))
        return explicit + self.random_count * self.random_points


class QuizQuestion(models.Model):
    """A question of the bank placed in a quiz, with its points."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="items", verbose_name=_("quiz")
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("question"),
    )
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "question"], name="quizzes_question_once_per_quiz"
            )
        ]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self):
        return f"{self.quiz} · {self.question}"


class Allowance(models.Model):
    """Extra time and extra attempts that a teacher grants one student."""

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        related_name="allowances",
        verbose_name=_("quiz"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_allowances",
        verbose_name=_("student"),
    )
    extra_minutes = models.PositiveIntegerField(_("extra minutes"), default=0)
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student"], name="quizzes_one_allowance_per_student"
            )
        ]
        verbose_name = _("allowance")
        verbose_name_plural = _("allowances")

    def __str__(self):
        return f"{self.quiz} · {self.student}"


class Attempt(models.Model):
    """One student's attempt at a quiz, with its fixed questions and order."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        SUBMITTED = "submitted", _("submitted")
        GRADED = "graded", _("graded")

    class Ending(models.TextChoices):
        STUDENT = "student", _("submitted by the student")
        TIME_UP = "time_up", _("closed when the time was up")

    quiz = models.ForeignKey(
        Quiz,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("quiz"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=_("student"),
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    # The seed fixes the order of questions and choices for this attempt, so
    # the page looks the same after every reload.
    seed = models.BigIntegerField(_("shuffle seed"))
    # Question ids and their points, in the order the student sees them.
    layout = models.JSONField(_("questions"), default=list)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=Status.choices,
        default=Status.IN_PROGRESS,
    )
    ending = models.CharField(
        _("ending"), max_length=8, choices=Ending.choices, blank=True
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.DecimalField(
        _("score"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["quiz", "student", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "student", "number"],
                name="quizzes_attempt_number_unique",
            )
        ]
        indexes = [models.Index(fields=["status", "started_at"])]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")

    def __str__(self):
        return f"{self.quiz} · {self.student} #{self.number}"

    @property
    def is_in_progress(self):
        return self.status == self.Status.IN_PROGRESS

    def question_ids(self):
        return [entry["question"] for entry in self.layout]

    def points_by_question(self):
        return {entry["question"]: entry["points"] for entry in self.layout}

    def deadline(self, extra_minutes=None):
        """
        Return when this attempt ends, or ``None`` when it has no end.

        The end is the start plus the quiz's time limit plus the student's
        extra minutes, and never later than the quiz's close time.
        """
        ends = []
        if self.quiz.time_limit_minutes:
            if extra_minutes is None:
                extra_minutes = self.quiz.allowance_for(self.student).extra_minutes
            minutes = self.quiz.time_limit_minutes + extra_minutes
            ends.append(self.started_at + datetime.timedelta(minutes=minutes))
        if self.quiz.closes_at:
            ends.append(self.quiz.closes_at)
        return min(ends) if ends else None

    def is_past_deadline(self, now=None):
        deadline = self.deadline()
        return deadline is not None and (now or timezone.now()) >= deadline

    def ordered_choices(self, question):
        """Return the choices of ``question`` in this attempt's stable order."""
        choices = list(question.choices.all())
        if question.shuffle_choices:
            random.Random(f"{self.seed}:{question.pk}").shuffle(choices)  # noqa: S311
        return choices


class Answer(models.Model):
    """The answer to one question of one attempt, saved as it is given."""

    attempt = models.ForeignKey(
        Attempt,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("attempt"),
    )
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    data = models.JSONField(_("answer"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="quizzes_one_answer_per_question"
            )
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.attempt} · {self.question_id}"
