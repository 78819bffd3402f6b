"""Enrolling a class group, and importing a Dapodik roster CSV."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.forms import MAX_ROSTER_BYTES
from courses.models import Enrolment
from lms.models import Membership, User

from .factories import (
    current_year,
    make_class_group,
    make_course,
    make_course_index,
    make_guardian,
    make_school,
    make_student,
    make_teacher,
)

pytestmark = pytest.mark.django_db

GOOD = (
    "NISN;Nama;JK;Tanggal Lahir;Rombel\r\n"
    "0091234561;Siti Aminah;P;2012-08-17;7A\r\n"
    "0091234562;Budi Santoso;L;03/02/2012;7a\r\n"
)


@pytest.fixture
def roster_world():
    school = make_school()
    year, _semester = current_year()
    group = make_class_group(school, year, name="7A")
    index = make_course_index(school)
    teacher = make_teacher(school)
    course = make_course(index, teachers=[teacher])
    return {"school": school, "group": group, "course": course, "teacher": teacher}


def enrol_url(course):
    return reverse("courses:enrol", args=[course.pk])


def upload(client, course, content, name="siswa.csv"):
    return client.post(
        enrol_url(course),
        {"action": "roster", "file": SimpleUploadedFile(name, content)},
    )


def test_roster_with_bom_and_semicolons(client, roster_world):
    client.force_login(roster_world["teacher"])

    response = upload(client, roster_world["course"], GOOD.encode("utf-8-sig"))

    assert response.status_code == 200
    result = response.context["result"]
    assert result.enrolled == 2
    assert result.created_users == 2
    assert result.errors == []
    siti = User.objects.get(nisn="0091234561")
    assert siti.username == "0091234561"
    assert siti.first_name == "Siti"
    assert siti.sex == "P"
    assert not siti.has_usable_password()
    assert siti.has_school_role(roster_world["school"], Membership.Role.STUDENT)
    assert set(roster_world["group"].students.all()) == set(
        User.objects.filter(nisn__in=["0091234561", "0091234562"])
    )
    assert roster_world["course"].enrolments.filter(method="csv").count() == 2


def test_roster_import_is_idempotent(client, roster_world):
    client.force_login(roster_world["teacher"])
    upload(client, roster_world["course"], GOOD.encode())

    response = upload(client, roster_world["course"], GOOD.encode())

    result = response.context["result"]
    assert result.enrolled == 0
    assert result.already_enrolled == 2
    assert result.created_users == 0
    assert User.objects.filter(nisn__isnull=False).count() == 2
    assert Enrolment.objects.count() == 2


def test_bad_rows_reported_with_line_numbers(client, roster_world):
    content = (
        b"NISN,Nama,JK,Tanggal Lahir,Rombel\n"
        b"0091234561,Siti Aminah,P,2012-08-17,7A\n"
        b"12345,Tanpa NISN,L,2012-01-01,7A\n"
        b"0091234563,Ana,X,2012-01-01,7A\n"
        b"0091234564,Dedi,L,kemarin,7A\n"
        b"0091234565,Eka,P,2012-01-01,9Z\n"
        b"0091234561,Siti Lagi,P,2012-08-17,7A\n"
    )
    client.force_login(roster_world["teacher"])

    response = upload(client, roster_world["course"], content)

    result = response.context["result"]
    assert result.enrolled == 1
    assert sorted(line for line, _message in result.errors) == [3, 4, 5, 6, 7]
    messages = dict(result.errors)
    assert "12345" in messages[3]
    assert "JK" in messages[4]
    assert "kemarin" in messages[5]
    assert "9Z" in messages[6]
    assert "0091234561" in messages[7]
    assert "2" in messages[7]
    assert not User.objects.filter(nisn="0091234565").exists()
    body = response.content.decode()
    assert "12345" in body


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"Nama;JK\nSiti;P\n", "missing_columns"),
        (GOOD.encode("cp1252").replace(b"Siti", b"S\xe9ti"), "encoding"),
        (GOOD.encode("utf-16"), "not_csv"),
        (b"PK\x03\x04" + b"\x00" * 200, "not_csv"),
        (b"%PDF-1.4\n" + GOOD.encode(), "not_csv"),
        (b"", "empty"),
    ],
)
def test_refused_roster_stores_nothing(client, roster_world, content, code):
    client.force_login(roster_world["teacher"])
    users_before = User.objects.count()

    response = upload(client, roster_world["course"], content)

    assert response.status_code == 400
    assert response.context["roster_form"].has_error("file", code=code)
    assert User.objects.count() == users_before
    assert not Enrolment.objects.exists()


def test_oversized_roster_refused(client, roster_world):
    client.force_login(roster_world["teacher"])
    content = GOOD.encode() + b"x" * MAX_ROSTER_BYTES
    response = upload(client, roster_world["course"], content)
    assert response.status_code == 400
    assert response.context["roster_form"].has_error("file", code="too_large")
    assert not Enrolment.objects.exists()


def test_student_of_other_school_not_taken(client, roster_world):
    other = make_student(make_school())
    other.nisn = "0091234561"
    other.save()
    client.force_login(roster_world["teacher"])

    response = upload(client, roster_world["course"], GOOD.encode())

    result = response.context["result"]
    assert result.enrolled == 1
    assert result.errors[0][0] == 2
    assert not roster_world["course"].enrolments.filter(student=other).exists()


def test_enrol_refused_to_students_and_parents(client, roster_world):
    student = make_student(roster_world["school"])
    parent = make_guardian(student)
    for user in (student, parent):
        client.force_login(user)
        response = upload(client, roster_world["course"], GOOD.encode())
        assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_enrol_class_group(client, roster_world):
    students = [make_student(roster_world["school"]) for _i in range(3)]
    roster_world["group"].students.add(*students)
    client.force_login(roster_world["teacher"])

    response = client.post(
        enrol_url(roster_world["course"]),
        {"action": "class_group", "class_group": roster_world["group"].pk},
    )

    assert response.status_code == 200
    assert set(
        roster_world["course"].enrolments.values_list("student_id", flat=True)
    ) == {student.pk for student in students}


def test_enrol_class_group_of_other_school_refused(client, roster_world):
    year, _semester = current_year()
    foreign = make_class_group(make_school(), year, name="7B")
    foreign.students.add(make_student(foreign.school))
    client.force_login(roster_world["teacher"])

    response = client.post(
        enrol_url(roster_world["course"]),
        {"action": "class_group", "class_group": foreign.pk},
    )

    assert response.status_code == 400
    assert response.context["group_form"].has_error(
        "class_group", code="invalid_choice"
    )
    assert not Enrolment.objects.exists()


def test_import_roster_command(roster_world, tmp_path):
    path = tmp_path / "siswa.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_roster",
        str(roster_world["course"].pk),
        str(path),
        stdout=out,
        stderr=err,
    )

    assert "2 enrolled" in out.getvalue()
    assert "0 rows rejected" in out.getvalue()
    assert roster_world["course"].enrolments.count() == 2


def test_import_roster_command_refuses_bad_file(roster_world, tmp_path):
    path = tmp_path / "siswa.csv"
    path.write_bytes(b"Nama\nSiti\n")
    with pytest.raises(CommandError, match="NISN"):
        call_command(
            "import_roster",
            str(roster_world["course"].pk),
            str(path),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Enrolment.objects.exists()
