from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PpdbConfig(AppConfig):
    name = "ppdb"
    verbose_name = _("ppdb")
    default_auto_field = "django.db.models.BigAutoField"
