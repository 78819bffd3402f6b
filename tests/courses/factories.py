"""The shared test factories, re-exported for imports that name this module."""

from tests.factories import (
    PASSWORD,
    add_role,
    current_year,
    enrol,
    make_class_group,
    make_course,
    make_course_index,
    make_guardian,
    make_home,
    make_lesson,
    make_operator,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

__all__ = [
    "PASSWORD",
    "add_role",
    "current_year",
    "enrol",
    "make_class_group",
    "make_course",
    "make_course_index",
    "make_guardian",
    "make_home",
    "make_lesson",
    "make_operator",
    "make_school",
    "make_student",
    "make_teacher",
    "make_user",
]
