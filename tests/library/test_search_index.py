"""
Library search index: stemming, ranking, facets, access and bad input.

Items are built as pages directly, with their text already in
``full_text``, so these tests do not wait for text extraction.
"""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Page

from library.access import visible_items
from library.generation import describe_items
from library.indexing import config_for, facet_ids, index_all
from library.models import (
    AccessLevel,
    ItemCreator,
    LibraryItemPage,
    SearchDocument,
    SearchFacetGroup,
    SearchSubjectSet,
)
from library.search import (
    NO_SCHOOL,
    search_items,
    text_search_query,
    visible_documents,
)
from lms.models import Membership, User

from .conftest import make_library, make_person

pytestmark = pytest.mark.django_db


def make_item(library, title, text="", **fields):
    """Create a published item under ``library`` with ``text`` as its full text."""
    subjects = fields.pop("subjects", [])
    creators = fields.pop("creators", [])
    item = LibraryItemPage(
        title=title,
        slug=re.sub(r"\W+", "-", title.lower()).strip("-")[:50] or "item",
        full_text=text,
        **fields,
    )
    for name in creators:
        item.creators.add(ItemCreator(name=name))
    if subjects:
        item.subjects.add(*subjects)
    library.add_child(instance=item)
    return item


def hit_titles(user, query="", **filters):
    results = search_items(user or AnonymousUser(), query, filters)
    return [item.title for item in results.page.object_list]


def facet_map(results):
    """Return ``{facet name: {value: count}}``."""
    return {
        facet.name: {value.value: value.count for value in facet.values}
        for facet in results.facets
    }


def get_search(client, **params):
    response = client.get(reverse("library:search"), params)
    assert response.status_code == 200
    return response


# Stemming and configurations


def test_document_config_follows_language(library):
    items = {
        language: make_item(library, f"Judul {language}", language=language)
        for language in ("id", "en", "other")
    }

    configs = dict(SearchDocument.objects.values_list("item_id", "config"))

    assert configs[items["id"].pk] == "indonesian"
    assert configs[items["en"].pk] == "english"
    assert configs[items["other"].pk] == "simple"
    assert config_for("xx") == "simple"


def test_indonesian_stem_variant_found(postgres, library):
    make_item(library, "Laporan", "Pembelajaran berbasis proyek di kelas.")

    assert hit_titles(None, "belajar") == ["Laporan"]
    assert hit_titles(None, "mempelajari") == ["Laporan"]


def test_english_stem_variant_found(postgres, library):
    make_item(library, "Report", "The pupils learned fractions.", language="en")

    assert hit_titles(None, "learning") == ["Report"]
    assert hit_titles(None, "learns") == ["Report"]


def test_other_language_is_not_stemmed(postgres, library):
    make_item(library, "Catatan", "learning", language="other")

    assert hit_titles(None, "learning") == ["Catatan"]
    assert hit_titles(None, "learned") == []


def test_english_stopword_still_matches_indonesian(postgres, library):
    make_item(library, "Dongeng", "The legend of Situ Gintung.")

    assert hit_titles(None, "the legend") == ["Dongeng"]


def test_same_parses_searched_once(postgres):
    assert text_search_query("siswa").text == "('siswa')"
    assert text_search_query("learning").text == "('learning') | ('learn')"


def test_query_of_empty_parses_is_none(postgres):
    # Every configuration drops the word, so there is nothing to match.
    assert text_search_query("---") is None


def test_phrase_exclusion_and_or_kept(postgres, library):
    make_item(library, "Kebun", "Kebun sekolah ditanami sayur hijau.")
    make_item(library, "Sayur", "Sayur hijau dari pasar, bukan kebun sekolah.")

    assert hit_titles(None, '"kebun sekolah ditanami"') == ["Kebun"]
    assert hit_titles(None, "hijau -pasar") == ["Kebun"]
    assert sorted(hit_titles(None, "ditanami or pasar")) == ["Kebun", "Sayur"]


def test_plain_text_search_matches_substrings(library):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only: PostgreSQL matches whole stems")
    make_item(library, "Laporan", "Pembelajaran berbasis proyek.")

    assert hit_titles(None, "belajar") == ["Laporan"]
    assert hit_titles(None, "PEMBELAJARAN proyek") == ["Laporan"]
    assert hit_titles(None, "pembelajaran kimia") == []


# Ranking


def test_title_match_ranks_first(library):
    make_item(library, "Catatan harian", "Sungai sungai sungai di kota.")
    make_item(library, "Sungai Ciliwung", "Catatan pengamatan.")
    make_item(library, "Catatan lain", "Sungai disebut sekali.")

    titles = hit_titles(None, "sungai")

    assert titles[0] == "Sungai Ciliwung"
    assert sorted(titles[1:]) == ["Catatan harian", "Catatan lain"]


def test_subject_match_ranks_above_body(library):
    make_item(library, "Satu", "Kompos dari sampah dapur.")
    make_item(library, "Dua", "Isi lain.", subjects=["kompos"])

    assert hit_titles(None, "kompos") == ["Dua", "Satu"]


def test_creator_and_abstract_are_indexed(library):
    make_item(library, "Modul", creators=["Wulandari Prasetyo"])
    make_item(library, "Abstrak", abstract="Tentang koperasi sekolah.")

    assert hit_titles(None, "wulandari") == ["Modul"]
    assert hit_titles(None, "koperasi") == ["Abstrak"]


# Facets


def test_facets_count_hits(library, other_library):
    make_item(
        library,
        "Banjir A",
        "banjir",
        item_type="thesis",
        issued=datetime.date(2021, 5, 1),
        subjects=["geografi"],
    )
    make_item(
        library,
        "Banjir B",
        "banjir",
        language="en",
        issued=datetime.date(2021, 6, 1),
        subjects=["geografi", "iklim"],
    )
    make_item(other_library, "Banjir C", "banjir", issued=datetime.date(2019, 1, 1))
    make_item(other_library, "Kemarau", "kering", item_type="thesis")

    results = search_items(AnonymousUser(), "banjir", {})
    facets = facet_map(results)

    assert results.page.paginator.count == 3
    assert facets["item_type"] == {"article": 2, "thesis": 1}
    assert facets["language"] == {"id": 2, "en": 1}
    assert facets["year"] == {"2021": 2, "2019": 1}
    assert facets["school"] == {
        str(library.school_id): 2,
        str(other_library.school_id): 1,
    }
    assert facets["subject"] == {"geografi": 2, "iklim": 1}


def test_documents_share_facet_groups(library, other_library):
    same = [
        make_item(library, title, "banjir", issued=datetime.date(2021, 5, 1))
        for title in ("Satu", "Dua")
    ]
    undated = [make_item(library, title, "banjir") for title in ("Tiga", "Empat")]
    elsewhere = make_item(other_library, "Lima", "banjir")
    documents = SearchDocument.objects.in_bulk(
        [item.pk for item in [*same, *undated, elsewhere]]
    )

    def groups(items):
        return {documents[item.pk].facet_group_id for item in items}

    assert len(groups(same)) == len(groups(undated)) == 1
    assert len(groups([same[0], undated[0], elsewhere])) == 3
    assert documents[same[0].pk].facet_group.schools == f"|{library.school_id}|"
    assert documents[undated[0].pk].facet_group.year is None
    assert len({document.subject_set_id for document in documents.values()}) == 1


def test_facet_ids_create_each_group_once(db):
    key = ("thesis", "id", "|none|", None, "|iklim|")
    first = facet_ids([key])
    again = facet_ids([key, ("thesis", "id", "|none|", 2020, "")])

    assert again[key] == first[key]
    assert SearchFacetGroup.objects.count() == 2
    assert SearchSubjectSet.objects.count() == 2


def test_changed_item_moves_to_its_new_facets(library):
    item = make_item(library, "Banjir", "banjir", subjects=["geografi"])
    make_item(library, "Banjir lagi", "banjir", subjects=["geografi"])
    before = SearchDocument.objects.get(item=item).facet_group_id

    item.item_type = "dataset"
    item.issued = datetime.date(2018, 3, 1)
    item.subjects.set(["iklim"])
    item.save_revision().publish()

    document = SearchDocument.objects.get(item=item)
    assert document.facet_group_id != before
    assert document.subject_set.subjects == "|iklim|"
    facets = facet_map(search_items(AnonymousUser(), "banjir", {}))
    assert facets["item_type"] == {"article": 1, "dataset": 1}
    assert facets["year"] == {"2018": 1}
    assert facets["subject"] == {"geografi": 1, "iklim": 1}


def test_facet_filters_narrow_hits(library, other_library, home):
    city = make_library(home, None, "perpustakaan-kota")
    make_item(library, "A", "banjir", issued=datetime.date(2020, 1, 1))
    make_item(other_library, "B", "banjir", subjects=["iklim"])
    make_item(city, "C", "banjir", item_type="dataset")

    assert hit_titles(None, "banjir", school=library.school_id) == ["A"]
    assert hit_titles(None, "banjir", school=NO_SCHOOL) == ["C"]
    assert hit_titles(None, "banjir", year=2020) == ["A"]
    assert hit_titles(None, "banjir", subject="iklim") == ["B"]
    assert hit_titles(None, "banjir", item_type="dataset") == ["C"]
    assert hit_titles(None, "banjir", subject="tidak-ada") == []


def test_facet_alone_lists_newest_first(library):
    make_item(library, "Lama", subjects=["iklim"])
    make_item(library, "Baru", subjects=["iklim"])
    make_item(library, "Lain")

    assert hit_titles(None, subject="iklim") == ["Baru", "Lama"]


def test_selected_facet_links_remove_it(library, client):
    make_item(library, "A", "banjir", item_type="thesis")
    make_item(library, "B", "banjir")

    response = get_search(client, q="banjir", item_type="thesis", page="1")
    facets = {facet.name: facet for facet in response.context["facets"]}
    thesis = facets["item_type"].values[0]

    assert thesis.selected
    assert "item_type" not in thesis.url
    assert "page=" not in thesis.url
    assert "q=banjir" in thesis.url


def test_facet_link_keeps_query_and_drops_page(library, client):
    make_item(library, "A", "banjir", subjects=["iklim"])

    response = get_search(client, q="banjir", page="1")
    subject = next(f for f in response.context["facets"] if f.name == "subject")
    url = subject.values[0].url

    assert not subject.values[0].selected
    assert "subject=iklim" in url
    assert "q=banjir" in url
    assert "page=" not in url
    assert url.replace("&", "&amp;") in response.content.decode()


def test_filters_kept_as_hidden_fields(library, client):
    make_item(library, "A", "banjir", subjects=["iklim"])

    html = get_search(client, q="banjir", subject="iklim", year="2020").content
    html = html.decode()

    assert '<input type="hidden" name="subject" value="iklim">' in html
    assert '<input type="hidden" name="year" value="2020">' in html


def test_pages_keep_query_and_filters(library, client):
    for number in range(25):
        make_item(library, f"Banjir {number}", "banjir", subjects=["iklim"])

    first = get_search(client, q="banjir", subject="iklim")
    second = get_search(client, q="banjir", subject="iklim", page="2")

    assert first.context["results"].paginator.count == 25
    assert "q=banjir&amp;subject=iklim&amp;page=2" in first.content.decode()
    assert len(second.context["results"].object_list) == 5


@pytest.mark.parametrize("page", ["9", "0", "dua"])
def test_page_out_of_range_is_clamped(library, page):
    for number in range(25):
        make_item(library, f"Banjir {number}", "banjir")

    results = search_items(AnonymousUser(), "banjir", {}, page)

    expected = 1 if page == "dua" else 2
    assert results.page.number == expected
    assert len(results.page.object_list) == (20 if expected == 1 else 5)


def test_subject_facet_shows_tag_names(library):
    make_item(library, "A", "banjir", subjects=["Ilmu Bumi"])

    results = search_items(AnonymousUser(), "banjir", {})
    subject = next(facet for facet in results.facets if facet.name == "subject")

    assert [(v.value, v.label, v.count) for v in subject.values] == [
        ("ilmu-bumi", "Ilmu Bumi", 1)
    ]


# Access


def test_restricted_words_never_shown(library, other_library, outsider, client):
    make_item(library, "Umum", "Ekosistem sawah.", subjects=["pertanian"])
    make_item(
        library,
        "Soal ujian",
        "Ekosistem sawah. Kunci jawaban terlarang.",
        abstract="Kunci jawaban terlarang.",
        access_level=AccessLevel.SCHOOL,
        subjects=["rahasiaujian"],
        issued=datetime.date(2011, 1, 1),
    )

    for user in (None, outsider):
        if user is not None:
            client.force_login(user)
        response = get_search(client, q="ekosistem")
        html = response.content.decode()
        facets = {f.name: f for f in response.context["facets"]}

        assert [item.title for item in response.context["results"]] == ["Umum"]
        assert response.context["results"].paginator.count == 1
        assert "terlarang" not in html
        assert "rahasiaujian" not in html
        assert "Soal ujian" not in html
        years = facets["year"].values if "year" in facets else []
        assert "2011" not in [value.value for value in years]
        assert sum(value.count for value in facets["item_type"].values) == 1

        hidden = get_search(client, q="terlarang")
        assert hidden.context["results"].paginator.count == 0
        assert hidden.context["facets"] == []


def test_school_member_finds_school_item(library, teacher):
    make_item(library, "Soal", "terlarang", access_level=AccessLevel.SCHOOL)

    assert hit_titles(teacher, "terlarang") == ["Soal"]


def test_named_reader_finds_item(library, outsider):
    item = make_item(library, "Surat", "undangan", access_level=AccessLevel.PEOPLE)
    item.allowed_readers.add(outsider)
    item.save()

    assert hit_titles(outsider, "undangan") == ["Surat"]
    assert hit_titles(None, "undangan") == []


def test_document_filter_matches_item_filter(
    library, other_library, teacher, student, outsider
):
    owner = make_person("pemilik")
    librarian = make_person("pustakawan", library.school, Membership.Role.LIBRARIAN)
    reader = make_person("pembaca")
    admin = User.objects.create_superuser("admin", password="rahasia-123")
    for number, (access, target) in enumerate(
        [
            (level, lib)
            for level in AccessLevel.values
            for lib in (library, other_library)
        ]
    ):
        item = make_item(target, f"Item {number}", access_level=access, owner=owner)
        item.allowed_readers.add(reader)
        item.save()
    draft = make_item(library, "Draf", access_level=AccessLevel.PUBLIC)
    draft.unpublish()

    for user in (
        AnonymousUser(),
        teacher,
        student,
        outsider,
        owner,
        librarian,
        reader,
        admin,
    ):
        expected = set(visible_items(user).values_list("pk", flat=True))
        found = set(visible_documents(user).values_list("item_id", flat=True))
        assert found == expected, user
        assert draft.pk not in found


# Keeping the index in step


def test_draft_not_indexed_until_published(library):
    item = make_item(library, "Judul lama", "isi")
    item.title = "Judul rahasia"
    revision = item.save_revision()

    assert hit_titles(None, "rahasia") == []
    revision.publish()
    assert hit_titles(None, "rahasia") == ["Judul rahasia"]


def test_access_change_on_publish_updates_hits(library):
    item = make_item(library, "Peta", "peta kelurahan")
    item.access_level = AccessLevel.SCHOOL
    item.save_revision().publish()

    assert hit_titles(None, "kelurahan") == []


def test_unpublish_and_delete_remove_hits(library):
    kept = make_item(library, "Satu", "jembatan")
    removed = make_item(library, "Dua", "jembatan")

    kept.unpublish()
    assert hit_titles(None, "jembatan") == ["Dua"]
    removed.delete()
    assert hit_titles(None, "jembatan") == []
    assert not SearchDocument.objects.filter(item_id=removed.pk).exists()


def test_index_all_rebuilds_documents(library):
    make_item(library, "Satu", "jembatan")
    make_item(library, "Dua", "jembatan")
    SearchDocument.objects.all().delete()

    indexed = sum(index_all(batch_size=1))

    assert indexed == 2
    assert sorted(hit_titles(None, "jembatan")) == ["Dua", "Satu"]


def test_reindex_command_fills_index(library, capsys):
    make_item(library, "Satu", "jembatan")
    SearchDocument.objects.all().delete()

    call_command("library_reindex", verbosity=0)

    assert hit_titles(None, "jembatan") == ["Satu"]
    assert "Indexed 1 library items" in capsys.readouterr().out


def test_embargoed_file_text_not_searchable(library, client):
    embargo = datetime.date.today() + datetime.timedelta(days=30)
    make_item(
        library,
        "Skripsi",
        "Temuan rahasiaberkas ada di berkas.",
        abstract="Ringkasan umum penelitian.",
        embargo_until=embargo,
    )

    response = get_search(client, q="ringkasan")
    document = SearchDocument.objects.get()

    assert hit_titles(None, "rahasiaberkas") == []
    assert [item.title for item in response.context["results"]] == ["Skripsi"]
    assert "rahasiaberkas" not in response.content.decode()
    assert document.full_text_withheld_until == embargo


def test_reindex_adds_text_after_embargo(library, capsys):
    make_item(
        library,
        "Skripsi",
        "Temuan rahasiaberkas.",
        embargo_until=datetime.date.today() + datetime.timedelta(days=30),
    )
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    LibraryItemPage.objects.update(embargo_until=yesterday)
    SearchDocument.objects.update(full_text_withheld_until=yesterday)

    call_command("library_reindex", embargo_ended=True, verbosity=0)

    assert hit_titles(None, "rahasiaberkas") == ["Skripsi"]
    assert SearchDocument.objects.get().full_text_withheld_until is None
    assert "Indexed 1 library items" in capsys.readouterr().out


# Bad input


# Queries whose words all occur in the item, on either database.
FINDS_SAWAH = {"sawah:* <-> (padi", '"sawah', "sawah\\"}


@pytest.mark.parametrize(
    "query",
    [
        "&",
        "|",
        "!",
        "()",
        ":*",
        "<->",
        "'",
        "\\",
        "a & b | !c sawah",
        "sawah:* <-> (padi",
        "'sawah' OR -padi",
        '"sawah',
        "sawah\\",
    ],
)
def test_query_syntax_characters_are_words(library, client, query):
    make_item(library, "Sawah", "sawah padi")

    response = get_search(client, q=query)

    assert response.context["form"].errors == {}
    if query in FINDS_SAWAH:
        assert "Sawah" in [item.title for item in response.context["results"]]


def test_query_without_words_explained(library, client):
    make_item(library, "Sawah", "sawah")

    response = get_search(client, q="&|!():*")

    assert response.context["results"].paginator.count == 0
    assert response.context["has_words"] is False
    assert "Gunakan huruf atau angka" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"language": "fr"}, "language", "invalid_choice"),
        ({"item_type": "novel"}, "item_type", "invalid_choice"),
        ({"school": "abc"}, "school", "unknown_school"),
        ({"school": "999999"}, "school", "unknown_school"),
        ({"year": "dua ribu"}, "year", "invalid"),
        ({"year": "99"}, "year", "min_value"),
        ({"subject": "<script>"}, "subject", "invalid"),
        ({"q": "sawah\x00"}, "q", "null_characters_not_allowed"),
        ({"q": "kata " * 60}, "q", "max_length"),
    ],
)
def test_bad_parameters_rejected(library, client, params, field, code):
    response = get_search(client, **{"q": "sawah", **params})

    errors = response.context["form"].errors.as_data()[field]
    assert [error.code for error in errors] == [code]
    assert response.context["results"] is None
    assert escape(errors[0].messages[0]) in response.content.decode()


def test_unknown_school_message_is_indonesian(library, client):
    html = get_search(client, q="sawah", school="999999").content.decode()

    assert "Sekolah 999999 tidak dikenal" in html


def test_unknown_subject_is_not_an_error(library, client):
    response = get_search(client, q="sawah", subject="tidak-ada")

    assert response.context["form"].errors == {}
    assert response.context["results"].paginator.count == 0


# Result page


def test_harvested_hit_links_source(home, client):
    collection = make_library(home, None, "panen")
    make_item(
        collection,
        "Rekaman luar",
        "gamelan",
        source="https://repositori.example.org/record/12",
    )
    make_item(collection, "Sumber teks", "gamelan", source="Buku cetak, 1999")

    html = get_search(client, q="gamelan").content.decode()

    assert 'href="https://repositori.example.org/record/12"' in html
    assert "Buku cetak" not in html


def test_headline_escapes_text(library, client):
    make_item(library, "Skrip", "<script>alert(1)</script> ekosistem & <b>")

    html = get_search(client, q="ekosistem").content.decode()

    assert "<script>alert(1)" not in html
    assert "<mark>ekosistem</mark>" in html
    assert "<b>" not in html


def test_snippet_drops_mark_characters_from_text(postgres, library):
    make_item(library, "Kontrol", "awal \x02 tengah \x03 sawah akhir")

    results = search_items(AnonymousUser(), "sawah", {})
    snippet = str(results.page.object_list[0].snippet)

    assert snippet.count("<mark>") == 1
    assert snippet.count("</mark>") == 1
    assert "\x02" not in snippet


# Generator


def test_generator_is_deterministic():
    first = list(describe_items(20, seed=7, school_names=["SMP A"]))
    again = list(describe_items(20, seed=7, school_names=["SMP A"]))
    other = list(describe_items(20, seed=8, school_names=["SMP A"]))

    assert first == again
    assert first != other
    assert {description.language for description in first} == {"id", "en"}


def test_generate_command_builds_items(home, capsys):
    call_command("library_generate", count=40, seed=3, schools=2, batch_size=15)

    items = LibraryItemPage.objects.all()
    assert items.count() == 40
    assert SearchDocument.objects.count() == 40
    assert all(len(problems) == 0 for problems in Page.find_problems())
    assert set(items.values_list("live", flat=True)) == {True}
    assert ItemCreator.objects.filter(item__in=items).count() >= 40
    assert "Added 40 items" in capsys.readouterr().out
    parents = {item.get_parent().pk: item.get_parent().numchild for item in items}
    assert sum(parents.values()) == 40
    first = items.order_by("pk").first()
    assert first.school_id == first.get_parent().specific.school_id


def test_generated_items_are_searchable(home):
    call_command("library_generate", count=30, seed=5, schools=1, verbosity=0)
    admin = User.objects.create_superuser("admin", password="rahasia-123")
    item = LibraryItemPage.objects.order_by("pk").first()
    word = max(re.findall(r"\w+", item.title), key=len)

    hits = search_items(admin, word, {}, per_page=30).page.object_list

    assert item.pk in [hit.pk for hit in hits]


def test_generate_command_rejects_bad_count(home):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--count 0"):
        call_command("library_generate", count=0, verbosity=0)
    assert not LibraryItemPage.objects.exists()


def test_generate_command_needs_home_page(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no home page"):
        call_command("library_generate", count=1, verbosity=0)
