"""Enrolling a class group at once, or the students of a roster CSV."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .access import STAFF_ROLES, course_view
from .forms import ClassGroupEnrolForm, RosterForm
from .models import Enrolment
from .roster import import_roster

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
@course_view(STAFF_ROLES)
def enrol(request, course, role):
    """Let a course's teachers and the school's operators enrol students."""
    action = request.POST.get("action") if request.method == "POST" else None
    group_form = ClassGroupEnrolForm(
        request.POST if action == "class_group" else None, course=course
    )
    roster_form = RosterForm(
        request.POST if action == "roster" else None,
        request.FILES if action == "roster" else None,
    )
    result = None
    status = 200
    if action == "class_group":
        if group_form.is_valid():
            group = group_form.cleaned_data["class_group"]
            count = _enrol_group(course, group)
            messages.success(
                request,
                ngettext(
                    "%(count)s student of %(group)s enrolled.",
                    "%(count)s students of %(group)s enrolled.",
                    count,
                )
                % {"count": count, "group": group.name},
            )
        else:
            status = 400
    elif action == "roster":
        if roster_form.is_valid():
            try:
                result = import_roster(course, roster_form.cleaned_data["file"])
            except ValidationError as error:
                roster_form.add_error("file", error)
                status = 400
        else:
            status = 400
    elif action is not None:
        messages.error(request, _("Unknown action."))
        status = 400
    context = {
        "course": course,
        "group_form": group_form,
        "roster_form": roster_form,
        "result": result,
        "enrolled_count": course.enrolments.active().count(),
    }
    return render(request, "courses/enrol.html", context, status=status)


def _enrol_group(course, group):
    count = 0
    for student in group.students.all():
        already = course.enrolments.active().filter(student=student).exists()
        course.enrol(student, Enrolment.Method.CLASS_GROUP)
        count += not already
    logger.info(
        "class group enrolled course=%s class_group=%s new=%s",
        course.pk,
        group.pk,
        count,
    )
    return count
