"""Template tags of the library's item pages."""

from django import template

from ..access import can_manage_item
from ..usage.views import can_view_item_usage

register = template.Library()


@register.simple_tag(takes_context=True)
def item_permissions(context, item):
    """Return what the current person may do with ``item`` beyond reading it."""
    user = context["request"].user
    return {
        "manage": can_manage_item(user, item),
        "usage": can_view_item_usage(user, item),
    }
