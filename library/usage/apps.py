from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "library.usage"
    label = "library_usage"
    verbose_name = _("library usage statistics")
    default_auto_field = "django.db.models.BigAutoField"
