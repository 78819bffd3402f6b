"""Who may open course, unit and lesson pages."""

import datetime

import pytest
from django.urls import reverse

from courses.models import Enrolment, UnitPage

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_lesson,
    make_operator,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

pytestmark = pytest.mark.django_db

LESSON_TEXT = "Fotosintesis mengubah cahaya matahari menjadi energi kimia."


@pytest.fixture
def world():
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher], subject="IPA")
    other_course = make_course(index, subject="Matematika")
    lesson = make_lesson(course, title="Fotosintesis", text=LESSON_TEXT)
    student = make_student(school)
    enrol(course, student)
    return {
        "school": school,
        "index": index,
        "teacher": teacher,
        "course": course,
        "other_course": other_course,
        "lesson": lesson,
        "student": student,
    }


def get_as(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_enrolled_student_reads_lesson(client, world):
    response = get_as(client, world["student"], world["lesson"].url)
    assert response.status_code == 200
    assert LESSON_TEXT in response.content.decode()
    assert "private" in response["Cache-Control"]


def test_enrolled_student_sees_course(client, world):
    response = get_as(client, world["student"], world["course"].url)
    assert response.status_code == 200
    assert "Fotosintesis" in response.content.decode()


def test_student_not_enrolled_gets_403(client, world):
    stranger = make_student(world["school"])
    response = get_as(client, stranger, world["lesson"].url)
    assert response.status_code == 403
    assert world["course"].title in response.content.decode()
    assert LESSON_TEXT not in response.content.decode()


def test_student_of_other_course_gets_403(client, world):
    student = make_student(world["school"])
    enrol(world["other_course"], student)
    assert get_as(client, student, world["lesson"].url).status_code == 403
    assert get_as(client, student, world["course"].url).status_code == 403
    assert get_as(client, student, world["other_course"].url).status_code == 200


def test_ended_enrolment_gets_403(client, world):
    Enrolment.objects.filter(student=world["student"]).update(
        ends_on=datetime.date(2000, 1, 1)
    )
    response = get_as(client, world["student"], world["lesson"].url)
    assert response.status_code == 403


def test_anonymous_redirected_to_login(client, world):
    url = world["lesson"].url
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={url}"


def test_anonymous_course_index_redirected(client, world):
    response = client.get(world["index"].url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_teacher_and_operator_read_lesson(client, world):
    operator = make_operator(world["school"])
    for user in (world["teacher"], operator):
        response = get_as(client, user, world["lesson"].url)
        assert response.status_code == 200
        assert LESSON_TEXT in response.content.decode()


def test_operator_of_other_school_gets_403(client, world):
    outsider = make_operator(make_school())
    assert get_as(client, outsider, world["lesson"].url).status_code == 403


def test_superuser_reads_lesson(client, world):
    admin = make_user(is_superuser=True, is_staff=True)
    assert get_as(client, admin, world["lesson"].url).status_code == 200


def test_guardian_sees_course_not_lesson(client, world):
    parent = make_guardian(world["student"])
    response = get_as(client, parent, world["course"].url)
    assert response.status_code == 200
    assert world["course"].title in response.content.decode()
    assert get_as(client, parent, world["lesson"].url).status_code == 403


def test_guardian_of_other_child_gets_403(client, world):
    other_child = make_student(world["school"])
    parent = make_guardian(other_child)
    assert get_as(client, parent, world["course"].url).status_code == 403


def test_unit_lesson_follows_course_rules(client, world):
    unit = UnitPage(title="Bab 1: Tumbuhan", slug="bab-1")
    world["course"].add_child(instance=unit)
    unit.save_revision().publish()
    lesson = make_lesson(unit, title="Akar", text="Akar menyerap air.")
    stranger = make_student(world["school"])

    assert get_as(client, world["student"], unit.url).status_code == 200
    assert get_as(client, world["student"], lesson.url).status_code == 200
    assert get_as(client, stranger, unit.url).status_code == 403
    assert get_as(client, stranger, lesson.url).status_code == 403


def test_lesson_of_unpublished_course_is_hidden(client, world):
    world["course"].unpublish()
    assert get_as(client, world["student"], world["lesson"].url).status_code == 404
    assert get_as(client, world["teacher"], world["lesson"].url).status_code == 200
