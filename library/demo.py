"""
Demo content of the library: a city-wide library, one per school, and items.

``build(world, stdout)`` is called by ``manage.py demo_data`` after the core
demo city exists. The item files are small PDFs written here in code, and
their text is extracted like that of any upload. Running it twice adds
nothing: libraries are found by slug and items by title.
"""

import datetime
import textwrap
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import filetypes
from .models import AccessLevel, ItemLanguage, ItemType, LibraryIndexPage, Licence
from .uploads import ItemMetadata, create_item

CITY_LIBRARY_SLUG = "perpustakaan"


@dataclass
class DemoItem:
    title: str
    item_type: str
    creators: list
    abstract: str
    subjects: list
    issued: datetime.date
    licence: str = Licence.CC_BY_SA
    access_level: str = AccessLevel.PUBLIC
    # Paragraphs of the PDF's text.
    body: list = field(default_factory=list)


CITY_ITEMS = [
    DemoItem(
        title="Modul Ajar Matematika: Pecahan Senilai untuk Kelas 5",
        item_type=ItemType.TEACHING_MODULE,
        creators=[("Tim Pengembang Kurikulum", "Dinas Pendidikan")],
        abstract=(
            "Modul ajar tentang pecahan senilai dengan contoh sehari-hari, "
            "lembar kerja siswa dan kunci jawaban."
        ),
        subjects=["matematika", "pecahan", "kelas 5"],
        issued=datetime.date(2025, 7, 14),
        body=[
            "Pecahan senilai adalah pecahan yang nilainya sama walaupun "
            "pembilang dan penyebutnya berbeda, misalnya satu per dua dan dua "
            "per empat.",
            "Kegiatan 1: potong sebuah martabak menjadi delapan bagian yang "
            "sama, lalu bandingkan empat potong dengan setengah martabak.",
            "Lembar kerja: tuliskan tiga pecahan yang senilai dengan tiga per "
            "lima dan jelaskan cara menemukannya.",
        ],
    ),
    DemoItem(
        title="Panduan Literasi Digital untuk Siswa",
        item_type=ItemType.EBOOK,
        creators=[("Rina Kartika", "Dinas Pendidikan"), ("Agus Salim", "")],
        abstract=(
            "Panduan singkat memakai internet dengan aman: kata sandi yang "
            "kuat, mengenali hoaks dan menjaga data pribadi."
        ),
        subjects=["literasi digital", "keamanan internet"],
        issued=datetime.date(2024, 11, 2),
        licence=Licence.CC_BY,
        body=[
            "Kata sandi yang kuat terdiri atas paling sedikit dua belas "
            "karakter dan tidak dipakai di dua akun sekaligus.",
            "Sebelum membagikan berita, periksa sumbernya. Hoaks sering memakai "
            "judul yang memancing emosi.",
            "Jangan pernah membagikan nomor induk kependudukan atau foto kartu "
            "keluarga di media sosial.",
        ],
    ),
    DemoItem(
        title="Survei Minat Baca Siswa Sekolah Menengah Pertama 2025",
        item_type=ItemType.RESEARCH_PAPER,
        creators=[("Dewi Lestari", "Dinas Pendidikan")],
        abstract=(
            "Survei kepada siswa SMP tentang kebiasaan membaca, jenis bacaan "
            "yang disukai dan pemakaian perpustakaan sekolah."
        ),
        subjects=["minat baca", "survei", "perpustakaan"],
        issued=datetime.date(2025, 3, 20),
        licence=Licence.CC_BY_NC,
        access_level=AccessLevel.CITY,
        body=[
            "Sebanyak enam puluh persen responden membaca komik atau cerita "
            "bergambar setiap minggu.",
            "Perpustakaan sekolah paling sering dikunjungi pada jam istirahat pertama.",
        ],
    ),
]


def school_items(school):
    """Return the demo items of one school's library."""
    return [
        DemoItem(
            title=f"Bahan Ajar IPA: Daur Air ({school.name})",
            item_type=ItemType.TEACHING_MODULE,
            creators=[("Guru IPA", school.name)],
            abstract="Bahan ajar tentang penguapan, pengembunan dan hujan.",
            subjects=["IPA", "daur air"],
            issued=datetime.date(2025, 8, 4),
            body=[
                "Air laut menguap karena panas matahari, uap air naik dan "
                "mengembun menjadi awan.",
                "Percobaan: tutup gelas berisi air panas dengan piring dingin "
                "dan amati titik-titik air yang terbentuk.",
            ],
        ),
        DemoItem(
            title=f"Tata Tertib Laboratorium Komputer {school.name}",
            item_type=ItemType.ARTICLE,
            creators=[("Tim Laboratorium", school.name)],
            abstract="Aturan memakai laboratorium komputer untuk warga sekolah.",
            subjects=["laboratorium", "tata tertib"],
            issued=datetime.date(2025, 7, 1),
            licence=Licence.ALL_RIGHTS_RESERVED,
            access_level=AccessLevel.SCHOOL,
            body=[
                "Siswa masuk laboratorium hanya bersama guru pendamping.",
                "Dilarang makan dan minum di dekat perangkat komputer.",
            ],
        ),
    ]


def minimal_pdf(title, paragraphs):
    """
    Return the bytes of a valid one-page PDF showing ``title`` and the text.

    The page uses the standard Helvetica font with WinAnsi encoding, so the
    text must be representable in Windows-1252.
    """
    lines = [title, ""]
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, width=85) or [""])
        lines.append("")
    operators = ["BT", "/F1 11 Tf", "15 TL", "56 780 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        operators.append(f"({escaped}) Tj T*")
    operators.append("ET")
    stream = "\n".join(operators).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_offset = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        output += b"%010d 00000 n \n" % offset
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    output += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(output)


def ensure_library(home, school, title, slug):
    """Return the library page with ``slug`` under ``home``, creating it."""
    existing = LibraryIndexPage.objects.child_of(home).filter(slug=slug).first()
    if existing is not None:
        return existing, False
    library = LibraryIndexPage(title=title, slug=slug, school=school)
    home.add_child(instance=library)
    library.save_revision().publish()
    return library, True


def add_item(library, spec, user):
    """Create ``spec`` in ``library`` unless an item with its title exists."""
    if library.get_children().filter(title=spec.title).exists():
        return False
    metadata = ItemMetadata(
        title=spec.title,
        item_type=spec.item_type,
        language=ItemLanguage.INDONESIAN,
        licence=spec.licence,
        access_level=spec.access_level,
        abstract=spec.abstract,
        issued=spec.issued,
        creators=spec.creators,
        subjects=spec.subjects,
    )
    content = ContentFile(
        minimal_pdf(spec.title, spec.body), name=f"{slugify(spec.title)[:60]}.pdf"
    )
    create_item(
        library,
        metadata,
        content,
        user=user,
        content_type=filetypes.PDF,
        publish=True,
    )
    return True


def build(world, stdout):
    """Add the libraries and their items to the demo city."""
    libraries = items = 0
    city_library, created = ensure_library(
        world.home, None, f"Perpustakaan {settings.CITY_NAME}", CITY_LIBRARY_SLUG
    )
    libraries += created
    for spec in CITY_ITEMS:
        items += add_item(city_library, spec, world.city_admin)

    for school in world.schools:
        library, created = ensure_library(
            world.home,
            school,
            f"Perpustakaan {school.name}",
            f"{CITY_LIBRARY_SLUG}-{school.npsn}",
        )
        libraries += created
        uploader = _first(world.librarians.get(school.npsn)) or _first(
            world.teachers.get(school.npsn)
        )
        for spec in school_items(school):
            items += add_item(library, spec, uploader)

    # The items' text is extracted when the demo transaction commits.
    stdout.write(
        _("Library: %(libraries)s libraries and %(items)s items added.")
        % {"libraries": libraries, "items": items}
    )


def _first(people):
    return people[0] if people else None
