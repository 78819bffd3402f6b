"""The course page links to assignments, quizzes and grades by role."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.assignments.models import Assignment
from courses.quizzes.models import Quiz
from tests.factories import (
    PASSWORD,
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_operator,
    make_school,
    make_student,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_people():
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    student = make_student(school)
    enrol(course, student)
    return {
        "course": course,
        "teacher": teacher,
        "student": student,
        "guardian": make_guardian(student),
        "operator": make_operator(school),
    }


def links_of(client, user, course):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(course.url)
    assert response.status_code == 200
    return response.content.decode()


def course_urls(course):
    return {
        "assignments": reverse("assignments:course", args=[course.pk]),
        "quizzes": reverse("quizzes:course", args=[course.pk]),
        "questions": reverse("quizzes:questions", args=[course.pk]),
        "gradebook": reverse("gradebook:course", args=[course.pk]),
        "mine": reverse("gradebook:mine", args=[course.pk]),
        "parent": reverse("gradebook:parent"),
    }


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("teacher", {"assignments", "quizzes", "questions", "gradebook"}),
        ("student", {"assignments", "quizzes", "mine"}),
        ("guardian", {"assignments", "parent"}),
        ("operator", {"gradebook"}),
    ],
)
def test_links_match_role(client, course_people, role, shown):
    course = course_people["course"]
    html = links_of(client, course_people[role], course)
    for name, url in course_urls(course).items():
        if name in shown:
            assert f'href="{url}"' in html, name
        else:
            assert f'href="{url}"' not in html, name


@pytest.mark.parametrize("role", ["teacher", "student", "guardian", "operator"])
def test_linked_pages_open_for_role(client, course_people, role):
    course = course_people["course"]
    html = links_of(client, course_people[role], course)
    for url in course_urls(course).values():
        if f'href="{url}"' in html:
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_queries_do_not_grow_with_items(client, course_people, role):
    course = course_people["course"]
    links_of(client, course_people[role], course)
    with CaptureQueriesContext(connection) as empty:
        client.get(course.url)
    due = timezone.now() + datetime.timedelta(days=7)
    for number in range(6):
        Assignment.objects.create(course=course, title=f"Tugas {number}", due_at=due)
        Quiz.objects.create(course=course, title=f"Kuis {number}")
    with CaptureQueriesContext(connection) as full:
        client.get(course.url)
    assert len(full) == len(empty), [query["sql"] for query in full]
