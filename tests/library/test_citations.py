"""Citations: APA references, BibTeX and RIS of items and result lists."""

import datetime
import re

import pytest
from django.urls import reverse

from library import citations
from library.citations import Citation, Name, split_name
from library.models import AccessLevel, ItemCreator, LibraryItemPage

from .test_access import add_item

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def make_citation(**overrides):
    values = {
        "pk": 7,
        "title": "Fotosintesis pada tumbuhan hijau",
        "item_type": "research_paper",
        "url": "http://localhost/perpustakaan-1/fotosintesis/",
        "creators": [Name("Rahma", "Siti"), Name("Santoso", "Budi")],
        "year": 2024,
        "issued": datetime.date(2024, 5, 1),
        "publisher": "SMP Negeri 1 Contoh",
        "institution": "SMP Negeri 1 Contoh",
        "language": "id",
    }
    values.update(overrides)
    return Citation(**values)


@pytest.mark.parametrize(
    ("written", "family", "given"),
    [
        ("Sukarno", "Sukarno", ""),
        ("Siti Rahma", "Rahma", "Siti"),
        ("Siti Nur Aisyah", "Aisyah", "Siti Nur"),
        ("Santoso, Budi", "Santoso", "Budi"),
        ("Dr. Budi Santoso, S.Pd., M.Pd.", "Santoso", "Budi"),
        ("Prof. Dr. Ir. Sumitro", "Sumitro", ""),
        ("  Ayu   Lestari  ", "Lestari", "Ayu"),
        ("Ömer Çelik", "Çelik", "Ömer"),
    ],
)
def test_split_name(written, family, given):
    name = split_name(written)

    assert name.family == family
    assert name.given == given


@pytest.mark.parametrize(
    ("given", "initials"),
    [("Siti Nur", "S. N."), ("Jean-Paul", "J.-P."), ("ayu", "A."), ("", "")],
)
def test_initials(given, initials):
    assert Name("X", given).initials == initials


def test_apa_two_authors():
    text = citations.apa_text(make_citation())

    assert text == (
        "Rahma, S., & Santoso, B. (2024). Fotosintesis pada tumbuhan hijau. "
        "SMP Negeri 1 Contoh. http://localhost/perpustakaan-1/fotosintesis/"
    )


def test_apa_single_name_author():
    text = citations.apa_text(make_citation(creators=[Name("Sukarno")]))

    assert text.startswith("Sukarno. (2024). Fotosintesis")


def test_apa_three_authors_use_ampersand_last():
    names = [Name("Rahma", "Siti"), Name("Hatta"), Name("Santoso", "Budi")]

    assert citations.apa_authors(names) == "Rahma, S., Hatta, & Santoso, B."


def test_apa_twenty_authors_all_listed():
    names = [Name(f"Penulis{number}", "Ayu") for number in range(1, 21)]

    authors = citations.apa_authors(names)

    assert authors.count("Penulis") == 20
    assert authors.endswith(", & Penulis20, A.")
    assert ". . ." not in authors


def test_apa_many_authors_shortened():
    names = [Name(f"Penulis{number}", "Ayu") for number in range(1, 26)]

    authors = citations.apa_authors(names)

    assert authors.count("Penulis") == 20
    assert "Penulis19, A., . . ., Penulis25, A." in authors
    assert "Penulis20," not in authors
    assert "&" not in authors


def test_apa_without_date_or_author(settings):
    settings.LANGUAGE_CODE = "en"
    citation = make_citation(creators=[], year=None, issued=None)

    parts = citations.apa_parts(citation)

    assert parts[0] == ("Fotosintesis pada tumbuhan hijau", True)
    assert parts[1] == (". (n.d.). ", False)


def test_apa_nd_is_translated():
    from django.utils import translation

    with translation.override("id"):
        text = citations.apa_text(make_citation(year=None))

    assert "(t.t.)" in text


def test_apa_title_italic_article_journal_italic():
    book = citations.apa_parts(make_citation(item_type="ebook"))
    article = citations.apa_parts(
        make_citation(item_type="article", relation="Jurnal Sains Depok")
    )

    assert ("Fotosintesis pada tumbuhan hijau", True) in book
    assert ("Fotosintesis pada tumbuhan hijau", False) in article
    assert ("Jurnal Sains Depok", True) in article


def test_apa_thesis_names_kind_and_school():
    from django.utils import translation

    with translation.override("en"):
        text = citations.apa_text(make_citation(item_type="thesis", publisher=""))

    assert (
        "Fotosintesis pada tumbuhan hijau [Student thesis or final paper, "
        "SMP Negeri 1 Contoh]." in text
    )


def test_apa_doi_replaces_url():
    text = citations.apa_text(make_citation(identifier="doi:10.1234/ABC.5"))

    assert text.endswith("https://doi.org/10.1234/ABC.5")


@pytest.mark.parametrize(
    ("item_type", "entry_type"),
    [
        ("thesis", "misc"),
        ("article", "article"),
        ("ebook", "book"),
        ("dataset", "misc"),
        ("research_paper", "techreport"),
        ("teaching_module", "misc"),
    ],
)
def test_bibtex_entry_type(item_type, entry_type):
    entry = citations.bibtex_entry(make_citation(item_type=item_type))

    assert entry.startswith(f"@{entry_type}{{rahma2024fotosintesis-7,\n")
    assert entry.endswith("\n}\n")


def test_bibtex_thesis_note_names_school():
    from django.utils import translation

    with translation.override("en"):
        entry = citations.bibtex_entry(make_citation(item_type="thesis"))

    assert "note = {Student thesis or final paper, SMP Negeri 1 Contoh}" in entry


def test_bibtex_escapes_special_characters():
    citation = make_citation(
        title="Air & {energi}: 50% hemat_biaya #1 $2 ~ ^ \\",
        creators=[Name("Åsa-Ng", "Tiến"), Name("Kartika"), Name("Putri", "and Co")],
        publisher="Toko & Co",
    )

    entry = citations.bibtex_entry(citation)

    assert (
        "title = {{Air \\& \\{energi\\}: 50\\% hemat\\_biaya \\#1 \\$2 "
        "\\textasciitilde{} \\textasciicircum{} \\textbackslash{}}}" in entry
    )
    assert "author = {Åsa-Ng, Tiến and Kartika and Putri, {and} Co}" in entry
    assert "institution = {Toko \\& Co}" in entry
    # Every brace that the entry opens is closed.
    unescaped = re.sub(r"\\[{}]", "", entry)
    assert unescaped.count("{") == unescaped.count("}")


def test_bibtex_key_is_ascii_and_stable():
    citation = make_citation(
        creators=[Name("Çelik", "Ömer")], title="Éducation à l'école"
    )

    first = citations.bibtex_key(citation)
    second = citations.bibtex_key(citation)

    assert first == second == "celik2024education-7"


def test_bibtex_identifiers():
    doi = citations.bibtex_entry(make_citation(identifier="10.5555/xyz"))
    isbn = citations.bibtex_entry(make_citation(identifier="ISBN 978-602-8519-93-9"))

    assert "doi = {10.5555/xyz}" in doi
    assert "isbn = {978-602-8519-93-9}" in isbn


@pytest.mark.parametrize(
    ("item_type", "ris_type"),
    [
        ("thesis", "THES"),
        ("article", "JOUR"),
        ("ebook", "BOOK"),
        ("dataset", "DATA"),
        ("research_paper", "RPRT"),
        ("teaching_module", "GEN"),
    ],
)
def test_ris_type(item_type, ris_type):
    record = citations.ris_record(make_citation(item_type=item_type))

    lines = record.split("\r\n")
    assert lines[0] == f"TY  - {ris_type}"
    assert lines[-2] == "ER  - "
    assert lines[-1] == ""


def test_ris_fields():
    citation = make_citation(
        abstract="Baris satu.\nBaris dua.",
        subjects=["sains", "lingkungan"],
        identifier="https://doi.org/10.1234/abc",
    )

    lines = citations.ris_record(citation).split("\r\n")

    assert "AU  - Rahma, Siti" in lines
    assert "AU  - Santoso, Budi" in lines
    assert "TI  - Fotosintesis pada tumbuhan hijau" in lines
    assert "PY  - 2024" in lines
    assert "DA  - 2024/05/01" in lines
    assert "DO  - 10.1234/abc" in lines
    assert "AB  - Baris satu. Baris dua." in lines
    assert "KW  - sains" in lines
    assert "KW  - lingkungan" in lines


def test_export_rejects_unknown_format():
    with pytest.raises(KeyError):
        citations.export([make_citation()], "endnote")


# Views ---------------------------------------------------------------------


def _item(
    library, owner, access_level=AccessLevel.PUBLIC, title="Berkas uji", **fields
):
    item = add_item(library, owner, access_level, title=title).item
    item = LibraryItemPage.objects.get(pk=item.pk)
    for name, value in fields.items():
        setattr(item, name, value)
    item.creators = [
        ItemCreator(name="Siti Rahma", affiliation="SMP Negeri 1"),
        ItemCreator(name="Sukarno"),
    ]
    item.issued = datetime.date(2023, 8, 17)
    item.save_revision().publish()
    return item


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("format_name", "content_type", "extension"),
    [
        ("bibtex", "application/x-bibtex; charset=utf-8", "bib"),
        ("ris", "application/x-research-info-systems; charset=utf-8", "ris"),
        ("apa", "text/plain; charset=utf-8", "txt"),
    ],
)
def test_item_citation_download(
    library, teacher, client, format_name, content_type, extension
):
    item = _item(library, teacher)

    response = client.get(reverse("library:cite_item", args=[item.pk, format_name]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="rahma2023berkas-{item.pk}.{extension}"'
    )
    assert "Rahma" in response.content.decode()


@pytest.mark.django_db
def test_item_citation_unknown_format(library, teacher, client):
    item = _item(library, teacher)

    response = client.get(reverse("library:cite_item", args=[item.pk, "endnote"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_item_citation_refused_without_access(library, teacher, outsider, client):
    item = _item(library, teacher, AccessLevel.SCHOOL)
    url = reverse("library:cite_item", args=[item.pk, "bibtex"])

    anonymous = client.get(url)
    client.force_login(outsider)
    other_school = client.get(url)

    assert anonymous.status_code == 302
    assert other_school.status_code == 403


@pytest.mark.django_db
def test_draft_citation_not_found_for_others(library, student, outsider, client):
    draft = add_item(library, student, AccessLevel.PUBLIC, publish=False).item
    client.force_login(outsider)

    response = client.get(reverse("library:cite_item", args=[draft.pk, "ris"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_item_page_shows_apa_reference(library, teacher, client):
    item = _item(library, teacher)

    response = client.get(item.url, HTTP_USER_AGENT=BROWSER)

    html = response.content.decode()
    assert "Rahma, S., &amp; Sukarno. (2023). <i>Berkas uji</i>" in html
    assert reverse("library:cite_item", args=[item.pk, "bibtex"]) in html


@pytest.mark.django_db
def test_result_list_export_only_visible(
    library, other_library, teacher, outsider, client
):
    public = _item(library, teacher, title="Penelitian air bersih")
    hidden = _item(library, teacher, AccessLevel.SCHOOL, title="Penelitian air sumur")
    other = _item(other_library, outsider, title="Penelitian air hujan")
    client.force_login(outsider)

    response = client.get(
        reverse("library:cite_results", args=["ris"]), {"q": "penelitian air"}
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="library-citations.ris"'
    )
    assert text.count("TY  - ") == 2
    assert text.count("ER  - ") == 2
    assert public.title in text
    assert other.title in text
    assert hidden.title not in text


@pytest.mark.django_db
def test_result_list_export_uses_filters(library, teacher, client):
    _item(library, teacher, title="Modul matematika")
    _item(library, teacher, title="Artikel matematika", item_type="ebook")

    response = client.get(
        reverse("library:cite_results", args=["bibtex"]),
        {"q": "matematika", "item_type": "ebook"},
    )

    text = response.content.decode()
    assert text.count("@") == 1
    assert "Artikel matematika" in text


@pytest.mark.django_db
def test_result_list_export_bad_parameter(library, client):
    response = client.get(
        reverse("library:cite_results", args=["bibtex"]),
        {"q": "air", "item_type": "novel"},
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_search_page_links_list_export(library, teacher, client):
    _item(library, teacher, title="Penelitian air bersih")

    response = client.get(reverse("library:search"), {"q": "air"})

    html = response.content.decode()
    assert reverse("library:cite_results", args=["ris"]) + "?q=air" in html
    assert reverse("library:cite_results", args=["bibtex"]) + "?q=air" in html


@pytest.mark.django_db
def test_result_list_export_cap_shown(library, teacher, client, monkeypatch):
    for number in range(3):
        _item(library, teacher, title=f"Penelitian air {number}")
    monkeypatch.setattr("library.citation_views.MAX_EXPORT_ITEMS", 2)

    page = client.get(reverse("library:search"), {"q": "penelitian air"})
    export = client.get(
        reverse("library:cite_results", args=["ris"]), {"q": "penelitian air"}
    )

    assert "Kutip 2 hasil pertama dari 3" in page.content.decode()
    assert export.content.decode().count("TY  - ") == 2


@pytest.mark.django_db
def test_result_list_export_cap_hidden_below(library, teacher, client):
    _item(library, teacher, title="Penelitian air bersih")

    response = client.get(reverse("library:search"), {"q": "penelitian air"})

    html = response.content.decode()
    assert "Kutip hasil ini:" in html
    assert "hasil pertama dari" not in html


EXTENSIONS = {"bibtex": "bib", "ris": "ris", "apa": "txt"}


def _alias(item, parent):
    alias = item.create_alias(parent=parent, update_slug="alias-berkas")
    return LibraryItemPage.objects.get(pk=alias.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", ["bibtex", "ris", "apa"])
def test_alias_citation_cites_original(
    library, other_library, teacher, client, format_name
):
    item = _item(library, teacher, item_type="thesis")
    alias = _alias(item, other_library)

    response = client.get(reverse("library:cite_item", args=[alias.pk, format_name]))

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'berkas-{item.pk}.{EXTENSIONS[format_name]}"'
    )
    assert item.get_full_url() in text
    assert alias.get_full_url() not in text
    assert library.school.name in text
    assert other_library.school.name not in text


@pytest.mark.django_db
def test_alias_page_cites_original(library, other_library, teacher, client):
    item = _item(library, teacher)
    alias = _alias(item, other_library)

    response = client.get(alias.url, HTTP_USER_AGENT=BROWSER)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Rahma, S., &amp; Sukarno. (2023). <i>Berkas uji</i>" in html
    assert item.get_full_url() in html
    assert alias.get_full_url() not in html
    for format_name in ("bibtex", "ris", "apa"):
        assert reverse("library:cite_item", args=[item.pk, format_name]) in html
        assert reverse("library:cite_item", args=[alias.pk, format_name]) not in html


@pytest.mark.django_db
def test_alias_citation_needs_original_access(
    library, other_library, teacher, outsider, client
):
    item = _item(library, teacher, AccessLevel.SCHOOL)
    alias = _alias(item, other_library)
    url = reverse("library:cite_item", args=[alias.pk, "ris"])

    client.force_login(outsider)
    rejected = client.get(url)
    client.force_login(teacher)
    allowed = client.get(url)

    assert rejected.status_code == 403
    assert allowed.status_code == 200
    assert item.get_full_url() in allowed.content.decode()
