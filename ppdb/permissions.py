"""Give the city admin group the right to manage admission periods."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from lms.roles import CITY_ADMIN

CITY_ADMIN_MODELS = ["admissionperiod", "stage"]
ACTIONS = ["add", "change", "delete", "view"]


def grant_city_admin_permissions(**kwargs):
    """Add the ppdb model permissions to the city admin group, once."""
    # post_migrate reaches this app before django.contrib.auth has created
    # the app's permissions on a fresh database, so create them first.
    create_permissions(apps.get_app_config("ppdb"), verbosity=0)
    group, _created = Group.objects.get_or_create(name=CITY_ADMIN)
    codenames = [
        f"{action}_{model}" for model in CITY_ADMIN_MODELS for action in ACTIONS
    ]
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="ppdb", codename__in=codenames
        )
    )
