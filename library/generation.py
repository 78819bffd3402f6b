"""
Generate many library items with realistic text, for benchmarks.

``describe_items`` builds item descriptions from word lists and sentence
templates, in Indonesian or English. It is deterministic: the same seed
gives the same items. ``insert_items`` writes them under one library with
bulk inserts. It computes the treebeard paths of the new child pages itself
instead of calling ``add_child`` once per page, and it does not create page
revisions or entries of Wagtail's admin search index.
"""

import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.models import Page

from .indexing import index_items
from .models import (
    AccessLevel,
    ItemContributor,
    ItemCreator,
    ItemLanguage,
    ItemType,
    LibraryItemPage,
    LibraryItemPageTag,
    Licence,
)

# Shares of the generated items, as (value, weight) pairs.
LANGUAGE_WEIGHTS = [(ItemLanguage.INDONESIAN, 70), (ItemLanguage.ENGLISH, 30)]
TYPE_WEIGHTS = [
    (ItemType.THESIS, 30),
    (ItemType.RESEARCH_PAPER, 20),
    (ItemType.TEACHING_MODULE, 25),
    (ItemType.ARTICLE, 15),
    (ItemType.EBOOK, 5),
    (ItemType.DATASET, 5),
]
ACCESS_WEIGHTS = [
    (AccessLevel.PUBLIC, 70),
    (AccessLevel.CITY, 15),
    (AccessLevel.SCHOOL, 10),
    (AccessLevel.PEOPLE, 5),
]
FIRST_YEAR = 2005
LAST_YEAR = 2025
# One item in RARE_WORD_SHARE mentions one of the rare words of its language.
RARE_WORD_SHARE = 0.01

FIRST_NAMES = [
    "Siti", "Budi", "Dewi", "Agus", "Rina", "Ahmad", "Putri", "Rizki", "Nur",
    "Fajar", "Indah", "Dimas", "Ayu", "Hendra", "Wulan", "Yusuf", "Lestari",
    "Bayu", "Ratna", "Eko", "Nanda", "Galih", "Intan", "Reza",
]  # fmt: skip
LAST_NAMES = [
    "Rahmawati", "Santoso", "Pratama", "Hidayat", "Saputra", "Wijaya",
    "Nugroho", "Kurniawan", "Puspita", "Siregar", "Nasution", "Hasibuan",
    "Maulana", "Permata", "Susanti", "Setiawan", "Handayani", "Firmansyah",
]  # fmt: skip
KECAMATAN = [
    "Beji", "Pancoran Mas", "Cipayung", "Sukmajaya", "Cilodong", "Limo",
    "Cinere", "Cimanggis", "Tapos", "Sawangan", "Bojongsari",
]  # fmt: skip
PUBLISHERS = [
    "Dinas Pendidikan Kota Depok",
    "Musyawarah Guru Mata Pelajaran Kota Depok",
    "Perpustakaan Sekolah",
    "",
]


@dataclass
class Topic:
    subject: str
    terms: list


@dataclass
class Language:
    """The word lists and sentence templates of one language."""

    topics: list
    methods: list
    outcomes: list
    titles: list
    abstract: list
    sentences: list
    rare_words: list
    rare_sentence: str
    supervisor: str
    grades: list = field(default_factory=lambda: ["7", "8", "9"])


INDONESIAN = Language(
    topics=[
        Topic(
            "pendidikan lingkungan",
            [
                "sampah plastik",
                "bank sampah",
                "daur ulang",
                "kompos",
                "penghijauan sekolah",
                "kualitas air Sungai Ciliwung",
                "polusi udara",
            ],
        ),
        Topic(
            "matematika",
            [
                "pecahan senilai",
                "persamaan linear",
                "bangun ruang",
                "statistika",
                "peluang",
                "aljabar",
            ],
        ),
        Topic(
            "bahasa indonesia",
            [
                "teks eksposisi",
                "puisi",
                "cerpen",
                "membaca pemahaman",
                "menulis narasi",
                "teks berita",
            ],
        ),
        Topic(
            "ilmu pengetahuan alam",
            [
                "fotosintesis",
                "ekosistem",
                "gaya dan gerak",
                "sistem pencernaan",
                "listrik statis",
                "perubahan wujud zat",
            ],
        ),
        Topic(
            "sejarah",
            [
                "Sumpah Pemuda",
                "proklamasi kemerdekaan",
                "kerajaan Majapahit",
                "sejarah Kota Depok",
                "Situ Gintung",
            ],
        ),
        Topic(
            "teknologi informasi",
            [
                "literasi digital",
                "pemrograman Scratch",
                "keamanan internet",
                "media sosial",
                "berpikir komputasional",
            ],
        ),
        Topic(
            "ekonomi",
            [
                "koperasi sekolah",
                "kewirausahaan",
                "UMKM",
                "literasi keuangan",
                "pasar tradisional",
            ],
        ),
        Topic(
            "kesehatan",
            [
                "gizi seimbang",
                "pencegahan stunting",
                "kebugaran jasmani",
                "kesehatan mental remaja",
                "cuci tangan",
            ],
        ),
    ],  # fmt: skip
    methods=[
        "pembelajaran berbasis proyek",
        "model pembelajaran kooperatif",
        "pembelajaran berdiferensiasi",
        "media pembelajaran interaktif",
        "metode demonstrasi",
        "pembelajaran inkuiri",
        "tutor sebaya",
    ],  # fmt: skip
    outcomes=[
        "hasil belajar",
        "motivasi belajar",
        "minat baca",
        "kemampuan berpikir kritis",
        "pemahaman konsep",
        "keterampilan menulis",
    ],  # fmt: skip
    titles=[
        "Penerapan {method} untuk Meningkatkan {outcome} Siswa pada Materi {term}",
        "Pengaruh {method} terhadap {outcome} Siswa Kelas {grade}",
        "Analisis {term} di Kecamatan {kecamatan} Kota Depok",
        "Modul Ajar {subject}: {term} untuk Kelas {grade}",
        "Hubungan {outcome} dengan Pemahaman {term} pada Siswa SMP",
        "Studi Kasus {term} di {school}",
    ],
    abstract=[
        "Penelitian ini bertujuan untuk mengetahui pengaruh {method} terhadap "
        "{outcome} siswa pada materi {term}.",
        "Penelitian dilakukan di {school} dengan sampel {number} siswa kelas {grade}.",
        "Data dikumpulkan melalui tes, angket dan observasi, lalu dianalisis "
        "secara deskriptif dan dengan uji statistik.",
        "Hasil penelitian menunjukkan bahwa {method} meningkatkan {outcome} "
        "sebesar {percent} persen.",
        "Guru disarankan memanfaatkan {method} dalam pembelajaran {subject}.",
    ],
    sentences=[
        "Siswa bekerja dalam kelompok kecil untuk membahas {term}.",
        "Guru memberikan lembar kerja tentang {term} pada setiap pertemuan.",
        "Pembelajaran dilaksanakan dalam {number} pertemuan selama satu semester.",
        "Sebagian besar siswa merasa lebih mudah memahami {term} setelah kegiatan ini.",
        "Kendala yang ditemui adalah keterbatasan waktu dan sarana sekolah.",
        "Nilai rata-rata siswa naik dari {low} menjadi {high}.",
        "Kegiatan ini sejalan dengan Kurikulum Merdeka dan profil pelajar Pancasila.",
        "Orang tua siswa dilibatkan dalam kegiatan {term} di rumah.",
        "Data {outcome} dibandingkan antara kelas eksperimen dan kelas kontrol.",
        "Warga sekitar Kecamatan {kecamatan} ikut membantu pengamatan di lapangan.",
    ],
    rare_words=[
        "etnomatematika",
        "fitoremediasi",
        "biopori",
        "ecobrick",
        "gamelan",
        "kriptografi",
        "mangrove",
        "aquaponik",
        "batik",
        "hidroponik",
    ],  # fmt: skip
    rare_sentence="Salah satu kegiatan tambahan adalah praktik {rare} di sekolah.",
    supervisor="pembimbing",
)

ENGLISH = Language(
    topics=[
        Topic(
            "environmental education",
            [
                "plastic waste",
                "waste banks",
                "recycling",
                "composting",
                "school greening",
                "water quality of the Ciliwung River",
                "air pollution",
            ],
        ),
        Topic(
            "mathematics",
            [
                "equivalent fractions",
                "linear equations",
                "solid geometry",
                "statistics",
                "probability",
                "algebra",
            ],
        ),
        Topic(
            "english language",
            [
                "expository texts",
                "poetry",
                "short stories",
                "reading comprehension",
                "narrative writing",
                "news texts",
            ],
        ),
        Topic(
            "natural science",
            [
                "photosynthesis",
                "ecosystems",
                "force and motion",
                "the digestive system",
                "static electricity",
                "changes of state",
            ],
        ),
        Topic(
            "history",
            [
                "the Youth Pledge",
                "the proclamation of independence",
                "the Majapahit kingdom",
                "the history of Depok",
            ],
        ),
        Topic(
            "information technology",
            [
                "digital literacy",
                "Scratch programming",
                "internet safety",
                "social media",
                "computational thinking",
            ],
        ),
        Topic(
            "economics",
            [
                "school cooperatives",
                "entrepreneurship",
                "small businesses",
                "financial literacy",
                "traditional markets",
            ],
        ),
        Topic(
            "health",
            [
                "balanced nutrition",
                "stunting prevention",
                "physical fitness",
                "adolescent mental health",
                "hand washing",
            ],
        ),
    ],  # fmt: skip
    methods=[
        "project-based learning",
        "cooperative learning",
        "differentiated instruction",
        "interactive learning media",
        "demonstration",
        "inquiry learning",
        "peer tutoring",
    ],  # fmt: skip
    outcomes=[
        "learning outcomes",
        "learning motivation",
        "reading interest",
        "critical thinking",
        "conceptual understanding",
        "writing skills",
    ],  # fmt: skip
    titles=[
        "Using {method} to Improve Students' {outcome} in {term}",
        "The Effect of {method} on the {outcome} of Grade {grade} Students",
        "An Analysis of {term} in {kecamatan}, Depok",
        "Teaching Module for {subject}: {term} for Grade {grade}",
        "{outcome} and the Understanding of {term} among Junior High Students",
        "A Case Study of {term} at {school}",
    ],
    abstract=[
        "This study examines the effect of {method} on students' {outcome} "
        "when learning {term}.",
        "It was carried out at {school} with a sample of {number} grade "
        "{grade} students.",
        "Data were collected through tests, questionnaires and observation "
        "and analysed with descriptive and inferential statistics.",
        "The results show that {method} improved {outcome} by {percent} percent.",
        "Teachers are encouraged to use {method} when teaching {subject}.",
    ],
    sentences=[
        "Students worked in small groups to discuss {term}.",
        "The teacher handed out a worksheet on {term} in every meeting.",
        "The lessons took {number} meetings over one semester.",
        "Most students found {term} easier to understand after the activity.",
        "The main obstacles were limited time and school facilities.",
        "The average score rose from {low} to {high}.",
        "The activity follows the Merdeka curriculum.",
        "Parents were involved in activities about {term} at home.",
        "The {outcome} of the experimental class was compared with the control class.",
        "Residents of {kecamatan} helped with the field observations.",
    ],
    rare_words=[
        "ethnomathematics",
        "phytoremediation",
        "biopores",
        "ecobricks",
        "gamelan",
        "cryptography",
        "mangroves",
        "aquaponics",
        "batik",
        "hydroponics",
    ],  # fmt: skip
    rare_sentence="One extra activity was practical work on {rare} at school.",
    supervisor="supervisor",
)

LANGUAGES = {ItemLanguage.INDONESIAN: INDONESIAN, ItemLanguage.ENGLISH: ENGLISH}


@dataclass
class ItemDescription:
    title: str
    language: str
    item_type: str
    access_level: str
    issued: datetime.date
    abstract: str
    full_text: str
    subjects: list
    creators: list
    contributors: list
    publisher: str


def describe_items(count, seed, school_names):
    """
    Yield ``count`` item descriptions, the same ones for the same ``seed``.

    ``school_names`` are used in the text, as the schools where the studies
    took place.
    """
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    for _number in range(count):
        yield _describe_item(rng, school_names or ["SMP Negeri 1 Depok"])


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _describe_item(rng, school_names):
    language = _pick(rng, LANGUAGE_WEIGHTS)
    words = LANGUAGES[language]
    topic = rng.choice(words.topics)
    values = {
        "subject": topic.subject,
        "term": rng.choice(topic.terms),
        "method": rng.choice(words.methods),
        "outcome": rng.choice(words.outcomes),
        "grade": rng.choice(words.grades),
        "kecamatan": rng.choice(KECAMATAN),
        "school": rng.choice(school_names),
        "number": rng.randint(20, 120),
        "percent": rng.randint(5, 40),
        "low": rng.randint(55, 70),
        "high": rng.randint(71, 92),
    }

    title = rng.choice(words.titles).format(**values)
    title = title[0].upper() + title[1:]
    abstract = " ".join(sentence.format(**values) for sentence in words.abstract)

    paragraphs = []
    for _paragraph in range(3):
        values["term"] = rng.choice(topic.terms)
        sentences = rng.sample(words.sentences, 4)
        paragraphs.append(" ".join(s.format(**values) for s in sentences))
    if rng.random() < RARE_WORD_SHARE:
        rare = rng.choice(words.rare_words)
        paragraphs.append(words.rare_sentence.format(rare=rare))

    item_type = _pick(rng, TYPE_WEIGHTS)
    creators = [
        (f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", values["school"])
        for _creator in range(rng.choice([1, 1, 1, 2, 3]))
    ]
    contributors = []
    if item_type == ItemType.THESIS:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, S.Pd."
        contributors.append((name, words.supervisor))

    subjects = [topic.subject, values["term"].lower()]
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    return ItemDescription(
        title=title,
        language=language,
        item_type=item_type,
        access_level=_pick(rng, ACCESS_WEIGHTS),
        issued=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
        abstract=abstract,
        full_text="\n\n".join(paragraphs),
        subjects=subjects,
        creators=creators,
        contributors=contributors,
        publisher=rng.choice(PUBLISHERS),
    )


class PathAllocator:
    """
    Hand out treebeard materialised paths for new children of ``parent``.

    Wagtail pages use treebeard's ``MP_Node`` with 4-character steps in base
    36 (``Page.steplen`` and ``Page.alphabet``), so a parent has at most
    36**4 - 1 children.
    """

    def __init__(self, parent):
        self.parent = parent
        last = (
            Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        self.next_number = (
            int(last[-Page.steplen :], len(Page.alphabet)) + 1 if last else 1
        )

    def allocate(self):
        number = self.next_number
        self.next_number += 1
        digits = ""
        while number:
            number, remainder = divmod(number, len(Page.alphabet))
            digits = Page.alphabet[remainder] + digits
        if len(digits) > Page.steplen:
            raise ValueError(f"Page {self.parent.pk} has no free child path left.")
        return self.parent.path + digits.rjust(Page.steplen, Page.alphabet[0])


def insert_items(library, descriptions, rng, tags, owner=None):
    """
    Insert ``descriptions`` as live items under ``library`` in one transaction.

    ``tags`` maps subject names to taggit ``Tag`` rows and gains new ones.
    Return the ids of the new items.
    """
    content_type = ContentType.objects.get_for_model(LibraryItemPage)
    with transaction.atomic():
        library = Page.objects.select_for_update().get(pk=library.pk).specific
        paths = PathAllocator(library)
        pages = []
        for description in descriptions:
            path = paths.allocate()
            slug = f"{slugify(description.title)[:60]}-{path[-8:].lower()}"
            published_at = timezone.make_aware(
                datetime.datetime.combine(
                    description.issued, datetime.time(rng.randint(7, 16))
                )
            )
            pages.append(
                Page(
                    path=path,
                    depth=library.depth + 1,
                    numchild=0,
                    translation_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    locale_id=library.locale_id,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published_at,
                    last_published_at=published_at,
                    latest_revision_created_at=published_at,
                    title=description.title,
                    draft_title=description.title,
                    slug=slug,
                    content_type=content_type,
                    url_path=f"{library.url_path}{slug}/",
                    owner=owner,
                    seo_title="",
                    search_description="",
                )
            )
        pages = Page.objects.bulk_create(pages)
        ids = [page.pk for page in pages]
        _insert_item_rows(library, ids, descriptions)
        _insert_people(ids, descriptions)
        _insert_subjects(ids, descriptions, tags)
        Page.objects.filter(pk=library.pk).update(numchild=F("numchild") + len(ids))
        index_items(ids)
    return ids


def _insert_item_rows(library, ids, descriptions):
    """Insert the ``LibraryItemPage`` rows of pages that exist already."""
    # Django's bulk_create does not support multi-table inheritance, so the
    # rows of the child table are inserted with plain SQL. Fields that the
    # descriptions do not set take their model defaults.
    fields = LibraryItemPage._meta.local_concrete_fields
    table = connection.ops.quote_name(LibraryItemPage._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = []
    for item_id, description in zip(ids, descriptions, strict=True):
        values = {
            "page_ptr": item_id,
            "abstract": description.abstract,
            "issued": description.issued,
            "item_type": description.item_type,
            "language": description.language,
            "licence": Licence.CC_BY,
            "access_level": description.access_level,
            "school": library.school_id,
            "full_text": description.full_text,
            "publisher": description.publisher,
        }
        rows.append(
            [
                f.get_db_prep_save(
                    values[f.name] if f.name in values else f.get_default(),
                    connection,
                )
                for f in fields
            ]
        )
    with connection.cursor() as cursor:
        # The table and column names come from the model, never from input.
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
            rows,
        )


def _insert_people(ids, descriptions):
    creators = []
    contributors = []
    for item_id, description in zip(ids, descriptions, strict=True):
        for order, (name, affiliation) in enumerate(description.creators):
            creators.append(
                ItemCreator(
                    item_id=item_id,
                    sort_order=order,
                    name=name,
                    affiliation=affiliation,
                )
            )
        for order, (name, role) in enumerate(description.contributors):
            contributors.append(
                ItemContributor(item_id=item_id, sort_order=order, name=name, role=role)
            )
    ItemCreator.objects.bulk_create(creators)
    ItemContributor.objects.bulk_create(contributors)


def _insert_subjects(ids, descriptions, tags):
    for description in descriptions:
        for name in description.subjects:
            if name not in tags:
                tags[name], _created = Tag.objects.get_or_create(name=name)
    LibraryItemPageTag.objects.bulk_create(
        [
            LibraryItemPageTag(content_object_id=item_id, tag=tags[name])
            for item_id, description in zip(ids, descriptions, strict=True)
            for name in dict.fromkeys(description.subjects)
        ]
    )
