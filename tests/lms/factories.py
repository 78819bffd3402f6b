"""Small ``make_*`` helpers that build people, schools and class groups."""

import datetime
import itertools

from lms.models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    Membership,
    School,
    User,
)

PASSWORD = "rahasia-yang-panjang-42"

_numbers = itertools.count(1)


def make_user(username=None, *, password=PASSWORD, **fields):
    """Create an active person with ``password``; ``fields`` override defaults."""
    number = next(_numbers)
    fields.setdefault("first_name", f"Orang {number}")
    user = User(username=username or f"orang{number}", **fields)
    user.set_password(password)
    user.save()
    return user


def make_school(npsn=None, *, level=School.Level.SMP, **fields):
    fields.setdefault("name", f"SMP Negeri {next(_numbers)} Depok")
    fields.setdefault("kecamatan_code", "32.76.01")
    return School.objects.create(
        npsn=npsn or f"{20200000 + next(_numbers):08d}", level=level, **fields
    )


def make_member(school, role, username=None, **fields):
    """Create a person with ``role`` in ``school``."""
    user = make_user(username, **fields)
    Membership.objects.create(user=user, school=school, role=role)
    return user


def make_student(school, username=None, **fields):
    return make_member(school, Membership.Role.STUDENT, username, **fields)


def make_operator(school, username=None, **fields):
    return make_member(school, Membership.Role.OPERATOR, username, **fields)


def make_guardian(child, username=None, **fields):
    guardian = make_user(username, **fields)
    GuardianLink.objects.create(
        guardian=guardian, child=child, relation=GuardianLink.Relation.MOTHER
    )
    return guardian


def make_year(start_year, *, is_current=False):
    return AcademicYear.objects.create(
        name=f"{start_year}/{start_year + 1}",
        starts_on=datetime.date(start_year, 7, 1),
        ends_on=datetime.date(start_year + 1, 6, 30),
        is_current=is_current,
    )


def make_group(school, year, name, grade, students=()):
    group = ClassGroup.objects.create(
        school=school, academic_year=year, name=name, grade=grade
    )
    group.students.add(*students)
    return group
