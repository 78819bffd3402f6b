import datetime
import io

import pytest

from lms.demo import DemoWorld
from ppdb import demo
from ppdb.models import AdmissionPeriod, Stage
from tests.courses.factories import current_year, make_home, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    year, semester = current_year()
    return DemoWorld(
        home=make_home(), year=year, semester=semester, city_admin=make_user()
    )


def test_demo_periods_open_now(world):
    demo.build(world, io.StringIO())

    periods = AdmissionPeriod.objects.published()
    assert {period.level for period in periods} == {"SMP", "SD"}
    for period in periods:
        assert period.academic_year == world.year.next_year()
        assert period.is_open()
        kinds = [stage.kind for stage in period.ordered_stages()]
        assert kinds == [
            Stage.Kind.REGISTRATION,
            Stage.Kind.VERIFICATION,
            Stage.Kind.ANNOUNCEMENT,
            Stage.Kind.REREGISTRATION,
        ]


def test_demo_twice_and_reopens(world):
    demo.build(world, io.StringIO())
    demo.build(world, io.StringIO())
    assert AdmissionPeriod.objects.count() == 2
    assert Stage.objects.count() == 8

    # A demo built weeks ago has closed; building again opens it anew.
    shift = datetime.timedelta(days=60)
    for stage in Stage.objects.all():
        stage.opens_at -= shift
        stage.closes_at -= shift
        stage.save()
    assert not AdmissionPeriod.objects.open_at().exists()

    demo.build(world, io.StringIO())

    assert AdmissionPeriod.objects.open_at().count() == 2
    assert Stage.objects.count() == 8
