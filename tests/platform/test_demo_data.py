"""
``manage.py demo_data``: the demo city, its accounts, and running it twice.

The command also runs the ``demo`` module of every app that has one. The
second-run test runs those twice as well, and its counts include the pages
and users that the apps add. The other tests build only the core.
"""

import datetime
import io
import math
import sqlite3

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation
from wagtail.models import Page, Site

from lms import demo_city
from lms.identifiers import check_nisn, check_npsn
from lms.management.commands.demo_data import DEMO_APPS
from lms.models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    HomePage,
    Kecamatan,
    Kelurahan,
    Membership,
    School,
    Semester,
    User,
)

from .helpers import manage, production_environment

# Kota Depok's kecamatan as Kemendagri numbers them.
OFFICIAL_KECAMATAN = {
    "32.76.01": "Pancoran Mas",
    "32.76.02": "Cimanggis",
    "32.76.03": "Sawangan",
    "32.76.04": "Limo",
    "32.76.05": "Sukmajaya",
    "32.76.06": "Beji",
    "32.76.07": "Cipayung",
    "32.76.08": "Cilodong",
    "32.76.09": "Cinere",
    "32.76.10": "Tapos",
    "32.76.11": "Bojongsari",
}

# A box around Kota Depok, in degrees.
LATITUDE_RANGE = (-6.45, -6.35)
LONGITUDE_RANGE = (106.72, 106.88)
MAX_KM_FROM_KECAMATAN_CENTRE = 5.0


def run_demo_data(*arguments):
    output = io.StringIO()
    call_command("demo_data", *arguments, stdout=output)
    return output.getvalue()


def run_core_demo_data():
    """Build only the core of the demo city, without any app's content."""
    return run_demo_data(*[f"--skip={app_label}" for app_label in DEMO_APPS])


def table_counts():
    return {
        "schools": School.objects.count(),
        "users": User.objects.count(),
        "class groups": ClassGroup.objects.count(),
        "guardian links": GuardianLink.objects.count(),
        "memberships": Membership.objects.count(),
        "kecamatan": Kecamatan.objects.count(),
        "kelurahan": Kelurahan.objects.count(),
        "academic years": AcademicYear.objects.count(),
        "semesters": Semester.objects.count(),
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
    }


def distance_km(a, b):
    """Return the great-circle distance in km between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    haversine = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(haversine))


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_data_second_run_changes_nothing():
    run_demo_data()
    first_counts = table_counts()
    first_users = dict(User.objects.values_list("username", "password"))
    first_schools = list(School.objects.values().order_by("npsn"))

    run_demo_data()

    second_counts = table_counts()
    for table, count in first_counts.items():
        assert second_counts[table] == count, f"{table} changed on the second run"
    assert dict(User.objects.values_list("username", "password")) == first_users
    assert list(School.objects.values().order_by("npsn")) == first_schools


@pytest.mark.django_db
def test_demo_data_regions_and_schools():
    run_core_demo_data()

    codes = dict(Kecamatan.objects.values_list("code", "name"))
    assert codes == OFFICIAL_KECAMATAN
    for kelurahan in Kelurahan.objects.select_related("kecamatan"):
        assert kelurahan.code.startswith(kelurahan.kecamatan.code + "."), kelurahan
        kelurahan.full_clean()

    schools = list(School.objects.all())
    assert len(schools) == 12
    assert {school.level for school in schools} == {"SD", "SMP"}
    assert {school.status for school in schools} == {School.Status.PUBLIC}
    centres = demo_city.KECAMATAN_CENTRES
    for school in schools:
        assert check_npsn(school.npsn) is None, school.npsn
        school.full_clean()
        latitude, longitude = float(school.latitude), float(school.longitude)
        assert LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1], school
        assert LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1], school
        assert school.kecamatan_code in OFFICIAL_KECAMATAN, school
        kelurahan = Kelurahan.objects.get(code=school.kelurahan_code)
        assert kelurahan.kecamatan.code == school.kecamatan_code, school
        away = distance_km((latitude, longitude), centres[school.kecamatan_code])
        assert away <= MAX_KM_FROM_KECAMATAN_CENTRE, (school, away)


@pytest.mark.django_db
def test_demo_data_people_and_school_year():
    run_core_demo_data()
    today = timezone.localdate()

    year = AcademicYear.current()
    assert year is not None
    assert year.starts_on <= today <= year.ends_on
    assert year.starts_on.month == 7
    assert year.semesters.count() == 2

    for school in School.objects.all():
        roles = list(school.memberships.values_list("role", flat=True))
        assert roles.count(Membership.Role.TEACHER) == 2, school
        assert roles.count(Membership.Role.LIBRARIAN) == 1, school
        assert roles.count(Membership.Role.OPERATOR) == 1, school
        assert roles.count(Membership.Role.STUDENT) == 8, school
        groups = list(school.class_groups.filter(academic_year=year))
        expected_names = {"SD": {"4A"}, "SMP": {"7A", "7B"}}[school.level]
        assert {group.name for group in groups} == expected_names, school
        for group in groups:
            assert group.homeroom_teacher.has_school_role(school, "teacher")
            for student in group.students.all():
                assert check_nisn(student.nisn) is None, student.username
                assert student.sex in {"L", "P"}, student.username
                age = year.starts_on.year - student.birth_date.year
                assert 5 + group.grade <= age <= 7 + group.grade, student.username

    students = User.objects.filter(memberships__role=Membership.Role.STUDENT)
    for student in students:
        number = int(student.username.rsplit(".", 1)[1])
        has_guardian = student.guardian_links.exists()
        assert has_guardian == (number <= 3), student.username
    fathers = GuardianLink.objects.filter(relation=GuardianLink.Relation.FATHER)
    for link in fathers.select_related("guardian", "child"):
        assert link.guardian.last_name == link.child.last_name, link

    parents = User.objects.filter(guarded_links__isnull=False).distinct()
    assert parents.count() >= 12
    assert parents.filter(phone__isnull=False).exists()
    assert any(parent.children().count() > 1 for parent in parents)
    city_admin = User.objects.get(username="admin.kota")
    assert city_admin.is_city_admin
    assert city_admin.is_staff
    assert User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_demo_data_home_page_replaces_welcome(client):
    run_core_demo_data()

    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.get()
    assert site.root_page_id == home.pk
    assert home.live
    assert home.intro
    welcome = Page.get_first_root_node().get_children().exclude(pk=home.pk)
    assert not welcome.filter(content_type__model="page").exists()
    response = client.get("/")
    assert response.status_code == 200
    assert home.title in response.content.decode()


@pytest.mark.django_db
def test_demo_data_printed_accounts_log_in():
    output = run_core_demo_data()
    accounts = [
        ("admin.kota", demo_city.PASSWORDS["city_admin"]),
        ("superadmin", demo_city.PASSWORDS["superuser"]),
        ("operator.smpn1", demo_city.PASSWORDS["operator"]),
        ("guru.smpn1.01", demo_city.PASSWORDS["teacher"]),
        ("pustakawan.smpn1", demo_city.PASSWORDS["librarian"]),
        ("siswa.smpn1.01", demo_city.PASSWORDS["student"]),
        ("ortu.01", demo_city.PASSWORDS["parent"]),
    ]
    for username, password in accounts:
        assert username in output
        assert password in output
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert user.username == username

    student = User.objects.get(username="siswa.smpn1.01")
    assert authenticate(username=student.nisn, password="siswa-demo") == student
    parent = User.objects.get(username="ortu.01")
    assert parent.phone
    assert authenticate(username=parent.phone, password="ortu-demo") == parent


@pytest.mark.django_db
def test_demo_data_rejected_when_disabled(settings):
    settings.DEMO_DATA_ALLOWED = False

    with translation.override("en"), pytest.raises(CommandError) as raised:
        run_demo_data()

    assert "disabled in these settings" in str(raised.value)
    assert School.objects.count() == 0
    assert User.objects.count() == 0


@pytest.mark.slow
def test_demo_data_rejected_under_production(tmp_path):
    environment = production_environment(tmp_path)
    migrated = manage("migrate", "--noinput", environment=environment)
    assert migrated.returncode == 0, migrated.stderr

    result = manage("demo_data", environment=environment)

    assert result.returncode == 1
    assert "CommandError" in result.stderr
    assert "lms.settings.production" in result.stderr
    database = sqlite3.connect(tmp_path / "production.sqlite3")
    try:
        for table in ("lms_school", "lms_user", "lms_kecamatan", "lms_homepage"):
            query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608
            (count,) = database.execute(query).fetchone()
            assert count == 0, f"{table} has {count} rows"
    finally:
        database.close()


def test_demo_schools_have_valid_codes():
    kelurahan_codes = {code for code, _name in demo_city.KELURAHAN}
    npsns = [school.npsn for school in demo_city.SCHOOLS]
    assert len(set(npsns)) == len(npsns)
    for school in demo_city.SCHOOLS:
        assert check_npsn(school.npsn) is None, school.npsn
        assert school.kelurahan_code in kelurahan_codes, school.name
        assert school.kecamatan_code in OFFICIAL_KECAMATAN, school.name


def test_demo_student_birth_date_fits_grade():
    for grade in range(1, 10):
        born = demo_city.student_birth_date(2026, grade, index=3)
        age_on_first_day = (
            datetime.date(2026, 7, 1).year
            - born.year
            - ((7, 1) < (born.month, born.day))
        )
        assert 5 + grade <= age_on_first_day <= 6 + grade, (grade, born)
