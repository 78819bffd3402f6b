"""
Grades of a course: weighted categories, grade items, scores and their history.

Assignments and quizzes put their grades in through ``courses.gradebook.api``;
teachers add overrides here. Every change to a score, an override or a total
override writes a ``GradeChange`` row in the same transaction. Saving an
existing ``GradeChange`` or deleting one raises ``ValueError``.
NOTE: queryset ``update()``/``delete()`` and the cascade from a deleted course
or student bypass that guard.
"""

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage


class GradebookSettings(models.Model):
    """The gradebook options of one course."""

    course = models.OneToOneField(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="gradebook_settings",
        verbose_name=_("course"),
    )
    missing_counts_as_zero = models.BooleanField(
        _("count missing scores as zero"),
        default=False,
        help_text=_(
            "When off, an item without a score is left out of the student's total."
        ),
    )
    uncategorised_weight = models.DecimalField(
        _("weight of uncategorised items"),
        max_digits=6,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("gradebook settings")
        verbose_name_plural = _("gradebook settings")

    def __str__(self):
        return str(self.course)

    @classmethod
    def for_course(cls, course):
        """Return the settings of ``course``, with defaults if none are stored."""
        found = cls.objects.filter(course=course).first()
        return found if found is not None else cls(course=course)


class GradeCategory(models.Model):
    """
    A weighted group of grade items, such as daily tests or the final exam.

    Weights are relative: they are normalised over the categories that count
    for a student, so they need not add up to 100.
    """

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="grade_categories",
        verbose_name=_("course"),
    )
    name = models.CharField(_("name"), max_length=100)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "name"], name="gradebook_category_unique_name"
            )
        ]
        verbose_name = _("grade category")
        verbose_name_plural = _("grade categories")

    def __str__(self):
        return self.name


class GradeItem(models.Model):
    """
    One graded thing of a course, such as an assignment or a quiz.

    ``key`` names the source, for example "assignment:12" or "quiz:7", so a
    source registers its item again without making a second one.
    """

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="grade_items",
        verbose_name=_("course"),
    )
    key = models.CharField(_("key"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    category = models.ForeignKey(
        GradeCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("category"),
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_at", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "key"], name="gradebook_item_unique_key"
            )
        ]
        verbose_name = _("grade item")
        verbose_name_plural = _("grade items")

    def __str__(self):
        return self.title


class Grade(models.Model):
    """
    A student's score on one item, from its source and perhaps overridden.

    ``score`` is what the source (automatic or teacher grading) recorded;
    ``override`` is a teacher's replacement with a required reason. The
    effective score is the override when there is one.
    """

    item = models.ForeignKey(
        GradeItem,
        on_delete=models.CASCADE,
        related_name="grades",
        verbose_name=_("grade item"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grades",
        verbose_name=_("student"),
    )
    score = models.DecimalField(
        _("score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    feedback = models.TextField(_("feedback"), blank=True)
    override = models.DecimalField(
        _("override"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    override_reason = models.CharField(_("override reason"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "student"], name="gradebook_grade_unique_student"
            )
        ]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self):
        return f"{self.item} / {self.student}"

    @property
    def effective_score(self):
        """The override when there is one, else the recorded score."""
        return self.override if self.override is not None else self.score


class TotalOverride(models.Model):
    """A teacher's replacement of a student's computed course total."""

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="total_overrides",
        verbose_name=_("course"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="total_overrides",
        verbose_name=_("student"),
    )
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student"], name="gradebook_total_unique_student"
            )
        ]
        verbose_name = _("total override")
        verbose_name_plural = _("total overrides")

    def __str__(self):
        return f"{self.course} / {self.student}"


class GradeChange(models.Model):
    """One append-only entry of the grade history: who changed what, and why."""

    class Field(models.TextChoices):
        SCORE = "score", _("score")
        OVERRIDE = "override", _("override")
        TOTAL = "total", _("total override")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="grade_changes",
        verbose_name=_("course"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grade_changes",
        verbose_name=_("student"),
    )
    # Empty for a change of the total. The title is copied so the history
    # still reads after the item is removed.
    item = models.ForeignKey(
        GradeItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("grade item"),
    )
    item_title = models.CharField(_("item"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    old_value = models.DecimalField(
        _("old value"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    new_value = models.DecimalField(
        _("new value"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")

    def __str__(self):
        return f"{self.item_title or self.get_field_display()} / {self.student_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Grade changes are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Grade changes are append-only and cannot be deleted.")


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret token of a person's private iCal feed URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(
        _("token"), max_length=64, unique=True, default=new_feed_token
    )
    # Set again when the token is regenerated.
    issued_at = models.DateTimeField(_("issued at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)

    def regenerate(self):
        """Give the feed a new token, so the old URL stops working."""
        self.token = new_feed_token()
        self.save(update_fields=["token", "issued_at"])
