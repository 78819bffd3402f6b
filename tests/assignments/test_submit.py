import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from courses.assignments import services
from courses.assignments.models import Assignment, Submission

from .helpers import EXE_BYTES, PDF_BYTES, office_bytes, upload

pytestmark = pytest.mark.django_db

DOCX_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)


def stored_files():
    """Return the names of every file under the submissions' storage prefix."""
    names = []
    pending = ["private/assignments"]
    while pending:
        folder = pending.pop()
        if not default_storage.exists(folder):
            continue
        folders, files = default_storage.listdir(folder)
        names += [f"{folder}/{name}" for name in files]
        pending += [f"{folder}/{name}" for name in folders]
    return names


def post_work(client, assignment, **data):
    return client.post(reverse("assignments:detail", args=[assignment.pk]), data)


def test_submit_file_stores_private_copy(client, world):
    assignment = world.assignment()
    client.force_login(world.student)

    response = post_work(client, assignment, file=upload("laporan.pdf", PDF_BYTES))

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.student == world.student
    assert submission.version == 1
    assert submission.file_type == "pdf"
    assert submission.original_name == "laporan.pdf"
    assert submission.size == len(PDF_BYTES)
    assert submission.file.name.startswith(f"private/assignments/{assignment.pk}/")
    assert "laporan" not in submission.file.name
    with submission.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_submit_text(client, world):
    assignment = world.assignment(submission_kind=Assignment.SubmissionKind.TEXT)
    client.force_login(world.student)

    response = post_work(client, assignment, text="Jawaban saya adalah 42.")

    assert response.status_code == 302
    assert Submission.objects.get().text == "Jawaban saya adalah 42."


def test_submit_docx_checked_by_content(client, world):
    assignment = world.assignment()
    client.force_login(world.student)

    response = post_work(
        client, assignment, file=upload("esai.docx", office_bytes(DOCX_MAIN))
    )

    assert response.status_code == 302
    assert Submission.objects.get().file_type == "docx"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("laporan.pdf", EXE_BYTES, "file_content"),
        ("program.exe", EXE_BYTES, "file_type"),
        ("lembar.zip", b"PK\x05\x06" + b"\x00" * 18, "file_type"),
        ("esai.docx", PDF_BYTES, "file_content"),
    ],
)
def test_forbidden_file_rejected(client, world, name, content, code):
    assignment = world.assignment()
    client.force_login(world.student)

    response = post_work(client, assignment, file=upload(name, content))

    assert response.status_code == 400
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == [code]
    assert not Submission.objects.exists()
    assert stored_files() == []


def test_forbidden_file_message_translated(client, world):
    assignment = world.assignment()
    client.force_login(world.student)

    response = post_work(client, assignment, file=upload("laporan.pdf", EXE_BYTES))

    assert "bukan berkas pdf yang sah" in response.content.decode()


def test_oversized_file_rejected(client, world, caplog):
    assignment = world.assignment(max_file_size_mb=1)
    client.force_login(world.student)
    content = PDF_BYTES + b"0" * (1024 * 1024)

    with caplog.at_level("INFO", logger="courses.assignments.views"):
        response = post_work(client, assignment, file=upload("besar.pdf", content))

    assert "upload skipped for size" in caplog.text
    assert "besar.pdf" in response.content.decode()
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["file_too_large"]
    assert not Submission.objects.exists()
    assert stored_files() == []


def test_oversized_file_rejected_by_service(world):
    assignment = world.assignment(max_file_size_mb=1)
    content = PDF_BYTES + b"0" * (1024 * 1024)

    with pytest.raises(ValidationError) as caught:
        services.submit(assignment, world.student, upload=upload("besar.pdf", content))

    assert caught.value.code == "file_too_large"
    assert not Submission.objects.exists()


def test_submit_requires_csrf_token(world):
    from django.test import Client

    assignment = world.assignment()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.student)

    response = post_work(client, assignment, text="tanpa token")

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_empty_submission_rejected(client, world):
    assignment = world.assignment()
    client.force_login(world.student)

    response = post_work(client, assignment, text="   ")

    assert response.status_code == 400
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["empty"]
    assert not Submission.objects.exists()


def test_text_rejected_on_file_assignment(world):
    assignment = world.assignment(submission_kind=Assignment.SubmissionKind.FILE)

    with pytest.raises(ValidationError) as caught:
        services.submit(assignment, world.student, text="teks")

    assert caught.value.code == "text_not_accepted"
    assert not Submission.objects.exists()


def test_late_rejected_without_extension(client, world):
    now = timezone.now()
    assignment = world.assignment(
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(hours=1),
        late_policy=Assignment.LatePolicy.REJECT,
    )
    client.force_login(world.student)

    response = post_work(client, assignment, file=upload("laporan.pdf", PDF_BYTES))

    assert response.status_code == 400
    errors = response.context["form"].non_field_errors().as_data()
    assert [error.code for error in errors] == ["late"]
    assert "tidak menerima tugas terlambat" in response.content.decode()
    assert not Submission.objects.exists()
    assert stored_files() == []


def test_late_accepted_with_extension(client, world):
    now = timezone.now()
    assignment = world.assignment(
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(hours=1),
        late_policy=Assignment.LatePolicy.REJECT,
    )
    services.grant_extension(
        assignment,
        world.student,
        now + datetime.timedelta(days=1),
        by=world.teacher,
        reason="Sakit",
    )
    client.force_login(world.student)

    response = post_work(client, assignment, file=upload("laporan.pdf", PDF_BYTES))

    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.days_late == 0
    assert not submission.is_late


def test_extension_is_per_student(world):
    now = timezone.now()
    assignment = world.assignment(
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(hours=1),
    )
    services.grant_extension(
        assignment, world.student, now + datetime.timedelta(days=1), by=world.teacher
    )

    with pytest.raises(ValidationError) as caught:
        services.submit(assignment, world.other_student, text="terlambat")

    assert caught.value.code == "late"
    assert not Submission.objects.exists()


def test_late_with_penalty_counts_days(world):
    now = timezone.now()
    assignment = world.assignment(
        opens_at=now - datetime.timedelta(days=10),
        due_at=now - datetime.timedelta(days=2, hours=3),
        late_policy=Assignment.LatePolicy.PENALTY,
    )

    submission = services.submit(assignment, world.student, text="terlambat")

    assert submission.days_late == 3
    assert assignment.penalty_percent(submission.days_late) == 30


def test_penalty_capped(world):
    assignment = world.assignment(
        late_policy=Assignment.LatePolicy.PENALTY,
        late_penalty_percent=20,
        late_penalty_cap=50,
    )

    assert assignment.penalty_percent(1) == 20
    assert assignment.penalty_percent(10) == 50


def test_late_without_penalty(world):
    now = timezone.now()
    assignment = world.assignment(
        due_at=now - datetime.timedelta(hours=1),
        late_policy=Assignment.LatePolicy.ACCEPT,
    )

    submission = services.submit(assignment, world.student, text="terlambat")

    assert submission.is_late
    assert assignment.penalty_percent(submission.days_late) == 0


def test_resubmission_keeps_versions(world):
    assignment = world.assignment()

    first = services.submit(assignment, world.student, text="versi satu")
    second = services.submit(assignment, world.student, text="versi dua")

    assert first.version == 1
    assert second.version == 2
    texts = list(
        Submission.objects.filter(student=world.student)
        .order_by("version")
        .values_list("text", flat=True)
    )
    assert texts == ["versi satu", "versi dua"]


def test_resubmission_after_due_rejected(world):
    now = timezone.now()
    assignment = world.assignment(
        due_at=now + datetime.timedelta(hours=1),
        late_policy=Assignment.LatePolicy.ACCEPT,
    )
    services.submit(assignment, world.student, text="tepat waktu")

    with pytest.raises(ValidationError) as caught:
        services.submit(
            assignment,
            world.student,
            text="sesudah tenggat",
            now=now + datetime.timedelta(hours=2),
        )

    assert caught.value.code == "resubmission_closed"
    assert list(Submission.objects.values_list("text", flat=True)) == ["tepat waktu"]


def test_submission_before_opening_rejected(world):
    assignment = world.assignment(
        opens_at=timezone.now() + datetime.timedelta(days=1),
        due_at=timezone.now() + datetime.timedelta(days=3),
    )

    with pytest.raises(ValidationError) as caught:
        services.submit(assignment, world.student, text="terlalu awal")

    assert caught.value.code == "not_open"
    assert not Submission.objects.exists()


def test_extension_before_due_rejected(world):
    assignment = world.assignment()

    with pytest.raises(ValidationError) as caught:
        services.grant_extension(
            assignment,
            world.student,
            assignment.due_at - datetime.timedelta(hours=1),
            by=world.teacher,
        )

    assert caught.value.code == "extension_before_due"
    assert not assignment.extensions.exists()


def test_extension_view_logs_grant(client, world):
    from lms.models import AuditLog

    assignment = world.assignment()
    client.force_login(world.teacher)
    new_due = timezone.localtime(assignment.due_at + datetime.timedelta(days=3))

    response = client.post(
        reverse("assignments:extension", args=[assignment.pk]),
        {
            "student": world.student.pk,
            "due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Lomba",
        },
    )

    assert response.status_code == 302
    extension = assignment.extensions.get()
    assert extension.student == world.student
    assert extension.granted_by == world.teacher
    entry = AuditLog.objects.get(action="assignment.extension")
    assert entry.actor == world.teacher
    assert entry.subject == world.student


def test_extension_view_rejects_student(client, world):
    assignment = world.assignment()
    client.force_login(world.student)

    response = client.post(
        reverse("assignments:extension", args=[assignment.pk]),
        {"student": world.student.pk, "due_at": "2099-01-01T10:00"},
    )

    assert response.status_code == 403
    assert not assignment.extensions.exists()
