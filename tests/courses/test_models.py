import pytest
from django.core.exceptions import ValidationError

from courses.models import CoursePage, Enrolment, generate_code, normalise_code

from .factories import (
    current_year,
    make_class_group,
    make_course,
    make_course_index,
    make_school,
    make_student,
)

pytestmark = pytest.mark.django_db


def test_published_course_enrols_class_group():
    school = make_school()
    year, _semester = current_year()
    students = [make_student(school) for _i in range(3)]
    group = make_class_group(school, year, "7A", 7, students)

    course = make_course(make_course_index(school), class_group=group)

    enrolments = Enrolment.objects.filter(course=course)
    assert {enrolment.student for enrolment in enrolments} == set(students)
    assert {enrolment.method for enrolment in enrolments} == {"class_group"}
    assert {enrolment.ends_on for enrolment in enrolments} == {course.ends_on}


def test_republish_enrols_new_group_members():
    school = make_school()
    year, _semester = current_year()
    group = make_class_group(school, year, "7B", 7, [make_student(school)])
    course = make_course(make_course_index(school), class_group=group)
    newcomer = make_student(school)
    group.students.add(newcomer)

    course.save_revision()
    assert not Enrolment.objects.filter(student=newcomer).exists()

    course.save_revision().publish()
    assert Enrolment.objects.filter(course=course, student=newcomer).exists()
    assert Enrolment.objects.filter(course=course).count() == 2


def test_draft_course_enrols_nobody():
    school = make_school()
    year, _semester = current_year()
    group = make_class_group(school, year, "7C", 7, [make_student(school)])
    course = make_course(make_course_index(school), class_group=group, publish=False)
    assert not Enrolment.objects.filter(course=course).exists()


def test_code_normalised_and_generated():
    school = make_school()
    index = make_course_index(school)
    typed = make_course(index, code=" ipa-7b ")
    blank = make_course(index, code="")
    assert typed.code == "IPA7B"
    assert len(blank.code) == 6
    assert normalise_code(" a b-c ") == "ABC"
    assert not CoursePage.objects.filter(code=generate_code()).exists()


def test_semester_of_other_year_rejected():
    school = make_school()
    course = make_course(make_course_index(school))
    year, _semester = current_year()
    other_year = year.next_year()
    course.academic_year = other_year
    with pytest.raises(ValidationError) as caught:
        course.clean()
    assert caught.value.error_dict["semester"][0].code == "semester_year"


def test_class_group_of_other_year_rejected():
    school = make_school()
    year, _semester = current_year()
    group = make_class_group(school, year.next_year(), "8A", 8)
    course = make_course(make_course_index(school))
    course.class_group = group
    with pytest.raises(ValidationError) as caught:
        course.clean()
    assert caught.value.error_dict["class_group"][0].code == "class_group_year"


def test_enrol_twice_keeps_one_row():
    school = make_school()
    course = make_course(make_course_index(school))
    student = make_student(school)
    first = course.enrol(student, Enrolment.Method.CODE)
    second = course.enrol(student, Enrolment.Method.MANUAL)
    assert first.pk == second.pk
    assert second.method == Enrolment.Method.CODE
    assert Enrolment.objects.filter(student=student).count() == 1
