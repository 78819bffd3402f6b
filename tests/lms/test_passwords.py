"""Password reset by e-mail and password change."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from lms.models import AuditLog, User

from .factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "pelangi-sore-hari-2027"


def request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_reset_form_points_students_to_operator(client):
    response = client.get(reverse("accounts:password_reset"))

    assert response.status_code == 200
    assert "operator sekolah" in response.context["form"]["email"].help_text


def test_reset_mail_sent_for_known_address(client):
    user = make_user("dewi", email="dewi@example.org", password_is_temporary=True)

    response = request_reset(client, "Dewi@Example.org")

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dewi@example.org"]
    assert "dewi" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)
    assert link is not None

    confirm = client.get(link.group(1), follow=True)
    assert confirm.status_code == 200
    assert confirm.context["validlink"]
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.password_is_temporary
    assert AuditLog.objects.filter(action="password.reset_by_email", subject=user)


def test_reset_answers_the_same_for_unknown_address(client):
    make_user("dewi", email="dewi@example.org")

    known = request_reset(Client(), "dewi@example.org")
    unknown = request_reset(client, "tidak.ada@example.org")

    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dewi@example.org"]


def test_reset_mail_for_each_sibling_sharing_address(client):
    make_user("kakak", email="keluarga@example.org")
    make_user("adik", email="keluarga@example.org")

    request_reset(client, "keluarga@example.org")

    accounts = [re.search(r'akun "(\w+)"', m.body).group(1) for m in mail.outbox]
    assert sorted(accounts) == ["adik", "kakak"]


def test_reset_mails_are_limited_per_account(client):
    make_user("dewi", email="dewi@example.org")

    responses = [request_reset(client, "dewi@example.org") for _ in range(4)]

    assert [response.status_code for response in responses] == [302] * 4
    assert len({response.url for response in responses}) == 1
    assert len(mail.outbox) == 3
    assert AuditLog.objects.filter(action="password.reset_mail_sent").count() == 3


def test_reset_rejects_invalid_address(client):
    response = request_reset(client, "bukan-alamat")

    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["email"]]
    assert codes == ["invalid"]
    assert mail.outbox == []


def test_reset_link_with_bad_token_is_invalid(client):
    user = make_user("dewi", email="dewi@example.org")
    url = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": "MQ", "token": "bad-token"},
    )

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert not response.context["validlink"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_ends_temporary_password(client):
    user = make_user("eko", password_is_temporary=True)
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.password_is_temporary
    assert AuditLog.objects.filter(action="password.changed", subject=user).exists()
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_rejects_wrong_old_password(client):
    user = make_user("eko")
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "salah",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["old_password"]] == ["password_incorrect"]
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
