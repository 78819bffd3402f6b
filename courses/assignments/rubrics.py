"""
Save and delete rubrics from the teacher's rubric page.

Grades store the chosen level of each criterion, so a rubric that graded
work keeps its criteria and levels: only titles, descriptions and, with an
explicit regrade, the points of existing levels may change. A regrade
computes every grade again from its chosen levels, and sends returned
grades to the gradebook with a reason in its history.

The maximum score of every assignment that uses a rubric is the rubric's
total, the sum of each criterion's highest level.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Assignment, Grade, RubricLevel

logger = logging.getLogger(__name__)

# Assignment.max_score has six digits with two decimal places.
MAX_TOTAL = Decimal("9999.99")


@dataclass
class Change:
    """The effect of a submitted rubric form on the stored rubric."""

    structure_changed: bool
    points_changed: bool
    total: Decimal


def grades_of(rubric):
    """Return the grades of work on assignments that use ``rubric``."""
    if rubric.pk is None:
        return Grade.objects.none()
    return Grade.objects.filter(submission__assignment__rubric=rubric)


def describe_change(rubric, formset):
    """Compare the valid ``formset`` with the stored criteria of ``rubric``."""
    kept = formset.kept_forms()
    structure_changed = False
    points_changed = False
    for form in formset.forms:
        if form.instance.pk is not None and form in formset.deleted_forms:
            structure_changed = True
    for form in kept:
        if form.instance.pk is None:
            structure_changed = True
            continue
        stored = [level.points for level in form.instance.levels.all()]
        wanted = [points for _title, points in form.parsed_levels]
        if len(stored) != len(wanted):
            structure_changed = True
        elif stored != wanted:
            points_changed = True
    total = sum(
        (max(points for _title, points in form.parsed_levels) for form in kept),
        Decimal(0),
    )
    return Change(structure_changed, points_changed, total)


def check_change(rubric, change, *, regrade):
    """
    Raise ``ValidationError`` when ``change`` breaks the rules of the page.

    The rules: the total is above 0 and fits an assignment's maximum score,
    and a rubric that graded work keeps its criteria and levels and changes
    points only with ``regrade``.
    """
    if change.total <= 0:
        raise ValidationError(
            _("The rubric's total is 0: give at least one level some points."),
            code="zero_total",
        )
    if change.total > MAX_TOTAL:
        raise ValidationError(
            _("The rubric's total, %(total)s, is above the limit of %(max)s points."),
            code="total_too_large",
            params={"total": change.total, "max": MAX_TOTAL},
        )
    graded = grades_of(rubric).count()
    if not graded:
        return
    if change.structure_changed:
        raise ValidationError(
            _(
                "%(count)s pieces of work were graded with this rubric, so its "
                "criteria and levels cannot be added or removed. Create a new "
                "rubric for a different structure."
            ),
            code="rubric_structure_locked",
            params={"count": graded},
        )
    if change.points_changed and not regrade:
        raise ValidationError(
            _(
                "%(count)s pieces of work were graded with this rubric. Tick the "
                "regrade box to change its points and compute those grades "
                "again."
            ),
            code="rubric_used",
            params={"count": graded},
        )


def _save_levels(criterion, parsed_levels):
    """Store the levels, updating rows in place when their number is unchanged."""
    existing = list(criterion.levels.all())
    if len(existing) != len(parsed_levels):
        criterion.levels.all().delete()
        RubricLevel.objects.bulk_create(
            RubricLevel(criterion=criterion, title=title, points=points)
            for title, points in parsed_levels
        )
        return
    for level, (title, points) in zip(existing, parsed_levels, strict=True):
        level.title, level.points = title, points
        level.save(update_fields=["title", "points"])


def save_rubric(assignment, form, formset, change, *, by):
    """
    Save the rubric of ``assignment`` from valid forms, and regrade if needed.

    Return the number of grades computed again.
    """
    with transaction.atomic():
        rubric = form.save(commit=False)
        rubric.course = assignment.course
        rubric.save()
        formset.instance = rubric
        for position, criterion_form in enumerate(formset.kept_forms()):
            criterion = criterion_form.save(commit=False)
            criterion.rubric = rubric
            criterion.position = position
            criterion.save()
            _save_levels(criterion, criterion_form.parsed_levels)
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                deleted.instance.delete()
        if assignment.rubric_id != rubric.pk:
            assignment.rubric = rubric
            assignment.save(update_fields=["rubric", "updated_at"])
        Assignment.objects.filter(rubric=rubric).update(max_score=change.total)
        regraded = 0
        if change.points_changed:
            regraded = regrade(rubric, by=by)
    logger.info(
        "rubric saved rubric=%s assignment=%s total=%s regraded=%s by=%s",
        rubric.pk,
        assignment.pk,
        change.total,
        regraded,
        by.pk,
    )
    return regraded


def regrade(rubric, *, by):
    """
    Compute every grade of ``rubric`` again from its chosen levels.

    The late penalty stays as it was. Returned grades go to the gradebook,
    with the assignment's new maximum score. Return the number of grades.
    """
    from courses.gradebook import api as gradebook

    points = dict(
        RubricLevel.objects.filter(criterion__rubric=rubric).values_list("pk", "points")
    )
    grades = grades_of(rubric).select_related(
        "submission__assignment__course", "submission__student"
    )
    count = 0
    for grade in grades:
        # NOTE: a grade stored before the rubric was attached has no chosen
        # levels, and keeps its score.
        if not grade.rubric_choices:
            continue
        grade.raw_score = sum(
            (points[int(level)] for level in grade.rubric_choices.values()),
            Decimal(0),
        )
        grade.score = Grade.apply_penalty(grade.raw_score, grade.penalty_percent)
        grade.save(update_fields=["raw_score", "score", "graded_at"])
        count += 1
        if grade.is_returned:
            assignment = grade.submission.assignment
            item = gradebook.register_item(
                assignment.course,
                assignment.gradebook_key,
                assignment.title,
                assignment.max_score,
                due_at=assignment.due_at,
            )
            gradebook.record_score(
                item,
                grade.submission.student,
                grade.score,
                by=by,
                reason=_("Rubric points changed: %(rubric)s")
                % {"rubric": rubric.title},
            )
    return count


def deletion_blocker(rubric):
    """Return why ``rubric`` cannot be deleted, or an empty string."""
    graded = grades_of(rubric).count()
    if graded:
        return _(
            "%(count)s pieces of work were graded with this rubric, and their "
            "grades refer to its levels, so it cannot be deleted."
        ) % {"count": graded}
    return ""


def delete_rubric(rubric, *, by):
    """Delete an unused rubric. Its assignments keep their maximum score."""
    rubric_id = rubric.pk
    assignments = list(rubric.assignments.values_list("pk", flat=True))
    rubric.delete()
    logger.info(
        "rubric deleted rubric=%s assignments=%s by=%s",
        rubric_id,
        assignments,
        by.pk,
    )
