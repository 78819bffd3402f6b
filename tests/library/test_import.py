"""
The library_import command: a folder of real PDFs and a CSV of metadata.

Rows are checked before anything is stored. Bad rows are reported with
their line numbers in the chosen language (Indonesian by default), good
rows are imported through the same storage and extraction path as uploads,
and a second run imports nothing twice.
"""

import io
import shutil
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from wagtail.documents import get_document_model

from library import importer
from library.models import (
    AccessLevel,
    ItemFile,
    ItemType,
    LibraryIndexPage,
    LibraryItemPage,
    Licence,
)
from tests.conftest import require

pytestmark = pytest.mark.django_db

Status = ItemFile.ExtractionStatus

HEADER = (
    "title;creators;subjects;abstract;publisher;contributors;issued;type;"
    "language;licence;access;identifier;source;relation;coverage;rights;files"
)


@pytest.fixture
def folder(tmp_path, corpus_dir):
    """Return an import folder with two corpus PDFs, a fake PDF and a text file."""
    folder = tmp_path / "impor"
    (folder / "skripsi").mkdir(parents=True)
    shutil.copy(corpus_dir / "pdf/crazyones.pdf", folder / "crazyones.pdf")
    shutil.copy(
        corpus_dir / "pdf/guntur-skripsi-ugm-2013.pdf",
        folder / "skripsi/guntur.pdf",
    )
    (folder / "palsu.pdf").write_text("<html><body>bukan PDF</body></html>")
    (folder / "catatan.txt").write_text("Catatan pendek tentang batik.\n")
    (tmp_path / "rahasia.pdf").write_bytes(
        (corpus_dir / "pdf/crazyones.pdf").read_bytes()
    )
    return folder


def write_csv(folder, rows, *, header=HEADER, bom=True, name="metadata.csv"):
    text = "\n".join([header, *rows]) + "\n"
    path = folder.parent / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def run_import(folder, csv_path, library, *args, capture_callbacks):
    """Run the command, execute its commit callbacks, return (stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with capture_callbacks(execute=True):
        call_command(
            "library_import",
            str(folder),
            str(csv_path),
            "--library",
            str(library.pk),
            *args,
            stdout=stdout,
            stderr=stderr,
        )
    return stdout.getvalue(), stderr.getvalue()


GOOD_ROWS = [
    # Line 2: two files, Indonesian labels, a licence spelled with its version.
    # Cells that list several values use ";" too, so they are quoted.
    'Kumpulan karya siswa;"Siti Rahma (SMP Negeri 1 Depok); Budi Santoso";'
    '"sains; Sains; lingkungan";Ringkasan karya.;Penerbit Depok;'
    "Dewi Lestari (pembimbing);2024-05-01;Skripsi;Bahasa Indonesia;"
    "CC BY-SA 4.0;sekolah;;;Seri Karya Siswa;Depok;Hak cipta pada penulis.;"
    '"crazyones.pdf; skripsi/guntur.pdf"',
    # Line 3: a year alone, English, a licence value, a text file.
    "Notes on batik;Ayu Putri;batik;;;;2023;teaching_module;en;cc0;public;"
    "ISBN 978-602-0000-00-0;;;;;catatan.txt",
]


def test_import_creates_items(
    folder, library, teacher, django_capture_on_commit_callbacks
):
    csv_path = write_csv(folder, GOOD_ROWS)

    stdout, stderr = run_import(
        folder,
        csv_path,
        library,
        "--user",
        teacher.username,
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    items = {item.title: item for item in LibraryItemPage.objects.child_of(library)}
    assert set(items) == {"Kumpulan karya siswa", "Notes on batik"}
    thesis = items["Kumpulan karya siswa"]
    assert thesis.live
    assert thesis.owner == teacher
    assert thesis.item_type == ItemType.THESIS
    assert thesis.language == "id"
    assert thesis.licence == Licence.CC_BY_SA
    assert thesis.access_level == AccessLevel.SCHOOL
    assert thesis.issued.isoformat() == "2024-05-01"
    assert thesis.abstract == "Ringkasan karya."
    assert thesis.publisher == "Penerbit Depok"
    assert thesis.relation == "Seri Karya Siswa"
    assert thesis.coverage == "Depok"
    assert thesis.rights == "Hak cipta pada penulis."
    assert thesis.identifier == ""
    assert [(c.name, c.affiliation) for c in thesis.creators.all()] == [
        ("Siti Rahma", "SMP Negeri 1 Depok"),
        ("Budi Santoso", ""),
    ]
    assert [(c.name, c.role) for c in thesis.contributors.all()] == [
        ("Dewi Lestari", "pembimbing")
    ]
    assert sorted(tag.name for tag in thesis.subjects.all()) == ["lingkungan", "sains"]
    files = list(thesis.files.order_by("pk"))
    assert [f.original_name for f in files] == ["crazyones.pdf", "guntur.pdf"]
    library.refresh_from_db()
    assert all(f.document.collection == library.collection for f in files)
    assert library.collection is not None
    assert all(f.uploaded_by == teacher for f in files)
    assert [f.extraction_status for f in files] == [Status.DONE, Status.DONE]
    thesis.refresh_from_db()
    assert "troublemakers" in thesis.full_text
    assert "nirkabel" in thesis.full_text

    notes = items["Notes on batik"]
    assert notes.issued.isoformat() == "2023-01-01"
    assert notes.language == "en"
    assert notes.licence == Licence.CC0
    assert notes.item_type == ItemType.TEACHING_MODULE
    assert notes.import_key == "identifier:ISBN 978-602-0000-00-0"
    assert notes.files.get().content_type == "text/plain"

    assert stderr.count("baris") == 0
    assert "2 diimpor, 0 dilewati" in stdout
    assert "0 baris salah" in stdout


def test_second_run_skips_everything(
    folder, library, django_capture_on_commit_callbacks
):
    csv_path = write_csv(folder, GOOD_ROWS)
    run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )
    documents = get_document_model().objects.count()
    pages = LibraryItemPage.objects.count()

    stdout, _stderr = run_import(
        folder,
        csv_path,
        library,
        "-v",
        "2",
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert LibraryItemPage.objects.count() == pages
    assert get_document_model().objects.count() == documents
    assert "0 diimpor, 2 dilewati" in stdout
    assert "baris 2: dilewati" in stdout
    assert "baris 3: dilewati" in stdout


def test_same_identifier_is_skipped(
    folder, library, django_capture_on_commit_callbacks
):
    run_import(
        folder,
        write_csv(folder, GOOD_ROWS[1:]),
        library,
        capture_callbacks=django_capture_on_commit_callbacks,
    )
    # The same ISBN with a corrected title is the same work.
    renamed = GOOD_ROWS[1].replace("Notes on batik", "Notes on Batik, 2nd print")

    stdout, _stderr = run_import(
        folder,
        write_csv(folder, [renamed]),
        library,
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert LibraryItemPage.objects.count() == 1
    assert "0 diimpor, 1 dilewati" in stdout


# (row, expected Indonesian message); each row is otherwise valid.
BAD_ROWS = [
    (
        "Judul A;Ani;;;;;2024;novel;id;cc-by;public;;;;;;crazyones.pdf",
        "Jenis novel tidak dikenal.",
    ),
    (
        "Judul B;Ani;;;;;2024;article;id;CC BY-XY;public;;;;;;crazyones.pdf",
        "Lisensi CC BY-XY tidak dikenal.",
    ),
    (
        ";Ani;;;;;2024;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Judul tidak ada.",
    ),
    (
        "Judul D;Ani;;;;;2024-02-30;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Tanggal terbit 2024-02-30 tidak valid.",
    ),
    (
        "Judul E;Ani;;;;;01/05/2024;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Tanggal terbit 01/05/2024 tidak valid.",
    ),
    (
        "Judul F;Ani;;;;;2024;article;id;cc-by;public;;;;;;hilang.pdf",
        "Berkas hilang.pdf tidak ditemukan di folder impor.",
    ),
    (
        "Judul G;Ani;;;;;2024;article;id;cc-by;public;;;;;;palsu.pdf",
        "Berkas palsu.pdf bukan dokumen PDF yang asli: isinya halaman HTML.",
    ),
    (
        "Judul H;Ani;;;;;2024;article;id;cc-by;public;;;;;;../rahasia.pdf",
        "Berkas ../rahasia.pdf berada di luar folder impor.",
    ),
    (
        "Judul I;;;;;;2024;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Sebutkan paling sedikit satu pembuat.",
    ),
    (
        "Judul J;Ani;;;;;2999;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Tanggal terbit 2999 ada di masa depan.",
    ),
]


def _stored_files(settings):
    return sorted(path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())


def test_racing_run_skips_rows_stored_meanwhile(
    folder, library, settings, monkeypatch, django_capture_on_commit_callbacks
):
    csv_path = write_csv(folder, GOOD_ROWS)
    run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )
    first_ids = sorted(LibraryItemPage.objects.values_list("pk", flat=True))
    documents = get_document_model().objects.count()
    files = _stored_files(settings)
    # A run that looked the keys up before the first run committed found
    # none of them, so it goes on to insert every row.
    lookups = []
    real_lookup = importer.imported_items

    def lookup_before_commit(index, keys):
        lookups.append(keys)
        return {} if len(lookups) == 1 else real_lookup(index, keys)

    monkeypatch.setattr(importer, "imported_items", lookup_before_commit)

    stdout, stderr = run_import(
        folder,
        csv_path,
        library,
        "-v",
        "2",
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert sorted(LibraryItemPage.objects.values_list("pk", flat=True)) == first_ids
    assert get_document_model().objects.count() == documents
    assert _stored_files(settings) == files
    assert len(lookups) == 3
    assert "0 diimpor, 2 dilewati" in stdout
    assert f"baris 2: dilewati, sudah diimpor sebagai halaman {first_ids[0]}" in stdout
    assert "baris" not in stderr


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_store_rows_once(folder, library, settings, monkeypatch):
    require(
        connection.vendor == "postgresql",
        "needs PostgreSQL: SQLite lets one writer in at a time",
        embedded_skips=True,
    )
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    data = write_csv(folder, GOOD_ROWS).read_bytes()
    # Both runs look the keys up before either stores a row.
    barrier = threading.Barrier(2, timeout=30)
    real_lookup = importer.imported_items

    def lookup_then_wait(index, keys):
        found = real_lookup(index, keys)
        if len(keys) == len(GOOD_ROWS):
            barrier.wait()
        return found

    monkeypatch.setattr(importer, "imported_items", lookup_then_wait)
    results, failures = [], []

    def run_import_in_thread():
        try:
            index = LibraryIndexPage.objects.get(pk=library.pk)
            results.append(importer.import_items(index, folder, data))
        except Exception as error:  # noqa: BLE001 (reported by the assert below)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_import_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert len(results) == 2
    assert LibraryItemPage.objects.child_of(library).count() == len(GOOD_ROWS)
    assert sum(len(result.imported) for result in results) == len(GOOD_ROWS)
    assert sum(len(result.skipped) for result in results) == len(GOOD_ROWS)
    assert all(result.errors == [] for result in results)


def test_import_key_unique_in_database(
    folder, library, django_capture_on_commit_callbacks
):
    run_import(
        folder,
        write_csv(folder, GOOD_ROWS),
        library,
        capture_callbacks=django_capture_on_commit_callbacks,
    )
    first, second = LibraryItemPage.objects.order_by("pk")
    second_key = second.import_key

    with pytest.raises(IntegrityError), transaction.atomic():
        LibraryItemPage.objects.filter(pk=second.pk).update(import_key=first.import_key)

    second.refresh_from_db()
    assert second.import_key == second_key
    assert first.import_library == library
    assert second.import_library == library


def test_same_rows_imported_into_other_library(
    folder, library, other_library, django_capture_on_commit_callbacks
):
    csv_path = write_csv(folder, GOOD_ROWS)
    run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    stdout, _stderr = run_import(
        folder,
        csv_path,
        other_library,
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert "2 diimpor, 0 dilewati" in stdout
    assert LibraryItemPage.objects.child_of(other_library).count() == 2
    assert LibraryItemPage.objects.filter(import_library=other_library).count() == 2


def test_copied_item_keeps_no_import_key(
    folder, library, django_capture_on_commit_callbacks
):
    run_import(
        folder,
        write_csv(folder, GOOD_ROWS[1:]),
        library,
        capture_callbacks=django_capture_on_commit_callbacks,
    )
    imported = LibraryItemPage.objects.get()

    copy = imported.copy(update_attrs={"title": "Salinan", "slug": "salinan"})

    copy = LibraryItemPage.objects.get(pk=copy.pk)
    assert copy.import_key == ""
    assert copy.import_library is None


def test_bad_rows_reported_good_imported(
    folder, library, django_capture_on_commit_callbacks
):
    rows = [row for row, _message in BAD_ROWS] + [GOOD_ROWS[1]]
    csv_path = write_csv(folder, rows)
    documents = get_document_model().objects.count()

    stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    lines = stderr.splitlines()
    for number, (_row, message) in enumerate(BAD_ROWS, start=2):
        reported = [line for line in lines if line.startswith(f"baris {number}: ")]
        assert len(reported) == 1, (number, lines)
        assert message in reported[0]
    assert [item.title for item in LibraryItemPage.objects.all()] == ["Notes on batik"]
    assert get_document_model().objects.count() == documents + 1
    assert f"1 diimpor, 0 dilewati (sudah diimpor), {len(BAD_ROWS)} baris salah" in (
        stdout
    )


def test_symlink_out_of_folder_rejected(
    folder, library, django_capture_on_commit_callbacks
):
    (folder / "tautan.pdf").symlink_to(folder.parent / "rahasia.pdf")
    row = "Judul;Ani;;;;;2024;article;id;cc-by;public;;;;;;tautan.pdf"
    csv_path = write_csv(folder, [row])

    _stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert "baris 2: Berkas tautan.pdf berada di luar folder impor." in stderr
    assert not LibraryItemPage.objects.exists()


def test_several_problems_in_one_row(
    folder, library, django_capture_on_commit_callbacks
):
    row = ";Ani;;;;;kemarin;novel;id;cc-by;public;;;;;;hilang.pdf"
    csv_path = write_csv(folder, [row])

    _stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert stderr.count("baris 2:") == 1
    assert "Judul tidak ada." in stderr
    assert "Tanggal terbit kemarin tidak valid." in stderr
    assert "Jenis novel tidak dikenal." in stderr
    assert "Berkas hilang.pdf tidak ditemukan" in stderr


def test_strict_imports_nothing(folder, library, django_capture_on_commit_callbacks):
    csv_path = write_csv(folder, [GOOD_ROWS[1], BAD_ROWS[0][0]])

    with pytest.raises(CommandError, match="Tidak ada yang diimpor karena 1 baris"):
        run_import(
            folder,
            csv_path,
            library,
            "--strict",
            capture_callbacks=django_capture_on_commit_callbacks,
        )

    assert not LibraryItemPage.objects.exists()
    assert not get_document_model().objects.exists()


def test_dry_run_stores_nothing(folder, library, django_capture_on_commit_callbacks):
    csv_path = write_csv(folder, [*GOOD_ROWS, BAD_ROWS[0][0]])

    stdout, stderr = run_import(
        folder,
        csv_path,
        library,
        "--dry-run",
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert not LibraryItemPage.objects.exists()
    assert not get_document_model().objects.exists()
    assert "baris 4: Jenis novel tidak dikenal." in stderr
    assert "0 diimpor, 0 dilewati (sudah diimpor), 1 baris salah, 2 baris" in stdout


def test_report_in_english(folder, library, django_capture_on_commit_callbacks):
    csv_path = write_csv(folder, [BAD_ROWS[0][0]])

    stdout, stderr = run_import(
        folder,
        csv_path,
        library,
        "--language",
        "en",
        capture_callbacks=django_capture_on_commit_callbacks,
    )

    assert "line 2: The type novel is unknown." in stderr
    assert "0 imported, 0 skipped (imported before), 1 bad rows" in stdout


def test_comma_csv_without_bom(folder, library, django_capture_on_commit_callbacks):
    header = "judul,pengarang,jenis,lisensi,berkas,tahun"
    rows = [
        '"Modul IPA, kelas 7","Rudi (SMPN 2); Sari",Modul Ajar,'
        "Creative Commons Attribution-NonCommercial 4.0 International,"
        "crazyones.pdf,2022"
    ]
    csv_path = write_csv(folder, rows, header=header, bom=False)

    stdout, _stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    item = LibraryItemPage.objects.get()
    assert item.title == "Modul IPA, kelas 7"
    assert item.item_type == ItemType.TEACHING_MODULE
    assert item.licence == Licence.CC_BY_NC
    assert item.language == "id"
    assert item.access_level == AccessLevel.PUBLIC
    assert "1 diimpor" in stdout


def test_multiline_cell_keeps_line_numbers(
    folder, library, django_capture_on_commit_callbacks
):
    header = "title,creators,abstract,type,licence,files"
    rows = [
        'Judul A,Ani,"Baris satu\nbaris dua\nbaris tiga",article,cc-by,crazyones.pdf',
        "Judul B,Ani,,novel,cc-by,crazyones.pdf",
    ]
    csv_path = write_csv(folder, rows, header=header)

    _stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert "\nbaris 5: Jenis novel tidak dikenal." in stderr
    assert "baris 2" not in stderr
    assert LibraryItemPage.objects.get().abstract == "Baris satu\nbaris dua\nbaris tiga"


def test_duplicate_row_in_file_reported(
    folder, library, django_capture_on_commit_callbacks
):
    csv_path = write_csv(folder, [GOOD_ROWS[1], GOOD_ROWS[1]])

    stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert "baris 3: Baris ini menggambarkan item yang sama dengan baris 2." in stderr
    assert LibraryItemPage.objects.count() == 1
    assert "1 diimpor" in stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title;creators\nA;B\n", "kolom item_type, licence, files"),
        (b"\xff\xfejudul", "bukan teks UTF-8"),
        (b"", "Berkas CSV kosong."),
    ],
)
def test_unreadable_csv_rejected(folder, library, content, message):
    csv_path = folder.parent / "rusak.csv"
    csv_path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command(
            "library_import",
            str(folder),
            str(csv_path),
            "--library",
            str(library.pk),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert not LibraryItemPage.objects.exists()


def test_library_found_by_npsn_and_city(home, school, library):
    from library.management.commands.library_import import find_library
    from tests.library.conftest import make_library

    city = make_library(home, None, "perpustakaan-kota")

    assert find_library(school.npsn) == library
    assert find_library("city") == city
    assert find_library("CITY") == city
    assert find_library(str(library.pk)) == library
    with pytest.raises(CommandError, match="No library matches '999999'"):
        find_library("999999")


def test_harvested_library_not_a_target(home, library):
    from library.management.commands.library_import import find_library
    from library.oai.models import HarvestSource
    from tests.library.conftest import make_library

    city = make_library(home, None, "perpustakaan-kota")
    harvested = make_library(home, None, "panen-oai")
    HarvestSource.objects.create(
        name="Repositori lain", base_url="http://127.0.0.1:9/oai", index=harvested
    )

    assert find_library("city") == city
    with pytest.raises(CommandError, match="No library matches"):
        find_library(str(harvested.pk))


def test_school_access_rejected_in_city_library(
    home, folder, django_capture_on_commit_callbacks
):
    from tests.library.conftest import make_library

    city = make_library(home, None, "perpustakaan-kota")
    row = "Judul;Ani;;;;;2024;article;id;cc-by;sekolah;;;;;;crazyones.pdf"
    csv_path = write_csv(folder, [row])

    _stdout, stderr = run_import(
        folder, csv_path, city, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert "baris 2: Koleksi perpustakaan tingkat kota tidak dapat dibatasi" in stderr
    assert not LibraryItemPage.objects.exists()


@pytest.mark.parametrize(
    ("spelling", "value"),
    [
        ("CC BY-SA 4.0", Licence.CC_BY_SA),
        ("cc-by-nc-nd 3.0 international", Licence.CC_BY_NC_ND),
        ("Creative Commons Attribution-ShareAlike 4.0", Licence.CC_BY_SA),
        ("CC0 1.0", Licence.CC0),
        ("CC BY", Licence.CC_BY),
        ("cc-by-nc-sa", Licence.CC_BY_NC_SA),
        ("BY-ND", Licence.CC_BY_ND),
        ("All rights reserved", Licence.ALL_RIGHTS_RESERVED),
        ("hak cipta dilindungi", Licence.ALL_RIGHTS_RESERVED),
        ("public domain", Licence.CC0),
        ("CC BY-XY", None),
        ("GPL 3.0", None),
        ("4.0", None),
    ],
)
def test_licence_spellings(spelling, value):
    names = importer.choice_names(Licence.choices, importer.LICENCE_ALIASES)

    assert importer.licence_value(spelling, names) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Siti Rahma (SMPN 1)", ("Siti Rahma", "SMPN 1")),
        ("Budi", ("Budi", "")),
        ("Ani (guru) (SMPN 2)", ("Ani (guru)", "SMPN 2")),
        ("(SMPN 3)", ("", "SMPN 3")),
    ],
)
def test_split_name(raw, expected):
    assert importer.split_name(raw) == expected


def test_oversized_and_empty_files_rejected(
    folder, library, settings, django_capture_on_commit_callbacks
):
    settings.LIBRARY_MAX_FILE_SIZE = 10 * 1024
    (folder / "kosong.pdf").write_bytes(b"")
    rows = [
        # guntur.pdf is about 1 MB, above the 10 KiB limit of this test.
        "Judul A;Ani;;;;;2024;article;id;cc-by;public;;;;;;skripsi/guntur.pdf",
        "Judul B;Ani;;;;;2024;article;id;cc-by;public;;;;;;kosong.pdf",
    ]
    csv_path = write_csv(folder, rows)

    _stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert "baris 2: Berkas skripsi/guntur.pdf berukuran" in stderr
    assert "batasnya 10,0\xa0KB" in stderr
    assert "baris 3: Berkas kosong.pdf kosong." in stderr
    assert not LibraryItemPage.objects.exists()


def test_file_changed_after_check_not_stored(
    folder, library, django_capture_on_commit_callbacks
):
    rows = [
        "Judul A;Ani;;;;;2024;article;id;cc-by;public;;;;;;crazyones.pdf",
        "Judul B;Ani;;;;;2024;article;id;cc-by;public;;;;;;catatan.txt",
    ]
    data = write_csv(folder, rows).read_bytes()

    def change_text_file(row):
        # Runs after each row, so the second file changes before its import.
        (folder / "catatan.txt").write_text("Isi yang lain.\n")

    with django_capture_on_commit_callbacks(execute=True):
        result = importer.import_items(library, folder, data, progress=change_text_file)

    assert [line for line, _page in result.imported] == [2]
    assert len(result.errors) == 1
    line, message = result.errors[0]
    assert line == 3
    assert "catatan.txt berubah setelah diperiksa" in message
    assert LibraryItemPage.objects.get().title == "Judul A"


def test_embargo_column(folder, library, django_capture_on_commit_callbacks):
    header = "title,creators,type,licence,files,embargo"
    rows = [
        "Skripsi A,Ani,thesis,cc-by,crazyones.pdf,2030-06-30",
        "Skripsi B,Ani,thesis,cc-by,catatan.txt,30/06/2030",
    ]
    csv_path = write_csv(folder, rows, header=header)

    _stdout, stderr = run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    item = LibraryItemPage.objects.get()
    assert item.embargo_until.isoformat() == "2030-06-30"
    assert item.is_embargoed()
    assert "baris 3: Tanggal embargo 30/06/2030 tidak valid." in stderr


def test_windows_path_separator(folder, library, django_capture_on_commit_callbacks):
    row = "Judul;Ani;;;;;2024;thesis;id;cc-by;public;;;;;;skripsi\\guntur.pdf"
    csv_path = write_csv(folder, [row])

    run_import(
        folder, csv_path, library, capture_callbacks=django_capture_on_commit_callbacks
    )

    assert LibraryItemPage.objects.get().files.get().original_name == "guntur.pdf"
