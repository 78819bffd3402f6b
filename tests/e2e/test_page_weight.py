"""
The home page with its CSS and JavaScript stays under 60 KB compressed.

Students often open the platform on 2G or weak 3G, so every byte of the
first page counts. The size is deterministic, so a plain test measures it:
the HTML plus every stylesheet and script it links, each gzip-compressed.
"""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders

from tests.e2e.pages import make_home_page

LIMIT_BYTES = 60 * 1024
ASSET_RE = re.compile(
    r'<(?:link[^>]+href|script[^>]+src)="(?P<url>/static/[^"?#]+)[^"]*"'
)


def compressed_size(content):
    return len(gzip.compress(content, compresslevel=9))


def linked_assets(html):
    return sorted({match["url"] for match in ASSET_RE.finditer(html)})


@pytest.mark.django_db
def test_home_page_weight_under_limit(client):
    make_home_page()

    response = client.get("/")
    assert response.status_code == 200
    html = response.content

    sizes = {"/": compressed_size(html)}
    for url in linked_assets(html.decode()):
        path = finders.find(url.removeprefix("/static/"))
        assert path is not None, f"{url} is linked but not found"
        with open(path, "rb") as asset:
            sizes[url] = compressed_size(asset.read())

    total = sum(sizes.values())
    assert "/static/css/site.css" in sizes
    assert total < LIMIT_BYTES, f"home page weighs {total} bytes compressed: {sizes}"
