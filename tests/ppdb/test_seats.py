"""The office's seat pages: schools of a period, capacities and overrides."""

import pytest
from django.urls import reverse
from django.utils import translation

from lms.models import AuditLog
from ppdb.admin_views.forms import rule_set_errors
from ppdb.models import AdmissionPeriod, PeriodSchool, SeatOverride
from ppdb.wagtail_hooks import AdmissionPeriodViewSet
from tests.factories import make_operator, make_school, make_user
from tests.ppdb.verification_helpers import DEPOK_RULES, make_admission

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return make_user(is_city_admin=True, language="en")


@pytest.fixture
def admission():
    period, (school, other) = make_admission(capacity=32)
    return period, school, other


def edit_url(period, period_school):
    return reverse(
        "ppdb:office_edit_school",
        kwargs={"pk": period.pk, "school_pk": period_school.pk},
    )


def override(client, period, period_school, track, seats, reason):
    return client.post(
        edit_url(period, period_school),
        {
            "override-track": track,
            "override-seats": seats,
            "override-reason": reason,
        },
    )


def test_seats_page_shows_computed_seats(client, admin_user, admission):
    period, school, _other = admission
    client.force_login(admin_user)

    response = client.get(reverse("ppdb:office_seats", kwargs={"pk": period.pk}))

    assert response.status_code == 200
    row = response.context["rows"][0]
    seats = {cell["track"]: cell["in_force"] for cell in row["cells"]}
    # 32 × 18% = 5.76 floors to 5; domisili takes the remainder.
    assert seats["afirmasi_ekonomi"] == 5
    assert seats["afirmasi_disabilitas"] == 0
    assert seats["mutasi"] == 1
    assert seats["prestasi_akademik"] == 4
    assert seats["domisili"] == 32 - 5 - 0 - 1 - 4 - 4
    assert row["entry"].total == 32


@pytest.mark.parametrize("role", ["operator", "parent"])
def test_office_pages_forbidden_to_others(client, admission, role):
    period, school, _other = admission
    user = make_operator(school.school) if role == "operator" else make_user()
    client.force_login(user)

    assert client.get(reverse("ppdb:office_periods")).status_code == 403
    seats = client.get(reverse("ppdb:office_seats", kwargs={"pk": period.pk}))
    assert seats.status_code == 403
    response = override(client, period, school, "mutasi", 3, "SK Kadis")
    assert response.status_code == 403
    assert not SeatOverride.objects.exists()


def test_override_is_stored_and_logged(client, admin_user, admission):
    period, school, _other = admission
    client.force_login(admin_user)

    response = override(
        client, period, school, "afirmasi_ekonomi", 8, "More poor families here."
    )

    assert response.status_code == 302
    stored = SeatOverride.objects.get()
    assert stored.seats == 8
    assert stored.set_by == admin_user
    entry = AuditLog.objects.get(action="ppdb.seat_override")
    assert entry.details["seats_before"] == 5
    assert entry.details["seats"] == 8
    assert entry.details["reason"] == "More poor families here."
    page = client.get(reverse("ppdb:office_seats", kwargs={"pk": period.pk}))
    seats = {c["track"]: c["in_force"] for c in page.context["rows"][0]["cells"]}
    assert seats["afirmasi_ekonomi"] == 8
    assert seats["domisili"] == 32 - 8 - 0 - 1 - 4 - 4
    assert "More poor families here." in page.content.decode()


def test_latest_override_is_in_force(client, admin_user, admission):
    period, school, _other = admission
    client.force_login(admin_user)
    override(client, period, school, "mutasi", 3, "First decision.")

    override(client, period, school, "mutasi", 2, "Corrected.")

    page = client.get(reverse("ppdb:office_seats", kwargs={"pk": period.pk}))
    seats = {c["track"]: c["in_force"] for c in page.context["rows"][0]["cells"]}
    assert seats["mutasi"] == 2
    assert SeatOverride.objects.count() == 2


@pytest.mark.parametrize(
    ("track", "seats", "reason", "message"),
    [
        ("mutasi", 3, "", "Give the reason"),
        ("mutasi", 3, "   ", "Give the reason"),
        ("mutasi", -1, "Because.", "0 or more"),
        ("mutasi", "tiga", "Because.", "whole number"),
        ("mutasi", 40, "Because.", "more than its capacity"),
        ("zonasi", 3, "Because.", "Select a valid choice"),
    ],
)
def test_bad_override_stores_nothing(
    client, admin_user, admission, track, seats, reason, message
):
    period, school, _other = admission
    client.force_login(admin_user)

    response = override(client, period, school, track, seats, reason)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SeatOverride.objects.exists()
    assert not AuditLog.objects.filter(action="ppdb.seat_override").exists()


def test_override_error_is_translated(client, admin_user, admission):
    period, school, _other = admission
    admin_user.language = "id"
    admin_user.save()
    client.force_login(admin_user)

    response = override(client, period, school, "mutasi", 3, "")

    assert response.status_code == 400
    assert "Give the reason" not in response.content.decode()
    assert not SeatOverride.objects.exists()


def test_add_school_and_capacity(client, admin_user, admission):
    period, _school, _other = admission
    new = make_school(latitude="-6.4", longitude="106.8")
    client.force_login(admin_user)

    response = client.post(
        reverse("ppdb:office_add_school", kwargs={"pk": period.pk}),
        {"school": new.pk, "capacity": 64},
    )

    assert response.status_code == 302
    added = PeriodSchool.objects.get(period=period, school=new)
    assert added.capacity == 64
    assert AuditLog.objects.filter(action="ppdb.period_school_added").exists()
    again = client.post(
        reverse("ppdb:office_add_school", kwargs={"pk": period.pk}),
        {"school": new.pk, "capacity": 64},
    )
    assert again.status_code == 400
    assert PeriodSchool.objects.filter(period=period, school=new).count() == 1


def test_bad_capacity_stores_nothing(client, admin_user, admission):
    period, school, _other = admission
    client.force_login(admin_user)
    override(client, period, school, "afirmasi_ekonomi", 20, "Large need.")

    zero = client.post(edit_url(period, school), {"capacity-capacity": 0})
    below = client.post(edit_url(period, school), {"capacity-capacity": 10})

    assert zero.status_code == 400
    assert below.status_code == 400
    assert "lower them before the capacity" in below.content.decode()
    school.refresh_from_db()
    assert school.capacity == 32
    assert not AuditLog.objects.filter(action="ppdb.capacity_changed").exists()


def test_rule_set_errors_name_lines():
    text = DEPOK_RULES.replace("share = 0.45", "share = 1.45")
    line = DEPOK_RULES.splitlines().index("share = 0.45") + 1

    with translation.override("en"):
        errors = rule_set_errors(text)

    messages = [error.messages[0] for error in errors]
    assert any(message.startswith(f"Line {line}:") for message in messages)
    assert rule_set_errors(DEPOK_RULES) == []


def period_form_data(period, rules_toml):
    return {
        "name": period.name,
        "level": period.level,
        "academic_year": period.academic_year_id,
        "is_published": "on",
        "description": "",
        "public_name_format": period.public_name_format,
        "rules_toml": rules_toml,
        "stages-TOTAL_FORMS": "0",
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }


def test_admin_form_rejects_bad_rules_by_line(admission):
    period, _school, _other = admission
    form_class = AdmissionPeriodViewSet().get_edit_handler().get_form_class()
    text = DEPOK_RULES.replace('mechanism = "deferred_acceptance"', "mechanism = 7")
    line = text.splitlines().index("mechanism = 7") + 1

    form = form_class(
        data=period_form_data(period, text), instance=period, for_user=None
    )

    with translation.override("en"):
        assert not form.is_valid()
    assert any(f"Line {line}:" in error for error in form.errors["rules_toml"])
    period.refresh_from_db()
    assert period.rules_toml == DEPOK_RULES


def test_admin_form_accepts_valid_rules(admission):
    period, _school, _other = admission
    form_class = AdmissionPeriodViewSet().get_edit_handler().get_form_class()

    form = form_class(
        data=period_form_data(period, DEPOK_RULES), instance=period, for_user=None
    )

    assert form.is_valid(), form.errors
    assert AdmissionPeriod.objects.filter(pk=period.pk).exists()


def test_admin_edit_page_shows_line_errors(client, admission):
    period, _school, _other = admission
    admin = make_user(is_superuser=True, is_staff=True, language="en")
    client.force_login(admin)
    url = reverse("wagtailsnippets_ppdb_admissionperiod:edit", args=[period.pk])
    text = DEPOK_RULES.replace("choices = 3", "choices = = 3")
    line = text.splitlines().index("choices = = 3") + 1

    page = client.get(url)
    response = client.post(url, period_form_data(period, text))

    assert page.status_code == 200
    assert response.status_code == 200
    assert f"Line {line}:" in response.content.decode()
    period.refresh_from_db()
    assert period.rules_toml == DEPOK_RULES
    assert period.stages.count() == 4


def test_periods_page_lists_periods(client, admin_user, admission):
    period, _school, _other = admission
    client.force_login(admin_user)

    response = client.get(reverse("ppdb:office_periods"))

    assert response.status_code == 200
    assert period.name in response.content.decode()
    assert reverse("ppdb:office_seats", kwargs={"pk": period.pk}) in (
        response.content.decode()
    )


def test_capacity_change_is_logged(client, admin_user, admission):
    period, school, _other = admission
    client.force_login(admin_user)

    response = client.post(edit_url(period, school), {"capacity-capacity": 40})

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.capacity == 40
    entry = AuditLog.objects.get(action="ppdb.capacity_changed")
    assert entry.details["capacity_before"] == 32
    assert entry.details["capacity"] == 40


def test_seats_page_without_rules(client, admin_user, admission):
    period, _school, _other = admission
    period.rules_toml = ""
    period.save(update_fields=["rules_toml"])
    client.force_login(admin_user)

    response = client.get(reverse("ppdb:office_seats", kwargs={"pk": period.pk}))

    assert response.status_code == 200
    assert "no rule set yet" in response.content.decode()


def test_city_admin_reaches_period_editor(client, admin_user, admission):
    period, _school, _other = admission
    client.force_login(admin_user)

    edit = client.get(
        reverse("wagtailsnippets_ppdb_admissionperiod:edit", args=[period.pk])
    )
    menu = client.get(reverse("wagtailadmin_home"))

    assert edit.status_code == 200
    assert 'wrap="off"' in edit.content.decode()
    assert reverse("ppdb:office_periods") in menu.content.decode()
