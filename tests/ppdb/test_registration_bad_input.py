"""
Bad registrations: each gets a translated error and stores nothing.

Every test posts one kind of bad input and checks the error code, that the
page shows the message in Indonesian (and that it differs from the English
text, so it really is translated), and that no application, choice,
document or file was stored.
"""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from ppdb.models import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    PeriodSchool,
    Stage,
)
from ppdb.registration import services
from tests.factories import make_user

from .registration_factories import (
    OUTSIDE,
    PDF,
    PNG,
    child_birth_date,
    documents,
    form_data,
    give_consent,
    make_registration_period,
    nik_for,
    reference_date,
    rules_toml,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def period():
    return make_registration_period()


@pytest.fixture
def parent(client):
    user = make_user()
    client.force_login(user)
    return user


def post(client, period, **overrides):
    give_consent(client, period)
    return client.post(
        reverse("ppdb:register_form", args=[period.pk]), form_data(period, **overrides)
    )


def assert_nothing_stored(settings):
    assert Application.objects.count() == 0
    assert ApplicationChoice.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    stored = Path(settings.MEDIA_ROOT) / "ppdb"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def assert_rejected(response, field, code):
    """Check the error ``code`` on ``field`` and its Indonesian message."""
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.as_data().get(field or "__all__", [])
    matching = [error for error in errors if error.code == code]
    assert matching, f"no {code} on {field}: {form.errors.as_data()}"
    with translation.override("en"):
        english = matching[0].messages[0]
    with translation.override("id"):
        indonesian = matching[0].messages[0]
    assert indonesian != english
    assert escape(indonesian) in response.content.decode()


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("327601050512000", "nik_format"),  # 15 digits
        ("32760105051200012", "nik_format"),  # 17 digits
        ("32760105O5120001", "nik_format"),  # a letter O
        ("3276013205120001", "nik_birth_date"),  # day 32
        ("3276017213120001", "nik_birth_date"),  # day 32 + 40, month 13
        ("3276013002120001", "nik_birth_date"),  # 30 February
    ],
)
def test_invalid_nik(client, period, parent, settings, nik, code):
    response = post(client, period, nik=nik)

    assert_rejected(response, "nik", code)
    assert_nothing_stored(settings)


def test_invalid_kk_number(client, period, parent, settings):
    response = post(client, period, kk_number="32760101")

    assert_rejected(response, "kk_number", "kk_format")
    assert_nothing_stored(settings)


def test_invalid_nisn(client, period, parent, settings):
    response = post(client, period, nisn="12345")

    assert_rejected(response, "nisn", "nisn_format")
    assert_nothing_stored(settings)


def test_invalid_previous_npsn(client, period, parent, settings):
    response = post(client, period, previous_school_npsn="2020")

    assert_rejected(response, "previous_school_npsn", "npsn_format")
    assert_nothing_stored(settings)


def test_kk_too_new(client, period, parent, settings):
    # The rule set accepts cards issued on or before 1 July a year before the
    # reference date.
    latest = reference_date().replace(year=reference_date().year - 1)
    response = post(
        client,
        period,
        kk_issued_on=(latest + datetime.timedelta(days=1)).isoformat(),
    )

    assert_rejected(response, "kk_issued_on", "kk_too_new")
    assert_nothing_stored(settings)


def test_kk_on_latest_date_accepted(client, period, parent):
    latest = reference_date().replace(year=reference_date().year - 1)

    response = post(client, period, kk_issued_on=latest.isoformat())

    assert response.status_code == 302
    assert Application.objects.count() == 1


def test_child_too_old(client, period, parent, settings):
    birth_date = child_birth_date(years=16)

    response = post(client, period, birth_date=birth_date, nik=nik_for(birth_date, "L"))

    assert_rejected(response, "birth_date", "too_old")
    assert_nothing_stored(settings)


SD_EXTRA_RULES = """
name = "SPMB SD test"
level = "SD"
reference_date = {reference}
timezone = "Asia/Jakarta"
[selection]
mechanism = "single"
choices = 1
[seats]
remainder = "domisili"
[tracks.domisili]
share = 1
order = ["age_band", "distance", "birth_date", "submitted_at"]
[age]
minimum = "6y"
minimum_with_recommendation = "5y6m"
bands = ["7y", "6y", "5y6m"]
"""


@pytest.fixture
def sd_period():
    rules = SD_EXTRA_RULES.format(reference=reference_date())
    return make_registration_period(level="SD", rules=rules, schools=1)


def sd_birth_date(years, months):
    reference = reference_date()
    month_index = reference.year * 12 + reference.month - 1 - years * 12 - months
    year, month = divmod(month_index, 12)
    return datetime.date(year, month + 1, 1)


def test_child_too_young(client, sd_period, parent, settings):
    # Five years old on the reference date: younger than 5 years 6 months.
    birth_date = sd_birth_date(5, 0)

    response = post(
        client,
        sd_period,
        birth_date=birth_date,
        nik=nik_for(birth_date),
        nisn="",
        choice_2="",
        has_recommendation="on",
        **documents(recommendation_letter=("rekomendasi.pdf", PDF)),
    )

    assert_rejected(response, "birth_date", "too_young")
    assert_nothing_stored(settings)


def test_young_child_needs_recommendation(client, sd_period, parent, settings):
    birth_date = sd_birth_date(5, 8)

    response = post(
        client, sd_period, birth_date=birth_date, nik=nik_for(birth_date), choice_2=""
    )

    assert_rejected(response, "has_recommendation", "recommendation_missing")
    assert_nothing_stored(settings)


def test_recommendation_needs_letter(client, sd_period, parent, settings):
    birth_date = sd_birth_date(5, 8)

    response = post(
        client,
        sd_period,
        birth_date=birth_date,
        nik=nik_for(birth_date),
        choice_2="",
        has_recommendation="on",
    )

    assert_rejected(response, "document_recommendation_letter", "document_missing")
    assert_nothing_stored(settings)


def test_young_child_with_letter_accepted(client, sd_period, parent):
    birth_date = sd_birth_date(5, 8)

    response = post(
        client,
        sd_period,
        birth_date=birth_date,
        nik=nik_for(birth_date),
        choice_2="",
        has_recommendation="on",
        **documents(recommendation_letter=("rekomendasi.pdf", PDF)),
    )

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.recommendation is True
    assert application.registration_number.startswith("SD-")


def test_location_outside_city(client, period, parent, settings):
    response = post(client, period, latitude=OUTSIDE[0], longitude=OUTSIDE[1])

    assert_rejected(response, "latitude", "outside_city")
    assert_nothing_stored(settings)


def test_school_not_in_period(client, period, parent, settings):
    other = make_registration_period(name="PPDB SMP lain", schools=1)
    foreign = PeriodSchool.objects.get(period=other)

    response = post(client, period, choice_2=str(foreign.pk))

    assert_rejected(response, "choice_2", "invalid_choice")
    assert_nothing_stored(settings)


def test_more_choices_than_allowed(client, parent, settings):
    period = make_registration_period(rules=rules_toml(choices=2), schools=3)
    third = PeriodSchool.objects.filter(period=period).order_by("pk")[2]

    response = post(client, period, choice_3=str(third.pk))

    assert_rejected(response, None, "too_many_choices")
    assert_nothing_stored(settings)


def test_same_school_twice(client, period, parent, settings):
    data = form_data(period)

    response = post(client, period, choice_2=data["choice_1"])

    assert_rejected(response, "choice_2", "repeated")
    assert_nothing_stored(settings)


def test_choice_gap(client, period, parent, settings):
    third = PeriodSchool.objects.filter(period=period).order_by("pk")[2]

    response = post(client, period, choice_2="", choice_3=str(third.pk))

    assert_rejected(response, "choice_3", "choice_gap")
    assert_nothing_stored(settings)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("kk.pdf", b"<html><body>not a scan</body></html>", "document_content"),
        ("kk.pdf", b"MZ\x90\x00" + b"\x00" * 64, "document_content"),
        ("kk.pdf", PNG, "document_mismatch"),
        ("kk.docx", PDF, "document_extension"),
        ("kk.pdf", b"", "empty"),  # Django's own check
    ],
)
def test_document_not_what_it_claims(
    client, period, parent, settings, name, content, code
):
    response = post(client, period, document_kk=upload(name, content))

    assert_rejected(response, "document_kk", code)
    assert_nothing_stored(settings)


def test_document_too_large(client, period, parent, settings):
    settings.PPDB_MAX_DOCUMENT_SIZE = 1024
    big = PDF + b"0" * 2048

    response = post(client, period, document_kk=upload("kk.pdf", big))

    assert_rejected(response, None, "document_too_large")
    assert_nothing_stored(settings)


def test_required_document_missing(client, period, parent, settings):
    data = form_data(period)
    del data["document_birth_certificate"]
    give_consent(client, period)

    response = client.post(reverse("ppdb:register_form", args=[period.pk]), data)

    assert_rejected(response, "document_birth_certificate", "document_missing")
    assert_nothing_stored(settings)


def test_track_proof_missing(client, period, parent, settings):
    response = post(client, period, track="afirmasi_ekonomi")

    assert_rejected(response, "document_kip", "document_missing")
    assert_nothing_stored(settings)


def test_document_of_other_track(client, period, parent, settings):
    response = post(client, period, document_kip=upload("kip.pdf", PDF))

    assert_rejected(response, "document_kip", "document_not_needed")
    assert_nothing_stored(settings)


def test_score_track_needs_score(client, period, parent, settings):
    response = post(
        client,
        period,
        track="prestasi_akademik",
        **documents(report_card=("rapor.pdf", PDF)),
    )

    assert_rejected(response, "score", "score_missing")
    assert_nothing_stored(settings)


def test_track_not_in_rules(client, period, parent, settings):
    response = post(client, period, track="zonasi")

    assert_rejected(response, "track", "invalid_choice")
    assert_nothing_stored(settings)


def test_kelurahan_of_another_city(client, period, parent, settings):
    response = post(client, period, kelurahan_code="31.71.01.1001")

    assert_rejected(response, "kelurahan_code", "invalid_choice")
    assert_nothing_stored(settings)


def test_forged_submission_token(client, period, parent, settings):
    response = post(client, period, submission_token="x' OR 1=1 --")

    assert_rejected(response, "submission_token", "token")
    assert_nothing_stored(settings)


def test_same_child_twice(client, period, parent, settings):
    data = form_data(period)
    response = post(client, period, **{"nik": data["nik"]})
    assert response.status_code == 302

    again = post(client, period, nik=data["nik"])

    assert_rejected(again, None, "already_registered")
    assert Application.objects.count() == 1
    assert ApplicationDocument.objects.count() == 2


def test_registration_after_stage_closed(client, period, parent, settings):
    give_consent(client, period)
    data = form_data(period)
    stage = period.stages.get(kind=Stage.Kind.REGISTRATION)
    stage.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    stage.save()

    with translation.override("id"):
        response = client.post(reverse("ppdb:register_form", args=[period.pk]), data)

    assert response.status_code == 403
    assert "sehingga tidak ada yang disimpan" in response.content.decode()
    assert_nothing_stored(settings)


def test_registration_before_stage_opens(client, parent, settings):
    period = make_registration_period(registration_open=False)

    response = client.post(reverse("ppdb:register", args=[period.pk]), {"agree": "on"})

    assert response.status_code == 403
    assert "ppdb_consent" not in client.session
    assert_nothing_stored(settings)


def test_stage_closing_during_submission(client, period, parent, settings):
    """The service checks the stage again under the period's lock."""
    from ppdb.registration.forms import ApplicationForm

    data = form_data(period)
    files = {key: data.pop(key) for key in list(data) if key.startswith("document_")}
    form = ApplicationForm(period, data, files)
    assert form.is_valid(), form.errors
    closes_at = period.stages.get(kind=Stage.Kind.REGISTRATION).closes_at

    with pytest.raises(services.ValidationError) as raised:
        services.submit(
            period,
            parent,
            dict(form.cleaned_data),
            consent=("2025-1", timezone.now()),
            now=closes_at,
        )

    assert raised.value.code == "stage_closed"
    assert_nothing_stored(settings)
