"""
Functions that assignments, quizzes and the gradebook pages use to write grades.

Every function that changes a score writes its ``GradeChange`` row in the
same transaction. Invalid values raise ``django.core.exceptions.ValidationError``
with a code ("invalid_score", "score_range", "reason_required") and store
nothing.
"""

import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Grade, GradeChange, GradeItem, TotalOverride

logger = logging.getLogger(__name__)

__all__ = [
    "clear_total_override",
    "parse_score",
    "record_score",
    "register_item",
    "remove_item",
    "retire_item",
    "set_override",
    "set_total_override",
]

TWO_PLACES = Decimal("0.01")


def parse_score(value, max_score):
    """
    Return ``value`` as a Decimal between 0 and ``max_score``.

    ``None`` and an empty string return ``None`` (no score). A value that is
    not a finite number, or out of range, raises ``ValidationError``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        # Indonesian spreadsheets write decimal commas, as in "87,5".
        text = str(value).strip().replace(",", ".")
        score = Decimal(text)
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            _("Enter the score as a number, for example 87.5."),
            code="invalid_score",
        ) from error
    if not score.is_finite():
        raise ValidationError(
            _("Enter the score as a number, for example 87.5."),
            code="invalid_score",
        )
    if score < 0 or score > Decimal(max_score):
        raise ValidationError(
            _("The score must be between 0 and %(max)s.") % {"max": max_score},
            code="score_range",
        )
    return score.quantize(TWO_PLACES)


def register_item(course, key, title, max_score, category=None, due_at=None):
    """
    Create or update the grade item ``key`` of ``course`` and return it.

    Calling it again with the same key updates the title, maximum score and
    due date of the existing item. Its category changes only when
    ``category`` is given, so a teacher's choice on the gradebook page
    survives the source registering the item again.
    """
    max_score = Decimal(max_score)
    if not max_score.is_finite() or max_score <= 0:
        raise ValidationError(
            _("The maximum score must be a number above 0."), code="invalid_max"
        )
    defaults = {"title": title[:200], "max_score": max_score, "due_at": due_at}
    if category is not None:
        defaults["category"] = category
    item, created = GradeItem.objects.update_or_create(
        course=course, key=key, defaults=defaults
    )
    if created:
        logger.info("grade item registered course=%s key=%s", course.pk, key)
    return item


def remove_item(course, key):
    """Delete the grade item ``key`` of ``course`` with its grades, if it exists."""
    deleted, _counts = GradeItem.objects.filter(course=course, key=key).delete()
    if deleted:
        logger.info("grade item removed course=%s key=%s", course.pk, key)


def retire_item(course, key, *, by, reason):
    """
    Delete the grade item ``key`` of ``course`` and log each removed score.

    Unlike ``remove_item``, every student's score and override gets a
    ``GradeChange`` to empty first, so the grade history shows why the
    scores went away. Return the number of grades removed.
    """
    with transaction.atomic():
        item = GradeItem.objects.select_for_update().filter(course=course, key=key)
        item = item.first()
        if item is None:
            return 0
        grades = list(item.grades.select_related("student"))
        changes = []
        for grade in grades:
            for field, value in (
                (GradeChange.Field.SCORE, grade.score),
                (GradeChange.Field.OVERRIDE, grade.override),
            ):
                if value is None:
                    continue
                changes.append(
                    GradeChange(
                        course_id=item.course_id,
                        student=grade.student,
                        item=item,
                        item_title=item.title,
                        field=field,
                        old_value=value,
                        new_value=None,
                        reason=reason[:500],
                        changed_by=by,
                    )
                )
        GradeChange.objects.bulk_create(changes)
        item.delete()
    logger.info(
        "grade item retired course=%s key=%s grades=%s by=%s",
        course.pk,
        key,
        len(grades),
        by.pk if by is not None else None,
    )
    return len(grades)


def record_score(item, student, score, *, by, reason="", feedback=None):
    """
    Store ``score`` as the source's score of ``student`` on ``item``.

    ``by`` is the user who graded, or ``None`` for automatic grading.
    ``feedback``, when given, replaces the written feedback shown with the
    grade. An override, if any, stays in force. Return the ``Grade``.
    """
    score = parse_score(score, item.max_score)
    with transaction.atomic():
        grade, _created = Grade.objects.select_for_update().get_or_create(
            item=item, student=student
        )
        old = grade.score
        grade.score = score
        if feedback is not None:
            grade.feedback = feedback
        grade.save()
        if old != score:
            GradeChange.objects.create(
                course_id=item.course_id,
                student=student,
                item=item,
                item_title=item.title,
                field=GradeChange.Field.SCORE,
                old_value=old,
                new_value=score,
                reason=reason[:500],
                changed_by=by,
            )
    logger.info(
        "score recorded item=%s student=%s by=%s",
        item.pk,
        student.pk,
        by.pk if by is not None else None,
    )
    return grade


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Give a reason for the override."), code="reason_required"
        )
    return reason[:500]


def set_override(item, student, value, *, by, reason):
    """
    Override the score of ``student`` on ``item`` with ``value``.

    An empty ``value`` removes the override. A reason is required either way.
    Return the ``Grade``.
    """
    value = parse_score(value, item.max_score)
    reason = _require_reason(reason)
    with transaction.atomic():
        grade, _created = Grade.objects.select_for_update().get_or_create(
            item=item, student=student
        )
        old = grade.override
        grade.override = value
        grade.override_reason = reason if value is not None else ""
        grade.save()
        GradeChange.objects.create(
            course_id=item.course_id,
            student=student,
            item=item,
            item_title=item.title,
            field=GradeChange.Field.OVERRIDE,
            old_value=old,
            new_value=value,
            reason=reason,
            changed_by=by,
        )
    logger.info("score overridden item=%s student=%s by=%s", item.pk, student.pk, by.pk)
    return grade


def set_total_override(course, student, value, *, by, reason):
    """
    Replace the computed total of ``student`` in ``course`` with ``value``.

    The total is a percentage from 0 to 100. A reason is required. An empty
    ``value`` removes the override (see ``clear_total_override``).
    """
    value = parse_score(value, 100)
    reason = _require_reason(reason)
    if value is None:
        return clear_total_override(course, student, by=by, reason=reason)
    with transaction.atomic():
        override = (
            TotalOverride.objects.select_for_update()
            .filter(course=course, student=student)
            .first()
        )
        old = override.total if override is not None else None
        if override is None:
            override = TotalOverride(course=course, student=student)
        override.total = value
        override.reason = reason
        override.save()
        GradeChange.objects.create(
            course=course,
            student=student,
            field=GradeChange.Field.TOTAL,
            old_value=old,
            new_value=value,
            reason=reason,
            changed_by=by,
        )
    logger.info(
        "total overridden course=%s student=%s by=%s", course.pk, student.pk, by.pk
    )
    return override


def clear_total_override(course, student, *, by, reason):
    """Remove the total override of ``student`` in ``course``, if there is one."""
    reason = _require_reason(reason)
    with transaction.atomic():
        override = (
            TotalOverride.objects.select_for_update()
            .filter(course=course, student=student)
            .first()
        )
        if override is None:
            return None
        GradeChange.objects.create(
            course=course,
            student=student,
            field=GradeChange.Field.TOTAL,
            old_value=override.total,
            new_value=None,
            reason=reason,
            changed_by=by,
        )
        override.delete()
    return None
