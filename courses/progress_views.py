"""Marking lessons done, the teacher's class overview, and offline lessons."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from .access import (
    READER_ROLES,
    STAFF_ROLES,
    CourseDenied,
    course_role_or_deny,
    course_view,
    forbidden,
)
from .api import enrolled_students
from .models import CourseRole, LessonPage
from .offline import inline_stylesheets, make_links_absolute
from .progress import class_overview, mark_done

logger = logging.getLogger(__name__)


def _load_lesson(user, lesson_id, roles):
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    course = lesson.get_course() if lesson is not None else None
    if course is None or not course.live:
        raise Http404
    return lesson, course, course_role_or_deny(user, course, roles)


@login_required
@require_POST
def lesson_done(request, lesson_id):
    """
    Mark a lesson done for the student and move on to the next one.

    A form post (no JavaScript) is redirected to the next lesson, or back to
    the course after the last one. The script that marks a lesson done at
    its end sends ``X-Requested-With: fetch`` and gets a 204.
    """
    try:
        lesson, course, _role = _load_lesson(
            request.user, lesson_id, (CourseRole.STUDENT,)
        )
    except CourseDenied as denied:
        return forbidden(request, course=denied.course)
    mark_done(request.user, lesson)
    logger.info("lesson done user=%s lesson=%s", request.user.pk, lesson.pk)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    following = (
        LessonPage.objects.sibling_of(lesson).live().filter(path__gt=lesson.path)
    )
    next_lesson = following.order_by("path").first()
    return redirect((next_lesson or course).get_url(request))


@login_required
@require_GET
@course_view(STAFF_ROLES)
def class_progress(request, course, role):
    """Show the teacher a table of students by lessons: done and last seen."""
    lessons, rows = class_overview(course, enrolled_students(course))
    context = {"course": course, "lessons": lessons, "rows": rows}
    return render(request, "courses/class_progress.html", context)


@login_required
@require_GET
def lesson_offline(request, lesson_id):
    """
    Send a lesson as one HTML file that opens without a connection.

    Styles are inlined and images embedded as data URIs, so the file makes
    no request; links stay links, made absolute so they still work online.
    """
    try:
        lesson, course, _role = _load_lesson(request.user, lesson_id, READER_ROLES)
    except CourseDenied as denied:
        return forbidden(request, course=denied.course)
    html = render_to_string(
        "courses/lesson_offline.html",
        {
            "page": lesson,
            "course": course,
            "offline": True,
            "styles": inline_stylesheets(),
            "source_url": request.build_absolute_uri(lesson.get_url(request)),
        },
        request=request,
    )
    html = make_links_absolute(html, request.build_absolute_uri("/"))
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    filename = f"{slugify(lesson.title) or 'lesson'}-{lesson.pk}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    logger.info("lesson offline user=%s lesson=%s", request.user.pk, lesson.pk)
    return response
