"""The library's item, usage and review pages in a real browser, checked with axe."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from library import filetypes, workflow
from library.demo import minimal_pdf
from library.models import LibraryItemPage
from library.uploads import ItemMetadata, create_item
from library.usage.models import ItemUsage
from lms.models import Membership
from tests.benchmarks.helpers import log_in
from tests.e2e.test_browser import AXE_SCRIPT, PHONE_SIZE, axe_violations, wait_for

from .conftest import make_library, make_person, make_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add(library, user, title, *, publish):
    metadata = ItemMetadata(
        title=title,
        item_type="thesis",
        language="id",
        licence="cc-by",
        access_level="public",
        creators=[("Siti Rahma", "SMP Negeri 1"), ("Sukarno", "")],
        subjects=["air"],
    )
    item_file = create_item(
        library,
        metadata,
        ContentFile(minimal_pdf("Air", ["Air sungai."]), name="air.pdf"),
        user=user,
        content_type=filetypes.PDF,
        publish=publish,
    )
    return LibraryItemPage.objects.get(pk=item_file.item_id)


@pytest.fixture
def site_pages():
    """Return the item, its librarian and the uploader, with usage and a submission."""
    from tests.e2e.pages import make_home_page

    home = make_home_page()
    school = make_school("SMP Negeri 1 Contoh")
    library = make_library(home, school, "perpustakaan-1")
    teacher = make_person("guru", school, Membership.Role.TEACHER)
    student = make_person("siswa", school, Membership.Role.STUDENT)
    librarian = make_person("pustakawan", school, Membership.Role.LIBRARIAN)
    item = add(library, teacher, "Kualitas air sungai", publish=True)
    this_month = datetime.date.today().replace(day=1)
    ItemUsage.objects.create(item=item, month=this_month, views=42, downloads=7)
    draft = add(library, student, "Karya siswa tentang hujan", publish=False)
    workflow.submit_for_review(draft, student)
    return {"item": item, "teacher": teacher, "librarian": librarian}


def open_as(browser, base_url, user, path):
    browser.get(f"{base_url}/healthz")
    browser.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": log_in(user), "path": "/"}
    )
    browser.get(f"{base_url}{path}")
    wait_for(browser, "main h1")


@pytest.fixture
def axe():
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run npm ci")
    return axe_violations


def test_item_page_passes_axe(browser, daphne_server, site_pages, axe):
    browser.get(f"{daphne_server}{site_pages['item'].url}")
    wait_for(browser, "main h1")

    assert "Rahma, S., &amp; Sukarno." in browser.page_source
    assert axe(browser) == []


@pytest.mark.parametrize("who", ["teacher", "librarian"])
def test_usage_pages_pass_axe(browser, daphne_server, site_pages, axe, who):
    path = {
        "teacher": reverse("library:item_usage", args=[site_pages["item"].pk]),
        "librarian": reverse("library:school_usage"),
    }[who]

    open_as(browser, daphne_server, site_pages[who], path)

    assert browser.find_element("css selector", "figure.usage-chart svg title")
    assert "42" in browser.find_element("css selector", "table.usage-table").text
    assert axe(browser) == []


def test_usage_chart_fits_a_phone(browser, daphne_server, site_pages):
    browser.set_window_size(*PHONE_SIZE)
    path = reverse("library:item_usage", args=[site_pages["item"].pk])

    open_as(browser, daphne_server, site_pages["teacher"], path)

    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= PHONE_SIZE[0]


def test_review_page_passes_axe(browser, daphne_server, site_pages, axe):
    open_as(browser, daphne_server, site_pages["librarian"], reverse("library:review"))

    assert "Karya siswa tentang hujan" in browser.page_source
    assert axe(browser) == []
