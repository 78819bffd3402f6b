"""
A child accepted in one stage of a period and applying in a later one.

A child accepted in afirmasi is rejected when applying to another track of
the same period until the first application is withdrawn.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from ppdb.aftermath import services as aftermath
from ppdb.models import Application, SelectionResult, SelectionRun

from .registration_factories import (
    child_birth_date,
    form_data,
    give_consent,
    make_registration_period,
    nik_for,
)
from .verification_helpers import make_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(client):
    """A period with a child accepted in afirmasi in an official run."""
    period = make_registration_period()
    school = period.schools.order_by("pk").first()
    birth_date = child_birth_date()
    nik = nik_for(birth_date)
    first = make_application(
        period,
        [school],
        track="afirmasi_ekonomi",
        nik=nik,
        birth_date=birth_date,
        status=Application.Status.VERIFIED,
    )
    run = SelectionRun.objects.create(
        period=period, number=1, is_dry_run=False, rules_toml=period.rules_toml
    )
    SelectionResult.objects.create(
        run=run,
        application=first,
        status=SelectionResult.Status.ACCEPTED,
        period_school=school,
        choice_rank=1,
        track="afirmasi_ekonomi",
        rank=1,
        reason="accepted",
    )
    # Results are written while the run runs; publishing follows.
    SelectionRun.objects.filter(pk=run.pk).update(
        status=SelectionRun.Status.SUCCEEDED, is_official=True
    )
    client.force_login(first.parent)
    return period, first, birth_date


def register(client, period, first):
    give_consent(client, period)
    return client.post(
        reverse("ppdb:register_form", args=[period.pk]),
        form_data(period, birth_date=first.birth_date, nik=first.nik, track="domisili"),
    )


def test_accepted_child_rejected_in_later_stage(client, settings, accepted):
    period, first, _birth_date = accepted

    response = register(client, period, first)

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["nik"]
    assert [error.code for error in errors] == ["already_accepted"]
    assert "Anak ini sudah mendapat kursi" in response.content.decode()
    assert Application.objects.count() == 1
    stored = Path(settings.MEDIA_ROOT) / "ppdb"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_child_may_apply_after_withdrawal(client, accepted):
    period, first, _birth_date = accepted
    aftermath.withdraw(first, first.parent, "Mendaftar jalur prestasi")

    response = register(client, period, first)

    assert response.status_code == 302
    assert Application.objects.count() == 2
    assert Application.objects.exclude(pk=first.pk).get().track == "domisili"
