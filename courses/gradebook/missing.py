"""
List a student's missing work: assignments past their due date with nothing
handed in.

The assignments app owns the data. Its ``missing_work(student)`` is used when
it has one; otherwise this module reads its models, and returns nothing when
the app is not installed.
"""

import importlib

from django.apps import apps
from django.utils import timezone

from courses.api import courses_for


def missing_work(student, now=None):
    """Return the assignments of ``student`` that are past due and unsubmitted."""
    if not apps.is_installed("courses.assignments"):
        return []
    services = importlib.import_module("courses.assignments.services")
    if hasattr(services, "missing_work"):
        return list(services.missing_work(student, now))
    models = importlib.import_module("courses.assignments.models")
    now = now or timezone.now()
    submitted = models.Submission.objects.filter(student=student).values(
        "assignment_id"
    )
    candidates = (
        models.Assignment.objects.filter(
            course__in=courses_for(student), opens_at__lte=now
        )
        .exclude(pk__in=submitted)
        .select_related("course")
        .order_by("due_at")
    )
    # An extension can move the due date past now, so each one is checked.
    return [
        assignment for assignment in candidates if assignment.due_at_for(student) < now
    ]
