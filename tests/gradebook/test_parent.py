import datetime

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from courses.gradebook import api
from courses.gradebook.missing import missing_work
from tests.factories import PASSWORD, make_lesson


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_parent_page_shows_child(client, setup):
    make_lesson(setup.course)
    api.record_score(
        setup.item, setup.student, 77, by=setup.teacher, feedback="Rapi dan jelas"
    )
    api.record_score(setup.item, setup.other, 12, by=setup.teacher, feedback="Lain")
    response = login(client, setup.guardian).get(reverse("gradebook:parent"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ayu" in body
    assert setup.course.title in body
    assert "Rapi dan jelas" in body
    assert "Lain" not in body
    assert "0 of 1" in body or "0 dari 1" in body


@pytest.mark.django_db
def test_parent_opens_own_child(client, setup):
    login(client, setup.guardian)
    url = reverse("gradebook:child", args=[setup.student.pk])
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_parent_other_family_forbidden(client, setup):
    login(client, setup.guardian)
    url = reverse("gradebook:child", args=[setup.other.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "Bima" not in response.content.decode()


@pytest.mark.django_db
def test_student_cannot_open_parent_child_page(client, setup):
    login(client, setup.other)
    url = reverse("gradebook:child", args=[setup.student.pk])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_missing_work_lists_past_due(setup):
    if not apps.is_installed("courses.assignments"):
        pytest.skip("the assignments app is not installed")
    from courses.assignments.models import Assignment, Submission

    now = timezone.now()
    past = Assignment.objects.create(
        course=setup.course,
        title="Ringkasan bab 1",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
    )
    Assignment.objects.create(
        course=setup.course,
        title="Ringkasan bab 2",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now + datetime.timedelta(days=1),
    )
    done = Assignment.objects.create(
        course=setup.course,
        title="Ringkasan bab 3",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
    )
    Submission.objects.create(assignment=done, student=setup.student, text="Sudah")
    assert [a.pk for a in missing_work(setup.student, now)] == [past.pk]
