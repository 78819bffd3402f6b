"""The parents' registration: consent, the form, one stored application."""

import pytest
from django.urls import reverse

from lms.models import AuditLog
from ppdb.models import Application, ApplicationDocument
from tests.factories import make_user

from .registration_factories import (
    form_data,
    give_consent,
    make_registration_period,
)

pytestmark = pytest.mark.django_db


def test_registration_stores_application(client):
    period = make_registration_period()
    parent = make_user()
    client.force_login(parent)
    give_consent(client, period)

    response = client.post(
        reverse("ppdb:register_form", args=[period.pk]), form_data(period)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.parent == parent
    assert (
        application.registration_number
        == f"SMP-{period.academic_year.starts_on.year}-000001"
    )
    assert response["Location"] == reverse(
        "ppdb:receipt", args=[application.registration_number]
    )
    assert [c.rank for c in application.ordered_choices()] == [1, 2]
    kinds = sorted(d.kind for d in ApplicationDocument.objects.all())
    assert kinds == ["birth_certificate", "kk"]
    assert AuditLog.objects.filter(action="ppdb.application_submitted").count() == 1
