"""
Gradebook pages: the teacher's table, per-student grading, exports and charts.

The course's teachers grade, override and manage categories. Teachers and
the school's operators view and export the gradebook. A student sees only
their own grades and a guardian only their own child's. Everyone else gets
a 403 page.
"""

import logging
import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.api import CourseRole, course_role, enrolled_students, get_course
from lms.models import GuardianLink

from . import api
from .book import build_gradebook, distribution, item_percentages, student_grades
from .export import csv_response, xlsx_response
from .forms import (
    CategoryForm,
    ItemCategoryForm,
    ManualItemForm,
    OverrideForm,
    ScoreForm,
    SettingsForm,
)
from .models import GradebookSettings, GradeCategory, GradeChange, GradeItem

logger = logging.getLogger(__name__)

STAFF_ROLES = (CourseRole.TEACHER, CourseRole.OPERATOR)

# Items the teacher adds by hand have keys with this prefix. Only those can
# be deleted here: the other items belong to their assignment or quiz.
MANUAL_PREFIX = "manual:"


def forbidden(request, course, message):
    logger.info(
        "gradebook denied user=%s course=%s path=%s",
        request.user.pk,
        course.pk if course is not None else None,
        request.path,
    )
    return TemplateResponse(
        request,
        "courses/forbidden.html",
        {"course": course, "message": message},
        status=403,
    )


def load_course(course_id):
    course = get_course(course_id)
    if course is None:
        raise Http404
    return course


def is_staff(user, course):
    return user.is_superuser or course_role(user, course) in STAFF_ROLES


def is_teacher(user, course):
    return user.is_superuser or course_role(user, course) == CourseRole.TEACHER


def may_view_student(user, course, student):
    """Return whether ``user`` may see the grades of ``student`` in ``course``."""
    if is_staff(user, course):
        return True
    if not enrolled_students(course).filter(pk=student.pk).exists():
        return False
    if user.pk == student.pk:
        return True
    return GuardianLink.objects.filter(guardian=user, child=student).exists()


@login_required
def gradebook(request, course_id):
    """Show the students × items table with totals and distribution charts."""
    course = load_course(course_id)
    if not is_staff(request.user, course):
        return forbidden(
            request, course, _("Only the course's teachers can open its gradebook.")
        )
    book = build_gradebook(course)
    charts = [
        {"title": item.title, "bars": distribution(item_percentages(book, index))}
        for index, item in enumerate(book.items)
    ]
    charts.append(
        {"title": _("Total"), "bars": distribution(row.total for row in book.rows)}
    )
    return TemplateResponse(
        request,
        "gradebook/gradebook.html",
        {
            "course": course,
            "book": book,
            "charts": charts,
            "may_edit": is_teacher(request.user, course),
        },
    )


def enrolled_student_or_404(course, student_id):
    return get_object_or_404(enrolled_students(course), pk=student_id)


@login_required
def grade_student(request, course_id, student_id):
    """Show one student's scores as forms the teacher can change."""
    course = load_course(course_id)
    if not is_teacher(request.user, course):
        return forbidden(request, course, _("Only the course's teachers can grade."))
    student = enrolled_student_or_404(course, student_id)
    return render_grade_student(request, course, student)


def render_grade_student(request, course, student, bound=None, status=200):
    """Render the grading page, with ``bound`` replacing one form after errors."""
    bound = bound or {}
    book = build_gradebook(course, [student])
    row = book.rows[0]
    entries = []
    for item, cell in zip(book.items, row.cells, strict=True):
        score_form = bound.get(("score", item.pk)) or ScoreForm(
            item=item,
            prefix=f"item{item.pk}",
            initial={
                "score": cell.score if cell else "",
                "feedback": cell.feedback if cell else "",
            },
        )
        override_form = bound.get(("override", item.pk)) or OverrideForm(
            max_score=item.max_score,
            prefix=f"override{item.pk}",
            initial={"value": cell.override if cell else ""},
        )
        entries.append(
            {
                "item": item,
                "grade": cell,
                "score_form": score_form,
                "override_form": override_form,
            }
        )
    total_form = bound.get(("total", None)) or OverrideForm(
        max_score=100,
        prefix="total",
        initial={"value": row.total_override.total if row.total_override else ""},
    )
    history = GradeChange.objects.filter(course=course, student=student).select_related(
        "changed_by"
    )[:50]
    return TemplateResponse(
        request,
        "gradebook/grade_student.html",
        {
            "course": course,
            "student": student,
            "row": row,
            "entries": entries,
            "total_form": total_form,
            "history": history,
        },
        status=status,
    )


@login_required
@require_POST
def save_score(request, course_id, student_id, item_id):
    """Store a teacher's score and feedback for one student on one item."""
    course = load_course(course_id)
    if not is_teacher(request.user, course):
        return forbidden(request, course, _("Only the course's teachers can grade."))
    student = enrolled_student_or_404(course, student_id)
    item = get_object_or_404(GradeItem, course=course, pk=item_id)
    form = ScoreForm(request.POST, item=item, prefix=f"item{item.pk}")
    if not form.is_valid():
        return render_grade_student(
            request, course, student, {("score", item.pk): form}, status=400
        )
    api.record_score(
        item,
        student,
        form.cleaned_data["score"],
        by=request.user,
        feedback=form.cleaned_data["feedback"],
    )
    messages.success(request, _("Score saved."))
    return redirect("gradebook:student", course.pk, student.pk)


@login_required
@require_POST
def save_override(request, course_id, student_id, item_id=None):
    """Override one item score, or the total when no item is given."""
    course = load_course(course_id)
    if not is_teacher(request.user, course):
        return forbidden(request, course, _("Only the course's teachers can grade."))
    student = enrolled_student_or_404(course, student_id)
    if item_id is None:
        item = None
        form = OverrideForm(request.POST, max_score=100, prefix="total")
        key = ("total", None)
    else:
        item = get_object_or_404(GradeItem, course=course, pk=item_id)
        form = OverrideForm(
            request.POST, max_score=item.max_score, prefix=f"override{item.pk}"
        )
        key = ("override", item.pk)
    if not form.is_valid():
        return render_grade_student(request, course, student, {key: form}, status=400)
    value = form.cleaned_data["value"]
    reason = form.cleaned_data["reason"]
    if item is None:
        api.set_total_override(course, student, value, by=request.user, reason=reason)
    else:
        api.set_override(item, student, value, by=request.user, reason=reason)
    messages.success(request, _("Override saved."))
    return redirect("gradebook:student", course.pk, student.pk)


@login_required
def student_view(request, course_id, student_id=None):
    """Show a student's released grades, feedback and total in one course."""
    course = load_course(course_id)
    student = request.user
    if student_id is not None and student_id != request.user.pk:
        student = get_object_or_404(get_user_model(), pk=student_id)
    if not may_view_student(request.user, course, student):
        return forbidden(
            request,
            course,
            _("You can see only your own grades or those of your own children."),
        )
    graded, total = student_grades(course, student)
    return TemplateResponse(
        request,
        "gradebook/student_grades.html",
        {"course": course, "student": student, "graded": graded, "total": total},
    )


@login_required
def export(request, course_id, file_format):
    """Send the gradebook as a report-card CSV or XLSX file."""
    course = load_course(course_id)
    if not is_staff(request.user, course):
        return forbidden(
            request, course, _("Only the course's teachers and operators can export.")
        )
    book = build_gradebook(course)
    logger.info(
        "gradebook exported course=%s format=%s user=%s",
        course.pk,
        file_format,
        request.user.pk,
    )
    if file_format == "xlsx":
        return xlsx_response(book)
    return csv_response(book)


@login_required
def manage(request, course_id):
    """Let a teacher set categories, weights, hand-scored items and options."""
    course = load_course(course_id)
    if not is_teacher(request.user, course):
        return forbidden(
            request, course, _("Only the course's teachers can change the gradebook.")
        )
    gradebook_settings = GradebookSettings.for_course(course)
    category_form = CategoryForm(course=course, prefix="category")
    settings_form = SettingsForm(instance=gradebook_settings, prefix="settings")
    item_form = ManualItemForm(course=course, prefix="item")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "category":
            category_form = CategoryForm(request.POST, course=course, prefix="category")
            if category_form.is_valid():
                category = category_form.save(commit=False)
                category.course = course
                category.save()
                messages.success(request, _("Category added."))
                return redirect("gradebook:manage", course.pk)
        elif action == "settings":
            settings_form = SettingsForm(
                request.POST, instance=gradebook_settings, prefix="settings"
            )
            if settings_form.is_valid():
                settings_form.save()
                messages.success(request, _("Settings saved."))
                return redirect("gradebook:manage", course.pk)
        elif action == "item":
            item = get_object_or_404(
                GradeItem, course=course, pk=request.POST.get("item")
            )
            form = ItemCategoryForm(request.POST, course=course)
            if form.is_valid():
                item.category = form.cleaned_data["category"]
                item.save(update_fields=["category"])
                messages.success(
                    request, _("Category of %(item)s saved.") % {"item": item.title}
                )
                return redirect("gradebook:manage", course.pk)
            messages.error(request, _("Choose one of the course's categories."))
        elif action == "new_item":
            item_form = ManualItemForm(request.POST, course=course, prefix="item")
            if item_form.is_valid():
                api.register_item(
                    course,
                    f"{MANUAL_PREFIX}{uuid.uuid4().hex}",
                    item_form.cleaned_data["title"],
                    item_form.cleaned_data["max_score"],
                    category=item_form.cleaned_data["category"],
                )
                messages.success(request, _("Item added."))
                return redirect("gradebook:manage", course.pk)
        elif action == "delete_category":
            category = get_object_or_404(
                GradeCategory, course=course, pk=request.POST.get("category")
            )
            category.delete()
            messages.success(request, _("Category deleted."))
            return redirect("gradebook:manage", course.pk)
        else:
            messages.error(request, _("Unknown action."))
        status = 400
    items = [
        (item, ItemCategoryForm(course=course, initial={"category": item.category_id}))
        for item in GradeItem.objects.filter(course=course).select_related("category")
    ]
    return TemplateResponse(
        request,
        "gradebook/manage.html",
        {
            "course": course,
            "categories": GradeCategory.objects.filter(course=course),
            "category_form": category_form,
            "settings_form": settings_form,
            "items": items,
            "item_form": item_form,
        },
        status=status,
    )


@login_required
@require_POST
def delete_item(request, course_id, item_id):
    """Delete a hand-scored item with its grades; the history stays."""
    course = load_course(course_id)
    if not is_teacher(request.user, course):
        return forbidden(
            request, course, _("Only the course's teachers can change the gradebook.")
        )
    item = get_object_or_404(
        GradeItem, course=course, pk=item_id, key__startswith=MANUAL_PREFIX
    )
    api.remove_item(course, item.key)
    messages.success(request, _("Item deleted."))
    return redirect("gradebook:manage", course.pk)
