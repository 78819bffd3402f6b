"""Look up the course of a view and check the person's role in it."""

import functools
import logging

from django.http import Http404
from django.shortcuts import render

from .models import CoursePage, CourseRole

logger = logging.getLogger(__name__)

STAFF_ROLES = (CourseRole.TEACHER, CourseRole.OPERATOR)
READER_ROLES = (CourseRole.TEACHER, CourseRole.OPERATOR, CourseRole.STUDENT)
ALL_ROLES = tuple(CourseRole)


class CourseDenied(Exception):
    """The person has no role in the course that lets them use the view."""

    def __init__(self, course):
        super().__init__(course.pk)
        self.course = course


def course_role_or_deny(user, course, roles):
    """Return the role of ``user`` in ``course``, or raise ``CourseDenied``."""
    if user.is_superuser:
        return CourseRole.OPERATOR
    role = course.role_of(user)
    if role not in roles:
        logger.info(
            "course view denied user=%s course=%s role=%s", user.pk, course.pk, role
        )
        raise CourseDenied(course)
    return role


def load_course(user, course_id, roles):
    """Return ``(course, role)`` for a live course, or raise 404/``CourseDenied``."""
    course = (
        CoursePage.objects.live()
        .select_related("academic_year", "semester", "class_group")
        .filter(pk=course_id)
        .first()
    )
    if course is None:
        raise Http404
    return course, course_role_or_deny(user, course, roles)


def forbidden(request, course=None, message=None):
    """Render the 403 page of the courses app."""
    return render(
        request,
        "courses/forbidden.html",
        {"course": course, "message": message},
        status=403,
    )


def course_view(roles):
    """
    Decorate a view taking ``course_id`` so it gets ``course`` and ``role``.

    People without one of ``roles`` in the course get the 403 page.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, course_id, *args, **kwargs):
            try:
                course, role = load_course(request.user, course_id, roles)
            except CourseDenied as denied:
                return forbidden(request, course=denied.course)
            return view(request, course, role, *args, **kwargs)

        return wrapped

    return decorator
