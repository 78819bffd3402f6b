import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.assignments import services
from courses.assignments.models import Assignment
from courses.gradebook.models import GradeItem
from courses.models import Notification

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Esai sejarah",
    "opens_at": "2026-01-01T07:00",
    "due_at": "2026-01-08T07:00",
    "late_policy": "reject",
    "late_penalty_percent": "10",
    "late_penalty_cap": "50",
    "submission_kind": "text",
    "max_file_size_mb": "5",
    "max_score": "100",
}


def remind(hours=24):
    output = io.StringIO()
    call_command("remind_assignments", hours=hours, stdout=output, verbosity=0)
    return output.getvalue()


def test_new_assignment_notifies_students(client, world):
    client.force_login(world.teacher)

    response = client.post(reverse("assignments:create", args=[world.course.pk]), FORM)

    assert response.status_code == 302
    recipients = set(
        Notification.objects.filter(kind="new_material").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {world.student.pk, world.other_student.pk}


def test_edit_updates_gradebook_item(client, world):
    assignment = world.assignment(max_score=Decimal(50))
    submission = services.submit(assignment, world.student, text="jawaban")
    graded = services.grade(submission, by=world.teacher, score="40")
    services.return_grade(graded, by=world.teacher)
    client.force_login(world.teacher)

    response = client.post(
        reverse("assignments:edit", args=[assignment.pk]),
        {**FORM, "title": "Esai sejarah (revisi)", "max_score": "60"},
    )

    assert response.status_code == 302
    item = GradeItem.objects.get(key=f"assignment:{assignment.pk}")
    assert item.title == "Esai sejarah (revisi)"
    assert item.max_score == Decimal(60)


def test_delete_removes_gradebook_item(world):
    assignment = world.assignment()
    submission = services.submit(assignment, world.student, text="jawaban")
    services.return_grade(
        services.grade(submission, by=world.teacher, score="90"), by=world.teacher
    )
    key = f"assignment:{assignment.pk}"
    assert GradeItem.objects.filter(key=key).exists()

    assignment.delete()

    assert not GradeItem.objects.filter(key=key).exists()


def test_reminder_skips_done_and_extended(world):
    assignment = world.assignment(due_at=timezone.now() + datetime.timedelta(hours=5))
    third = world.other_student
    services.submit(assignment, world.student, text="sudah")
    services.grant_extension(
        assignment,
        third,
        assignment.due_at + datetime.timedelta(days=2),
        by=world.teacher,
    )

    output = remind()

    assert "1 assignments; 0 notifications" in output
    assert not Notification.objects.filter(kind="due_soon").exists()


def test_reminder_sent_once(world):
    assignment = world.assignment(due_at=timezone.now() + datetime.timedelta(hours=5))
    world.assignment(due_at=timezone.now() + datetime.timedelta(days=5))

    first = remind()
    second = remind()

    assert "1 assignments; 2 notifications" in first
    assert "0 assignments; 0 notifications" in second
    notified = Notification.objects.filter(kind="due_soon")
    assert notified.count() == 2
    assert set(notified.values_list("url", flat=True)) == {
        assignment.get_absolute_url()
    }
    assignment.refresh_from_db()
    assert assignment.reminded_at is not None


def test_reminder_rejects_bad_hours(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        remind(hours=0)


def test_changed_due_date_clears_reminder(client, world):
    assignment = world.assignment(submission_kind=Assignment.SubmissionKind.TEXT)
    Assignment.objects.filter(pk=assignment.pk).update(reminded_at=timezone.now())
    client.force_login(world.teacher)

    response = client.post(
        reverse("assignments:edit", args=[assignment.pk]),
        {**FORM, "due_at": "2026-02-01T07:00"},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.reminded_at is None


def test_course_delete_removes_assignments(world):
    assignment = world.assignment()
    submission = services.submit(assignment, world.student, text="jawaban")
    services.return_grade(
        services.grade(submission, by=world.teacher, score="90"), by=world.teacher
    )

    world.course.delete()

    assert not Assignment.objects.exists()
    assert not GradeItem.objects.exists()
