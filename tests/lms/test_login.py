"""Logging in with a username, NISN, e-mail or phone number."""

import pytest
from django.test import Client
from django.urls import reverse

from lms.auth import find_user, normalise_phone
from lms.models import User

from .factories import PASSWORD, make_user
from .helpers import attempt, is_logged_in, login_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def siti():
    return make_user(
        "siti",
        first_name="Siti",
        nisn="0098765432",
        email="siti.aminah@example.org",
        phone="+62 812-3456-7890",
    )


@pytest.mark.parametrize(
    "identifier",
    [
        "siti",
        "SITI",
        "0098765432",
        "siti.aminah@example.org",
        "Siti.Aminah@Example.org",
        "081234567890",
        "+62 812-3456-7890",
        "62 812 3456 7890",
        "0062 812 3456 7890",
        "  siti  ",
    ],
)
def test_login_with_each_identifier(client, siti, identifier):
    response = attempt(client, identifier, PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    assert is_logged_in(client)
    assert client.session["_auth_user_id"] == str(siti.pk)


def test_phone_stored_in_national_form(siti):
    siti.refresh_from_db()

    assert siti.phone == "081234567890"


@pytest.mark.parametrize(
    ("typed", "national"),
    [
        ("+62 812-3456-7890", "081234567890"),
        ("0062812 3456 7890", "081234567890"),
        ("62812345678", "0812345678"),
        ("0812 3456 7890", "081234567890"),
        ("", ""),
    ],
)
def test_normalise_phone(typed, national):
    assert normalise_phone(typed) == national


def test_wrong_password_rejected(client, siti):
    response = attempt(client, "siti", "salah-sandi")

    assert login_codes(response) == ["invalid_login"]
    assert not is_logged_in(client)


def test_unknown_name_answers_like_wrong_password(client, siti):
    known = attempt(client, "siti", "salah-sandi")
    unknown = attempt(Client(), "tidak-ada", "salah-sandi", ip="198.51.100.9")

    assert login_codes(known) == login_codes(unknown) == ["invalid_login"]
    assert list(known.context["form"].non_field_errors()) == list(
        unknown.context["form"].non_field_errors()
    )


def test_inactive_account_rejected(client):
    make_user("lulus", is_active=False)

    response = attempt(client, "lulus", PASSWORD)

    assert login_codes(response) == ["invalid_login"]
    assert not is_logged_in(client)


def test_shared_email_logs_in_neither_sibling(client):
    make_user("kakak", email="keluarga@example.org")
    make_user("adik", email="keluarga@example.org")

    response = attempt(client, "keluarga@example.org", PASSWORD)

    assert login_codes(response) == ["invalid_login"]
    assert find_user("keluarga@example.org") is None
    assert find_user("kakak") is not None


def test_empty_fields_rejected(client):
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})

    errors = response.context["form"].errors.as_data()
    assert response.status_code == 200
    assert [e.code for e in errors["username"]] == ["required"]
    assert [e.code for e in errors["password"]] == ["required"]


def test_temporary_password_leads_to_password_change(client, siti):
    User.objects.filter(pk=siti.pk).update(password_is_temporary=True)

    response = attempt(client, "siti", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change")
    assert is_logged_in(client)


def test_login_page_offers_identifiers_and_reset(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'autocomplete="username"' in content
    assert reverse("accounts:password_reset") in content


def test_logout_needs_post(client, siti):
    client.force_login(siti)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert is_logged_in(client)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not is_logged_in(client)
