"""Library search: results, visibility, filters and highlighted snippets."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from library import filetypes
from library.demo import minimal_pdf
from library.models import AccessLevel, ItemType
from library.search import query_terms, snippet
from library.uploads import ItemMetadata, create_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def add_item(django_capture_on_commit_callbacks):
    """Return a function that creates a published item and extracts its text."""

    def add(library, owner, title, body, **fields):
        metadata = ItemMetadata(
            title=title,
            item_type=fields.pop("item_type", ItemType.ARTICLE),
            language=fields.pop("language", "id"),
            licence="cc-by",
            access_level=fields.pop("access_level", AccessLevel.PUBLIC),
            creators=fields.pop("creators", [("Penulis", "")]),
            **fields,
        )
        content = ContentFile(minimal_pdf(title, body), name="berkas.pdf")
        with django_capture_on_commit_callbacks(execute=True):
            item_file = create_item(
                library,
                metadata,
                content,
                user=owner,
                content_type=filetypes.PDF,
                publish=True,
            )
        return item_file.item

    return add


def search(client, **params):
    response = client.get(reverse("library:search"), params)
    assert response.status_code == 200
    return response


def result_titles(response):
    return [item.title for item in response.context["results"].object_list]


def test_word_from_text_finds_item(library, teacher, client, add_item):
    add_item(
        library, teacher, "Laporan praktikum", ["Pengamatan kecambah kacang hijau."]
    )

    response = search(client, q="kecambah")

    assert result_titles(response) == ["Laporan praktikum"]
    html = response.content.decode()
    assert "<mark>kecambah</mark>" in html
    assert library.school.name in html


def test_creator_and_subject_are_searched(library, teacher, client, add_item):
    add_item(
        library,
        teacher,
        "Modul ekonomi",
        ["Isi modul."],
        creators=[("Wulandari Prasetyo", "SMP Negeri 1")],
        subjects=["koperasi sekolah"],
    )

    assert result_titles(search(client, q="Wulandari")) == ["Modul ekonomi"]
    assert result_titles(search(client, q="koperasi")) == ["Modul ekonomi"]


def test_results_ranked_by_relevance(library, teacher, client, add_item):
    add_item(library, teacher, "Sekilas vulkanologi", ["Gunung disebut sekali."])
    add_item(library, teacher, "Gunung api di Jawa", ["Gunung, gunung dan gunung."])

    titles = result_titles(search(client, q="gunung"))

    assert titles[0] == "Gunung api di Jawa"
    assert len(titles) == 2


def test_all_words_must_match(library, teacher, client, add_item):
    add_item(library, teacher, "Satu", ["Harimau sumatra di hutan."])
    add_item(library, teacher, "Dua", ["Harimau di kebun binatang."])

    assert result_titles(search(client, q="harimau sumatra")) == ["Satu"]


def test_own_school_item_hidden_from_others(
    library, teacher, outsider, client, add_item
):
    add_item(
        library,
        teacher,
        "Soal ujian",
        ["Kunci jawaban rahasia."],
        access_level=AccessLevel.SCHOOL,
    )

    assert result_titles(search(client, q="rahasia")) == []
    client.force_login(outsider)
    assert result_titles(search(client, q="rahasia")) == []
    client.force_login(teacher)
    assert result_titles(search(client, q="rahasia")) == ["Soal ujian"]


def test_city_item_needs_login(library, teacher, outsider, client, add_item):
    add_item(library, teacher, "Data kota", ["Angka partisipasi."], access_level="city")

    assert result_titles(search(client, q="partisipasi")) == []
    client.force_login(outsider)
    assert result_titles(search(client, q="partisipasi")) == ["Data kota"]


def test_filters_by_type_and_language(library, teacher, client, add_item):
    add_item(library, teacher, "Modul banjir", ["Banjir."], item_type="teaching_module")
    add_item(library, teacher, "Flood paper", ["Banjir."], language="en")

    assert result_titles(search(client, q="banjir", item_type="teaching_module")) == [
        "Modul banjir"
    ]
    assert result_titles(search(client, q="banjir", language="en")) == ["Flood paper"]


def test_snippet_escapes_text(library, teacher, client, add_item):
    add_item(
        library,
        teacher,
        "Tanda kurung",
        ["<script>alert(1)</script> ekosistem & <b>tebal</b>"],
    )

    html = search(client, q="ekosistem").content.decode()

    # PostgreSQL's ts_headline leaves out text that looks like HTML tags,
    # and the Python snippet of SQLite escapes it, so the tags are never
    # sent as markup either way.
    assert "<script>" not in html
    assert "<b>tebal" not in html
    assert "<mark>ekosistem</mark> &amp;" in html


def test_query_is_escaped_in_page(db, client):
    html = search(client, q='"><script>x()</script>').content.decode()

    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_share_url_keeps_query(library, teacher, client, add_item):
    add_item(library, teacher, "Peta desa", ["Peta kelurahan."])

    html = search(client, q="kelurahan", item_type="article").content.decode()

    assert 'value="kelurahan"' in html
    assert '<option value="article" selected>' in html


def test_query_is_normalised_like_text(library, teacher, client, add_item):
    add_item(library, teacher, "Air bersih", ["Proses filtrasi air."])

    response = search(client, q="\ufb01ltrasi")

    assert result_titles(response) == ["Air bersih"]


@pytest.mark.parametrize(
    "query", ['"', "*", "a OR", "NOT", "((", "-", "AND OR NOT", "näive\\", "'; --"]
)
def test_odd_query_does_not_fail(library, teacher, client, add_item, query):
    add_item(library, teacher, "Tanda baca", ["Isi biasa."])

    response = search(client, q=query)

    assert response.context["query"] == query.strip()


def test_long_query_is_rejected(db, client):
    response = search(client, q="kata " * 60)

    errors = response.context["form"].errors.as_data()["q"]
    assert [error.code for error in errors] == ["max_length"]
    assert response.context["results"] is None


def test_invalid_type_filter_is_rejected(db, client):
    response = search(client, q="apa", item_type="novel")

    errors = response.context["form"].errors.as_data()["item_type"]
    assert [error.code for error in errors] == ["invalid_choice"]


def test_search_box_on_library_pages(library, teacher, client, add_item):
    item = add_item(library, teacher, "Kotak cari", ["Isi."])
    action = f'action="{reverse("library:search")}"'

    for url in (library.url, item.url, reverse("library:search")):
        html = client.get(url).content.decode()
        assert action in html, url
        assert 'name="q"' in html, url


def test_index_page_lists_visible_items(library, teacher, client, add_item):
    add_item(library, teacher, "Terbuka", ["Isi."])
    add_item(library, teacher, "Tertutup", ["Isi."], access_level=AccessLevel.SCHOOL)

    html = client.get(library.url).content.decode()

    assert "Terbuka" in html
    assert "Tertutup" not in html


def test_item_page_shows_metadata_and_status(library, teacher, client, add_item):
    item = add_item(
        library,
        teacher,
        "Halaman lengkap",
        ["Isi."],
        abstract="Abstrak singkat.",
        subjects=["geografi"],
    )

    html = client.get(item.url).content.decode()

    assert "Abstrak singkat." in html
    assert "geografi" in html
    assert "Penulis" in html
    assert reverse("library:download", args=[item.files.get().pk]) in html
    assert str(item.files.get().get_extraction_status_display()) in html


def test_query_terms_skip_duplicates_and_short_words():
    assert query_terms("Gunung gunung a api-api ﬁsika") == [
        "Gunung",
        "api-api",
        "fisika",
    ]


def test_snippet_marks_all_matches_in_window():
    text = "Awal. " + "isi " * 40 + "Sungai Ciliwung dan sungai Cisadane. " + "x " * 200

    html = str(snippet(text, ["sungai"]))

    assert html.startswith("… ")
    assert html.endswith(" …")
    assert html.count("<mark>") == 2
    assert "<mark>Sungai</mark> Ciliwung dan <mark>sungai</mark> Cisadane." in html


def test_snippet_without_match_shows_start():
    html = str(snippet("Pembuka <tulisan> ini.", ["tidakada"]))

    assert html == "Pembuka &lt;tulisan&gt; ini."


def test_snippet_of_empty_text():
    assert snippet("", ["apa"]) == ""
