import pytest
from django.urls import reverse

from tests.lms.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def temporary_user():
    return make_user("siswa.kartu", password_is_temporary=True)


def test_temporary_password_redirects_pages(client, temporary_user):
    client.force_login(temporary_user)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")


def test_temporary_password_allows_change_form(client, temporary_user):
    client.force_login(temporary_user)

    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 200


def test_temporary_password_allows_logout(client, temporary_user):
    client.force_login(temporary_user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_changed_password_lifts_redirect(client, temporary_user):
    client.force_login(temporary_user)
    new_password = "kucing-biru-berlari-9"

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    temporary_user.refresh_from_db()
    response = client.get(reverse("accounts:profile"))

    assert temporary_user.password_is_temporary is False
    assert response.status_code == 200
