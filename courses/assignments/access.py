"""Decide who may see or change which assignment data."""

from courses.api import CourseRole, course_role


def is_manager(user, course):
    """Return whether ``user`` manages and grades the course's assignments."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or course_role(user, course) == CourseRole.TEACHER


def is_guardian_of(user, student):
    return (
        user.is_authenticated
        and user.guarded_links.filter(child_id=student.pk).exists()
    )


def may_view_work(user, course, student):
    """
    Return whether ``user`` may see the work and returned grades of ``student``.

    Teachers may see every student's work. A student may see their own while
    enrolled, and a guardian their own children's.
    """
    if is_manager(user, course):
        return True
    if user.pk == student.pk:
        return course_role(user, course) == CourseRole.STUDENT
    return (
        is_guardian_of(user, student)
        and course_role(student, course) == CourseRole.STUDENT
    )
