import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.assignments import services
from courses.assignments.models import (
    Assignment,
    Grade,
    Rubric,
    RubricCriterion,
    RubricLevel,
)
from courses.models import Notification

pytestmark = pytest.mark.django_db


def grade_url(submission):
    return reverse("assignments:grade", args=[submission.pk])


def make_rubric(world):
    rubric = Rubric.objects.create(course=world.course, title="Laporan")
    content = RubricCriterion.objects.create(rubric=rubric, title="Isi", position=1)
    layout = RubricCriterion.objects.create(
        rubric=rubric, title="Tata tulis", position=2
    )
    levels = {
        "content_low": RubricLevel.objects.create(
            criterion=content, title="Kurang", points=Decimal(10)
        ),
        "content_high": RubricLevel.objects.create(
            criterion=content, title="Baik", points=Decimal(60)
        ),
        "layout_low": RubricLevel.objects.create(
            criterion=layout, title="Kurang", points=Decimal(5)
        ),
        "layout_high": RubricLevel.objects.create(
            criterion=layout, title="Baik", points=Decimal(40)
        ),
    }
    return rubric, content, layout, levels


@pytest.mark.parametrize(
    ("score", "code"),
    [
        ("-1", "score_out_of_range"),
        ("100.5", "score_out_of_range"),
        ("sembilan", "invalid_score"),
        ("NaN", "invalid_score"),
        ("Infinity", "invalid_score"),
    ],
)
def test_grade_out_of_range_rejected(client, world, score, code):
    assignment = world.assignment(max_score=Decimal(100))
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(grade_url(submission), {"score": score, "feedback": "x"})

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["score"]
    assert [error.code for error in errors] == [code]
    assert not Grade.objects.exists()


def test_grade_error_message_translated(client, world):
    assignment = world.assignment(max_score=Decimal(100))
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(grade_url(submission), {"score": "120"})

    assert "Nilai harus antara 0 dan 100" in response.content.decode()


def test_grade_hidden_until_returned(client, world):
    assignment = world.assignment()
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)
    response = client.post(
        grade_url(submission), {"score": "87,5", "feedback": "Rapi sekali"}
    )
    assert response.status_code == 302
    graded = Grade.objects.get()
    assert graded.score == Decimal("87.50")
    assert graded.returned_at is None

    client.force_login(world.student)
    page = client.get(reverse("assignments:detail", args=[assignment.pk]))

    assert page.status_code == 200
    assert "Rapi sekali" not in page.content.decode()
    assert page.context["returned"] is None
    assert page.context["status"] == "submitted"


def test_return_records_score_and_notifies(client, world):
    from courses.gradebook.models import Grade as GradebookGrade

    assignment = world.assignment()
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(
        grade_url(submission),
        {"score": "80", "feedback": "Bagus", "return": "1"},
    )

    assert response.status_code == 302
    graded = Grade.objects.get()
    assert graded.returned_at is not None
    recorded = GradebookGrade.objects.get(student=world.student)
    assert recorded.score == Decimal("80.00")
    assert recorded.item.key == f"assignment:{assignment.pk}"
    assert recorded.feedback == "Bagus"
    notification = Notification.objects.get(recipient=world.student)
    assert notification.kind == "grade"
    assert notification.url == reverse("assignments:detail", args=[assignment.pk])

    client.force_login(world.student)
    page = client.get(reverse("assignments:detail", args=[assignment.pk]))
    assert "Bagus" in page.content.decode()
    assert page.context["status"] == "graded"


def test_regrade_after_return_updates_gradebook(world):
    from courses.gradebook.models import Grade as GradebookGrade

    assignment = world.assignment()
    submission = services.submit(assignment, world.student, text="jawaban")
    graded = services.grade(submission, by=world.teacher, score="70")
    services.return_grade(graded, by=world.teacher)

    services.grade(submission, by=world.teacher, score="75", feedback="Diperbaiki")

    recorded = GradebookGrade.objects.get(student=world.student)
    assert recorded.score == Decimal("75.00")


def test_late_penalty_applied_to_grade(world):
    now = timezone.now()
    assignment = world.assignment(
        due_at=now - datetime.timedelta(hours=20),
        late_policy=Assignment.LatePolicy.PENALTY,
        late_penalty_percent=10,
        late_penalty_cap=50,
    )
    submission = services.submit(assignment, world.student, text="terlambat")

    graded = services.grade(submission, by=world.teacher, score="80")

    assert graded.raw_score == Decimal("80")
    assert graded.penalty_percent == 10
    assert graded.score == Decimal("72.00")


def test_rubric_score_is_sum(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric, max_score=Decimal(100))
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(
        grade_url(submission),
        {
            f"criterion_{content.pk}": levels["content_high"].pk,
            f"criterion_{layout.pk}": levels["layout_low"].pk,
            "feedback": "Tata tulis perlu diperbaiki",
        },
    )

    assert response.status_code == 302
    graded = Grade.objects.get()
    assert graded.score == Decimal("65")
    assert graded.rubric_choices == {
        str(content.pk): levels["content_high"].pk,
        str(layout.pk): levels["layout_low"].pk,
    }


def test_rubric_missing_criterion_rejected(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric)
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(
        grade_url(submission),
        {f"criterion_{content.pk}": levels["content_high"].pk},
    )

    assert response.status_code == 400
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["rubric_incomplete"]
    assert not Grade.objects.exists()


def test_rubric_level_of_other_criterion_rejected(client, world):
    rubric, content, layout, levels = make_rubric(world)
    assignment = world.assignment(rubric=rubric)
    submission = services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.teacher)

    response = client.post(
        grade_url(submission),
        {
            f"criterion_{content.pk}": levels["layout_high"].pk,
            f"criterion_{layout.pk}": levels["layout_high"].pk,
        },
    )

    assert response.status_code == 400
    assert not Grade.objects.exists()


def test_rubric_sets_max_score(client, world):
    rubric, *_rest = make_rubric(world)
    client.force_login(world.teacher)

    response = client.post(
        reverse("assignments:create", args=[world.course.pk]),
        {
            "title": "Laporan",
            "instructions": "<p>Tulis laporan.</p><script>alert(1)</script>",
            "opens_at": "2026-01-01T07:00",
            "due_at": "2026-01-08T07:00",
            "late_policy": "reject",
            "late_penalty_percent": "10",
            "late_penalty_cap": "50",
            "submission_kind": "file",
            "allowed_types": ["pdf", "docx"],
            "max_file_size_mb": "5",
            "max_score": "10",
            "rubric": rubric.pk,
        },
    )

    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.max_score == Decimal(100)
    assert assignment.course.pk == world.course.pk
    assert assignment.allowed_types == ["pdf", "docx"]
    assert "<script" not in assignment.instructions
    assert "Tulis laporan." in assignment.instructions


def test_create_rejects_due_before_open(client, world):
    client.force_login(world.teacher)

    response = client.post(
        reverse("assignments:create", args=[world.course.pk]),
        {
            "title": "Laporan",
            "opens_at": "2026-01-08T07:00",
            "due_at": "2026-01-01T07:00",
            "late_policy": "reject",
            "late_penalty_percent": "10",
            "late_penalty_cap": "50",
            "submission_kind": "file",
            "max_file_size_mb": "5",
            "max_score": "100",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["due_at"]] == ["due_before_open"]
    assert [error.code for error in errors["allowed_types"]] == ["no_types"]
    assert not Assignment.objects.exists()
