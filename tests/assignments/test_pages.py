import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.assignments import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    assignment = world.assignment(instructions="<p>Tulis <strong>laporan</strong>.</p>")
    submission = services.submit(assignment, world.student, text="jawaban saya")
    return assignment, submission


def pages(world, assignment, submission):
    """Return (user, url) pairs of every page that user may open."""
    detail = reverse("assignments:detail", args=[assignment.pk])
    work = reverse("assignments:student_work", args=[assignment.pk, world.student.pk])
    course = reverse("assignments:course", args=[world.course.pk])
    return [
        (world.teacher, course),
        (world.teacher, detail),
        (world.teacher, reverse("assignments:create", args=[world.course.pk])),
        (world.teacher, reverse("assignments:edit", args=[assignment.pk])),
        (world.teacher, reverse("assignments:submissions", args=[assignment.pk])),
        (world.teacher, reverse("assignments:grade", args=[submission.pk])),
        (world.teacher, work),
        (world.student, course),
        (world.student, detail),
        (world.student, work),
        (world.parent, course),
        (world.parent, detail),
        (world.parent, work),
    ]


def test_pages_render_for_their_users(client, world, submitted):
    assignment, submission = submitted

    for user, url in pages(world, assignment, submission):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (user.username, url)
        body = response.content.decode()
        assert "<script>" not in body, url


def test_detail_shows_instructions_markup(client, world, submitted):
    assignment, _submission = submitted
    client.force_login(world.student)

    response = client.get(reverse("assignments:detail", args=[assignment.pk]))

    assert "<strong>laporan</strong>" in response.content.decode()


def test_student_page_shows_own_due_date(client, world, submitted):
    assignment, _submission = submitted
    new_due = assignment.due_at + datetime.timedelta(days=4)
    services.grant_extension(assignment, world.student, new_due, by=world.teacher)
    client.force_login(world.student)

    response = client.get(reverse("assignments:detail", args=[assignment.pk]))

    assert response.context["due_at"] == new_due


def test_extension_form_error_shown(client, world, submitted):
    assignment, _submission = submitted
    client.force_login(world.teacher)
    early = timezone.localtime(assignment.due_at - datetime.timedelta(days=1))

    response = client.post(
        reverse("assignments:extension", args=[assignment.pk]),
        {"student": world.student.pk, "due_at": early.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["due_at"]
    assert [error.code for error in errors] == ["extension_before_due"]
    assert not assignment.extensions.exists()


def test_extension_for_outsider_rejected(client, world, submitted):
    from tests.factories import make_student

    assignment, _submission = submitted
    outsider = make_student(world.school)
    client.force_login(world.teacher)

    response = client.post(
        reverse("assignments:extension", args=[assignment.pk]),
        {"student": outsider.pk, "due_at": "2099-01-01T07:00"},
    )

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["student"]
    assert [error.code for error in errors] == ["invalid_choice"]
    assert not assignment.extensions.exists()


def test_unknown_assignment_is_404(client, world):
    client.force_login(world.student)

    response = client.get(reverse("assignments:detail", args=[999999]))

    assert response.status_code == 404
