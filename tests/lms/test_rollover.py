"""Moving class groups up a grade at the end of the school year."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lms.models import AcademicYear, ClassGroup, Membership, School, next_class_name
from lms.models import rollover as rollover_groups

from .factories import make_class_group, make_school, make_student, make_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "grade", "expected"),
    [
        ("7A", 7, "8A"),
        ("7", 7, "8"),
        ("Kelas 7-B", 7, "Kelas 8-B"),
        ("9 Unggulan", 9, "10 Unggulan"),
        ("VII A", 7, "VIII A"),
        ("VII-B", 7, "VIII-B"),
        ("X IPA 1", 10, "XI IPA 1"),
        ("XI IPS 2", 11, "XII IPS 2"),
        ("1 Melati", 1, "2 Melati"),
        ("11 IPA 1", 11, "12 IPA 1"),
        ("Vanda", 5, "6Vanda"),
        ("Mawar", 3, "4Mawar"),
    ],
)
def test_next_class_name(name, grade, expected):
    assert next_class_name(name, grade) == expected


@pytest.fixture
def school_year():
    """An SMP with a 7A, an 8A and a final-grade 9A in 2026/2027."""
    school = make_school(level=School.Level.SMP)
    year = make_year(2026, is_current=True)
    seventh = [make_student(school, f"tujuh{n}") for n in range(3)]
    eighth = [make_student(school, f"delapan{n}") for n in range(2)]
    ninth = [make_student(school, f"sembilan{n}") for n in range(2)]
    groups = {
        "7A": make_class_group(school, year, "7A", 7, seventh),
        "8A": make_class_group(school, year, "8A", 8, eighth),
        "9A": make_class_group(school, year, "9A", 9, ninth),
    }
    return {
        "school": school,
        "year": year,
        "groups": groups,
        "seventh": seventh,
        "eighth": eighth,
        "ninth": ninth,
    }


def student_ids(school):
    return set(
        Membership.objects.filter(school=school, role="student").values_list(
            "user", flat=True
        )
    )


def test_rollover_moves_groups_up(school_year):
    next_year = make_year(2027)

    counts = rollover_groups(school_year["year"], next_year)

    assert counts == {"groups": 2, "students": 5, "graduated": 2}
    new_groups = ClassGroup.objects.filter(academic_year=next_year)
    assert {(g.name, g.grade) for g in new_groups} == {("8A", 8), ("9A", 9)}
    eighth_next = new_groups.get(name="8A")
    assert set(eighth_next.students.all()) == set(school_year["seventh"])
    assert set(new_groups.get(name="9A").students.all()) == set(school_year["eighth"])


def test_rollover_graduates_final_grade(school_year):
    rollover_groups(school_year["year"], make_year(2027))

    remaining = student_ids(school_year["school"])
    for student in school_year["ninth"]:
        assert student.pk not in remaining
    for student in school_year["seventh"] + school_year["eighth"]:
        assert student.pk in remaining
    old_ninth = school_year["groups"]["9A"]
    assert set(old_ninth.students.all()) == set(school_year["ninth"])


def test_rollover_final_grade_of_primary_school():
    school = make_school(level=School.Level.SD)
    year = make_year(2026, is_current=True)
    sixth = [make_student(school, "kelas6")]
    make_class_group(school, year, "VI A", 6, sixth)

    counts = rollover_groups(year, make_year(2027))

    assert counts == {"groups": 0, "students": 0, "graduated": 1}
    assert student_ids(school) == set()


def test_rollover_is_idempotent(school_year):
    next_year = make_year(2027)
    rollover_groups(school_year["year"], next_year)

    again = rollover_groups(school_year["year"], next_year)

    assert again == {"groups": 0, "students": 0, "graduated": 0}
    assert ClassGroup.objects.filter(academic_year=next_year).count() == 2
    eighth_next = ClassGroup.objects.get(academic_year=next_year, name="8A")
    assert eighth_next.students.count() == 3


def test_rollover_rejects_earlier_target(school_year):
    earlier = make_year(2025)

    with pytest.raises(ValueError, match="must start after"):
        rollover_groups(school_year["year"], earlier)

    assert not ClassGroup.objects.filter(academic_year=earlier).exists()


def year_ending_soon():
    """Return a current year whose end is 10 days away, so no --force is needed."""
    ends_on = timezone.localdate() + datetime.timedelta(days=10)
    AcademicYear.objects.update(is_current=False)
    return AcademicYear.objects.create(
        name=f"{ends_on.year - 1}/{ends_on.year}",
        starts_on=datetime.date(ends_on.year - 1, 7, 1),
        ends_on=ends_on,
        is_current=True,
    )


def run_command(*args):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("rollover_year", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_command_moves_and_marks_next_year_current():
    school = make_school()
    year = year_ending_soon()
    students = [make_student(school, "andi"), make_student(school, "bunga")]
    make_class_group(school, year, "7A", 7, students)

    output, progress = run_command()

    next_year = AcademicYear.objects.get(starts_on__year=year.starts_on.year + 1)
    assert AcademicYear.current() == next_year
    assert "1 class groups created, 2 students moved, 0 students graduated" in output
    assert f"{next_year} is now the current year" in output
    assert "class groups" in progress
    assert ClassGroup.objects.get(academic_year=next_year).name == "8A"
    assert next_year.semesters.count() == 2
    odd, even = next_year.semesters.order_by("number")
    assert odd.starts_on == next_year.starts_on
    assert even.ends_on == next_year.ends_on
    assert odd.ends_on + datetime.timedelta(days=1) == even.starts_on


def test_command_dry_run_changes_nothing():
    school = make_school()
    year = year_ending_soon()
    make_class_group(school, year, "9A", 9, [make_student(school, "andi")])
    before = student_ids(school)

    output, _progress = run_command("--dry-run")

    assert "0 class groups created, 0 students moved, 1 students graduated" in output
    assert "Dry run" in output
    assert AcademicYear.current() == year
    assert AcademicYear.objects.count() == 1
    assert student_ids(school) == before


def test_command_refuses_early_run_without_force():
    # A year that has just begun, as the current year is right after a
    # rollover: a second run now would move students up twice.
    today = timezone.localdate()
    year = AcademicYear.objects.create(
        name=f"{today.year}/{today.year + 1}",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=300),
        is_current=True,
    )
    school = make_school()
    make_class_group(school, year, "7A", 7, [make_student(school, "andi")])

    with pytest.raises(CommandError, match="--force"):
        run_command()

    assert AcademicYear.current() == year
    assert AcademicYear.objects.count() == 1
    assert ClassGroup.objects.count() == 1

    output, _progress = run_command("--force", "--verbosity", "0")
    assert "1 class groups created" in output


def test_command_names_year_with_from(school_year):
    AcademicYear.objects.update(is_current=False)

    output, _progress = run_command("--from", "2026/2027", "--force")

    assert "2026/2027 -> 2027/2028" in output
    assert AcademicYear.current().name == "2027/2028"


def test_command_without_current_year_fails():
    with pytest.raises(CommandError, match="No school year is marked current"):
        run_command()

    with pytest.raises(CommandError, match="No school year is named"):
        run_command("--from", "1999/2000")
