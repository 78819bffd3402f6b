"""
Let the city admin manage admission periods in the Wagtail admin.

The period's form checks the rule set and shows each problem with its line.
Menu items lead to the office's seat pages and the verification queue,
which are ordinary pages with their own access checks.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views.forms import AdmissionPeriodForm
from .admin_views.views import is_office_user
from .models import AdmissionPeriod
from .verification.services import is_verifier


class AdmissionPeriodViewSet(SnippetViewSet):
    model = AdmissionPeriod
    icon = "date"
    menu_label = _("Admission (PPDB)")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "level", "academic_year", "is_published"]
    list_filter = ["level", "is_published"]
    search_fields = ["name"]
    edit_handler = ObjectList(
        AdmissionPeriod.panels, base_form_class=AdmissionPeriodForm
    )


register_snippet(AdmissionPeriodViewSet)


class OfficeMenuItem(MenuItem):
    def is_shown(self, request):
        return is_office_user(request.user)


class VerificationMenuItem(MenuItem):
    def is_shown(self, request):
        return is_verifier(request.user)


@hooks.register("register_admin_menu_item")
def register_office_menu_item():
    return OfficeMenuItem(
        _("Admission seats"),
        reverse("ppdb:office_periods"),
        icon_name="table",
        order=301,
    )


@hooks.register("register_admin_menu_item")
def register_verification_menu_item():
    return VerificationMenuItem(
        _("Admission verification"),
        reverse("ppdb:verification_queue"),
        icon_name="tasks",
        order=302,
    )
