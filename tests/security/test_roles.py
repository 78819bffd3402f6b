"""Role groups carry exactly the permissions that lms.roles lists."""

import pytest
from django.contrib.auth.models import Group, Permission

from lms.roles import OPERATOR, ensure_groups


@pytest.mark.django_db
def test_ensure_groups_removes_stale_permission():
    group = Group.objects.get(name=OPERATOR)
    view_user = Permission.objects.get(
        content_type__app_label="lms", codename="view_user"
    )
    group.permissions.add(view_user)

    ensure_groups()

    assert not group.permissions.filter(pk=view_user.pk).exists()
    assert group.permissions.filter(codename="access_admin").exists()


@pytest.mark.django_db
def test_operator_cannot_list_city_accounts(client):
    from tests.factories import make_operator, make_school, make_student

    school = make_school()
    operator = make_operator(school)
    child = make_student(make_school(), username="anak.sekolah.lain")
    ensure_groups()
    client.force_login(operator)

    response = client.get("/admin/users/")

    assert response.status_code == 302
    assert child.username not in response.content.decode()
