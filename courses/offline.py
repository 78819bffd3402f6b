"""Helpers that turn a lesson page into one file readable without a network."""

import base64
import re
from urllib.parse import urljoin

from django.contrib.staticfiles import finders

OFFLINE_STYLESHEETS = ["css/site.css", "courses/courses.css"]
# href and src values that start at the site root ("/media/…").
ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")(/[^/"][^"]*|/)"')


def inline_stylesheets():
    """Return the text of the stylesheets a lesson page uses."""
    parts = []
    for name in OFFLINE_STYLESHEETS:
        path = finders.find(name)
        if path:
            with open(path, encoding="utf-8") as stylesheet:
                parts.append(stylesheet.read())
    return "\n".join(parts)


def data_uri(file_field, mime_type):
    """Return the content of a stored file as a ``data:`` URI."""
    with file_field.open("rb") as stored:
        content = stored.read()
    return f"data:{mime_type};base64,{base64.b64encode(content).decode('ascii')}"


def make_links_absolute(html, base_url):
    """Make root-relative ``href`` and ``src`` values absolute on ``base_url``."""
    return ROOT_RELATIVE.sub(
        lambda match: f'{match.group(1)}{urljoin(base_url, match.group(2))}"', html
    )
