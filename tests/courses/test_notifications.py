"""In-app notifications: sending them and the page that lists them."""

import pytest
from django.urls import reverse

from courses.models import Notification
from courses.notify import notify

from .factories import (
    enrol,
    make_course,
    make_course_index,
    make_guardian,
    make_lesson,
    make_school,
    make_student,
    make_user,
)

pytestmark = pytest.mark.django_db

PAGE_URL = reverse("courses:notifications")
READ_URL = reverse("courses:notifications_read")


def test_notify_stores_one_per_active_user():
    school = make_school()
    first = make_student(school)
    second = make_student(school)
    inactive = make_user(is_active=False)

    count = notify([first, second.pk, inactive, first], "grade", "Nilai", "/x/")

    assert count == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert not Notification.objects.filter(recipient=inactive).exists()


def test_notify_rejects_unknown_kind():
    user = make_user()
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify([user], "spam", "x")
    assert Notification.objects.count() == 0


def test_notify_without_users_stores_nothing():
    assert notify([], "reply", "x") == 0
    assert Notification.objects.count() == 0


def test_page_lists_only_own_notifications(client):
    owner = make_user()
    other = make_user()
    notify([owner], "announcement", "Untuk pemilik", "/a/")
    notify([other], "announcement", "Untuk orang lain", "/b/")
    client.force_login(owner)

    response = client.get(PAGE_URL)

    assert response.status_code == 200
    assert "Untuk pemilik" in response.content.decode()
    assert "Untuk orang lain" not in response.content.decode()


def test_page_needs_login(client):
    response = client.get(PAGE_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_mark_one_read_follows_local_url(client):
    owner = make_user()
    notify([owner], "reply", "Balasan", "/courses/")
    notification = Notification.objects.get()
    client.force_login(owner)

    response = client.post(READ_URL, {"id": notification.pk})

    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_ignores_external_url(client):
    owner = make_user()
    notify([owner], "reply", "Balasan", "https://evil.example/")
    client.force_login(owner)

    response = client.post(READ_URL, {"id": Notification.objects.get().pk})

    assert response["Location"] == PAGE_URL


def test_mark_read_of_other_person_changes_nothing(client):
    owner = make_user()
    intruder = make_user()
    notify([owner], "grade", "Nilai", "/g/")
    notification = Notification.objects.get()
    client.force_login(intruder)

    response = client.post(READ_URL, {"id": notification.pk})

    assert response["Location"] == PAGE_URL
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client):
    owner = make_user()
    other = make_user()
    notify([owner, other], "due_soon", "Tenggat", "")
    notify([owner], "grade", "Nilai", "")
    client.force_login(owner)

    client.post(READ_URL)

    assert not Notification.objects.filter(
        recipient=owner, read_at__isnull=True
    ).exists()
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).exists()


def test_mark_read_rejects_get(client):
    client.force_login(make_user())
    assert client.get(READ_URL).status_code == 405


def test_new_lesson_notifies_students_once():
    school = make_school()
    course = make_course(make_course_index(school))
    student = make_student(school)
    enrol(course, student)

    lesson = make_lesson(course, title="Sistem tata surya")
    lesson.save_revision().publish()

    notification = Notification.objects.get(kind="new_material")
    assert notification.recipient == student
    assert "Sistem tata surya" in notification.title
    assert notification.url == lesson.url


def test_my_courses_links_notifications_and_digest(client):
    school = make_school()
    child = make_student(school)
    parent = make_guardian(child)
    client.force_login(parent)

    body = client.get(reverse("courses:index")).content.decode()

    assert f'href="{PAGE_URL}"' in body
    assert f'href="{reverse("courses:digest_preference")}"' in body
