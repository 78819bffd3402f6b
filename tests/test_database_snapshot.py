"""The snapshot reset that ends transactional tests in place of ``flush``."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import TransactionTestCase
from wagtail.models import Page, Site

from lms.models import School
from tests.database_snapshot import DatabaseSnapshot
from tests.factories import make_home, make_school, make_user


@pytest.fixture
def snapshot(transactional_db):
    """A snapshot of its own, so the session's copies stay untouched."""
    private_snapshot = DatabaseSnapshot("default", prefix="snapshot_test_")
    try:
        yield private_snapshot
    finally:
        private_snapshot.drop()


def test_snapshot_copies_migration_rows(snapshot):
    assert "django_content_type" in snapshot.copies
    assert "auth_permission" in snapshot.copies
    assert "wagtailcore_page" in snapshot.copies
    assert "lms_school" not in snapshot.copies


def test_restore_deletes_new_rows(snapshot):
    make_school()
    make_user()

    restored = snapshot.restore()

    assert not School.objects.exists()
    assert restored == []


def test_restore_brings_back_changed_rows(snapshot):
    group = Group.objects.order_by("pk").first()
    group_pk, group_name = group.pk, group.name
    group_permissions = set(group.permissions.values_list("pk", flat=True))
    permission = Permission.objects.order_by("pk").first()
    sites = set(Site.objects.values_list("pk", "root_page_id"))
    pages = set(Page.objects.values_list("pk", "numchild"))
    group.delete()
    Permission.objects.filter(pk=permission.pk).update(name="diubah")
    Site.objects.all().delete()
    make_home()

    restored = snapshot.restore()

    restored_group = Group.objects.get(pk=group_pk)
    assert restored_group.name == group_name
    assert set(restored_group.permissions.values_list("pk", flat=True)) == (
        group_permissions
    )
    assert Permission.objects.get(pk=permission.pk).name == permission.name
    assert set(Site.objects.values_list("pk", "root_page_id")) == sites
    assert set(Page.objects.values_list("pk", "numchild")) == pages
    assert "auth_group" in restored
    assert "auth_permission" in restored
    assert "wagtailcore_page" in restored
    assert "django_content_type" not in restored


def test_restore_twice_changes_nothing(snapshot):
    make_school()
    snapshot.restore()

    assert snapshot.restore() == []


def test_transactional_teardown_restores_snapshot(transactional_db):
    content_type = ContentType.objects.get_for_model(School)
    make_school()
    Group.objects.create(name="Sementara")

    TransactionTestCase(methodName="__init__")._fixture_teardown()

    assert not School.objects.exists()
    assert not Group.objects.filter(name="Sementara").exists()
    assert ContentType.objects.get_for_model(School).pk == content_type.pk
