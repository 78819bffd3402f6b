"""Marking lessons done, the course progress, the class overview, offline files."""

import copy
import gzip
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.core.files.images import ImageFile
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from courses.models import LessonPage, LessonProgress

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_lesson,
    make_school,
    make_student,
    make_teacher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # Wagtail caches renditions, and lesson bodies are cached too. A cache of
    # this test's own keeps entries of other runs (sharing Redis, with the
    # same ids) from pointing at files in another run's media folder.
    caches = copy.deepcopy(settings.CACHES)
    for alias in caches:
        caches[alias]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def course_world():
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher])
    lessons = [make_lesson(course, title=f"Pelajaran {n}") for n in range(1, 4)]
    student = make_student(school)
    enrol(course, student)
    return {
        "school": school,
        "teacher": teacher,
        "course": course,
        "lessons": lessons,
        "student": student,
    }


def done_url(lesson):
    return reverse("courses:lesson_done", args=[lesson.pk])


def test_mark_done_moves_to_next_lesson(client, course_world):
    first, second, _third = course_world["lessons"]
    client.force_login(course_world["student"])

    response = client.post(done_url(first))

    assert response.status_code == 302
    assert response["Location"] == second.url
    progress = LessonProgress.objects.get(student=course_world["student"])
    assert progress.lesson_id == first.pk
    assert progress.completed_at is not None


def test_mark_done_by_script_returns_204(client, course_world):
    client.force_login(course_world["student"])
    response = client.post(
        done_url(course_world["lessons"][0]), headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 204


def test_last_lesson_done_returns_to_course(client, course_world):
    client.force_login(course_world["student"])
    response = client.post(done_url(course_world["lessons"][-1]))
    assert response["Location"] == course_world["course"].url


def test_mark_done_refused_for_teacher_and_outsider(client, course_world):
    lesson = course_world["lessons"][0]
    outsider = make_student(course_world["school"])
    for user in (course_world["teacher"], outsider):
        client.force_login(user)
        response = client.post(done_url(lesson))
        assert response.status_code == 403
    assert LessonProgress.objects.count() == 0


def test_mark_done_rejects_get(client, course_world):
    client.force_login(course_world["student"])
    assert client.get(done_url(course_world["lessons"][0])).status_code == 405


def test_lesson_visit_records_last_seen(client, course_world):
    lesson = course_world["lessons"][1]
    client.force_login(course_world["student"])

    response = client.get(lesson.url)

    assert response.status_code == 200
    progress = LessonProgress.objects.get(student=course_world["student"])
    assert progress.lesson_id == lesson.pk
    assert progress.completed_at is None
    body = response.content.decode()
    assert done_url(lesson) in body
    assert "courses/lesson_done.js" in body
    assert "<script>" not in body


def test_course_page_shows_progress_and_continue(client, course_world):
    first, second, _third = course_world["lessons"]
    client.force_login(course_world["student"])
    client.post(done_url(first))
    client.get(second.url)

    response = client.get(course_world["course"].url)

    body = response.content.decode()
    assert response.context["progress"].done == 1
    assert response.context["progress"].total == 3
    assert response.context["progress"].continue_lesson.pk == second.pk
    assert '<progress max="3" value="1">' in body
    assert f'href="{second.url}"' in body


def test_continue_falls_back_to_first_not_done(client, course_world):
    first, second, _third = course_world["lessons"]
    client.force_login(course_world["student"])
    client.post(done_url(first))

    response = client.get(course_world["course"].url)

    assert response.context["progress"].continue_lesson.pk == second.pk


def test_class_overview_for_teacher(client, course_world):
    first = course_world["lessons"][0]
    client.force_login(course_world["student"])
    client.post(done_url(first))
    client.force_login(course_world["teacher"])

    response = client.get(
        reverse("courses:class_progress", args=[course_world["course"].pk])
    )

    assert response.status_code == 200
    student_row = response.context["rows"][0]
    assert student_row[0] == course_world["student"]
    assert student_row[2] == 1
    assert student_row[1][0].completed_at is not None
    assert student_row[1][1] is None


def test_class_overview_refused_to_students_and_parents(client, course_world):
    url = reverse("courses:class_progress", args=[course_world["course"].pk])
    guardian = make_guardian(course_world["student"])
    for user in (course_world["student"], guardian):
        client.force_login(user)
        assert client.get(url).status_code == 403


def lesson_with_image(course):
    image = get_image_model().objects.create(
        title="Diagram sel",
        file=ImageFile(get_test_image_file(size=(320, 240)).file, name="sel.png"),
    )
    lesson = LessonPage(
        title="Sel hewan",
        slug="sel-hewan",
        body=[
            ("heading", "Bagian sel"),
            ("paragraph", "<p>" + "Sel memiliki membran dan inti. " * 60 + "</p>"),
            ("image", image),
            ("callout", {"kind": "tip", "text": "<p>Gambar sel.</p>"}),
            ("paragraph", '<p>Baca <a href="https://id.wikipedia.org/">ini</a>.</p>'),
        ],
    )
    course.add_child(instance=lesson)
    lesson.save_revision().publish()
    return lesson


def test_offline_file_is_self_contained(client, course_world):
    lesson = lesson_with_image(course_world["course"])
    client.force_login(course_world["student"])

    response = client.get(reverse("courses:lesson_offline", args=[lesson.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert "Sel memiliki membran" in html
    assert "<style>" in html
    assert re.search(r'<img src="data:image/webp;base64,[A-Za-z0-9+/=]+"', html)
    sources = re.findall(r'\ssrc="([^"]*)"', html)
    assert sources
    assert all(source.startswith("data:") for source in sources)
    assert '<link rel="stylesheet"' not in html
    assert "<script" not in html
    assert 'href="https://id.wikipedia.org/"' in html


def test_offline_file_refused_to_outsider(client, course_world):
    lesson = course_world["lessons"][0]
    client.force_login(make_student(course_world["school"]))
    response = client.get(reverse("courses:lesson_offline", args=[lesson.pk]))
    assert response.status_code == 403


def test_lesson_page_light_without_media(client, course_world):
    lesson = lesson_with_image(course_world["course"])
    client.force_login(course_world["student"])

    response = client.get(lesson.url)

    html = response.content
    body = html.decode()
    compressed = len(gzip.compress(html))
    stylesheets = b""
    for href in re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', body):
        with open(finders.find(href), "rb") as stylesheet:
            stylesheets += stylesheet.read()
    assert stylesheets
    assert compressed + len(gzip.compress(stylesheets)) < 60 * 1024
    # The page works without JavaScript: the content and the done button are
    # plain HTML, and the only script is an optional deferred file.
    assert b"Sel memiliki membran" in html
    assert b'<button type="submit">' in html
    assert re.findall(rb"<script[^>]*>", html) == [
        b'<script src="/static/courses/lesson_done.js" defer>'
    ]
