"""Grades that assignments and quizzes return reach the gradebook pages."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from courses.gradebook.models import Grade, GradeItem
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_returned_assignment_grade_reaches_student(client, setup):
    if not apps.is_installed("courses.assignments"):
        pytest.skip("the assignments app is not installed")
    from courses.assignments import services
    from courses.assignments.models import Assignment

    now = timezone.now()
    assignment = Assignment.objects.create(
        course=setup.course,
        title="Laporan praktikum",
        opens_at=now - datetime.timedelta(days=2),
        due_at=now + datetime.timedelta(days=2),
        submission_kind=Assignment.SubmissionKind.TEXT,
    )
    submission = services.submit(assignment, setup.student, text="Hasil saya")
    graded = services.grade(
        submission, by=setup.teacher, score="88", feedback="Data lengkap"
    )
    # A grade that is not returned stays out of the gradebook.
    assert not Grade.objects.filter(student=setup.student).exists()
    services.return_grade(graded, by=setup.teacher)

    item = GradeItem.objects.get(course=setup.course, key=assignment.gradebook_key)
    grade = Grade.objects.get(item=item, student=setup.student)
    assert grade.score == Decimal("88.00")
    assert client.login(username=setup.student.username, password=PASSWORD)
    response = client.get(reverse("gradebook:mine", args=[setup.course.pk]))
    body = response.content.decode()
    assert "Laporan praktikum" in body
    assert "Data lengkap" in body
