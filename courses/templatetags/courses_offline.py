"""Template filters for the offline copy of a lesson."""

import mimetypes

from django import template

from ..offline import data_uri

register = template.Library()


@register.filter
def rendition_data_uri(rendition):
    """Return an image rendition as a ``data:`` URI."""
    mime_type, _encoding = mimetypes.guess_type(rendition.file.name)
    return data_uri(rendition.file, mime_type or "application/octet-stream")
