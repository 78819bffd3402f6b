"""The library search page in a real browser: results, facets and axe-core."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from library.models import LibraryItemPage
from tests.e2e.pages import make_home_page
from tests.e2e.test_browser import PHONE_SIZE, axe_violations, wait_for

from .conftest import make_library, make_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    """Publish three items, two of them about floods, in a school library."""
    library = make_library(make_home_page(), make_school("SMP Negeri 3 Depok"), "pus")
    for title, text, item_type in [
        ("Banjir di Kecamatan Beji", "Pengamatan banjir tahunan.", "thesis"),
        ("Peta rawan banjir", "Peta banjir kota.", "dataset"),
        ("Kompos sekolah", "Sampah dapur menjadi kompos.", "article"),
    ]:
        item = LibraryItemPage(
            title=title, slug=title.lower().replace(" ", "-"), full_text=text
        )
        item.item_type = item_type
        item.subjects.add("lingkungan")
        library.add_child(instance=item)
    return library


def test_search_page_facets_and_accessibility(browser, daphne_server, catalogue):
    browser.set_window_size(*PHONE_SIZE)
    browser.get(f"{daphne_server}{reverse('library:search')}?q=banjir")
    wait_for(browser, "main h1")

    hits = browser.find_elements(By.CSS_SELECTOR, ".library-list > li h2")
    assert sorted(hit.text for hit in hits) == [
        "Banjir di Kecamatan Beji",
        "Peta rawan banjir",
    ]
    assert browser.find_elements(By.CSS_SELECTOR, ".library-snippet mark")
    assert axe_violations(browser) == []

    facet = browser.find_element(By.CSS_SELECTOR, ".library-facets a[href*=dataset]")
    facet.click()
    wait_for(browser, "a[aria-current=true]")
    hits = browser.find_elements(By.CSS_SELECTOR, ".library-list > li h2")
    assert [hit.text for hit in hits] == ["Peta rawan banjir"]
    assert "item_type=dataset" in browser.current_url
    assert axe_violations(browser) == []
