"""
The teacher's pages to create, change and delete an assignment's rubric.

The rules on what may change once work was graded are in ``rubrics``.
Deleting goes through a confirmation page and a POST.
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import rubrics
from .access import is_manager
from .models import Assignment, Rubric
from .rubric_forms import CriterionFormSet, RubricForm
from .views import _deny

logger = logging.getLogger(__name__)


def _managed_assignment(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("course", "rubric"), pk=pk
    )
    if not is_manager(request.user, assignment.course):
        _deny(request, "assignment", pk)
    return assignment


@login_required
@require_http_methods(["GET", "POST"])
def rubric_edit(request, pk):
    """Create the assignment's rubric, or change the one it uses."""
    assignment = _managed_assignment(request, pk)
    rubric = assignment.rubric or Rubric(
        course=assignment.course, title=assignment.title
    )
    data = request.POST if request.method == "POST" else None
    form = RubricForm(data, instance=rubric)
    formset = CriterionFormSet(data, instance=rubric, prefix="criteria")

    status = 200
    if data is not None:
        status = 400
        # Both are validated, so the page shows every error at once.
        form_valid = form.is_valid()
        formset_valid = formset.is_valid()
        if form_valid and formset_valid:
            change = rubrics.describe_change(rubric, formset)
            try:
                rubrics.check_change(
                    rubric, change, regrade=form.cleaned_data["regrade"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                regraded = rubrics.save_rubric(
                    assignment, form, formset, change, by=request.user
                )
                message = _(
                    "Rubric saved. The assignment's maximum score is now "
                    "%(total)s, the rubric's total."
                ) % {"total": change.total}
                if regraded:
                    message += " " + _("%(count)s grades were computed again.") % {
                        "count": regraded
                    }
                messages.success(request, message)
                return redirect(assignment)

    shared_with = []
    if rubric.pk is not None:
        shared_with = list(rubric.assignments.exclude(pk=assignment.pk))
    context = {
        "assignment": assignment,
        "course": assignment.course,
        "rubric": rubric,
        "form": form,
        "formset": formset,
        "graded_count": rubrics.grades_of(rubric).count(),
        "shared_with": shared_with,
    }
    return render(request, "assignments/rubric_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rubric_delete(request, pk):
    """Ask to confirm, then delete the assignment's rubric if nothing used it."""
    assignment = _managed_assignment(request, pk)
    rubric = assignment.rubric
    if rubric is None:
        messages.info(request, _("This assignment has no rubric."))
        return redirect(assignment)
    blocker = rubrics.deletion_blocker(rubric)
    if request.method == "POST":
        if blocker:
            messages.error(request, blocker)
            return redirect("assignments:rubric_delete", pk=assignment.pk)
        rubrics.delete_rubric(rubric, by=request.user)
        messages.success(
            request,
            _("Rubric deleted. The assignment is now graded with a single score."),
        )
        return redirect(assignment)
    return render(
        request,
        "assignments/rubric_delete.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "rubric": rubric,
            "blocker": blocker,
            "assignments": list(rubric.assignments.all()),
        },
    )
