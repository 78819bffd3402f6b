"""A Wagtail admin listing of the harvest sources, under Snippets."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import HarvestSource


class HarvestSourceViewSet(SnippetViewSet):
    """
    List the repositories harvested by ``harvest_oai`` and their state.

    Sources are created by the command, so only the name can be edited here.
    Wagtail's snippet permissions control access to the listing.
    """

    model = HarvestSource
    icon = "download"
    menu_label = _("Harvest sources")
    add_to_admin_menu = False
    list_display = [
        "name",
        "base_url",
        "set_spec",
        "last_harvest_at",
        "last_datestamp",
    ]
    search_fields = ["name", "base_url"]
    panels = [FieldPanel("name")]

    def get_queryset(self, request):
        return HarvestSource.objects.annotate(record_count=Count("records"))


register_snippet(HarvestSourceViewSet)
