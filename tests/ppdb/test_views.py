"""The public admission pages."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from ppdb.models import Stage
from tests.courses.factories import make_guardian, make_school, make_student

from .factories import make_period

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("ppdb:index")


def test_anonymous_sees_open_period_and_stages(client):
    period = make_period(name="PPDB SMP 2027/2028")

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    assert [entry["period"] for entry in response.context["open_periods"]] == [period]
    content = response.content.decode()
    assert "PPDB SMP 2027/2028" in content
    for stage in period.stages.all():
        assert stage.get_kind_display() in content or stage.name in content
    assert reverse("ppdb:period", args=(period.pk,)) in content


def test_parent_sees_open_period(client):
    parent = make_guardian(make_student(make_school()))
    period = make_period(name="PPDB SD 2027/2028")
    client.force_login(parent)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    assert [entry["period"] for entry in response.context["open_periods"]] == [period]
    assert "PPDB SD 2027/2028" in response.content.decode()


def test_unpublished_period_hidden(client):
    make_period(name="PPDB Rahasia", is_published=False)

    response = client.get(INDEX_URL)

    assert "PPDB Rahasia" not in response.content.decode()
    assert response.context["open_periods"] == []
    assert response.context["other_periods"] == []


def test_unpublished_period_detail_404(client):
    period = make_period(name="PPDB Rahasia", is_published=False)
    response = client.get(reverse("ppdb:period", args=(period.pk,)))
    assert response.status_code == 404


def test_upcoming_period_listed_as_other(client):
    period = make_period(name="PPDB TK", registration_open=False)

    response = client.get(INDEX_URL)

    assert response.context["open_periods"] == []
    assert [entry["period"] for entry in response.context["other_periods"]] == [period]


def test_period_detail_shows_times_in_jakarta(client, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    period = make_period(name="PPDB SMP")
    registration = period.stages.get(kind=Stage.Kind.REGISTRATION)
    # 01:30 UTC is 08:30 in Jakarta (UTC+7).
    opens = datetime.datetime.combine(
        timezone.now().date() - datetime.timedelta(days=1),
        datetime.time(1, 30),
        tzinfo=datetime.UTC,
    )
    registration.opens_at = opens
    registration.save()

    response = client.get(reverse("ppdb:period", args=(period.pk,)))

    assert response.status_code == 200
    content = response.content.decode()
    local = opens.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    assert f"{local:%H}:30" == "08:30"
    assert "08:30" in content
    assert "WIB" in content


def test_index_in_indonesian_by_default(client):
    make_period()
    response = client.get(INDEX_URL)
    assert response["Content-Language"] == "id"
    assert "Pendaftaran" in response.content.decode()
