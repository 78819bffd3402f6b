from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals, workflow  # noqa: F401

        workflow.replace_wagtail_outcome_mails()
