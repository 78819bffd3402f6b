from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PpdbConfig(AppConfig):
    name = "ppdb"
    verbose_name = _("school admission (PPDB)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .permissions import grant_city_admin_permissions
        from .selection import guards

        post_migrate.connect(grant_city_admin_permissions, sender=self)
        guards.connect()
