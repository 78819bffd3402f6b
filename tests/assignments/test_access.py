import pytest
from django.urls import reverse

from courses.assignments import services
from courses.assignments.models import Assignment, Grade
from tests.factories import make_student

from .helpers import PDF_BYTES, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed_in(world):
    """An assignment with a file from the student, graded and returned."""
    assignment = world.assignment()
    submission = services.submit(
        assignment, world.student, upload=upload("laporan.pdf", PDF_BYTES)
    )
    graded = services.grade(
        submission, by=world.teacher, score="88", feedback="Analisis tajam"
    )
    services.return_grade(graded, by=world.teacher)
    return assignment, submission


def work_url(assignment, student):
    return reverse("assignments:student_work", args=[assignment.pk, student.pk])


def test_student_sees_own_work(client, world, handed_in):
    assignment, _submission = handed_in
    client.force_login(world.student)

    response = client.get(work_url(assignment, world.student))

    assert response.status_code == 200
    assert "Analisis tajam" in response.content.decode()


def test_student_blocked_from_other_work(client, world, handed_in):
    assignment, _submission = handed_in
    client.force_login(world.other_student)

    response = client.get(work_url(assignment, world.student))

    assert response.status_code == 403


def test_student_blocked_from_other_file(client, world, handed_in):
    _assignment, submission = handed_in
    client.force_login(world.other_student)

    response = client.get(reverse("assignments:download", args=[submission.pk]))

    assert response.status_code == 403


def test_download_sends_attachment(client, world, handed_in):
    _assignment, submission = handed_in
    client.force_login(world.student)

    response = client.get(reverse("assignments:download", args=[submission.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "laporan.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_teacher_downloads_file(client, world, handed_in):
    _assignment, submission = handed_in
    client.force_login(world.teacher)

    response = client.get(reverse("assignments:download", args=[submission.pk]))

    assert response.status_code == 200


def test_anonymous_download_redirects_to_login(client, handed_in):
    _assignment, submission = handed_in

    response = client.get(reverse("assignments:download", args=[submission.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_parent_sees_child_grade_and_feedback(client, world, handed_in):
    assignment, _submission = handed_in
    client.force_login(world.parent)

    response = client.get(work_url(assignment, world.student))

    assert response.status_code == 200
    body = response.content.decode()
    assert "88" in body
    assert "Analisis tajam" in body


def test_parent_blocked_from_other_family(client, world, handed_in):
    assignment, _submission = handed_in
    client.force_login(world.other_parent)

    work = client.get(work_url(assignment, world.student))
    download = client.get(reverse("assignments:download", args=[handed_in[1].pk]))

    assert work.status_code == 403
    assert download.status_code == 403


def test_parent_list_shows_only_own_child(client, world, handed_in):
    assignment, _submission = handed_in
    client.force_login(world.parent)

    response = client.get(reverse("assignments:course", args=[world.course.pk]))

    assert response.status_code == 200
    statuses = response.context["rows"][0]["statuses"]
    assert [student for student, _status in statuses] == [world.student]
    assert statuses[0][1] == "graded"


def test_parent_cannot_submit(client, world):
    assignment = world.assignment()
    client.force_login(world.parent)

    response = client.post(
        reverse("assignments:detail", args=[assignment.pk]), {"text": "dari orang tua"}
    )

    assert response.status_code == 403
    assert not assignment.submissions.exists()


def test_outsider_blocked_from_course(client, world):
    world.assignment()
    outsider = make_student(world.school)
    client.force_login(outsider)

    listing = client.get(reverse("assignments:course", args=[world.course.pk]))

    assert listing.status_code == 403


def test_outsider_cannot_submit(client, world):
    assignment = world.assignment()
    outsider = make_student(world.school)
    client.force_login(outsider)

    response = client.post(
        reverse("assignments:detail", args=[assignment.pk]), {"text": "jawaban"}
    )

    assert response.status_code == 403
    assert not assignment.submissions.exists()


@pytest.mark.parametrize("name", ["submissions", "edit"])
def test_student_blocked_from_teacher_pages(client, world, name):
    assignment = world.assignment()
    client.force_login(world.student)

    response = client.get(reverse(f"assignments:{name}", args=[assignment.pk]))

    assert response.status_code == 403


def test_student_cannot_grade(client, world, handed_in):
    _assignment, submission = handed_in
    client.force_login(world.student)

    response = client.post(
        reverse("assignments:grade", args=[submission.pk]), {"score": "100"}
    )

    assert response.status_code == 403
    assert Grade.objects.get().score == 88


def test_student_cannot_create(client, world):
    client.force_login(world.student)

    response = client.post(
        reverse("assignments:create", args=[world.course.pk]), {"title": "Palsu"}
    )

    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_teacher_of_other_course_blocked(client, world, handed_in):
    from tests.factories import make_course, make_teacher

    other_teacher = make_teacher(world.school)
    make_course(world.index, teachers=[other_teacher])
    _assignment, submission = handed_in
    client.force_login(other_teacher)

    response = client.post(
        reverse("assignments:grade", args=[submission.pk]), {"score": "10"}
    )

    assert response.status_code == 403
    assert Grade.objects.get().score == 88


def test_teacher_sees_submissions_table(client, world, handed_in):
    assignment, submission = handed_in
    client.force_login(world.teacher)

    response = client.get(reverse("assignments:submissions", args=[assignment.pk]))

    assert response.status_code == 200
    rows = {row["student"]: row for row in response.context["rows"]}
    assert rows[world.student]["submission"] == submission
    assert rows[world.student]["status"] == "graded"
    assert rows[world.other_student]["status"] == "not_submitted"


def test_student_list_shows_status(client, world):
    assignment = world.assignment()
    services.submit(assignment, world.student, text="jawaban")
    client.force_login(world.student)

    response = client.get(reverse("assignments:course", args=[world.course.pk]))

    assert response.status_code == 200
    statuses = response.context["rows"][0]["statuses"]
    assert statuses == [(world.student, "submitted")]
