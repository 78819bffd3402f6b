"""Embargo: the description is public at once, the files only after the date."""

import datetime

import pytest
from django.urls import reverse

from library.models import AccessLevel, LibraryItemPage
from lms.models import Membership

from .conftest import make_person
from .test_access import PDF_BYTES, add_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
EMBARGO_END = datetime.date(2026, 7, 1)


@pytest.fixture
def today(monkeypatch):
    """Return a function that sets the date ``timezone.localdate`` returns."""
    current = {"day": datetime.date(2026, 3, 10)}
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: current["day"],
    )

    def set_day(day):
        current["day"] = day

    return set_day


@pytest.fixture
def embargoed(library, teacher, today, django_capture_on_commit_callbacks):
    """Return the file of a public item under embargo until ``EMBARGO_END``."""
    with django_capture_on_commit_callbacks(execute=True):
        item_file = add_item(library, teacher, AccessLevel.PUBLIC, title="Tesis air")
    item = LibraryItemPage.objects.get(pk=item_file.item_id)
    item.abstract = "Ringkasan tentang air bersih."
    item.embargo_until = EMBARGO_END
    item.save_revision().publish()
    item_file.refresh_from_db()
    return item_file


def download_urls(item_file):
    return [
        reverse("library:download", args=[item_file.pk]),
        item_file.document.url,
    ]


def test_page_shows_description_and_notice(embargoed, client, settings):
    settings.LANGUAGE_CODE = "en"
    item = LibraryItemPage.objects.get(pk=embargoed.item_id)

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tesis air" in html
    assert "Ringkasan tentang air bersih." in html
    assert "under embargo until" in html
    assert "berkas uji.pdf" in html
    assert reverse("library:download", args=[embargoed.pk]) not in html


def test_notice_is_translated(embargoed, client, settings):
    settings.LANGUAGE_CODE = "id"
    item = LibraryItemPage.objects.get(pk=embargoed.item_id)

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    assert "diembargo hingga" in response.content.decode()


@pytest.mark.parametrize("url_kind", [0, 1], ids=["download_view", "document_url"])
def test_download_refused_to_reader(embargoed, student, client, url_kind):
    client.force_login(student)

    response = client.get(download_urls(embargoed)[url_kind])

    assert response.status_code == 403


@pytest.mark.parametrize("url_kind", [0, 1], ids=["download_view", "document_url"])
def test_download_sends_anonymous_to_login(embargoed, client, url_kind):
    response = client.get(download_urls(embargoed)[url_kind])

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("who", ["uploader", "librarian"])
def test_managers_download_during_embargo(embargoed, teacher, school, client, who):
    people = {
        "uploader": teacher,
        "librarian": make_person("pustakawan", school, Membership.Role.LIBRARIAN),
    }
    client.force_login(people[who])

    for url in download_urls(embargoed):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_last_embargo_day_still_refused(embargoed, student, client, today):
    today(EMBARGO_END - datetime.timedelta(days=1))
    client.force_login(student)

    for url in download_urls(embargoed):
        assert client.get(url).status_code == 403


def test_download_allowed_after_embargo(embargoed, student, client, today):
    today(EMBARGO_END)
    client.force_login(student)
    item = LibraryItemPage.objects.get(pk=embargoed.item_id)

    page = client.get(item.url, HTTP_USER_AGENT=BROWSER)
    responses = [client.get(url) for url in download_urls(embargoed)]

    assert reverse("library:download", args=[embargoed.pk]) in page.content.decode()
    assert [response.status_code for response in responses] == [200, 200]
    assert b"".join(responses[0].streaming_content) == PDF_BYTES


def test_search_hides_embargoed_text(embargoed, student, client):
    client.force_login(student)

    response = client.get(reverse("library:search"), {"q": "dilindungi"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Isi berkas yang" not in html
    assert "<mark>dilindungi</mark>" not in html.casefold()


def test_search_quotes_text_after_embargo(embargoed, student, client, today):
    from django.core.management import call_command

    today(EMBARGO_END)
    call_command("library_reindex", "--embargo-ended", verbosity=0)
    client.force_login(student)

    response = client.get(reverse("library:search"), {"q": "dilindungi"})

    assert "<mark>dilindungi</mark>" in response.content.decode().casefold()
