"""Let the city admin manage admission periods in the Wagtail admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import AdmissionPeriod


class AdmissionPeriodViewSet(SnippetViewSet):
    model = AdmissionPeriod
    icon = "date"
    menu_label = _("Admission (PPDB)")
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["name", "level", "academic_year", "is_published"]
    list_filter = ["level", "is_published"]
    search_fields = ["name"]


register_snippet(AdmissionPeriodViewSet)
