"""The parent's own applications: list, detail, receipt, documents, fixes."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lms.models import AuditLog
from ppdb.models import Application, ApplicationDocument, Stage, VerificationDecision
from tests.factories import make_operator, make_school, make_user

from .registration_factories import (
    INSIDE,
    OUTSIDE,
    PDF,
    form_data,
    give_consent,
    make_registration_period,
    upload,
)

pytestmark = pytest.mark.django_db


def register(client, period, **overrides):
    give_consent(client, period)
    response = client.post(
        reverse("ppdb:register_form", args=[period.pk]),
        form_data(period, **overrides),
    )
    assert response.status_code == 302
    return Application.objects.latest("pk")


@pytest.fixture
def period():
    return make_registration_period()


@pytest.fixture
def parent(client):
    user = make_user()
    client.force_login(user)
    return user


@pytest.fixture
def application(client, period, parent):
    return register(client, period)


def own_urls(application):
    number = application.registration_number
    document = application.documents.first()
    return [
        reverse("ppdb:application", args=[number]),
        reverse("ppdb:receipt", args=[number]),
        reverse("ppdb:correct", args=[number]),
        reverse("ppdb:document", args=[number, document.pk]),
    ]


def test_list_shows_own_only(client, period, parent, application):
    neighbour = Client()
    neighbour.force_login(make_user())
    other = register(neighbour, period, full_name="Anak Tetangga")

    response = client.get(reverse("ppdb:applications"))

    assert response.status_code == 200
    assert list(response.context["applications"]) == [application]
    content = response.content.decode()
    assert application.registration_number in content
    assert other.registration_number not in content
    assert "Anak Tetangga" not in content


def test_other_family_gets_404(client, application):
    client.force_login(make_user())

    for url in own_urls(application):
        response = client.get(url)
        assert response.status_code == 404, url


def test_operator_gets_404_on_parent_pages(client, application):
    # Operators verify through the verification pages, not the parent's.
    school = application.first_choice().period_school.school
    client.force_login(make_operator(school))

    for url in own_urls(application):
        assert client.get(url).status_code == 404, url


def test_anonymous_sent_to_login(client, application):
    client.logout()

    for url in own_urls(application) + [reverse("ppdb:applications")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_detail_shows_verification_notes(client, application):
    operator = make_operator(make_school())
    VerificationDecision.objects.create(
        application=application,
        aspect=VerificationDecision.Aspect.DOMICILE,
        decision=VerificationDecision.Decision.NEEDS_FIX,
        note="Titik lokasi tidak sesuai alamat KK.",
        decided_by=operator,
    )
    VerificationDecision.objects.create(
        application=application,
        aspect=VerificationDecision.Aspect.IDENTITY,
        decision=VerificationDecision.Decision.APPROVED,
        decided_by=operator,
    )

    response = client.get(
        reverse("ppdb:application", args=[application.registration_number])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Titik lokasi tidak sesuai alamat KK." in content
    aspects = dict(
        (str(label), decision) for label, decision in response.context["aspects"]
    )
    assert aspects[str(VerificationDecision.Aspect.DOMICILE.label)].note
    assert aspects[str(VerificationDecision.Aspect.SCORES.label)] is None
    assert application.nik not in content
    assert application.masked_nik() in content


def test_detail_shows_latest_decision_per_aspect(client, application):
    operator = make_operator(make_school())
    for decision, note in (
        (VerificationDecision.Decision.NEEDS_FIX, "Unggah ulang KK."),
        (VerificationDecision.Decision.APPROVED, ""),
    ):
        VerificationDecision.objects.create(
            application=application,
            aspect=VerificationDecision.Aspect.DOCUMENTS,
            decision=decision,
            note=note,
            decided_by=operator,
        )

    response = client.get(
        reverse("ppdb:application", args=[application.registration_number])
    )

    aspects = dict(
        (str(label), decision) for label, decision in response.context["aspects"]
    )
    current = aspects[str(VerificationDecision.Aspect.DOCUMENTS.label)]
    assert current.decision == VerificationDecision.Decision.APPROVED
    assert len(response.context["history"]) == 2


def test_document_download_own(client, application):
    document = application.documents.get(kind="kk")

    response = client.get(
        reverse("ppdb:document", args=[application.registration_number, document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_document_of_other_application_404(client, period, application):
    neighbour = Client()
    neighbour.force_login(make_user())
    other = register(neighbour, period)
    foreign = other.documents.first()

    response = client.get(
        reverse("ppdb:document", args=[application.registration_number, foreign.pk])
    )

    assert response.status_code == 404


def needs_fix(application):
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.NEEDS_FIX
    )
    application.refresh_from_db()
    return application


def fix_data(period, application, **overrides):
    data = form_data(period)
    for key in ("submission_token", "track", "choice_1", "choice_2"):
        data.pop(key)
    for key in [key for key in data if key.startswith("document_")]:
        data.pop(key)
    data.update(nik=application.nik, full_name=application.full_name)
    data.update(overrides)
    return data


def test_fix_not_offered_unless_needed(client, period, application):
    url = reverse("ppdb:correct", args=[application.registration_number])

    response = client.get(url)

    assert response.status_code == 302
    assert client.post(url, fix_data(period, application)).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not AuditLog.objects.filter(action="ppdb.application_corrected").exists()


def test_fix_changes_location_and_document(client, period, application):
    needs_fix(application)
    old_kk = application.documents.get(kind="kk")
    url = reverse("ppdb:correct", args=[application.registration_number])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        fix_data(
            period,
            application,
            latitude="-6.410000",
            longitude=INSIDE[1],
            document_kk=upload("kk-baru.pdf", PDF),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert str(application.latitude) == "-6.410000"
    kk_documents = ApplicationDocument.objects.filter(
        application=application, kind="kk"
    )
    assert kk_documents.count() == 2
    current = kk_documents.get(is_current=True)
    assert current.original_name == "kk-baru.pdf"
    old_kk.refresh_from_db()
    assert old_kk.is_current is False
    entry = AuditLog.objects.get(action="ppdb.application_corrected")
    assert entry.details["fields"] == ["latitude"]
    assert entry.details["documents"] == ["kk"]


def test_fix_keeps_track_and_choices(client, period, application):
    needs_fix(application)
    choices = [c.period_school_id for c in application.ordered_choices()]
    url = reverse("ppdb:correct", args=[application.registration_number])

    data = fix_data(period, application, track="mutasi", choice_1=str(choices[1]))
    response = client.post(url, data)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.track == "domisili"
    assert [c.period_school_id for c in application.ordered_choices()] == choices


def test_fix_rejects_bad_input(client, period, application, settings):
    needs_fix(application)
    url = reverse("ppdb:correct", args=[application.registration_number])
    before = Application.objects.values().get(pk=application.pk)

    response = client.post(
        url, fix_data(period, application, latitude=OUTSIDE[0], longitude=OUTSIDE[1])
    )

    assert response.status_code == 400
    assert Application.objects.values().get(pk=application.pk) == before
    assert ApplicationDocument.objects.filter(application=application).count() == 2


def test_fix_closed_after_verification_stage(client, period, application):
    needs_fix(application)
    stage = period.stages.get(kind=Stage.Kind.VERIFICATION)
    stage.opens_at = timezone.now() - datetime.timedelta(days=2)
    stage.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    stage.save()
    url = reverse("ppdb:correct", args=[application.registration_number])

    response = client.post(url, fix_data(period, application, full_name="Nama Baru"))

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.full_name != "Nama Baru"
    assert application.status == Application.Status.NEEDS_FIX


def test_detail_offers_fix_with_deadline(client, period, application):
    needs_fix(application)

    response = client.get(
        reverse("ppdb:application", args=[application.registration_number])
    )

    assert response.context["can_fix"] is True
    assert (
        reverse("ppdb:correct", args=[application.registration_number])
        in response.content.decode()
    )
