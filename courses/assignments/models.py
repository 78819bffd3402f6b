"""
Assignments of a course, the work students hand in, and its grading.

A student may hand in several versions of their work until the due date (or
their own extended due date); every version is kept. A grade belongs to one
submission and stays hidden from the student and their guardians until the
teacher returns it.
"""

import math
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage

from . import filetypes

TYPE_CHOICES = [
    (filetypes.PDF, "PDF"),
    (filetypes.DOCX, "Word (docx)"),
    (filetypes.XLSX, "Excel (xlsx)"),
    (filetypes.PPTX, "PowerPoint (pptx)"),
    (filetypes.JPG, "JPEG"),
    (filetypes.PNG, "PNG"),
    (filetypes.TXT, _("Text (txt)")),
    (filetypes.ZIP, "ZIP"),
]
# The largest file size a teacher may allow, in megabytes.
MAX_FILE_SIZE_MB = 50
SCORE_PLACES = Decimal("0.01")


def submission_upload_to(instance, filename):
    """
    Return a storage path under the non-public "private/assignments/" prefix.

    The name is random, so it reveals nothing and cannot be guessed; the
    original name is kept on the submission for the download.
    """
    kind = filetypes.type_for_name(filename)
    suffix = filetypes.TYPES[kind][0][0] if kind else ".bin"
    return f"private/assignments/{instance.assignment_id}/{uuid.uuid4().hex}{suffix}"


class Rubric(models.Model):
    """A scoring guide of criteria, each with levels worth points."""

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="rubrics",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def max_points(self):
        """The sum of the highest level of every criterion."""
        total = Decimal(0)
        for criterion in self.criteria.all():
            best = max((level.points for level in criterion.levels.all()), default=0)
            total += Decimal(best)
        return total


class RubricCriterion(models.Model):
    """One aspect of the work that a rubric scores."""

    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("rubric"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class RubricLevel(models.Model):
    """One level of achievement of a criterion and the points it is worth."""

    criterion = models.ForeignKey(
        RubricCriterion,
        on_delete=models.CASCADE,
        related_name="levels",
        verbose_name=_("criterion"),
    )
    title = models.CharField(_("title"), max_length=200)
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("rubric level")
        verbose_name_plural = _("rubric levels")
        ordering = ["points", "pk"]

    def __str__(self):
        return f"{self.title} ({self.points})"


class Assignment(models.Model):
    """A piece of work that the students of a course hand in by a due date."""

    class LatePolicy(models.TextChoices):
        REJECT = "reject", _("Reject late work")
        PENALTY = "penalty", _("Accept late work with a penalty")
        ACCEPT = "accept", _("Accept late work without a penalty")

    class SubmissionKind(models.TextChoices):
        TEXT = "text", _("Text")
        FILE = "file", _("File")
        BOTH = "both", _("Text and file")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(
        _("instructions"),
        blank=True,
        help_text=_("HTML; unsafe markup is removed when it is saved."),
    )
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    late_policy = models.CharField(
        _("late work"),
        max_length=10,
        choices=LatePolicy.choices,
        default=LatePolicy.REJECT,
    )
    late_penalty_percent = models.PositiveSmallIntegerField(
        _("penalty per day late (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
    )
    late_penalty_cap = models.PositiveSmallIntegerField(
        _("maximum penalty (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    submission_kind = models.CharField(
        _("submission"),
        max_length=10,
        choices=SubmissionKind.choices,
        default=SubmissionKind.FILE,
    )
    allowed_types = models.JSONField(
        _("allowed file types"),
        default=list,
        blank=True,
        help_text=_("File types that students may upload."),
    )
    max_file_size_mb = models.PositiveSmallIntegerField(
        _("maximum file size (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FILE_SIZE_MB)],
    )
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("rubric"),
        help_text=_("With a rubric, the score is the sum of the chosen levels."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Set by the remind_assignments command, so each assignment's due-soon
    # reminder goes out once; cleared when the due date changes.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assignments:detail", args=[self.pk])

    @property
    def gradebook_key(self):
        return f"assignment:{self.pk}"

    @property
    def max_file_size(self):
        """The size limit of an uploaded file, in bytes."""
        return self.max_file_size_mb * 1024 * 1024

    @property
    def accepts_text(self):
        return self.submission_kind in (
            self.SubmissionKind.TEXT,
            self.SubmissionKind.BOTH,
        )

    @property
    def accepts_file(self):
        return self.submission_kind in (
            self.SubmissionKind.FILE,
            self.SubmissionKind.BOTH,
        )

    def due_at_for(self, student):
        """Return the due date of ``student``, which an extension replaces."""
        extension = self.extensions.filter(student=student).first()
        return extension.due_at if extension is not None else self.due_at

    def days_late(self, submitted_at, due_at):
        """Return the started days between ``due_at`` and ``submitted_at``."""
        if submitted_at <= due_at:
            return 0
        return math.ceil((submitted_at - due_at).total_seconds() / 86400)

    def penalty_percent(self, days_late):
        if self.late_policy != self.LatePolicy.PENALTY or days_late <= 0:
            return 0
        return min(self.late_penalty_percent * days_late, self.late_penalty_cap)


class Extension(models.Model):
    """A later due date that a teacher gives one student."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("assignment"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignment_extensions",
        verbose_name=_("student"),
    )
    due_at = models.DateTimeField(_("new due date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student"], name="assignments_one_extension"
            )
        ]

    def __str__(self):
        return f"{self.assignment} – {self.student} – {self.due_at:%Y-%m-%d %H:%M}"


class SubmissionQuerySet(models.QuerySet):
    def latest_per_student(self):
        """Keep only the newest version that each student handed in."""
        newest = self.values("assignment", "student").annotate(top=Max("version"))
        keys = {(row["assignment"], row["student"], row["top"]) for row in newest}
        pks = [
            pk
            for pk, assignment, student, version in self.values_list(
                "pk", "assignment", "student", "version"
            )
            if (assignment, student, version) in keys
        ]
        return self.filter(pk__in=pks)


class Submission(models.Model):
    """One version of the work that a student handed in."""

    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("assignment"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignment_submissions",
        verbose_name=_("student"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(
        _("file"), upload_to=submission_upload_to, blank=True, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=10, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    days_late = models.PositiveSmallIntegerField(_("days late"), default=0)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["assignment", "student", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "student", "version"],
                name="assignments_one_version_number",
            )
        ]

    def __str__(self):
        return f"{self.assignment} – {self.student} v{self.version}"

    @property
    def is_late(self):
        return self.days_late > 0


class Grade(models.Model):
    """The teacher's grade of one submission, hidden until it is returned."""

    submission = models.OneToOneField(
        Submission,
        on_delete=models.CASCADE,
        related_name="grade",
        verbose_name=_("submission"),
    )
    raw_score = models.DecimalField(
        _("score before penalty"), max_digits=6, decimal_places=2
    )
    penalty_percent = models.PositiveSmallIntegerField(_("late penalty (%)"), default=0)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    # Criterion pk (as a string, since JSON keys are strings) -> level pk.
    rubric_choices = models.JSONField(_("rubric choices"), default=dict, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), auto_now=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self):
        return f"{self.submission}: {self.score}"

    @property
    def is_returned(self):
        return self.returned_at is not None

    @staticmethod
    def apply_penalty(raw_score, penalty_percent):
        factor = Decimal(100 - penalty_percent) / Decimal(100)
        return (Decimal(raw_score) * factor).quantize(SCORE_PLACES, ROUND_HALF_UP)
