"""
Hand in, extend, grade and return assignments.

Every function checks its input and raises ``ValidationError`` with a code
before it stores anything, so a rejected request leaves the data unchanged.
Views check who may call them.
"""

import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.unavailable import STORAGE_ERRORS, storage_unavailable_error

from . import filetypes
from .models import Assignment, Extension, Grade, Submission

logger = logging.getLogger(__name__)


def oversized_error(assignment, name):
    """Return the error for a file ``name`` that the upload handler dropped."""
    return ValidationError(
        _(
            "The file %(name)s is larger than the limit of %(limit)s. Make the "
            "file smaller and upload it again."
        ),
        code="file_too_large",
        params={
            "name": name,
            "limit": filesizeformat(assignment.max_file_size),
        },
    )


def check_file(assignment, upload):
    """
    Return the accepted type of ``upload``, or raise ``ValidationError``.

    The name's extension must be one that the assignment allows and the
    content must match it, so a program renamed to ``.pdf`` is rejected.
    """
    if upload.size > assignment.max_file_size:
        raise ValidationError(
            _(
                "The file is %(size)s, but this assignment accepts files up to "
                "%(limit)s. Make the file smaller and upload it again."
            ),
            code="file_too_large",
            params={
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(assignment.max_file_size),
            },
        )
    kind = filetypes.type_for_name(upload.name)
    if kind is None or kind not in assignment.allowed_types:
        raise ValidationError(
            _("Files of this type are not accepted. Allowed types: %(types)s."),
            code="file_type",
            params={"types": ", ".join(assignment.allowed_types) or "-"},
        )
    if not filetypes.content_matches(kind, upload):
        raise ValidationError(
            _(
                "The content of %(name)s is not a valid %(type)s file. Save the "
                "file again in that format and upload it."
            ),
            code="file_content",
            params={"name": upload.name, "type": kind},
        )
    return kind


def check_deadline(assignment, student, now, *, has_previous):
    """
    Return the days late of a submission made at ``now``, or raise.

    Work is rejected before the assignment opens, and after the student's
    due date when the late policy rejects late work or when it would replace
    work handed in earlier, because a resubmission is possible only until
    the due date.
    """
    if now < assignment.opens_at:
        raise ValidationError(
            _("This assignment opens at %(opens)s."),
            code="not_open",
            params={
                "opens": timezone.localtime(assignment.opens_at).strftime(
                    "%Y-%m-%d %H:%M"
                )
            },
        )
    due_at = assignment.due_at_for(student)
    days_late = assignment.days_late(now, due_at)
    if days_late and has_previous:
        raise ValidationError(
            _(
                "The due date has passed, so your work can no longer be replaced. "
                "Your last submission stays as it is."
            ),
            code="resubmission_closed",
        )
    if days_late and assignment.late_policy == Assignment.LatePolicy.REJECT:
        raise ValidationError(
            _(
                "The due date (%(due)s) has passed and this assignment does not "
                "accept late work. Ask your teacher for an extension."
            ),
            code="late",
            params={"due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")},
        )
    return days_late


def check_kind(assignment, text, upload):
    """Raise ``ValidationError`` unless the work is of a kind the assignment takes."""
    if upload is not None and not assignment.accepts_file:
        raise ValidationError(
            _("This assignment accepts text only."), code="file_not_accepted"
        )
    if text and not assignment.accepts_text:
        raise ValidationError(
            _("This assignment accepts a file only."), code="text_not_accepted"
        )
    if not text and upload is None:
        raise ValidationError(
            _("Write your answer or choose a file before you submit."), code="empty"
        )


def submit(assignment, student, *, text="", upload=None, now=None):
    """Store a new version of ``student``'s work and return the submission."""
    now = now or timezone.now()
    text = (text or "").strip()
    check_kind(assignment, text, upload)
    kind = check_file(assignment, upload) if upload is not None else ""
    previous = assignment.submissions.filter(student=student)
    days_late = check_deadline(assignment, student, now, has_previous=previous.exists())

    with transaction.atomic():
        top = previous.aggregate(top=Max("version"))["top"] or 0
        submission = Submission(
            assignment=assignment,
            student=student,
            version=top + 1,
            text=text,
            submitted_at=now,
            days_late=days_late,
        )
        if upload is not None:
            submission.original_name = upload.name[-255:]
            submission.file_type = kind
            submission.size = upload.size
            upload.seek(0)
            try:
                submission.file.save(upload.name, upload, save=False)
            except STORAGE_ERRORS as error:
                logger.warning(
                    "assignment file not stored, file store unreachable "
                    "assignment=%s student=%s error=%s",
                    assignment.pk,
                    student.pk,
                    error,
                )
                raise storage_unavailable_error() from error

        try:
            submission.save()
        except IntegrityError:
            # Two requests of one student raced for the same version number.
            if submission.file:
                submission.file.delete(save=False)
            raise ValidationError(
                _("Another submission was saved at the same moment. Try again."),
                code="conflict",
            ) from None

    logger.info(
        "assignment submitted assignment=%s student=%s version=%s days_late=%s",
        assignment.pk,
        student.pk,
        submission.version,
        days_late,
    )
    return submission


def grant_extension(assignment, student, due_at, *, by, reason="", request=None):
    """Give ``student`` the due date ``due_at`` and log who did it."""
    if due_at <= assignment.due_at:
        raise ValidationError(
            _("The new due date must be after the assignment's due date."),
            code="extension_before_due",
        )
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment,
        student=student,
        defaults={"due_at": due_at, "reason": reason, "granted_by": by},
    )
    audit.record(
        "assignment.extension",
        actor=by,
        subject=student,
        obj=extension,
        request=request,
        assignment=assignment.pk,
        due_at=due_at.isoformat(),
    )
    logger.info(
        "extension granted assignment=%s student=%s by=%s",
        assignment.pk,
        student.pk,
        by.pk,
    )
    return extension


def parse_score(value, max_score):
    """Return ``value`` as a Decimal between 0 and ``max_score``, or raise."""
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("Enter the score as a number, for example 85 or 72.5."),
            code="invalid_score",
        ) from None
    if not score.is_finite():
        raise ValidationError(
            _("Enter the score as a number, for example 85 or 72.5."),
            code="invalid_score",
        )
    if score < 0 or score > max_score:
        raise ValidationError(
            _("The score must be between 0 and %(max)s."),
            code="score_out_of_range",
            params={"max": max_score},
        )
    return score


def rubric_score(assignment, choices):
    """
    Return the points of the rubric levels in ``choices`` and the choices.

    ``choices`` maps each criterion's pk to the chosen level's pk. Every
    criterion needs one of its own levels.
    """
    total = Decimal(0)
    stored = {}
    for criterion in assignment.rubric.criteria.prefetch_related("levels"):
        chosen = choices.get(criterion.pk) or choices.get(str(criterion.pk))
        level = next(
            (level for level in criterion.levels.all() if str(level.pk) == str(chosen)),
            None,
        )
        if level is None:
            raise ValidationError(
                _("Choose a level for the criterion %(criterion)s."),
                code="rubric_incomplete",
                params={"criterion": criterion.title},
            )
        total += level.points
        stored[str(criterion.pk)] = level.pk
    if total > assignment.max_score:
        raise ValidationError(
            _("The score must be between 0 and %(max)s."),
            code="score_out_of_range",
            params={"max": assignment.max_score},
        )
    return total, stored


def grade(submission, *, by, score=None, rubric_choices=None, feedback=""):
    """Store the grade of ``submission`` (not yet returned) and return it."""
    assignment = submission.assignment
    if assignment.rubric_id:
        raw_score, stored = rubric_score(assignment, rubric_choices or {})
    else:
        raw_score, stored = parse_score(score, assignment.max_score), {}
    penalty = assignment.penalty_percent(submission.days_late)
    graded, _created = Grade.objects.update_or_create(
        submission=submission,
        defaults={
            "raw_score": raw_score,
            "penalty_percent": penalty,
            "score": Grade.apply_penalty(raw_score, penalty),
            "rubric_choices": stored,
            "feedback": feedback.strip(),
            "graded_by": by,
        },
    )
    logger.info(
        "submission graded submission=%s by=%s returned=%s",
        submission.pk,
        by.pk,
        graded.is_returned,
    )
    if graded.is_returned:
        # A changed grade that the student already saw goes to the gradebook
        # at once, so both show the same score.
        _record_in_gradebook(graded, by)
    return graded


def return_grade(graded, *, by):
    """Show ``graded`` to the student, send it to the gradebook, notify them."""
    with transaction.atomic():
        graded.returned_at = timezone.now()
        graded.save(update_fields=["returned_at"])
        _record_in_gradebook(graded, by)
    submission = graded.submission
    _notify(
        [submission.student],
        "grade",
        _("Your work on %(title)s was graded") % {"title": submission.assignment},
        reverse("assignments:detail", args=[submission.assignment_id]),
    )
    logger.info("grade returned submission=%s by=%s", submission.pk, by.pk)
    return graded


def _record_in_gradebook(graded, by):
    from courses.gradebook import api as gradebook

    assignment = graded.submission.assignment
    item = gradebook.register_item(
        assignment.course,
        assignment.gradebook_key,
        assignment.title,
        assignment.max_score,
        due_at=assignment.due_at,
    )
    gradebook.record_score(
        item,
        graded.submission.student,
        graded.score,
        by=by,
        reason=_("Assignment graded"),
        feedback=graded.feedback,
    )


def _notify(users, kind, title, url):
    from courses.notify import notify

    return notify(users, kind, title, url)


def announce(assignment, *, created):
    """
    Tell the course's students about a new assignment and update the gradebook.

    A changed assignment that is already in the gradebook gets its title,
    maximum score and due date updated there.
    """
    from courses.api import enrolled_students

    if created:
        _notify(
            enrolled_students(assignment.course),
            "new_material",
            _("New assignment: %(title)s") % {"title": assignment.title},
            assignment.get_absolute_url(),
        )
        return
    if Grade.objects.filter(
        submission__assignment=assignment, returned_at__isnull=False
    ).exists():
        from courses.gradebook import api as gradebook

        gradebook.register_item(
            assignment.course,
            assignment.gradebook_key,
            assignment.title,
            assignment.max_score,
            due_at=assignment.due_at,
        )


def remove_from_gradebook(assignment):
    from courses.gradebook import api as gradebook

    gradebook.remove_item(assignment.course, assignment.gradebook_key)


def remind_due(assignment):
    """
    Notify the students who have not handed in ``assignment`` yet.

    Students with an extension are left out, because their due date is later.
    Return the number of notifications stored.
    """
    from courses.api import enrolled_students

    waiting = (
        enrolled_students(assignment.course)
        .exclude(assignment_submissions__assignment=assignment)
        .exclude(assignment_extensions__assignment=assignment)
    )
    sent = _notify(
        waiting,
        "due_soon",
        _("Due soon: %(title)s") % {"title": assignment.title},
        assignment.get_absolute_url(),
    )
    Assignment.objects.filter(pk=assignment.pk).update(reminded_at=timezone.now())
    return sent


def missing_work(student, now=None):
    """
    Return the open assignments of ``student`` past their due date, not handed in.

    A student's extension replaces the assignment's due date. The result is
    ordered by due date; the parent page and the gradebook use it.
    """
    from courses.api import courses_for

    now = now or timezone.now()
    extended = dict(
        Extension.objects.filter(student=student).values_list("assignment_id", "due_at")
    )
    candidates = (
        Assignment.objects.filter(course__in=courses_for(student), opens_at__lte=now)
        .exclude(submissions__student=student)
        .select_related("course")
        .order_by("due_at", "pk")
    )
    return [
        assignment
        for assignment in candidates
        if extended.get(assignment.pk, assignment.due_at) < now
    ]
