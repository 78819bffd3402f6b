"""The demo live classes that ``manage.py demo_data`` builds."""

import io

import pytest

from live import demo
from live.models import LiveSession, SessionState
from lms.demo import DemoWorld
from tests.courses.factories import (
    current_year,
    make_course,
    make_course_index,
    make_home,
    make_school,
    make_teacher,
)

from .conftest import restore_wagtail_root

pytestmark = pytest.mark.django_db


def make_world():
    restore_wagtail_root()
    year, semester = current_year()
    empty_school = make_school()
    school = make_school()
    teacher = make_teacher(school)
    course = make_course(make_course_index(school), teachers=[teacher])
    world = DemoWorld(
        home=make_home(),
        year=year,
        semester=semester,
        city_admin=None,
        schools=[empty_school, school],
        teachers={empty_school.npsn: [], school.npsn: [teacher]},
    )
    return world, teacher, course


def test_demo_builds_open_and_scheduled_class():
    world, teacher, course = make_world()
    output = io.StringIO()
    demo.build(world, output)

    sessions = {s.state: s for s in LiveSession.objects.all()}
    assert set(sessions) == {SessionState.OPEN, SessionState.SCHEDULED}
    for session in sessions.values():
        assert session.course_id == course.pk
        assert session.teacher == teacher
    assert sessions[SessionState.SCHEDULED].starts_at > sessions["open"].starts_at
    assert course.title in output.getvalue()


def test_demo_build_twice_adds_nothing():
    world, _teacher, _course = make_world()
    demo.build(world, io.StringIO())
    demo.build(world, io.StringIO())
    assert LiveSession.objects.count() == 2
    assert LiveSession.objects.filter(state=SessionState.OPEN).count() == 1


def test_demo_without_courses_builds_nothing():
    restore_wagtail_root()
    year, semester = current_year()
    school = make_school()
    world = DemoWorld(
        home=make_home(),
        year=year,
        semester=semester,
        city_admin=None,
        schools=[school],
        teachers={school.npsn: [make_teacher(school)]},
    )
    output = io.StringIO()
    demo.build(world, output)
    assert LiveSession.objects.count() == 0
    assert output.getvalue()
