"""
Functions that other apps (live, library) use to look up courses.

These functions are the only way into the courses app from outside it: they
hide the page tree and the enrolment model, so the app can change inside
without breaking its callers.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from .models import CoursePage, CourseRole, Enrolment, LessonPage, with_viewer_flags

__all__ = [
    "CourseRole",
    "course_role",
    "courses_for",
    "enrolled_students",
    "get_course",
    "get_course_and_role",
    "lesson_documents",
]


def get_course(course_id):
    """Return the live course with the page id ``course_id``, or ``None``."""
    try:
        course_id = int(course_id)
    except (TypeError, ValueError):
        return None
    return CoursePage.objects.live().filter(pk=course_id).first()


def get_course_and_role(course_id, user):
    """
    Return the live course ``course_id`` and the role of ``user`` in it.

    Return ``(None, None)`` when there is no such live course. Teachers and
    students of the course cost one query, other people one or two more.
    The role is as ``course_role`` returns it.
    """
    try:
        course_id = int(course_id)
    except (TypeError, ValueError):
        return None, None
    if user is None or not user.is_authenticated:
        return get_course(course_id), None
    courses = CoursePage.objects.live().filter(pk=course_id)
    course = with_viewer_flags(courses, user).first()
    if course is None:
        return None, None
    return course, course.viewer_role(user)


def course_role(user, course):
    """
    Return the role of ``user`` in ``course``, or ``None`` when they have none.

    The role is one of "teacher" (named among the course's teachers),
    "student" (an enrolment that has not ended), "operator" (an operator
    membership in the course's school) or "guardian" (a guardian of an
    actively enrolled student), checked in that order. The values are
    ``CourseRole`` members, which compare equal to those strings.
    Superusers get no role from this function: check ``is_superuser``
    separately where they should be let in.
    """
    if course is None:
        return None
    return course.role_of(user)


def courses_for(user):
    """
    Return a queryset of the live courses that ``user`` teaches or is in.

    "In" means an enrolment that has not ended. Guardians and operators get
    no courses here: they reach courses through their children or school.
    """
    if user is None or not user.is_authenticated:
        return CoursePage.objects.none()
    enrolled = Enrolment.objects.active().filter(student=user).values("course_id")
    return (
        CoursePage.objects.live()
        .filter(Q(teachers=user) | Q(pk__in=enrolled))
        .distinct()
        .order_by("grade", "title")
    )


def enrolled_students(course):
    """Return a queryset of the users actively enrolled in ``course``."""
    enrolled = Enrolment.objects.active().filter(course=course).values("student_id")
    return (
        get_user_model()
        .objects.filter(pk__in=enrolled)
        .order_by("first_name", "last_name", "username")
    )


def lesson_documents(course):
    """
    Return the documents that the live lessons of ``course`` offer, in order.

    These are the Wagtail documents of the lessons' "document" and
    "attachment" blocks, each once. Videos are left out.
    """
    documents = {}
    for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
        for block in lesson.body:
            if block.block_type == "document":
                document = block.value
            elif block.block_type == "attachment":
                document = block.value.get("document")
            else:
                continue
            if document is not None:
                documents.setdefault(document.pk, document)
    return list(documents.values())
