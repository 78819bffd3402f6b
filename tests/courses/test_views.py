"""The "My courses" page and joining a course by its code."""

import copy
import datetime
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.models import Enrolment
from courses.views import JOIN_MAX_FAILURES
from lms.models import Semester

from .factories import (
    current_year,
    make_course,
    make_course_index,
    make_guardian,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("courses:index")
JOIN_URL = reverse("courses:join")


@pytest.fixture(autouse=True)
def _own_cache_prefix(settings):
    # The join limit counts failures in the cache. A key prefix of its own
    # gives each test fresh counters without flushing a Redis shared with
    # other test runs.
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def school_courses():
    school = make_school()
    index = make_course_index(school)
    teacher = make_teacher(school)
    maths = make_course(index, teachers=[teacher], title="Matematika 7A", code="MTK7A2")
    science = make_course(index, title="IPA 7A", subject="IPA", code="IPA7A3")
    return school, teacher, maths, science


def error_codes(response, field="code"):
    return [error.code for error in response.context["form"].errors.as_data()[field]]


def test_index_requires_login(client):
    response = client.get(INDEX_URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={INDEX_URL}"


def test_index_lists_student_courses(client, school_courses):
    school, _teacher, maths, science = school_courses
    student = make_student(school)
    maths.enrol(student, Enrolment.Method.MANUAL)
    client.force_login(student)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    assert list(response.context["learning"]) == [maths]
    assert "Matematika 7A" in response.content.decode()
    assert "IPA 7A" not in response.content.decode()


def test_index_lists_taught_courses(client, school_courses):
    _school, teacher, maths, _science = school_courses
    client.force_login(teacher)

    response = client.get(INDEX_URL)

    assert list(response.context["teaching"]) == [maths]
    assert "MTK7A2" in response.content.decode()


def test_index_groups_courses_by_child(client, school_courses):
    school, _teacher, maths, science = school_courses
    child = make_student(school, "anak_budi")
    child.first_name = "Budi"
    child.save()
    other_child = make_student(school, "anak_siti")
    maths.enrol(child, Enrolment.Method.CLASS_GROUP)
    science.enrol(other_child, Enrolment.Method.CLASS_GROUP)
    parent = make_guardian(child)
    client.force_login(parent)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    children = response.context["children"]
    assert [entry["child"] for entry in children] == [child]
    assert list(children[0]["courses"]) == [maths]
    content = response.content.decode()
    assert "Matematika 7A" in content
    assert "IPA 7A" not in content
    assert "anak_siti" not in content


def test_index_hides_ended_enrolments(client, school_courses):
    school, _teacher, maths, _science = school_courses
    student = make_student(school)
    maths.enrol(student, Enrolment.Method.MANUAL)
    Enrolment.objects.update(ends_on=datetime.date(2000, 1, 1))
    client.force_login(student)

    assert list(client.get(INDEX_URL).context["learning"]) == []


def test_join_with_good_code(client, school_courses):
    school, _teacher, maths, _science = school_courses
    student = make_student(school)
    client.force_login(student)

    response = client.post(JOIN_URL, {"code": " mtk-7a2 "})

    assert response.status_code == 302
    assert response.url == maths.url
    enrolment = Enrolment.objects.get(student=student)
    assert enrolment.course_id == maths.pk
    assert enrolment.method == Enrolment.Method.CODE
    assert enrolment.ends_on == maths.ends_on


def test_join_twice_is_harmless(client, school_courses):
    school, _teacher, maths, _science = school_courses
    student = make_student(school)
    client.force_login(student)

    client.post(JOIN_URL, {"code": "MTK7A2"})
    response = client.post(JOIN_URL, {"code": "MTK7A2"})

    assert response.status_code == 302
    assert Enrolment.objects.filter(student=student).count() == 1
    levels = [message.level_tag for message in get_messages(response.wsgi_request)]
    assert "info" in levels


def test_join_unknown_code(client, school_courses):
    school, *_rest = school_courses
    client.force_login(make_student(school))

    response = client.post(JOIN_URL, {"code": "XXXXXX"})

    assert response.status_code == 400
    assert error_codes(response) == ["unknown_code"]
    assert "XXXXXX" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_join_empty_code(client, school_courses):
    school, *_rest = school_courses
    client.force_login(make_student(school))

    response = client.post(JOIN_URL, {"code": ""})

    assert response.status_code == 400
    assert error_codes(response) == ["required"]


def test_join_course_of_other_school(client, school_courses):
    _school, _teacher, _maths, _science = school_courses
    outsider = make_student(make_school())
    client.force_login(outsider)

    response = client.post(JOIN_URL, {"code": "MTK7A2"})

    assert response.status_code == 400
    assert error_codes(response) == ["other_school"]
    assert not Enrolment.objects.exists()


def test_join_ended_course(client, school_courses):
    school, _teacher, _maths, _science = school_courses
    year, _semester = current_year()
    past_year = year.__class__.for_start_year(year.starts_on.year - 2)
    past_semester = Semester.objects.create(
        academic_year=past_year,
        number=Semester.Number.ODD,
        starts_on=past_year.starts_on,
        ends_on=past_year.starts_on + datetime.timedelta(days=180),
    )
    make_course(
        school.course_index, code="LAMA01", semester=past_semester, title="Lama"
    )
    client.force_login(make_student(school))

    response = client.post(JOIN_URL, {"code": "LAMA01"})

    assert response.status_code == 400
    assert error_codes(response) == ["course_ended"]
    assert not Enrolment.objects.exists()


def test_join_draft_course_is_unknown(client, school_courses):
    school, *_rest = school_courses
    make_course(school.course_index, code="DRAF01", publish=False)
    client.force_login(make_student(school))

    response = client.post(JOIN_URL, {"code": "DRAF01"})

    assert error_codes(response) == ["unknown_code"]


def test_join_only_for_students(client, school_courses):
    _school, teacher, _maths, _science = school_courses
    for user in (teacher, make_user()):
        client.force_login(user)
        response = client.post(JOIN_URL, {"code": "MTK7A2"})
        assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_join_requires_login(client):
    response = client.post(JOIN_URL, {"code": "MTK7A2"})
    assert response.status_code == 302
    assert not Enrolment.objects.exists()


def test_join_blocks_after_many_failures(client, school_courses):
    school, *_rest = school_courses
    student = make_student(school)
    client.force_login(student)
    for _attempt in range(JOIN_MAX_FAILURES):
        client.post(JOIN_URL, {"code": "SALAH1"})

    response = client.post(JOIN_URL, {"code": "MTK7A2"})

    assert response.status_code == 400
    assert error_codes(response) == ["too_many_attempts"]
    assert not Enrolment.objects.exists()


def test_join_page_shows_form(client, school_courses):
    school, *_rest = school_courses
    client.force_login(make_student(school))
    response = client.get(JOIN_URL)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
