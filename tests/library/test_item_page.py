"""The item page shows every Dublin Core element of an item."""

import datetime

import pytest
from django.core.files.base import ContentFile

from library import filetypes
from library.demo import minimal_pdf
from library.models import ItemContributor, ItemCreator, LibraryItemPage
from library.uploads import ItemMetadata, create_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def described_item(library, teacher):
    metadata = ItemMetadata(
        title="Kualitas air Sungai Ciliwung",
        item_type="thesis",
        language="id",
        licence="cc-by-sa",
        access_level="public",
        creators=[("Siti Rahma", "SMA Negeri 1 Contoh")],
        subjects=["air bersih", "lingkungan"],
    )
    item_file = create_item(
        library,
        metadata,
        ContentFile(minimal_pdf("Air", ["Air sungai."]), name="air.pdf"),
        user=teacher,
        content_type=filetypes.PDF,
        publish=True,
    )
    item = LibraryItemPage.objects.get(pk=item_file.item_id)
    item.abstract = "Penelitian mutu air di tiga titik."
    item.issued = datetime.date(2024, 5, 17)
    item.publisher = "Penerbit Sekolah & Co"
    item.identifier = "ISBN 978-602-8519-93-9"
    item.source = "https://contoh.test/asal"
    item.relation = "Seri Penelitian Siswa"
    item.coverage = "Kota Depok, 2023"
    item.rights = "Hak cipta pada penulis."
    item.creators = [ItemCreator(name="Siti Rahma", affiliation="SMA Negeri 1 Contoh")]
    item.contributors = [ItemContributor(name="Budi Santoso", role="pembimbing")]
    item.save_revision().publish()
    return item


def test_page_shows_dublin_core_elements(described_item, client, settings):
    settings.LANGUAGE_CODE = "en"

    response = client.get(described_item.url, HTTP_USER_AGENT=BROWSER)

    html = response.content.decode()
    assert response.status_code == 200
    expected = {
        "title": "Kualitas air Sungai Ciliwung",
        "creator": "Siti Rahma (SMA Negeri 1 Contoh)",
        "subject": "air bersih",
        "second subject": "lingkungan",
        "description": "Penelitian mutu air di tiga titik.",
        "publisher": "Penerbit Sekolah &amp; Co",
        "contributor": "Budi Santoso (pembimbing)",
        "date": "May 17, 2024",
        "type": "student thesis or final paper",
        "format": "application/pdf",
        "identifier": "ISBN 978-602-8519-93-9",
        "source": "https://contoh.test/asal",
        "language": "Indonesian",
        "relation": "Seri Penelitian Siswa",
        "coverage": "Kota Depok, 2023",
        "licence": "https://creativecommons.org/licenses/by-sa/4.0/",
        "rights": "Hak cipta pada penulis.",
    }
    for element, text in expected.items():
        assert text in html, f"{element} missing: {text!r}"


def test_page_labels_are_translated(described_item, client, settings):
    settings.LANGUAGE_CODE = "id"

    response = client.get(described_item.url, HTTP_USER_AGENT=BROWSER)

    html = response.content.decode()
    for label in (
        "Penerbit",
        "Kontributor",
        "Pengenal",
        "Cakupan",
        "Kutip koleksi ini",
    ):
        assert label in html
