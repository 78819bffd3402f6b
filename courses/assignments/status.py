"""The status of one student's work on one assignment."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    SUBMITTED = "submitted", _("Submitted")
    LATE = "late", _("Submitted late")
    GRADED = "graded", _("Graded")


def status_of(assignment, student):
    """
    Return the ``Status`` of ``student``'s latest work on ``assignment``.

    "Graded" means a returned grade: a grade not yet returned is hidden.
    """
    latest = (
        assignment.submissions.filter(student=student)
        .select_related("grade")
        .order_by("-version")
        .first()
    )
    if latest is None:
        return Status.NOT_SUBMITTED
    graded = getattr(latest, "grade", None)
    if graded is not None and graded.is_returned:
        return Status.GRADED
    return Status.LATE if latest.is_late else Status.SUBMITTED
