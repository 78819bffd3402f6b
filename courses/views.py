"""The "My courses" page and joining a course with its code."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.models import Membership

from .api import courses_for
from .forms import JoinForm
from .models import CoursePage, Enrolment, normalise_code

logger = logging.getLogger(__name__)

# Failed join attempts allowed per person within JOIN_WINDOW_SECONDS, so
# that codes cannot be guessed by trying many in a row.
JOIN_MAX_FAILURES = 10
JOIN_WINDOW_SECONDS = 15 * 60


def _live_courses():
    return CoursePage.objects.live().select_related(
        "academic_year", "semester", "class_group"
    )


@login_required
def index(request):
    """List the courses of the person: taught, followed, or their children's."""
    user = request.user
    enrolled_ids = Enrolment.objects.active().filter(student=user).values("course_id")
    learning = _live_courses().filter(pk__in=enrolled_ids).order_by("grade", "title")
    teaching = (
        _live_courses()
        .filter(teachers=user)
        .prefetch_related("teachers")
        .order_by("grade", "title")
    )
    children = []
    for child in user.children().order_by("first_name", "username"):
        child_course_ids = (
            Enrolment.objects.active().filter(student=child).values("course_id")
        )
        children.append(
            {
                "child": child,
                "courses": _live_courses()
                .filter(pk__in=child_course_ids)
                .order_by("grade", "title"),
            }
        )
    is_student = user.memberships.filter(role=Membership.Role.STUDENT).exists()
    context = {
        "learning": learning,
        "teaching": teaching,
        "children": children,
        "is_student": is_student,
        "has_courses": courses_for(user).exists(),
        "join_form": JoinForm() if is_student else None,
    }
    return render(request, "courses/index.html", context)


def _failure_key(user):
    return f"courses:join-failures:{user.pk}"


def _check_join(user, code):
    """Return the course that ``code`` opens for ``user``, or raise."""
    course = _live_courses().filter(code=code).first() if code else None
    if course is None:
        raise ValidationError(
            _("No course has the code %(code)s. Check it with your teacher."),
            code="unknown_code",
            params={"code": code},
        )
    school = course.school
    if school is None or not user.has_school_role(school, Membership.Role.STUDENT):
        raise ValidationError(
            _(
                "The course %(course)s belongs to %(school)s, which is not your "
                "school. Check the code with your teacher."
            ),
            code="other_school",
            params={"course": course.title, "school": school},
        )
    if course.has_ended():
        raise ValidationError(
            _("The course %(course)s has ended, so it cannot be joined."),
            code="course_ended",
            params={"course": course.title},
        )
    return course


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """Let a student enter a course with the code their teacher gave them."""
    user = request.user
    if not user.memberships.filter(role=Membership.Role.STUDENT).exists():
        return render(
            request,
            "courses/forbidden.html",
            {"message": _("Only students join courses with a code.")},
            status=403,
        )
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        failures = cache.get(_failure_key(user), 0)
        if failures >= JOIN_MAX_FAILURES:
            form.add_error(
                "code",
                ValidationError(
                    _("Too many wrong codes. Wait %(minutes)s minutes and try again."),
                    code="too_many_attempts",
                    params={"minutes": JOIN_WINDOW_SECONDS // 60},
                ),
            )
        else:
            code = normalise_code(form.cleaned_data["code"])
            try:
                course = _check_join(user, code)
            except ValidationError as error:
                cache.set(_failure_key(user), failures + 1, JOIN_WINDOW_SECONDS)
                logger.info(
                    "course join rejected user=%s reason=%s", user.pk, error.code
                )
                form.add_error("code", error)
            else:
                already = (
                    Enrolment.objects.active()
                    .filter(course=course, student=user)
                    .exists()
                )
                course.enrol(user, Enrolment.Method.CODE)
                if already:
                    messages.info(
                        request,
                        _("You are already in %(course)s.") % {"course": course.title},
                    )
                else:
                    messages.success(
                        request,
                        _("You have joined %(course)s.") % {"course": course.title},
                    )
                return redirect(course.get_url(request))
    status = 400 if form.errors else 200
    return render(request, "courses/join.html", {"form": form}, status=status)
