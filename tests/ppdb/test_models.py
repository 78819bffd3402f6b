import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppdb.models import AdmissionPeriod, Stage

from .factories import make_period

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 5, 20, 10, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def test_stage_closing_before_opening_rejected():
    period = make_period(now=NOW)
    stage = Stage(
        period=period,
        kind=Stage.Kind.VERIFICATION,
        opens_at=NOW,
        closes_at=NOW - DAY,
    )
    with pytest.raises(ValidationError) as caught:
        stage.full_clean()
    assert [error.code for error in caught.value.error_dict["__all__"]] == [
        "stage_closes_before_opens"
    ]


def test_stage_closing_when_it_opens_rejected():
    period = make_period(now=NOW)
    stage = Stage(
        period=period, kind=Stage.Kind.VERIFICATION, opens_at=NOW, closes_at=NOW
    )
    with pytest.raises(ValidationError) as caught:
        stage.full_clean()
    assert caught.value.error_dict["__all__"][0].code == "stage_closes_before_opens"


def test_database_rejects_backwards_stage():
    period = make_period(now=NOW)
    count = Stage.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(
            period=period,
            kind=Stage.Kind.VERIFICATION,
            opens_at=NOW,
            closes_at=NOW - DAY,
        )
    assert Stage.objects.count() == count


def test_current_stage_and_is_open():
    period = make_period(now=NOW)
    registration = period.stages.get(kind=Stage.Kind.REGISTRATION)
    verification = period.stages.get(kind=Stage.Kind.VERIFICATION)

    assert period.current_stage(NOW) == registration
    assert period.is_open(NOW)
    assert period.status(NOW) == AdmissionPeriod.Status.OPEN

    later = verification.opens_at + datetime.timedelta(hours=1)
    assert period.current_stage(later) == verification
    assert not period.is_open(later)
    assert period.status(later) == AdmissionPeriod.Status.IN_PROGRESS


def test_stage_bounds_inclusive_exclusive():
    period = make_period(now=NOW)
    registration = period.stages.get(kind=Stage.Kind.REGISTRATION)
    assert registration.is_open(registration.opens_at)
    assert not registration.is_open(registration.closes_at)
    # Between registration and verification no stage runs.
    assert period.current_stage(registration.closes_at) is None
    assert period.next_stage(registration.closes_at).kind == Stage.Kind.VERIFICATION


def test_status_before_and_after():
    period = make_period(now=NOW)
    first = period.ordered_stages()[0]
    last_close = max(stage.closes_at for stage in period.stages.all())
    assert period.status(first.opens_at - DAY) == AdmissionPeriod.Status.UPCOMING
    assert period.status(last_close) == AdmissionPeriod.Status.FINISHED
    assert period.current_stage(last_close) is None
    assert period.next_stage(last_close) is None


def test_period_without_stages_is_upcoming():
    period = make_period(now=NOW)
    period.stages.all().delete()
    assert period.status(NOW) == AdmissionPeriod.Status.UPCOMING
    assert not period.is_open(NOW)


def test_published_and_open_at_querysets():
    published_open = make_period(name="PPDB SMP", now=NOW)
    hidden = make_period(name="PPDB SD", is_published=False, now=NOW)
    later = make_period(name="PPDB TK", registration_open=False, now=NOW)

    assert set(AdmissionPeriod.objects.published()) == {published_open, later}
    assert set(AdmissionPeriod.objects.open_at(NOW)) == {published_open, hidden}
    assert list(AdmissionPeriod.objects.published().open_at(NOW)) == [published_open]


def test_defaults_to_now():
    period = make_period()
    assert period.is_open()
    assert period.current_stage().kind == Stage.Kind.REGISTRATION
    assert timezone.now() < period.next_stage().opens_at


def test_city_admin_group_manages_periods():
    from django.contrib.auth.models import Group

    from lms.roles import CITY_ADMIN

    codenames = set(
        Group.objects.get(name=CITY_ADMIN)
        .permissions.filter(content_type__app_label="ppdb")
        .values_list("codename", flat=True)
    )
    assert {"add_admissionperiod", "change_stage", "view_admissionperiod"} <= codenames
