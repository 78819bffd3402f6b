"""The demo's SMP period: rules, schools and a few applications."""

import io

import pytest

from lms.demo import DemoWorld
from lms.models import School
from ppdb import demo
from ppdb.models import AdmissionPeriod, Application, PeriodSchool
from ppdb.registration.demo import CHILDREN
from tests.factories import current_year, make_home, make_school, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    year, semester = current_year()
    world = DemoWorld(
        home=make_home(), year=year, semester=semester, city_admin=make_user()
    )
    world.schools = [
        make_school(level=School.Level.SMP, latitude="-6.3925", longitude="106.8155"),
        make_school(level=School.Level.SMP, latitude="-6.3985", longitude="106.8440"),
        make_school(level=School.Level.SMP, latitude="-6.4030", longitude="106.7700"),
        make_school(level=School.Level.SD, latitude="-6.4000", longitude="106.8000"),
    ]
    world.parents = [make_user() for _index in range(3)]
    return world


def test_demo_smp_period_has_applications(world):
    demo.build(world, io.StringIO())

    period = AdmissionPeriod.objects.get(level=AdmissionPeriod.Level.SMP)
    assert period.rule_set.level == "SMP"
    assert period.rule_set.reference_date == period.academic_year.starts_on
    assert PeriodSchool.objects.filter(period=period).count() == 3
    applications = Application.objects.filter(period=period)
    assert applications.count() == len(CHILDREN)
    assert {a.parent for a in applications} == set(world.parents)
    assert all(len(a.ordered_choices()) == 3 for a in applications)
    flagged = applications.exclude(identity_flags=[])
    assert [a.full_name for a in flagged] == ["Putri Maharani"]
    sd = AdmissionPeriod.objects.get(level=AdmissionPeriod.Level.SD)
    assert not Application.objects.filter(period=sd).exists()


def test_demo_applications_once(world):
    demo.build(world, io.StringIO())
    demo.build(world, io.StringIO())

    assert Application.objects.count() == len(CHILDREN)
    assert PeriodSchool.objects.count() == 3
