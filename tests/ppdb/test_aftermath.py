"""Complaints, objections, cancellation, re-registration and withdrawal."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.models import AuditLog, GuardianLink, Membership, User
from ppdb.aftermath import services
from ppdb.models import (
    Application,
    ApplicationChoice,
    Complaint,
    Objection,
    PeriodSchool,
    SelectionResult,
    SelectionRun,
    Stage,
)
from tests.factories import PASSWORD, make_operator, make_school, make_user
from tests.ppdb.factories import make_period

pytestmark = pytest.mark.django_db

_serials = itertools.count(1)


def open_stage(period, kind):
    """Open a stage of ``kind`` now, closing every other stage."""
    now = timezone.now()
    period.stages.exclude(kind=kind).update(
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=20),
    )
    period.stages.filter(kind=kind).delete()
    Stage.objects.create(
        period=period,
        kind=kind,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    return period


def make_application(period, parent, school, nisn="0012345678", **fields):
    serial = next(_serials)
    values = {
        "period": period,
        "parent": parent,
        "registration_number": f"SMP-2027-{serial:06d}",
        "submission_token": f"token-{serial}",
        "status": Application.Status.VERIFIED,
        "track": "domisili",
        "full_name": "Siti Aminah Putri",
        "nik": "3276014507120001",
        "nisn": nisn,
        "birth_place": "Depok",
        "birth_date": datetime.date(2012, 7, 5),
        "sex": "P",
        "kk_number": "3276010101100001",
        "kk_issued_on": datetime.date(2020, 1, 1),
        "address": "Jl. Margonda 1",
        "kelurahan_code": "32.76.01.1001",
        "latitude": "-6.400000",
        "longitude": "106.818000",
        "consent_version": "2027-1",
        "consented_at": timezone.now(),
        "submitted_at": timezone.now(),
    }
    values.update(fields)
    application = Application.objects.create(**values)
    ApplicationChoice.objects.create(
        application=application, rank=1, period_school=school
    )
    return application


def make_official_result(application, period_school, round="main", accepted=True):
    """Store one result in the period's official run of ``round``."""
    period = application.period
    run = SelectionRun.objects.filter(period=period, round=round).first()
    if run is None:
        run = SelectionRun.objects.create(
            period=period,
            round=round,
            number=SelectionRun.objects.filter(period=period).count() + 1,
            is_dry_run=False,
            rules_toml="",
        )
    # Results can be written only while their run is running.
    SelectionRun.objects.filter(pk=run.pk).update(status=SelectionRun.Status.RUNNING)
    result = SelectionResult.objects.create(
        run=run,
        application=application,
        status=(
            SelectionResult.Status.ACCEPTED
            if accepted
            else SelectionResult.Status.NOT_ACCEPTED
        ),
        period_school=period_school if accepted else None,
        choice_rank=1 if accepted else None,
        track=application.track,
        rank=1,
        reason="accepted" if accepted else "below_cutoff",
    )
    SelectionRun.objects.filter(pk=run.pk).update(
        status=SelectionRun.Status.SUCCEEDED, is_official=True
    )
    return result


@pytest.fixture
def setting():
    period = make_period()
    school = make_school(name="SMP Negeri 1 Depok", npsn="20228701")
    other_school = make_school(name="SMP Negeri 2 Depok", npsn="20228702")
    period_school = PeriodSchool.objects.create(
        period=period, school=school, capacity=32
    )
    PeriodSchool.objects.create(period=period, school=other_school, capacity=32)
    parent = make_user("ibu.siti")
    application = make_application(period, parent, period_school)
    return {
        "period": period,
        "school": school,
        "other_school": other_school,
        "period_school": period_school,
        "parent": parent,
        "application": application,
    }


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


# Re-registration


def test_re_register_creates_student_and_guardian(client, setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    login(client, setting["parent"])

    url = reverse("ppdb:re_register", args=[application.registration_number])
    response = client.post(url)

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.re_registered_at is not None
    assert application.re_registered_school == setting["period_school"]
    child = application.student
    assert child.nisn == "0012345678"
    assert child.username == "0012345678"
    assert not child.has_usable_password()
    assert Membership.objects.filter(
        user=child, school=setting["school"], role=Membership.Role.STUDENT
    ).exists()
    assert GuardianLink.objects.filter(guardian=setting["parent"], child=child).exists()
    assert child.notifications.count() == 1
    assert setting["parent"].notifications.count() == 1
    assert AuditLog.objects.filter(action="ppdb.application.re_register").count() == 1


def test_re_register_twice_keeps_one_account(client, setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    login(client, setting["parent"])
    url = reverse("ppdb:re_register", args=[application.registration_number])

    client.post(url)
    response = client.post(url)

    assert response.status_code == 400
    assert "Anak ini sudah daftar ulang." in response.content.decode()
    assert User.objects.filter(nisn="0012345678").count() == 1


def test_re_register_links_existing_account(setting):
    existing = make_user("siswa.lama", nisn="0012345678")
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)

    child = services.re_register(application, setting["parent"])

    assert child == existing


def test_re_register_without_nisn_uses_registration_number(setting):
    application = make_application(
        setting["period"], setting["parent"], setting["period_school"], nisn=""
    )
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)

    child = services.re_register(application, setting["parent"])

    assert child.username == application.registration_number.lower()


def test_re_register_after_deadline_is_rejected(client, setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    login(client, setting["parent"])

    response = client.post(
        reverse("ppdb:re_register", args=[application.registration_number]),
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 400
    assert "Daftar ulang hanya dapat dilakukan" in response.content.decode()
    application.refresh_from_db()
    assert application.re_registered_at is None
    assert not Membership.objects.filter(school=setting["school"]).exists()


def test_re_register_without_seat_is_rejected(setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"], accepted=False)
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)

    with pytest.raises(services.AftermathError) as error:
        services.re_register(application, setting["parent"])

    assert error.value.code == "not_accepted"


def test_fill_round_seat_is_claimed_in_fill_stage(setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"], accepted=False)
    make_official_result(application, setting["period_school"], round="fill")
    open_stage(setting["period"], Stage.Kind.FILL_ROUND)

    services.re_register(application, setting["parent"])

    application.refresh_from_db()
    assert application.re_registered_at is not None


def test_another_family_cannot_re_register(client, setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    login(client, make_user("bapak.lain"))

    response = client.post(
        reverse("ppdb:re_register", args=[application.registration_number])
    )

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.re_registered_at is None


def test_another_family_cannot_open_page(client, setting):
    login(client, make_user("bapak.lain"))

    response = client.get(
        reverse("ppdb:aftermath", args=[setting["application"].registration_number])
    )

    assert response.status_code == 404


# Withdrawal


def test_withdraw_needs_reason_and_confirmation(client, setting):
    application = setting["application"]
    login(client, setting["parent"])
    url = reverse("ppdb:withdraw", args=[application.registration_number])

    response = client.post(url, {"reason": ""})

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED


def test_withdraw_marks_application(client, setting):
    application = setting["application"]
    login(client, setting["parent"])
    url = reverse("ppdb:withdraw", args=[application.registration_number])

    response = client.post(url, {"reason": "Pindah ke luar kota", "confirm": "on"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.withdrawal_reason == "Pindah ke luar kota"
    entry = AuditLog.objects.get(action="ppdb.application.withdraw")
    assert entry.details["reason"] == "Pindah ke luar kota"


def test_withdraw_after_re_registration_is_rejected(setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    services.re_register(application, setting["parent"])
    application.refresh_from_db()

    with pytest.raises(services.AftermathError) as error:
        services.withdraw(application, setting["parent"], "berubah pikiran")

    assert error.value.code == "already_re_registered"


# Objections


def test_objection_in_window_is_stored(client, setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    login(client, setting["parent"])

    response = client.post(
        reverse("ppdb:file_objection", args=[application.registration_number]),
        {"body": "Jarak rumah kami salah hitung."},
    )

    assert response.status_code == 302
    assert application.objections.get().body == "Jarak rumah kami salah hitung."


def test_objection_outside_window_is_rejected(client, setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    login(client, setting["parent"])

    response = client.post(
        reverse("ppdb:file_objection", args=[application.registration_number]),
        {"body": "Jarak salah."},
        HTTP_ACCEPT_LANGUAGE="id",
    )

    assert response.status_code == 400
    assert "Sanggahan hanya dapat dikirim" in response.content.decode()
    assert not Objection.objects.exists()


def test_second_open_objection_is_rejected(setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    services.file_objection(application, setting["parent"], "Pertama")

    with pytest.raises(services.AftermathError) as error:
        services.file_objection(application, setting["parent"], "Kedua")

    assert error.value.code == "objection_open"
    assert Objection.objects.count() == 1


def test_operator_answers_objection_with_correction(client, setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    objection = services.file_objection(application, setting["parent"], "Jarak salah")
    operator = make_operator(setting["school"], "operator.smpn1")
    login(client, operator)

    response = client.post(
        reverse("ppdb:answer_objection", args=[objection.pk]),
        {
            "decision": "accept",
            "answer": "Titik rumah dikoreksi sesuai KK.",
            "correction": "Lokasi rumah dipindah ke alamat di KK.",
            "new_run": "on",
        },
    )

    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.ACCEPTED
    assert objection.needs_new_run
    assert objection.answered_by == operator
    assert setting["parent"].notifications.count() == 1


def test_rejected_objection_cannot_carry_correction(setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    objection = services.file_objection(application, setting["parent"], "Jarak salah")
    operator = make_operator(setting["school"], "operator.smpn1")

    with pytest.raises(services.AftermathError) as error:
        services.answer_objection(
            objection, operator, accepted=False, answer="Tidak", correction="x"
        )

    assert error.value.code == "correction_on_rejection"
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN


def test_other_school_operator_cannot_answer_objection(client, setting):
    application = setting["application"]
    open_stage(setting["period"], Stage.Kind.OBJECTION)
    objection = services.file_objection(application, setting["parent"], "Jarak salah")
    login(client, make_operator(setting["other_school"], "operator.smpn2"))

    response = client.post(
        reverse("ppdb:answer_objection", args=[objection.pk]),
        {"decision": "reject", "answer": "Tidak"},
    )

    assert response.status_code == 404
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN


# Cancellation


def test_cancel_for_forged_documents_ends_membership(client, setting):
    application = setting["application"]
    make_official_result(application, setting["period_school"])
    open_stage(setting["period"], Stage.Kind.REREGISTRATION)
    child = services.re_register(application, setting["parent"])
    admin = make_user("dinas", is_city_admin=True)
    login(client, admin)

    response = client.post(
        reverse("ppdb:cancel", args=[application.registration_number]),
        {"reason": "KK palsu: nomor tidak terdaftar di Dukcapil.", "confirm": "on"},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.CANCELLED
    assert application.cancelled_by == admin
    assert not Membership.objects.filter(user=child, school=setting["school"]).exists()
    entry = AuditLog.objects.get(action="ppdb.application.cancel")
    assert entry.details["reason"].startswith("KK palsu")
    assert entry.details["memberships_ended"] == 1


def test_cancel_without_reason_changes_nothing(client, setting):
    application = setting["application"]
    login(client, make_user("dinas", is_city_admin=True))

    response = client.post(
        reverse("ppdb:cancel", args=[application.registration_number]),
        {"reason": "", "confirm": "on"},
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == Application.Status.VERIFIED


def test_cancel_page_masks_nik_and_logs_view(client, setting):
    application = setting["application"]
    login(client, make_operator(setting["school"], "operator.smpn1"))

    response = client.get(
        reverse("ppdb:cancel", args=[application.registration_number])
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert application.nik not in body
    assert "************0001" in body
    assert AuditLog.objects.filter(action="ppdb.application.view").exists()


def test_parent_cannot_cancel(client, setting):
    login(client, setting["parent"])

    response = client.get(
        reverse("ppdb:cancel", args=[setting["application"].registration_number])
    )

    assert response.status_code == 404


# Complaints


def test_complaint_is_stored_and_answered(client, setting):
    period = setting["period"]
    login(client, setting["parent"])
    response = client.post(
        reverse("ppdb:complaints", args=[period.pk]),
        {
            "subject": "Peta tidak muncul",
            "body": "Peta di formulir tidak tampil di ponsel saya.",
            "application": setting["application"].registration_number,
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.application == setting["application"]

    client.logout()
    login(client, make_operator(setting["school"], "operator.smpn1"))
    response = client.post(
        reverse("ppdb:answer_complaint", args=[complaint.pk]),
        {"answer": "Isi lintang dan bujur secara manual."},
    )

    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.ANSWERED
    assert setting["parent"].notifications.count() == 1


def test_complaint_about_another_family_is_rejected(client, setting):
    stranger = make_user("bapak.lain")
    login(client, stranger)

    response = client.post(
        reverse("ppdb:complaints", args=[setting["period"].pk]),
        {
            "subject": "x",
            "body": "y",
            "application": setting["application"].registration_number,
        },
    )

    assert response.status_code == 400
    assert not Complaint.objects.exists()


def test_other_school_operator_sees_no_complaints(client, setting):
    services.submit_complaint(
        setting["period"],
        setting["parent"],
        "Peta",
        "Tidak tampil",
        setting["application"],
    )
    make_application(
        setting["period"],
        make_user("ortu.lain"),
        PeriodSchool.objects.get(school=setting["other_school"]),
    )
    login(client, make_operator(setting["other_school"], "operator.smpn2"))

    response = client.get(
        reverse("ppdb:office_complaints", args=[setting["period"].pk])
    )

    assert response.status_code == 200
    assert "Peta" not in response.content.decode()
