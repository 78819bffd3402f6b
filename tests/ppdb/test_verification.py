"""Verification of applications by the operator of the first choice."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from courses.models import Notification
from lms.models import AuditLog
from ppdb.models import (
    Application,
    ApplicationDocument,
    Stage,
    VerificationDecision,
)
from ppdb.verification.checks import home_distance_m
from tests.factories import make_operator, make_teacher, make_user
from tests.ppdb.verification_helpers import make_admission, make_application

pytestmark = pytest.mark.django_db

ASPECTS = ["identity", "domicile", "documents"]


@pytest.fixture
def admission():
    period, (school_a, school_b) = make_admission()
    operator_a = make_operator(school_a.school, language="en")
    operator_b = make_operator(school_b.school, language="en")
    # First choice A, second B: only A's operator verifies it.
    to_a = make_application(period, [school_a, school_b])
    to_b = make_application(period, [school_b, school_a])
    return {
        "period": period,
        "school_a": school_a,
        "school_b": school_b,
        "operator_a": operator_a,
        "operator_b": operator_b,
        "to_a": to_a,
        "to_b": to_b,
    }


def page(number):
    return reverse("ppdb:verification_application", args=[number])


def decide_url(number):
    return reverse("ppdb:verification_decide", args=[number])


def post_decision(client, application, aspect, decision, note=""):
    return client.post(
        decide_url(application.registration_number),
        {
            "aspect": aspect,
            f"{aspect}-aspect": aspect,
            f"{aspect}-decision": decision,
            f"{aspect}-note": note,
        },
    )


def test_queue_lists_first_choices_only(client, admission):
    client.force_login(admission["operator_a"])

    response = client.get(reverse("ppdb:verification_queue"))

    assert response.status_code == 200
    content = response.content.decode()
    assert admission["to_a"].registration_number in content
    assert admission["to_b"].registration_number not in content
    entry = AuditLog.objects.get(action="ppdb.verification_queue_viewed")
    assert entry.actor == admission["operator_a"]
    assert entry.details["registration_numbers"] == [
        admission["to_a"].registration_number
    ]


def test_queue_filters_by_status_and_track(client, admission):
    other = make_application(
        admission["period"], [admission["school_a"]], track="afirmasi_ekonomi"
    )
    client.force_login(admission["operator_a"])

    response = client.get(
        reverse("ppdb:verification_queue"), {"track": "afirmasi_ekonomi"}
    )

    content = response.content.decode()
    assert other.registration_number in content
    assert admission["to_a"].registration_number not in content
    verified = client.get(reverse("ppdb:verification_queue"), {"status": "verified"})
    assert other.registration_number not in verified.content.decode()


def test_other_school_operator_gets_404(client, admission):
    client.force_login(admission["operator_a"])
    number = admission["to_b"].registration_number

    assert client.get(page(number)).status_code == 404
    response = post_decision(client, admission["to_b"], "identity", "approved")
    assert response.status_code == 404
    assert not VerificationDecision.objects.exists()
    assert not AuditLog.objects.filter(action="ppdb.application_viewed").exists()


@pytest.mark.parametrize("role", ["parent", "teacher"])
def test_non_verifiers_get_403(client, admission, role):
    if role == "parent":
        user = admission["to_a"].parent
    else:
        user = make_teacher(admission["school_a"].school)
    client.force_login(user)

    assert client.get(reverse("ppdb:verification_queue")).status_code == 403
    assert client.get(page(admission["to_a"].registration_number)).status_code == 403


def test_anonymous_is_sent_to_login(client, admission):
    response = client.get(reverse("ppdb:verification_queue"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_page_masks_identifiers_and_logs(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    response = client.get(page(application.registration_number))

    content = response.content.decode()
    assert response.status_code == 200
    assert application.nik not in content
    assert application.masked_nik() in content
    assert application.kk_number not in content
    entry = AuditLog.objects.get(action="ppdb.application_viewed")
    assert entry.subject == application.parent
    assert entry.object_id == str(application.pk)


def test_revealing_identifiers_is_logged(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    response = client.get(
        page(application.registration_number), {"show": "identifiers"}
    )

    assert application.nik in response.content.decode()
    assert AuditLog.objects.filter(
        action="ppdb.application_identifiers_viewed", actor=admission["operator_a"]
    ).exists()


def test_all_aspects_approved_verifies_and_freezes(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    for aspect in ASPECTS:
        response = post_decision(client, application, aspect, "approved")
        assert response.status_code == 302

    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED
    assert application.verified_at is not None
    for choice in application.ordered_choices():
        school = choice.period_school.school
        expected = home_distance_m(
            (application.latitude, application.longitude),
            (school.latitude, school.longitude),
        )
        assert choice.distance_m == expected
    assert Notification.objects.filter(recipient=application.parent).count() == 1


def test_distance_is_not_recomputed(client, admission):
    application = admission["to_a"]
    first = application.ordered_choices()[0]
    first.distance_m = 4321
    first.save()
    client.force_login(admission["operator_a"])

    for aspect in ASPECTS:
        post_decision(client, application, aspect, "approved")

    first.refresh_from_db()
    assert first.distance_m == 4321


def test_verified_application_takes_no_decision(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])
    for aspect in ASPECTS:
        post_decision(client, application, aspect, "approved")

    response = post_decision(client, application, "identity", "needs_fix", "Foto")

    assert response.status_code == 400
    assert "takes no more decisions" in response.content.decode()
    assert VerificationDecision.objects.count() == len(ASPECTS)


def test_needs_fix_notifies_parent(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    response = post_decision(
        client, application, "documents", "needs_fix", "The KK scan is unreadable."
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.NEEDS_FIX
    notification = Notification.objects.get(recipient=application.parent)
    assert application.registration_number in notification.title
    assert notification.url == reverse(
        "ppdb:application", args=[application.registration_number]
    )
    decision = VerificationDecision.objects.get()
    assert decision.note == "The KK scan is unreadable."
    assert decision.decided_by == admission["operator_a"]


def test_approval_after_fix_returns_to_submitted(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])
    post_decision(client, application, "documents", "needs_fix", "Unreadable.")

    post_decision(client, application, "documents", "approved")

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    history = VerificationDecision.objects.filter(aspect="documents")
    assert history.count() == 2


def test_rejection_makes_ineligible(client, admission):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    post_decision(client, application, "identity", "rejected", "Forged KK.")

    application.refresh_from_db()
    assert application.status == Application.Status.INELIGIBLE


@pytest.mark.parametrize(
    ("aspect", "decision", "note", "message"),
    [
        ("identity", "maybe", "", "is not a decision"),
        ("identity", "needs_fix", "", "Write a note"),
        ("scores", "approved", "", "is not an aspect to verify"),
        ("hobbies", "approved", "", "is not an aspect to verify"),
    ],
)
def test_invalid_decision_stores_nothing(
    client, admission, aspect, decision, note, message
):
    application = admission["to_a"]
    client.force_login(admission["operator_a"])

    response = post_decision(client, application, aspect, decision, note)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VerificationDecision.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_error_is_translated(client, admission):
    operator = admission["operator_a"]
    operator.language = "id"
    operator.save()
    client.force_login(operator)

    response = post_decision(client, admission["to_a"], "identity", "needs_fix")

    assert response.status_code == 400
    assert "Write a note" not in response.content.decode()
    assert not VerificationDecision.objects.exists()


def test_scores_aspect_for_prestasi(client, admission):
    application = make_application(
        admission["period"],
        [admission["school_a"]],
        track="prestasi_akademik",
        score="88.50",
    )
    client.force_login(admission["operator_a"])
    for aspect in ASPECTS:
        post_decision(client, application, aspect, "approved")

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    post_decision(client, application, "scores", "approved")
    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED


def test_closed_verification_stage_rejects(client, admission):
    stage = admission["period"].stages.get(kind=Stage.Kind.VERIFICATION)
    stage.opens_at = timezone.now() - datetime.timedelta(days=3)
    stage.closes_at = timezone.now() - datetime.timedelta(days=1)
    stage.save()
    client.force_login(admission["operator_a"])

    response = post_decision(client, admission["to_a"], "identity", "approved")

    assert response.status_code == 400
    assert "verification stage closed" in response.content.decode()
    assert not VerificationDecision.objects.exists()


def test_school_without_location_blocks_verification(client, admission):
    school = admission["school_b"].school
    school.latitude = school.longitude = None
    school.save()
    application = admission["to_a"]
    client.force_login(admission["operator_a"])
    post_decision(client, application, "identity", "approved")
    post_decision(client, application, "domicile", "approved")

    response = post_decision(client, application, "documents", "approved")

    assert response.status_code == 400
    assert "has no location" in response.content.decode()
    assert VerificationDecision.objects.count() == 2
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert all(c.distance_m is None for c in application.ordered_choices())


def test_checks_show_shared_family_card(client, admission):
    application = admission["to_a"]
    make_application(
        admission["period"], [admission["school_b"]], kk_number=application.kk_number
    )
    client.force_login(admission["operator_a"])

    response = client.get(page(application.registration_number))

    content = response.content.decode()
    assert "1 other application in this period gives the same family card" in content


def test_checks_flag_family_card_too_new(client, admission):
    application = admission["to_a"]
    application.kk_issued_on = datetime.date(2024, 8, 1)
    application.save()
    client.force_login(admission["operator_a"])

    response = client.get(page(application.registration_number))

    assert "after 2024-07-01" in response.content.decode()


def test_city_admin_sees_every_application(client, admission):
    admin = make_user(is_city_admin=True, language="en")
    client.force_login(admin)

    response = client.get(reverse("ppdb:verification_queue"))

    content = response.content.decode()
    assert admission["to_a"].registration_number in content
    assert admission["to_b"].registration_number in content


def test_document_download_checks_and_logs(client, admission):
    application = admission["to_a"]
    document = ApplicationDocument(
        application=application,
        kind="kk",
        original_name="kk.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=application.parent,
    )
    document.file.save("kk.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    url = reverse(
        "ppdb:verification_document",
        args=[application.registration_number, document.pk],
    )

    client.force_login(admission["operator_b"])
    assert client.get(url).status_code == 404
    assert not AuditLog.objects.filter(action="ppdb.document_downloaded").exists()

    client.force_login(admission["operator_a"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    entry = AuditLog.objects.get(action="ppdb.document_downloaded")
    assert entry.actor == admission["operator_a"]
    assert entry.details["kind"] == "kk"


def test_pin_far_from_known_centre_is_flagged(client, admission, settings):
    application = admission["to_a"]
    # About 5.5 km north of the application's home.
    settings.PPDB_KELURAHAN_CENTRES = {application.kelurahan_code: [-6.33, 106.82]}
    client.force_login(admission["operator_a"])

    response = client.get(page(application.registration_number))

    content = response.content.decode()
    assert "from the centre of the kelurahan, more than 3000 m" in content
    assert "estimated" not in content


def test_pin_without_centre_is_plain_flag(client, admission):
    client.force_login(admission["operator_a"])

    response = client.get(page(admission["to_a"].registration_number))

    assert "The centre of this kelurahan is not known" in response.content.decode()
