"""The parents' registration: consent, the form, one stored application."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from lms.models import AuditLog, Membership
from ppdb.models import Application, ApplicationDocument, Stage
from ppdb.registration import services
from ppdb.registration.forms import PRIVACY_NOTICE_VERSION
from tests.factories import add_role, make_school, make_user

from .factories import make_period
from .registration_factories import (
    form_data,
    give_consent,
    make_registration_period,
    nik_for,
)

pytestmark = pytest.mark.django_db


def register_url(period):
    return reverse("ppdb:register_form", args=[period.pk])


@pytest.fixture
def period():
    return make_registration_period()


@pytest.fixture
def parent(client):
    user = make_user()
    client.force_login(user)
    return user


def test_registration_stores_application(client, period, parent):
    give_consent(client, period)

    response = client.post(register_url(period), form_data(period))

    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get()
    year = period.academic_year.starts_on.year
    assert application.parent == parent
    assert application.registration_number == f"SMP-{year}-000001"
    assert application.status == Application.Status.SUBMITTED
    assert application.track == "domisili"
    assert application.identity_flags == []
    assert application.consent_version == PRIVACY_NOTICE_VERSION
    assert application.consented_at < application.submitted_at + datetime.timedelta(
        seconds=1
    )
    assert response["Location"] == reverse(
        "ppdb:receipt", args=[application.registration_number]
    )
    assert [c.rank for c in application.ordered_choices()] == [1, 2]
    kinds = sorted(d.kind for d in ApplicationDocument.objects.all())
    assert kinds == ["birth_certificate", "kk"]
    assert AuditLog.objects.filter(action="ppdb.application_submitted").count() == 1


def test_documents_stored_privately(client, period, parent):
    give_consent(client, period)

    client.post(register_url(period), form_data(period))

    document = ApplicationDocument.objects.get(kind="kk")
    application = document.application
    assert document.content_type == "application/pdf"
    assert document.original_name == "kk.pdf"
    assert document.file.name.startswith(
        f"ppdb/{period.pk}/{application.registration_number}/kk-"
    )
    # The stored name carries a random token, not the uploaded name.
    assert document.token in document.file.name
    assert len(document.token) == 32
    assert "kk.pdf" not in document.file.name
    with document.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_registration_numbers_follow_each_other(client, period, parent):
    give_consent(client, period)
    for _index in range(3):
        response = client.post(register_url(period), form_data(period))
        assert response.status_code == 302
    numbers = sorted(Application.objects.values_list("registration_number", flat=True))
    year = period.academic_year.starts_on.year
    assert numbers == [f"SMP-{year}-00000{n}" for n in (1, 2, 3)]


def test_same_token_twice_one_application(client, period, parent):
    give_consent(client, period)
    data = form_data(period)
    token = data["submission_token"]

    first = client.post(register_url(period), data)
    again = form_data(period, submission_token=token, nik=data["nik"])
    second = client.post(register_url(period), again)

    assert first.status_code == 302
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Application.objects.count() == 1
    assert ApplicationDocument.objects.count() == 2


def test_nik_mismatch_flagged_not_rejected(client, period, parent):
    give_consent(client, period)
    data = form_data(period)
    birth_date = datetime.date.fromisoformat(data["birth_date"])
    # The NIK carries another day of birth and the code of a girl.
    data["nik"] = nik_for(birth_date + datetime.timedelta(days=1), "P")

    response = client.post(register_url(period), data)

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.identity_flags == [
        "nik_birth_date_mismatch",
        "nik_sex_mismatch",
    ]


def test_form_needs_consent_first(client, period, parent):
    response = client.get(register_url(period))

    assert response.status_code == 302
    assert response["Location"] == reverse("ppdb:register", args=[period.pk])


def test_consent_without_tick_rejected(client, period, parent):
    with translation.override("id"):
        response = client.post(
            reverse("ppdb:register", args=[period.pk]), {}, HTTP_ACCEPT_LANGUAGE="id"
        )

    assert response.status_code == 400
    assert "Pendaftaran memerlukan persetujuan Anda" in response.content.decode()
    assert "ppdb_consent" not in client.session


def test_consent_recorded_in_session(client, period, parent):
    give_consent(client, period)

    entry = client.session["ppdb_consent"][str(period.pk)]

    assert entry["version"] == PRIVACY_NOTICE_VERSION
    consented_at = datetime.datetime.fromisoformat(entry["at"])
    assert abs(timezone.now() - consented_at) < datetime.timedelta(minutes=1)


def test_old_consent_version_asks_again(client, period, parent):
    session = client.session
    session["ppdb_consent"] = {
        str(period.pk): {"version": "2000-1", "at": timezone.now().isoformat()}
    }
    session.save()

    response = client.get(register_url(period))

    assert response.status_code == 302
    assert response["Location"] == reverse("ppdb:register", args=[period.pk])


def test_form_page_lists_period_schools(client, period, parent):
    give_consent(client, period)

    response = client.get(register_url(period))

    assert response.status_code == 200
    content = response.content.decode()
    for entry in period.schools.select_related("school"):
        assert entry.school.name in content
    assert 'name="submission_token"' in content
    assert 'name="choice_3"' in content
    assert 'name="choice_4"' not in content
    assert "<script>" not in content
    assert 'enctype="multipart/form-data"' in content


def test_anonymous_sent_to_login(client, period):
    for url in (reverse("ppdb:register", args=[period.pk]), register_url(period)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_student_cannot_register(client, period):
    student = add_role(make_user(), make_school(), Membership.Role.STUDENT)
    client.force_login(student)

    response = client.get(reverse("ppdb:register", args=[period.pk]))

    assert response.status_code == 403


def test_unpublished_period_404(client, parent):
    period = make_registration_period(is_published=False)

    response = client.get(reverse("ppdb:register", args=[period.pk]))

    assert response.status_code == 404


def test_receipt_masks_nik(client, period, parent):
    give_consent(client, period)
    data = form_data(period)
    client.post(register_url(period), data)
    application = Application.objects.get()

    response = client.get(
        reverse("ppdb:receipt", args=[application.registration_number])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert application.registration_number in content
    assert data["nik"] not in content
    assert data["kk_number"] not in content
    assert "*" * 12 + data["nik"][-4:] in content
    assert "@media print" not in content  # print CSS lives in a static file
    assert "registration.css" in content


def test_submission_time_is_server_time(client, period, parent):
    give_consent(client, period)
    before = timezone.now().replace(microsecond=0)

    client.post(register_url(period), form_data(period, submitted_at="2000-01-01"))

    application = Application.objects.get()
    assert before <= application.submitted_at <= timezone.now()
    assert application.submitted_at.microsecond == 0


def test_registration_stage_open_check_uses_stages(client, period, parent):
    give_consent(client, period)
    stage = period.stages.get(kind=Stage.Kind.REGISTRATION)
    stage.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    stage.opens_at = stage.closes_at - datetime.timedelta(days=3)
    stage.save()

    response = client.get(register_url(period))

    assert response.status_code == 403


def test_unique_token_constraint_fallback(
    client, period, parent, monkeypatch, settings
):
    """A duplicate that reaches the insert finds the first application."""
    give_consent(client, period)
    data = form_data(period)
    first = client.post(register_url(period), data)
    real_lookup = services._by_token
    calls = []

    def miss_once(parent, token):
        calls.append(token)
        return None if len(calls) == 1 else real_lookup(parent, token)

    monkeypatch.setattr(services, "_by_token", miss_once)
    # Another child's NIK, so only the (parent, token) constraint stops it.
    again = form_data(period, submission_token=data["submission_token"])

    second = client.post(register_url(period), again)

    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert len(calls) == 2
    assert Application.objects.count() == 1
    assert ApplicationDocument.objects.count() == 2
    stored = list((settings.MEDIA_ROOT / "ppdb").rglob("*-*"))
    assert len([path for path in stored if path.is_file()]) == 2


def test_period_without_rules_not_open(client, parent):
    period = make_period()  # published and open, but no rule set yet

    consent = client.get(reverse("ppdb:register", args=[period.pk]))
    form = client.post(register_url(period), {})

    assert consent.status_code == 403
    assert form.status_code == 403
    assert Application.objects.count() == 0
