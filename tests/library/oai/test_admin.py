"""The Wagtail admin listing of harvest sources."""

import pytest
from django.urls import reverse

from library.oai.models import HarvestSource
from lms.models import User

pytestmark = pytest.mark.django_db


def test_superuser_sees_sources(client):
    HarvestSource.objects.create(
        name="Repositori Contoh", base_url="http://127.0.0.1:9/oai"
    )
    admin = User.objects.create_superuser(username="admin", password="rahasia-123")
    client.force_login(admin)
    response = client.get(reverse("wagtailsnippets_oai_harvestsource:list"))
    assert response.status_code == 200
    assert "Repositori Contoh" in response.content.decode()


def test_teacher_cannot_open_sources(client, teacher):
    client.force_login(teacher)
    response = client.get(reverse("wagtailsnippets_oai_harvestsource:list"))
    assert response.status_code in (302, 403)
