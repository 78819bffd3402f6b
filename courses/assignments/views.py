"""
Pages of assignments: lists, the submission form, grading and downloads.

Every view checks the viewer's role in the assignment's course and returns
403 to anyone else. The pages work without JavaScript.
"""

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from courses.api import CourseRole, course_role, enrolled_students, get_course
from lms.uploads import FileSizeLimitHandler

from . import filetypes, services
from .access import is_guardian_of, is_manager, may_view_work
from .forms import AssignmentForm, ExtensionForm, GradeForm, SubmissionForm
from .models import Assignment, Grade, Submission
from .status import status_of

logger = logging.getLogger(__name__)


def _course_or_404(course_id):
    course = get_course(course_id)
    if course is None:
        raise Http404
    return course


def _deny(request, what, pk):
    logger.info("assignments denied user=%s %s=%s", request.user.pk, what, pk)
    raise PermissionDenied


@login_required
def course_assignments(request, course_id):
    """List a course's assignments, with students' status for students and parents."""
    course = _course_or_404(course_id)
    assignments = list(Assignment.objects.filter(course=course))
    manager = is_manager(request.user, course)
    role = course_role(request.user, course)
    if manager:
        return render(
            request,
            "assignments/course_assignments.html",
            {"course": course, "assignments": assignments, "manager": True},
        )
    if role == CourseRole.STUDENT:
        students = [request.user]
    elif role == CourseRole.GUARDIAN:
        students = [
            student
            for student in enrolled_students(course)
            if is_guardian_of(request.user, student)
        ]
    else:
        return _deny(request, "course", course.pk)
    rows = [
        {
            "assignment": assignment,
            "statuses": [
                (student, status_of(assignment, student)) for student in students
            ],
        }
        for assignment in assignments
    ]
    return render(
        request,
        "assignments/course_assignments.html",
        {
            "course": course,
            "rows": rows,
            "show_names": role == CourseRole.GUARDIAN,
        },
    )


@login_required
def create(request, course_id):
    course = _course_or_404(course_id)
    if not is_manager(request.user, course):
        return _deny(request, "course", course.pk)
    return _edit(request, course, Assignment(created_by=request.user))


@login_required
def edit(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
    if not is_manager(request.user, assignment.course):
        return _deny(request, "assignment", pk)
    return _edit(request, assignment.course, assignment)


def _edit(request, course, assignment):
    form = AssignmentForm(request.POST or None, instance=assignment, course=course)
    if request.method == "POST" and form.is_valid():
        created = assignment.pk is None
        if "due_at" in form.changed_data:
            assignment.reminded_at = None
        assignment = form.save()
        services.announce(assignment, created=created)
        logger.info(
            "assignment saved assignment=%s course=%s by=%s",
            assignment.pk,
            course.pk,
            request.user.pk,
        )
        messages.success(request, _("The assignment was saved."))
        return redirect(assignment)
    return render(
        request,
        "assignments/assignment_form.html",
        {"course": course, "form": form, "assignment": assignment},
    )


@csrf_exempt
@login_required
def detail(request, pk):
    """
    Show an assignment. Students hand in their work here.

    The size-limit handler must be installed before anything reads the
    request body, and the CSRF middleware does, so the CSRF check runs in
    ``_detail`` instead.
    """
    assignment = get_object_or_404(Assignment.objects.select_related("rubric"), pk=pk)
    limit_handler = FileSizeLimitHandler(request, assignment.max_file_size)
    if request.method == "POST":
        request.upload_handlers.insert(0, limit_handler)
    return _detail(request, assignment, limit_handler)


@csrf_protect
def _detail(request, assignment, limit_handler):
    pk = assignment.pk
    course = assignment.course
    if is_manager(request.user, course):
        return render(
            request,
            "assignments/assignment_detail.html",
            {"assignment": assignment, "course": course, "manager": True},
        )

    role = course_role(request.user, course)
    if role == CourseRole.GUARDIAN and request.method == "POST":
        return _deny(request, "assignment", pk)
    if role == CourseRole.GUARDIAN:
        children = [
            student
            for student in enrolled_students(course)
            if is_guardian_of(request.user, student)
        ]
        return render(
            request,
            "assignments/assignment_detail.html",
            {"assignment": assignment, "course": course, "children": children},
        )
    if role != CourseRole.STUDENT:
        return _deny(request, "assignment", pk)

    posted = request.method == "POST"
    form = SubmissionForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        assignment=assignment,
    )
    form_valid = posted and form.is_valid()
    if limit_handler.skipped_name is not None:
        logger.info(
            "submission upload skipped for size assignment=%s student=%s",
            pk,
            request.user.pk,
        )
        form.add_error(
            None, services.oversized_error(assignment, limit_handler.skipped_name)
        )
    elif form_valid:
        try:
            services.submit(
                assignment,
                request.user,
                text=form.cleaned_data.get("text", ""),
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your work was handed in."))
            return redirect(assignment)

    status = 400 if form.errors else 200
    if form.has_error(NON_FIELD_ERRORS, "storage_unavailable"):
        status = 503
    context = _work_context(assignment, request.user)
    context.update({"form": form, "course": course})
    return render(request, "assignments/assignment_detail.html", context, status=status)


def _work_context(assignment, student):
    submissions = list(
        assignment.submissions.filter(student=student).select_related("grade")
    )
    latest = submissions[0] if submissions else None
    returned = None
    if latest is not None:
        # A missing reverse one-to-one raises an AttributeError subclass.
        graded = getattr(latest, "grade", None)
        if graded is not None and graded.is_returned:
            returned = graded
    return {
        "assignment": assignment,
        "student": student,
        "submissions": submissions,
        "latest": latest,
        "returned": returned,
        "status": status_of(assignment, student),
        "due_at": assignment.due_at_for(student),
    }


@login_required
def student_work(request, pk, student_id):
    """Show one student's versions and returned grade to them, a guardian or teacher."""
    assignment = get_object_or_404(Assignment, pk=pk)
    student = get_object_or_404(get_user_model(), pk=student_id)
    if not may_view_work(request.user, assignment.course, student):
        return _deny(request, "assignment", pk)
    context = _work_context(assignment, student)
    context["course"] = assignment.course
    context["manager"] = is_manager(request.user, assignment.course)
    return render(request, "assignments/student_work.html", context)


@login_required
def submissions(request, pk):
    """Show the teacher every student's latest work, grade and extension."""
    assignment = get_object_or_404(Assignment, pk=pk)
    course = assignment.course
    if not is_manager(request.user, course):
        return _deny(request, "assignment", pk)
    students = enrolled_students(course)
    latest = {
        submission.student_id: submission
        for submission in assignment.submissions.latest_per_student().select_related(
            "grade"
        )
    }
    extensions = {
        extension.student_id: extension for extension in assignment.extensions.all()
    }
    rows = [
        {
            "student": student,
            "submission": latest.get(student.pk),
            "extension": extensions.get(student.pk),
            "status": status_of(assignment, student),
        }
        for student in students
    ]
    form = ExtensionForm(students=students)
    return render(
        request,
        "assignments/submissions.html",
        {
            "assignment": assignment,
            "course": course,
            "rows": rows,
            "extension_form": form,
        },
    )


@login_required
@require_POST
def extension(request, pk):
    assignment = get_object_or_404(Assignment, pk=pk)
    if not is_manager(request.user, assignment.course):
        return _deny(request, "assignment", pk)
    form = ExtensionForm(request.POST, students=enrolled_students(assignment.course))
    if form.is_valid():
        try:
            services.grant_extension(
                assignment,
                form.cleaned_data["student"],
                form.cleaned_data["due_at"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("due_at", error)
    if form.errors:
        return render(
            request,
            "assignments/extension_form.html",
            {"assignment": assignment, "course": assignment.course, "form": form},
            status=400,
        )
    messages.success(request, _("The extension was saved."))
    return redirect("assignments:submissions", pk=assignment.pk)


@login_required
def grade(request, pk):
    """Grade one submission, and return the grade to the student."""
    submission = get_object_or_404(
        Submission.objects.select_related("assignment", "student"), pk=pk
    )
    assignment = submission.assignment
    if not is_manager(request.user, assignment.course):
        return _deny(request, "submission", pk)
    existing = Grade.objects.filter(submission=submission).first()
    initial = {}
    if existing is not None:
        initial = {"score": existing.raw_score, "feedback": existing.feedback}
        for key, level in existing.rubric_choices.items():
            initial[f"criterion_{key}"] = level
    form = GradeForm(request.POST or None, initial=initial, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            graded = services.grade(
                submission,
                by=request.user,
                score=form.cleaned_data.get("score"),
                rubric_choices=form.rubric_choices(),
                feedback=form.cleaned_data["feedback"],
            )
            if "return" in request.POST and not graded.is_returned:
                services.return_grade(graded, by=request.user)
        except ValidationError as error:
            form.add_error("score" if "score" in form.fields else None, error)
        else:
            messages.success(request, _("The grade was saved."))
            return redirect("assignments:submissions", pk=assignment.pk)
    return render(
        request,
        "assignments/grade.html",
        {
            "assignment": assignment,
            "course": assignment.course,
            "submission": submission,
            "grade": existing,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def download(request, pk):
    """Send a submitted file as an attachment to those who may see the work."""
    submission = get_object_or_404(
        Submission.objects.select_related("assignment", "student"), pk=pk
    )
    if not may_view_work(
        request.user, submission.assignment.course, submission.student
    ):
        return _deny(request, "submission", pk)
    if not submission.file:
        raise Http404
    logger.info("submission download submission=%s user=%s", pk, request.user.pk)
    response = FileResponse(
        submission.file.open("rb"),
        as_attachment=True,
        filename=submission.original_name or submission.file.name.rsplit("/", 1)[-1],
        content_type=filetypes.mime_type(submission.file_type)
        if submission.file_type in filetypes.TYPES
        else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
