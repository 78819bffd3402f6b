import datetime

import pytest

from courses import api
from courses.models import Enrolment

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_operator,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_world():
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    student = make_student(school)
    enrol(course, student)
    return school, teacher, course, student


def test_get_course_returns_live_course(course_world):
    _school, _teacher, course, _student = course_world
    assert api.get_course(course.pk) == course
    assert api.get_course(str(course.pk)) == course


def test_get_course_rejects_unknown_ids(course_world):
    assert api.get_course(999999) is None
    assert api.get_course("abc") is None
    assert api.get_course(None) is None


def test_get_course_hides_drafts():
    school = make_school()
    draft = make_course(make_course_index(school), publish=False)
    assert api.get_course(draft.pk) is None


def test_course_role_each_kind(course_world):
    school, teacher, course, student = course_world
    operator = make_operator(school)
    guardian = make_guardian(student)
    stranger = make_user()
    assert api.course_role(teacher, course) == "teacher"
    assert api.course_role(student, course) == "student"
    assert api.course_role(operator, course) == "operator"
    assert api.course_role(guardian, course) == "guardian"
    assert api.course_role(stranger, course) is None
    assert api.course_role(teacher, None) is None


def test_course_role_ignores_ended_enrolment(course_world):
    _school, _teacher, course, student = course_world
    guardian = make_guardian(student)
    Enrolment.objects.filter(student=student).update(ends_on=datetime.date(2000, 1, 1))
    assert api.course_role(student, course) is None
    assert api.course_role(guardian, course) is None


def test_operator_of_other_school_has_no_role(course_world):
    _school, _teacher, course, _student = course_world
    outsider = make_operator(make_school())
    assert api.course_role(outsider, course) is None


def test_courses_for_teacher_and_student(course_world):
    school, teacher, course, student = course_world
    other = make_course(make_course_index(make_school()))
    assert list(api.courses_for(teacher)) == [course]
    assert list(api.courses_for(student)) == [course]
    assert other not in api.courses_for(student)
    assert list(api.courses_for(make_user())) == []


def test_enrolled_students_only_active(course_world):
    school, _teacher, course, student = course_world
    former = make_student(school)
    enrol(course, former)
    Enrolment.objects.filter(student=former).update(ends_on=datetime.date(2000, 1, 1))
    assert list(api.enrolled_students(course)) == [student]


def test_enrolment_rejects_student_of_other_school(course_world):
    from django.core.exceptions import ValidationError

    _school, _teacher, course, _student = course_world
    outsider = make_student(make_school())
    enrolment = Enrolment(
        course=course, student=outsider, method="manual", ends_on=course.ends_on
    )
    with pytest.raises(ValidationError) as caught:
        enrolment.full_clean()
    codes = [error.code for error in caught.value.error_dict["student"]]
    assert codes == ["student_not_at_school"]
