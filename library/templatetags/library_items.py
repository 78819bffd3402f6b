"""Template tags of the library's item pages."""

from django import template
from django.utils.html import format_html, format_html_join

from ..citations import Citation, apa_parts
from ..oai.records import LICENCE_URLS
from ..usage.views import can_view_item_usage, usage_schools
from ..version_views import can_add_version
from ..workflow import REVIEWER_GROUP_PREFIX

register = template.Library()


@register.simple_tag(takes_context=True)
def item_permissions(context, item):
    """Return what the current person may do with ``item`` beyond reading it."""
    user = context["request"].user
    return {
        "new_version": can_add_version(user, item),
        "usage": can_view_item_usage(user, item),
    }


@register.simple_tag(takes_context=True)
def apa_citation(context, item):
    """Return ``item``'s APA reference as HTML, with the title in italics."""
    # The item page's context has the creators and subjects loaded already.
    citation = Citation.from_item(
        item,
        context.get("request"),
        creators=context.get("creators"),
        subjects=context.get("subjects"),
    )
    return format_html_join(
        "",
        "{}",
        (
            (format_html("<i>{}</i>", text) if italic else text,)
            for text, italic in apa_parts(citation)
        ),
    )


@register.simple_tag
def licence_url(item):
    """Return the Creative Commons deed URL of ``item``'s licence, or ``""``."""
    return LICENCE_URLS.get(item.licence, "")


@register.simple_tag(takes_context=True)
def library_staff_links(context):
    """Return which staff pages (review, usage summary) the person may open."""
    user = context["request"].user
    if not user.is_authenticated:
        return {}
    return {
        "review": user.is_superuser
        or user.groups.filter(name__startswith=REVIEWER_GROUP_PREFIX).exists(),
        "usage": usage_schools(user).exists(),
    }
