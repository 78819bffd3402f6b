"""Teachers write and publish lessons in the Wagtail admin, only in their courses."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from courses.models import CoursePage, LessonPage
from courses.permissions import teacher_group_name

from .factories import (
    PASSWORD,
    enrol,
    make_course,
    make_course_index,
    make_school,
    make_student,
    make_teacher,
    make_user,
)

pytestmark = pytest.mark.django_db

LESSON_TEXT = "Bilangan bulat negatif berada di sebelah kiri nol pada garis bilangan."


def lesson_form(title, slug):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "Mengenal bilangan negatif.",
            "body": streamfield(
                [
                    ("heading", "Garis bilangan"),
                    ("paragraph", rich_text(f"<p>{LESSON_TEXT}</p>")),
                    (
                        "callout",
                        {"kind": "tip", "text": rich_text("<p>Gambar garisnya.</p>")},
                    ),
                ]
            ),
        }
    )


def add_lesson_url(parent):
    return reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", parent.pk))


@pytest.fixture
def two_courses():
    school = make_school()
    index = make_course_index(school)
    teacher_a = make_teacher(school, "guru_a")
    teacher_b = make_teacher(school, "guru_b")
    course_a = make_course(index, teachers=[teacher_a], subject="Matematika")
    course_b = make_course(index, teachers=[teacher_b], subject="IPA")
    return school, teacher_a, course_a, teacher_b, course_b


def test_teacher_publishes_lesson_student_reads(client, two_courses):
    school, teacher_a, course_a, _teacher_b, _course_b = two_courses
    client.login(username=teacher_a.username, password=PASSWORD)

    response = client.post(
        add_lesson_url(course_a), lesson_form("Bilangan bulat", "bilangan-bulat")
    )

    assert response.status_code == 302
    lesson = LessonPage.objects.get(slug="bilangan-bulat")
    assert lesson.get_parent().pk == course_a.pk
    assert not lesson.live

    edit_url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))
    data = lesson_form("Bilangan bulat", "bilangan-bulat")
    data["action-publish"] = "publish"
    response = client.post(edit_url, data)

    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.live
    assert lesson.owner == teacher_a

    student = make_student(school)
    enrol(course_a, student)
    client.logout()
    client.login(username=student.username, password=PASSWORD)
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert LESSON_TEXT in response.content.decode()
    assert "Garis bilangan" in response.content.decode()


def test_teacher_cannot_add_lesson_to_other_course(client, two_courses):
    _school, teacher_a, _course_a, _teacher_b, course_b = two_courses
    client.login(username=teacher_a.username, password=PASSWORD)

    response = client.post(add_lesson_url(course_b), lesson_form("Sel", "sel"))

    # Wagtail redirects a denied admin action to the dashboard.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not LessonPage.objects.filter(slug="sel").exists()


def test_teacher_cannot_edit_other_course(client, two_courses):
    _school, teacher_a, _course_a, _teacher_b, course_b = two_courses
    client.login(username=teacher_a.username, password=PASSWORD)

    response = client.get(reverse("wagtailadmin_pages:edit", args=(course_b.pk,)))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not course_b.permissions_for_user(teacher_a).can_edit()


def test_teacher_group_follows_teachers(two_courses):
    school, teacher_a, course_a, teacher_b, _course_b = two_courses
    group = Group.objects.get(name=teacher_group_name(course_a.pk))
    assert list(group.user_set.all()) == [teacher_a]
    codenames = set(
        group.page_permissions.filter(page=course_a).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"add_page", "change_page", "publish_page"}

    course_a.teachers = [teacher_b]
    course_a.save_revision().publish()

    assert list(group.user_set.all()) == [teacher_b]
    assert course_a.permissions_for_user(teacher_b).can_edit()
    assert not course_a.permissions_for_user(teacher_a).can_edit()


def test_deleting_course_deletes_group(two_courses):
    _school, _teacher_a, course_a, _teacher_b, _course_b = two_courses
    name = teacher_group_name(course_a.pk)

    Page.objects.get(pk=course_a.pk).delete()

    assert not Group.objects.filter(name=name).exists()


def course_form(index, teachers, **overrides):
    data = {
        "title": "Bahasa Indonesia 7",
        "slug": "bahasa-indonesia-7",
        "subject": "Bahasa Indonesia",
        "grade": "7",
        "academic_year": str(overrides.pop("academic_year").pk),
        "description": rich_text(""),
        "code": "",
    }
    data.update(overrides)
    form_data = nested_form_data(data)
    # nested_form_data would turn a list into numbered keys, but a multiple
    # choice field takes the list under one key.
    form_data["teachers"] = [str(teacher.pk) for teacher in teachers]
    return form_data


def test_course_rejects_teacher_of_other_school(client, two_courses):
    school, teacher_a, course_a, _teacher_b, _course_b = two_courses
    outsider = make_teacher(make_school())
    admin = make_user("admin_kota", is_superuser=True, is_staff=True)
    client.login(username=admin.username, password=PASSWORD)
    index = course_a.get_parent()
    url = reverse("wagtailadmin_pages:add", args=("courses", "coursepage", index.pk))

    response = client.post(
        url,
        course_form(index, [teacher_a, outsider], academic_year=course_a.academic_year),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["teachers"]] == ["teacher_not_at_school"]
    assert not CoursePage.objects.filter(slug="bahasa-indonesia-7").exists()


def test_course_created_in_admin_gets_code(client, two_courses):
    _school, teacher_a, course_a, _teacher_b, _course_b = two_courses
    admin = make_user("admin_kota", is_superuser=True, is_staff=True)
    client.login(username=admin.username, password=PASSWORD)
    index = course_a.get_parent()
    url = reverse("wagtailadmin_pages:add", args=("courses", "coursepage", index.pk))

    response = client.post(
        url, course_form(index, [teacher_a], academic_year=course_a.academic_year)
    )

    assert response.status_code == 302
    course = CoursePage.objects.get(slug="bahasa-indonesia-7")
    assert len(course.code) == 6
    assert list(course.teachers.all()) == [teacher_a]
    assert course.permissions_for_user(teacher_a).can_edit()
