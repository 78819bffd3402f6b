"""Helpers for tests that need the site's home page."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from lms.models import HomePage


def make_home_page(title="Platform Belajar Kota Depok"):
    """
    Create a home page and make it the root of the default site.

    Tests on ``transactional_db`` start from empty tables, without the root
    page and locale that Wagtail's migrations create, so both are made here
    when missing.
    """
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(
        instance=HomePage(
            title=title,
            slug="beranda",
            intro="<p>Belajar, berbagi karya dan mendaftar sekolah di satu tempat.</p>",
        )
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"root_page": home, "hostname": "localhost", "port": 80},
    )
    return home
