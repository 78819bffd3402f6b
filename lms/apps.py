from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("people and schools")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import page_routes, signals  # noqa: F401
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, sender=self)
