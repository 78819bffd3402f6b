"""
Remembered page routes (lms.page_routes) on course and lesson pages.

Each test warms the route of a page, changes the tree, the enrolments or the
view restrictions, and checks that the next response reflects the change. The
cache is whichever the settings configure: Redis with REDIS_URL, else the
in-memory cache of this process, which the test client shares.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from courses.models import Enrolment, LessonPage, LessonProgress
from lms import page_routes
from lms.models import ClassGroup

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_home,
    make_lesson,
    make_school,
    make_student,
    make_teacher,
)

pytestmark = pytest.mark.django_db

LESSON_TEXT = "Gaya gravitasi menarik benda ke bawah."


@pytest.fixture(autouse=True)
def route_cache(settings):
    settings.PAGE_ROUTE_CACHE = True
    page_routes.forget_routes()


@pytest.fixture
def world(client):
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher], subject="IPA")
    lesson = make_lesson(course, title="Gravitasi", text=LESSON_TEXT)
    student = make_student(school)
    enrol(course, student)
    client.force_login(student)
    return {
        "index": index,
        "course": course,
        "lesson": lesson,
        "student": student,
        "teacher": teacher,
    }


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """
    Return a context manager that runs on-commit callbacks on exit.

    The test's own transaction never commits, and the routes are forgotten
    only once a change commits.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


def get_with_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [query["sql"] for query in queries.captured_queries]


def test_second_request_skips_routing(client, world):
    url = world["lesson"].url
    first, first_queries = get_with_queries(client, url)
    second, second_queries = get_with_queries(client, url)

    assert first.status_code == 200
    assert second.status_code == 200
    assert LESSON_TEXT in second.content.decode()
    assert any("wagtailcore_site" in sql for sql in first_queries)
    assert not any("wagtailcore_site" in sql for sql in second_queries)
    assert not any("wagtailcore_pageviewrestriction" in sql for sql in second_queries)
    assert len(second_queries) < len(first_queries)


# Queries of a student's second request on a cached route. The user comes
# first. One query then loads the page with the student's role in the
# course and the student's progress: the row of the lesson on a lesson
# page, the lessons done and the last one opened on a course page.
QUERY_BUDGET = {"course": 2, "lesson": 2}


@pytest.mark.parametrize("page_name", ["course", "lesson"])
def test_cached_route_query_budget(client, world, page_name):
    url = world[page_name].url
    client.get(url)
    response, queries = get_with_queries(client, url)
    # Sessions come from the cache with Redis and from the database without.
    queries = [sql for sql in queries if "django_session" not in sql]

    assert response.status_code == 200
    assert len(queries) <= QUERY_BUDGET[page_name], queries


def test_route_cache_off_routes_every_time(client, world, settings):
    settings.PAGE_ROUTE_CACHE = False
    url = world["lesson"].url
    client.get(url)
    response, queries = get_with_queries(client, url)

    assert response.status_code == 200
    assert any("wagtailcore_site" in sql for sql in queries)


def test_new_revision_is_served_at_once(client, world, committed):
    lesson = world["lesson"]
    client.get(lesson.url)
    lesson.title = "Gravitasi dan massa"
    with committed():
        lesson.save_revision().publish()

    response = client.get(lesson.url)

    assert response.status_code == 200
    assert "Gravitasi dan massa" in response.content.decode()


def test_new_slug_moves_the_route(client, world, committed):
    lesson = world["lesson"]
    old_url = lesson.url
    client.get(old_url)
    lesson.slug = "gravitasi-bumi"
    with committed():
        lesson.save_revision().publish()
    lesson.refresh_from_db()

    # Wagtail's redirects app sends the old path on to the new one.
    old = client.get(old_url)
    assert old.status_code == 301
    assert old["Location"] == lesson.url
    assert client.get(lesson.url).status_code == 200


def test_unpublished_lesson_is_gone(client, world, committed):
    lesson = world["lesson"]
    client.get(lesson.url)
    with committed():
        lesson.unpublish()

    assert client.get(lesson.url).status_code == 404


def test_lesson_hidden_by_queryset_update(client, world):
    # A queryset update sends no signal, so the generation stays; the page is
    # loaded only while it is still live.
    lesson = world["lesson"]
    client.get(lesson.url)
    Page.objects.filter(pk=lesson.pk).update(live=False)

    assert client.get(lesson.url).status_code == 404


def test_moved_lesson_leaves_old_path(client, world, committed):
    lesson = world["lesson"]
    old_url = lesson.url
    client.get(old_url)
    with committed():
        other = make_course(world["index"], teachers=[world["teacher"]])
        enrol(other, world["student"])
        lesson.move(other, pos="last-child")
    lesson = LessonPage.objects.get(pk=lesson.pk)

    # Wagtail's redirects app sends the old path on to the new one.
    old = client.get(old_url)
    assert old.status_code == 301
    assert old["Location"] == lesson.url
    assert client.get(lesson.url).status_code == 200


def test_ended_enrolment_denies_cached_route(client, world):
    url = world["lesson"].url
    assert client.get(url).status_code == 200
    Enrolment.objects.filter(student=world["student"]).update(
        ends_on=datetime.date.today() - datetime.timedelta(days=30)
    )

    assert client.get(url).status_code == 403


def test_new_enrolment_opens_cached_route(client, world):
    newcomer = make_student(make_school())
    url = world["lesson"].url
    client.get(url)
    client.force_login(newcomer)
    assert client.get(url).status_code == 403

    enrol(world["course"], newcomer)

    assert client.get(url).status_code == 200


def test_new_view_restriction_applies(client, world, committed):
    url = world["lesson"].url
    assert client.get(url).status_code == 200
    with committed():
        restriction = PageViewRestriction.objects.create(
            page=world["course"], restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(Group.objects.create(name="Guru IPA"))

    restricted = client.get(url)

    assert restricted.status_code == 302
    assert "login" in restricted["Location"]

    with committed():
        restriction.delete()

    assert client.get(url).status_code == 200


def test_site_root_change_moves_routes(client, world, committed):
    url = world["lesson"].url
    client.get(url)
    root = Page.get_first_root_node()
    with committed():
        other_home = root.add_child(instance=Page(title="Lain", slug="lain"))
        site = Site.objects.get(root_page=make_home())
        site.root_page = other_home
        site.save()

    assert client.get(url).status_code == 404


def test_generation_changes_after_commit(committed, world):
    before = page_routes.current_generation()
    with committed():
        with transaction.atomic():
            world["lesson"].save_revision().publish()
            inside = cache.get(page_routes.GENERATION_KEY)

    assert inside == before
    assert page_routes.current_generation() != before


def test_unknown_path_is_not_remembered(client, world):
    client.get("/tidak-ada/")

    key = page_routes.route_key(client.get("/healthz").wsgi_request, "tidak-ada/")
    assert cache.get(key) is None


def test_course_lists_new_lesson(client, world, committed):
    url = world["course"].url
    client.get(url)
    with committed():
        make_lesson(world["course"], title="Tekanan udara")

    assert "Tekanan udara" in client.get(url).content.decode()


def test_course_lists_renamed_lesson(client, world, committed):
    url = world["course"].url
    lesson = world["lesson"]
    client.get(url)
    lesson.title = "Gravitasi bumi"
    with committed():
        lesson.save_revision().publish()

    assert "Gravitasi bumi" in client.get(url).content.decode()


def test_course_drops_unpublished_lesson(client, world, committed):
    url = world["course"].url
    assert "Gravitasi" in client.get(url).content.decode()
    with committed():
        world["lesson"].unpublish()

    assert "Gravitasi" not in client.get(url).content.decode()


def test_lesson_links_new_next_lesson(client, world, committed):
    url = world["lesson"].url
    assert 'rel="next"' not in client.get(url).content.decode()
    with committed():
        following = make_lesson(world["course"], title="Tekanan udara")

    page = client.get(url).content.decode()

    assert 'rel="next"' in page
    assert f'href="{following.url}"' in page


def test_lesson_links_follow_tree_order(client, world):
    first = world["lesson"]
    second = make_lesson(world["course"], title="Massa")
    third = make_lesson(world["course"], title="Berat")

    page = client.get(second.url).content.decode()

    assert f'rel="prev" href="{first.url}"' in page
    assert f'rel="next" href="{third.url}"' in page


def test_menu_shows_children_to_guardian(client, world):
    guardian = make_guardian(world["student"])
    children_url = reverse("gradebook:parent")
    client.force_login(guardian)

    guardian_page = client.get(world["course"].url).content.decode()
    client.force_login(world["student"])
    student_page = client.get(world["course"].url).content.decode()

    assert f'href="{children_url}"' in guardian_page
    assert f'href="{children_url}"' not in student_page


def test_route_data_is_per_language(client, world, settings):
    # The lesson's callout block names its kind: "Kiat" in Indonesian.
    url = world["lesson"].url
    client.get(url)
    assert "Kiat" in client.get(url).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get(url)
    english = client.get(url).content.decode()

    assert "Tip" in english
    assert "Kiat" not in english


def test_course_shows_renamed_teacher(client, world, committed):
    url = world["course"].url
    teacher = world["teacher"]
    client.get(url)
    teacher.first_name = "Ratna"
    teacher.last_name = "Sari"
    with committed():
        teacher.save()

    assert "Ratna Sari" in client.get(url).content.decode()


def test_course_drops_deleted_teacher(client, world, committed):
    url = world["course"].url
    teacher = world["teacher"]
    name = str(teacher)
    assert name in client.get(url).content.decode()
    with committed():
        teacher.delete()

    assert name not in client.get(url).content.decode()


def test_login_keeps_the_generation(world, committed):
    before = page_routes.current_generation()
    with committed():
        world["teacher"].save(update_fields=["last_login"])

    assert page_routes.current_generation() == before


def test_lesson_hidden_when_course_updated_offline(client, world):
    # The lesson's route data contains its course, but whether the course
    # is live is read with the page on every request.
    url = world["lesson"].url
    client.get(url)
    assert client.get(url).status_code == 200
    Page.objects.filter(pk=world["course"].pk).update(live=False)

    assert client.get(url).status_code == 404


def test_cached_lesson_shows_fresh_progress(client, world):
    lesson = world["lesson"]
    client.get(lesson.url)
    assert "Tandai selesai" in client.get(lesson.url).content.decode()

    client.post(reverse("courses:lesson_done", args=[lesson.pk]))
    page = client.get(lesson.url).content.decode()

    assert "Anda sudah menyelesaikan pelajaran ini." in page


def test_cached_lesson_records_later_visit(client, world):
    lesson = world["lesson"]
    student = world["student"]
    client.get(lesson.url)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    LessonProgress.objects.filter(student=student, lesson=lesson).update(
        last_seen_at=long_ago
    )

    assert client.get(lesson.url).status_code == 200
    progress = LessonProgress.objects.get(student=student, lesson=lesson)
    assert progress.last_seen_at > long_ago


def test_cached_lesson_denies_other_student(client, world):
    url = world["lesson"].url
    client.get(url)
    client.get(url)
    outsider = make_student(make_school())
    client.force_login(outsider)

    assert client.get(url).status_code == 403


def progress_section(html):
    """Return the course page's progress section, or ``None`` without one."""
    match = re.search(r'<section class="progress".*?</section>', html, re.DOTALL)
    return match.group(0) if match else None


def continue_link(html):
    """Return the address of the course page's continue button, or ``None``."""
    match = re.search(r'<a class="button" href="([^"]+)"', progress_section(html))
    return match.group(1) if match else None


def set_progress(student, lesson, minutes_ago, done=False):
    seen = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    LessonProgress.objects.update_or_create(
        student=student,
        lesson=lesson,
        defaults={"last_seen_at": seen, "completed_at": seen if done else None},
    )


def test_cached_course_shows_fresh_progress(client, world):
    url = world["course"].url
    client.get(url)
    before = progress_section(client.get(url).content.decode())
    assert "0 dari 1 pelajaran selesai" in before

    client.post(reverse("courses:lesson_done", args=[world["lesson"].pk]))
    page = client.get(url).content.decode()

    assert "1 dari 1 pelajaran selesai" in progress_section(page)
    assert "✓ selesai" in page


def test_cached_course_continues_last_opened(client, world):
    first = world["lesson"]
    second = make_lesson(world["course"], title="Massa")
    student = world["student"]
    url = world["course"].url
    client.get(url)
    assert continue_link(client.get(url).content.decode()) == first.url

    set_progress(student, first, minutes_ago=30)
    set_progress(student, second, minutes_ago=10)
    assert continue_link(client.get(url).content.decode()) == second.url

    set_progress(student, first, minutes_ago=1)
    assert continue_link(client.get(url).content.decode()) == first.url

    set_progress(student, first, minutes_ago=1, done=True)
    assert continue_link(client.get(url).content.decode()) == second.url

    set_progress(student, second, minutes_ago=1, done=True)
    page = client.get(url).content.decode()
    assert continue_link(page) is None
    assert "2 dari 2 pelajaran selesai" in progress_section(page)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [(0, 5, False)],
        [(0, 5, True), (1, 20, False)],
        [(0, 5, False), (1, 5, False), (2, 9, True)],
        [(0, 1, True), (1, 2, True), (2, 3, True)],
    ],
    ids=["none", "one-open", "done-and-open", "same-time", "all-done"],
)
def test_cached_course_progress_matches_query(client, world, settings, rows):
    # The route query folds the progress rows into the page query. The
    # page without the route cache reads them with progress_for.
    lessons = [world["lesson"]] + [
        make_lesson(world["course"], title=f"Bab {number}") for number in (2, 3)
    ]
    for index, minutes_ago, done in rows:
        set_progress(world["student"], lessons[index], minutes_ago, done)
    # A row of a lesson in another course is not part of this one.
    other_course = make_course(world["index"], teachers=[world["teacher"]])
    set_progress(world["student"], make_lesson(other_course), minutes_ago=0)
    url = world["course"].url
    client.get(url)
    cached = client.get(url).content.decode()

    settings.PAGE_ROUTE_CACHE = False
    uncached = client.get(url).content.decode()

    assert progress_section(cached) == progress_section(uncached)
    assert cached.count("✓ selesai") == sum(1 for row in rows if row[2])
    assert uncached.count("✓ selesai") == sum(1 for row in rows if row[2])


def test_cached_course_counts_new_lesson(client, world, committed):
    url = world["course"].url
    client.post(reverse("courses:lesson_done", args=[world["lesson"].pk]))
    client.get(url)
    assert "1 dari 1 pelajaran selesai" in client.get(url).content.decode()

    with committed():
        make_lesson(world["course"], title="Tekanan udara")
    page = client.get(url).content.decode()

    assert "1 dari 2 pelajaran selesai" in progress_section(page)
    assert "Tekanan udara" in page


def test_cached_course_progress_per_language(client, world, settings):
    url = world["course"].url
    client.get(url)
    assert "0 dari 1 pelajaran selesai" in client.get(url).content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.get(url)
    english = client.get(url).content.decode()

    assert "0 of 1 lessons done" in progress_section(english)
    assert "pelajaran selesai" not in english


def test_ended_enrolment_denies_cached_course(client, world):
    url = world["course"].url
    client.get(url)
    assert client.get(url).status_code == 200
    Enrolment.objects.filter(student=world["student"]).update(
        ends_on=datetime.date.today() - datetime.timedelta(days=30)
    )

    assert client.get(url).status_code == 403


def test_new_enrolment_shows_cached_course_progress(client, world):
    newcomer = make_student(make_school())
    url = world["course"].url
    client.get(url)
    client.force_login(newcomer)
    assert client.get(url).status_code == 403

    enrol(world["course"], newcomer)
    set_progress(newcomer, world["lesson"], minutes_ago=3, done=True)
    page = client.get(url).content.decode()

    assert "1 dari 1 pelajaran selesai" in progress_section(page)


def test_cached_course_progress_is_per_student(client, world):
    url = world["course"].url
    set_progress(world["student"], world["lesson"], minutes_ago=3, done=True)
    client.get(url)
    assert "1 dari 1 pelajaran selesai" in client.get(url).content.decode()
    classmate = make_student(world["course"].school)
    enrol(world["course"], classmate)
    client.force_login(classmate)

    page = client.get(url).content.decode()

    assert "0 dari 1 pelajaran selesai" in progress_section(page)


def test_course_shows_renamed_class_group(client, world, committed):
    course = world["course"]
    group = ClassGroup.objects.create(
        school=course.school, academic_year=course.academic_year, grade=7, name="7A"
    )
    course.class_group = group
    with committed():
        course.save_revision().publish()
    url = course.url
    client.get(url)
    assert "· 7A ·" in client.get(url).content.decode()

    group.name = "7B"
    with committed():
        group.save()
    assert "· 7B ·" in client.get(url).content.decode()

    with committed():
        group.delete()
    page = client.get(url).content.decode()
    assert "· 7B ·" not in page
    assert client.get(url).status_code == 200


def test_course_shows_renamed_year(client, world, committed):
    year = world["course"].academic_year
    url = world["course"].url
    client.get(url)
    assert year.name in client.get(url).content.decode()

    year.name = "2099/2100"
    with committed():
        year.save()

    assert "2099/2100" in client.get(url).content.decode()
