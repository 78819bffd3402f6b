"""Helpers for tests that need the site's home page."""

from wagtail.models import Page, Site

from lms.models import HomePage


def make_home_page(title="Platform Belajar Kota Depok"):
    """
    Create a home page and make it the root of the default site.

    The root page itself comes from the suite's autouse ``_wagtail_root``
    fixture, which restores it after transactional tests.
    """
    home = Page.get_first_root_node().add_child(
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
