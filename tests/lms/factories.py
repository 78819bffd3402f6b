"""The shared test factories, re-exported for imports that name this module."""

from tests.factories import (
    PASSWORD,
    make_class_group,
    make_guardian,
    make_member,
    make_operator,
    make_school,
    make_student,
    make_user,
    make_year,
)

__all__ = [
    "PASSWORD",
    "make_class_group",
    "make_guardian",
    "make_member",
    "make_operator",
    "make_school",
    "make_student",
    "make_user",
    "make_year",
]
