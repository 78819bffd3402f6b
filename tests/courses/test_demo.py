"""The demo courses: built once, readable by the enrolled students."""

import io

import pytest

from courses import api, demo
from courses.models import CourseIndexPage, CoursePage, Enrolment, LessonPage
from lms.demo import DemoWorld
from lms.models import School

from .factories import (
    current_year,
    make_class_group,
    make_home,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_world():
    year, semester = current_year()
    world = DemoWorld(
        home=make_home(), year=year, semester=semester, city_admin=make_user()
    )
    smp = make_school("SMP Negeri 1 Contoh", School.Level.SMP, "20229901")
    sd = make_school("SD Negeri Contoh 1", School.Level.SD, "20229911")
    for school, grade, name in ((smp, 7, "7A"), (sd, 4, "4A")):
        students = [make_student(school) for _i in range(3)]
        world.schools.append(school)
        world.teachers[school.npsn] = [make_teacher(school), make_teacher(school)]
        world.students[school.npsn] = students
        world.class_groups[school.npsn] = [
            make_class_group(school, year, name, grade, students)
        ]
    return world


def test_demo_builds_courses_and_lessons(small_world):
    demo.build(small_world, io.StringIO())

    assert CourseIndexPage.objects.count() == 2
    assert CoursePage.objects.live().count() == 5
    assert LessonPage.objects.live().count() == 10
    assert Enrolment.objects.count() == 3 * 3 + 2 * 3
    smp = small_world.schools[0]
    maths = CoursePage.objects.get(code="MTK701")
    assert maths.school == smp
    assert maths.grade == 7
    assert list(maths.teachers.all()) == [small_world.teachers[smp.npsn][0]]


def test_demo_twice_changes_nothing(small_world):
    demo.build(small_world, io.StringIO())
    counts = (CoursePage.objects.count(), LessonPage.objects.count())
    enrolments = Enrolment.objects.count()

    output = io.StringIO()
    demo.build(small_world, output)

    assert (CoursePage.objects.count(), LessonPage.objects.count()) == counts
    assert Enrolment.objects.count() == enrolments
    assert "0" in output.getvalue()


def test_demo_student_reads_lesson(client, small_world):
    demo.build(small_world, io.StringIO())
    smp = small_world.schools[0]
    student = small_world.students[smp.npsn][0]
    course = api.courses_for(student).get(subject="IPA")
    lesson = LessonPage.objects.child_of(course).live().first()
    client.force_login(student)

    response = client.get(lesson.url)

    assert response.status_code == 200
    assert "Klasifikasi" in response.content.decode()
    assert api.course_role(student, course) == "student"
