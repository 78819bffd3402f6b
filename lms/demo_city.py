"""
The core of the demo city that ``manage.py demo_data`` builds.

Kota Depok's kecamatan and kelurahan, a dozen public schools, the current
school year, the people of each school, parents, the city admin and the
site's home page. Every step looks its rows up by a natural key (region
code, NPSN, username, class name) before it creates them, so a second run
changes nothing.

Demo accounts share one fixed password per role, printed by the command.
They exist only for trying the platform out.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from .demo import DemoWorld
from .models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    HomePage,
    Kecamatan,
    Kelurahan,
    Membership,
    School,
    Semester,
    Sex,
    User,
)

logger = logging.getLogger(__name__)

# Region codes and names of Kota Depok (32.76) from Kepmendagri
# No. 300.2.2-2138 Tahun 2025, as transcribed in the cahyadsn/wilayah
# dataset (db/wilayah.sql). The kelurahan codes are copied as published:
# they have gaps, so they cannot be counted up from 1001.
KECAMATAN = [
    ("32.76.01", "Pancoran Mas"),
    ("32.76.02", "Cimanggis"),
    ("32.76.03", "Sawangan"),
    ("32.76.04", "Limo"),
    ("32.76.05", "Sukmajaya"),
    ("32.76.06", "Beji"),
    ("32.76.07", "Cipayung"),
    ("32.76.08", "Cilodong"),
    ("32.76.09", "Cinere"),
    ("32.76.10", "Tapos"),
    ("32.76.11", "Bojongsari"),
]

KELURAHAN = [
    ("32.76.01.1006", "Depok"),
    ("32.76.01.1007", "Depok Jaya"),
    ("32.76.01.1008", "Pancoran Mas"),
    ("32.76.01.1009", "Mampang"),
    ("32.76.01.1010", "Rangkapan Jaya Baru"),
    ("32.76.01.1011", "Rangkapan Jaya"),
    ("32.76.02.1007", "Harjamukti"),
    ("32.76.02.1008", "Curug"),
    ("32.76.02.1009", "Tugu"),
    ("32.76.02.1010", "Mekarsari"),
    ("32.76.02.1011", "Pasir Gunung Selatan"),
    ("32.76.02.1012", "Cisalak Pasar"),
    ("32.76.03.1001", "Pasir Putih"),
    ("32.76.03.1002", "Bedahan"),
    ("32.76.03.1003", "Pengasinan"),
    ("32.76.03.1009", "Cinangka"),
    ("32.76.03.1010", "Sawangan"),
    ("32.76.03.1011", "Sawangan Baru"),
    ("32.76.03.1012", "Kedaung"),
    ("32.76.04.1001", "Meruyung"),
    ("32.76.04.1002", "Grogol"),
    ("32.76.04.1003", "Krukut"),
    ("32.76.04.1004", "Limo"),
    ("32.76.05.1001", "Sukmajaya"),
    ("32.76.05.1003", "Abadijaya"),
    ("32.76.05.1004", "Mekarjaya"),
    ("32.76.05.1005", "Baktijaya"),
    ("32.76.05.1008", "Cisalak"),
    ("32.76.05.1010", "Tirtajaya"),
    ("32.76.06.1001", "Beji"),
    ("32.76.06.1002", "Kukusan"),
    ("32.76.06.1003", "Tanah Baru"),
    ("32.76.06.1004", "Kemiri Muka"),
    ("32.76.06.1005", "Pondok Cina"),
    ("32.76.06.1006", "Beji Timur"),
    ("32.76.07.1001", "Cipayung"),
    ("32.76.07.1002", "Cipayung Jaya"),
    ("32.76.07.1003", "Ratu Jaya"),
    ("32.76.07.1004", "Bojong Pondok Terong"),
    ("32.76.07.1005", "Pondok Jaya"),
    ("32.76.08.1001", "Sukamaju"),
    ("32.76.08.1002", "Cilodong"),
    ("32.76.08.1003", "Kalibaru"),
    ("32.76.08.1004", "Kalimulya"),
    ("32.76.08.1005", "Jatimulya"),
    ("32.76.09.1001", "Cinere"),
    ("32.76.09.1002", "Gandul"),
    ("32.76.09.1003", "Pangkalan Jati"),
    ("32.76.09.1004", "Pangkalan Jati Baru"),
    ("32.76.10.1001", "Tapos"),
    ("32.76.10.1002", "Leuwinanggung"),
    ("32.76.10.1003", "Sukatani"),
    ("32.76.10.1004", "Sukamaju Baru"),
    ("32.76.10.1005", "Jatijajar"),
    ("32.76.10.1006", "Cilangkap"),
    ("32.76.10.1007", "Cimpaeun"),
    ("32.76.11.1001", "Bojongsari"),
    ("32.76.11.1002", "Bojongsari Baru"),
    ("32.76.11.1003", "Serua"),
    ("32.76.11.1004", "Pondok Petir"),
    ("32.76.11.1005", "Curug"),
    ("32.76.11.1006", "Duren Mekar"),
    ("32.76.11.1007", "Duren Seribu"),
]

# Approximate centre of each kecamatan as (latitude, longitude). These are
# estimates, good to a kilometre or two, used to keep each demo school
# within a few kilometres of its kecamatan.
KECAMATAN_CENTRES = {
    "32.76.01": (-6.400, 106.805),
    "32.76.02": (-6.368, 106.866),
    "32.76.03": (-6.412, 106.765),
    "32.76.04": (-6.365, 106.780),
    "32.76.05": (-6.401, 106.842),
    "32.76.06": (-6.377, 106.818),
    "32.76.07": (-6.430, 106.798),
    "32.76.08": (-6.433, 106.840),
    "32.76.09": (-6.336, 106.785),
    "32.76.10": (-6.412, 106.880),
    "32.76.11": (-6.398, 106.738),
}


@dataclass(frozen=True)
class DemoSchool:
    """A demo school and the short code that its usernames carry."""

    code: str
    npsn: str
    name: str
    level: str
    address: str
    kelurahan_code: str
    latitude: str
    longitude: str

    @property
    def kecamatan_code(self):
        return self.kelurahan_code[:8]


# Names follow the pattern of Depok's public schools, but the NPSNs,
# addresses and coordinates are illustrative: they are not taken from the
# ministry's school register. The first six are SMP and the last six SD;
# the SMP and the SD at the same position share a family of siblings.
SCHOOLS = [
    DemoSchool(
        "smpn1",
        "20228901",
        "SMP Negeri 1 Depok",
        School.Level.SMP,
        "Jl. Nusantara Raya, Depok Jaya, Pancoran Mas, Kota Depok",
        "32.76.01.1007",
        "-6.392500",
        "106.815500",
    ),
    DemoSchool(
        "smpn2",
        "20228902",
        "SMP Negeri 2 Depok",
        School.Level.SMP,
        "Jl. Tole Iskandar, Abadijaya, Sukmajaya, Kota Depok",
        "32.76.05.1003",
        "-6.398500",
        "106.844000",
    ),
    DemoSchool(
        "smpn3",
        "20228903",
        "SMP Negeri 3 Depok",
        School.Level.SMP,
        "Jl. Raya Sawangan, Sawangan Baru, Sawangan, Kota Depok",
        "32.76.03.1011",
        "-6.403000",
        "106.770000",
    ),
    DemoSchool(
        "smpn4",
        "20228904",
        "SMP Negeri 4 Depok",
        School.Level.SMP,
        "Jl. Margonda Raya, Kemiri Muka, Beji, Kota Depok",
        "32.76.06.1004",
        "-6.376000",
        "106.829000",
    ),
    DemoSchool(
        "smpn5",
        "20228905",
        "SMP Negeri 5 Depok",
        School.Level.SMP,
        "Jl. Raya Bogor, Tugu, Cimanggis, Kota Depok",
        "32.76.02.1009",
        "-6.370000",
        "106.864000",
    ),
    DemoSchool(
        "smpn6",
        "20228906",
        "SMP Negeri 6 Depok",
        School.Level.SMP,
        "Jl. Kalimulya Raya, Kalimulya, Cilodong, Kota Depok",
        "32.76.08.1004",
        "-6.430000",
        "106.830000",
    ),
    DemoSchool(
        "sdnlimo1",
        "20228911",
        "SD Negeri Limo 1",
        School.Level.SD,
        "Jl. Raya Limo, Limo, Limo, Kota Depok",
        "32.76.04.1004",
        "-6.368000",
        "106.779000",
    ),
    DemoSchool(
        "sdncipayung1",
        "20228912",
        "SD Negeri Cipayung 1",
        School.Level.SD,
        "Jl. Raya Cipayung, Cipayung, Cipayung, Kota Depok",
        "32.76.07.1001",
        "-6.430000",
        "106.800000",
    ),
    DemoSchool(
        "sdnbojongsari1",
        "20228913",
        "SD Negeri Bojongsari 1",
        School.Level.SD,
        "Jl. Raya Bojongsari, Bojongsari, Bojongsari, Kota Depok",
        "32.76.11.1001",
        "-6.400000",
        "106.740000",
    ),
    DemoSchool(
        "sdnjatijajar1",
        "20228914",
        "SD Negeri Jatijajar 1",
        School.Level.SD,
        "Jl. Raya Jatijajar, Jatijajar, Tapos, Kota Depok",
        "32.76.10.1005",
        "-6.418000",
        "106.860000",
    ),
    DemoSchool(
        "sdngandul1",
        "20228915",
        "SD Negeri Gandul 1",
        School.Level.SD,
        "Jl. Gandul Raya, Gandul, Cinere, Kota Depok",
        "32.76.09.1002",
        "-6.352000",
        "106.793000",
    ),
    DemoSchool(
        "sdnpondokcina1",
        "20228916",
        "SD Negeri Pondok Cina 1",
        School.Level.SD,
        "Jl. Margonda Raya, Pondok Cina, Beji, Kota Depok",
        "32.76.06.1005",
        "-6.365000",
        "106.832000",
    ),
]

# The SMP and the SD at the same position in each half of SCHOOLS.
SIBLING_PAIRS = len(SCHOOLS) // 2

# Class groups per level: (grade, name, numbers of the students in it).
CLASS_GROUPS = {
    School.Level.SD: [(4, "4A", range(1, 9))],
    School.Level.SMP: [(7, "7A", range(1, 5)), (7, "7B", range(5, 9))],
}
STUDENTS_PER_SCHOOL = 8

# One shared password per role. These are fixed demo values, printed by
# ``demo_data``, and must never be used outside a demo.
PASSWORDS = {
    "city_admin": "admin-kota-demo",
    "superuser": "superadmin-demo",
    "operator": "operator-demo",
    "teacher": "guru-demo",
    "librarian": "pustaka-demo",
    "student": "siswa-demo",
    "parent": "ortu-demo",
}

# Everyday Indonesian names, combined by index so that the same run always
# produces the same people.
MALE_NAMES = [
    "Muhammad Rizky",
    "Ahmad Fauzan",
    "Dimas",
    "Bagas",
    "Raka",
    "Fajar",
    "Arya",
    "Rafi",
    "Bima",
    "Hafiz",
    "Galih",
    "Yusuf",
]
FEMALE_NAMES = [
    "Siti Aisyah",
    "Putri",
    "Nabila",
    "Salsabila",
    "Aulia",
    "Dewi",
    "Anisa",
    "Zahra",
    "Keisha",
    "Nayla",
    "Citra",
    "Intan",
]
FAMILY_NAMES = [
    "Hidayat",
    "Saputra",
    "Pratama",
    "Nugroho",
    "Kurniawan",
    "Setiawan",
    "Wibowo",
    "Santoso",
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Gunawan",
    "Permana",
    "Ramadhan",
    "Firmansyah",
    "Maulana",
    "Hakim",
]
ADULT_MALE_NAMES = [
    "Budi",
    "Agus",
    "Hendra",
    "Dedi",
    "Wawan",
    "Asep",
    "Bambang",
    "Joko",
    "Eko",
    "Rudi",
    "Iwan",
    "Yudi",
    "Andi",
]
ADULT_FEMALE_NAMES = [
    "Sri Wahyuni",
    "Endang",
    "Rina",
    "Yuni",
    "Nurhayati",
    "Lilis",
    "Dewi",
    "Ratna",
    "Wulan",
    "Tuti",
    "Lina",
    "Ani",
    "Eka",
]
ADULT_FAMILY_NAMES = [
    "Suryani",
    "Santoso",
    "Marlina",
    "Astuti",
    "Supriadi",
    "Setiawan",
    "Saepudin",
    "Gunawan",
    "Rahmawati",
    "Kusuma",
    "Lestari",
    "Susanto",
    "Wijaya",
    "Hartono",
    "Handayani",
    "Purnama",
    "Utami",
]

MAIL_DOMAIN = "belajar.example"

HOME_INTRO = (
    "<p>Selamat datang di platform belajar sekolah-sekolah negeri kota ini. "
    "Siswa mengikuti kursus, kelas langsung dan kuis, serta membaca koleksi "
    "perpustakaan digital bersama. Guru menyiapkan materi dan menilai tugas, "
    "orang tua memantau kemajuan anak, dan pendaftaran peserta didik baru "
    "(PPDB) berlangsung secara daring.</p>"
    "<p>Masuk dengan nama pengguna, NISN, alamat e-mail atau nomor telepon "
    "yang terdaftar di sekolah.</p>"
)


def adult_name(index, sex):
    """Return a (first name, last name) pair for the ``index``-th adult."""
    first_names = ADULT_MALE_NAMES if sex == Sex.MALE else ADULT_FEMALE_NAMES
    # Step the family names by a number coprime to their count, so that
    # consecutive adults rarely share one.
    family = ADULT_FAMILY_NAMES[(index * 5) % len(ADULT_FAMILY_NAMES)]
    return first_names[index % len(first_names)], family


def student_family_name(school_index, number):
    """
    Return the family name of one student.

    Student 01 of the SMP and of the SD at the same position in ``SCHOOLS``
    are siblings, so they share the family name of that position.
    """
    if number == 1:
        return FAMILY_NAMES[school_index % SIBLING_PAIRS]
    rest = FAMILY_NAMES[SIBLING_PAIRS:]
    return rest[(school_index * 7 + number) % len(rest)]


def student_birth_date(year_start, grade, index):
    """
    Return a birth date that fits a student of ``grade`` in the school year.

    A child starts grade 1 in July at the age of six or seven, so a student
    of grade ``g`` in the year starting in ``year_start`` was born in
    ``year_start - 6 - g``.
    """
    return datetime.date(year_start - 6 - grade, 1 + (index * 5) % 12, 1 + index % 28)


def student_nisn(birth_date, school_index, number):
    """
    Return a demo NISN: the birth year's last three digits, then a serial.

    The serial is unique within the demo and means nothing else.
    """
    serial = 1_000_000 + school_index * 1_000 + number
    return f"{birth_date.year % 1000:03d}{serial:07d}"


class DemoBuilder:
    """Build the core of the demo city, reusing rows that already exist."""

    def __init__(self, stdout, today):
        self.stdout = stdout
        self.today = today
        # Hash each role's password once. One PBKDF2 hash took 0.6 s on a
        # 2-core test machine, so hashing per account would add minutes.
        self.password_hashes = {}

    def write(self, message):
        if self.stdout is not None:
            self.stdout.write(message)

    def user(self, username, role, **fields):
        """Return the account ``username``, creating it with ``fields``."""
        if role not in self.password_hashes:
            self.password_hashes[role] = make_password(PASSWORDS[role])
        user = User.objects.filter(username=username).first()
        if user is not None:
            return user
        user = User(username=username, **fields)
        user.password = self.password_hashes[role]
        user.save()
        return user

    # Regions, the school year and the home page

    def build_regions(self):
        for code, name in KECAMATAN:
            Kecamatan.objects.get_or_create(code=code, defaults={"name": name})
        kecamatan = {k.code: k for k in Kecamatan.objects.all()}
        for code, name in KELURAHAN:
            Kelurahan.objects.get_or_create(
                code=code, defaults={"name": name, "kecamatan": kecamatan[code[:8]]}
            )

    def build_school_year(self):
        """Return the current academic year and the semester of today."""
        year = AcademicYear.current()
        if year is None:
            start = self.today.year if self.today.month >= 7 else self.today.year - 1
            year = AcademicYear.for_start_year(start)
            year.is_current = True
            year.save(update_fields=["is_current"])
        start = year.starts_on.year
        halves = {
            Semester.Number.ODD: (year.starts_on, datetime.date(start, 12, 31)),
            Semester.Number.EVEN: (datetime.date(start + 1, 1, 1), year.ends_on),
        }
        for number, (starts_on, ends_on) in halves.items():
            Semester.objects.get_or_create(
                academic_year=year,
                number=number,
                defaults={"starts_on": starts_on, "ends_on": ends_on},
            )
        semesters = year.semesters.order_by("number")
        semester = semesters.filter(
            starts_on__lte=self.today, ends_on__gte=self.today
        ).first()
        return year, semester or semesters.first()

    def build_home_page(self):
        """
        Return the site's home page, replacing Wagtail's welcome page.

        Wagtail's first migration creates a plain "Welcome" page as the root
        of the default site. It is removed only while it is still that plain
        page with nothing under it.
        """
        home = HomePage.objects.first()
        root = Page.get_first_root_node()
        if home is None:
            home = root.add_child(
                instance=HomePage(
                    title=settings.WAGTAIL_SITE_NAME, slug="beranda", intro=HOME_INTRO
                )
            )
            home.save_revision().publish()
            logger.info("demo home page created page=%s", home.pk)

        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save(update_fields=["root_page"])

        welcome = (
            root.get_children()
            .filter(content_type__app_label="wagtailcore", content_type__model="page")
            .exclude(pk=home.pk)
        )
        for page in welcome:
            if page.is_leaf() and not Site.objects.filter(root_page=page).exists():
                page.delete()
        return home

    # Schools and people

    def build_schools(self):
        kelurahan = {k.code: k for k in Kelurahan.objects.all()}
        schools = []
        for spec in SCHOOLS:
            school, _created = School.objects.get_or_create(
                npsn=spec.npsn,
                defaults={
                    "name": spec.name,
                    "level": spec.level,
                    "status": School.Status.PUBLIC,
                    "address": spec.address,
                    "kecamatan_code": kelurahan[spec.kelurahan_code].kecamatan.code,
                    "kelurahan_code": spec.kelurahan_code,
                    "latitude": spec.latitude,
                    "longitude": spec.longitude,
                },
            )
            schools.append(school)
        return schools

    def build_staff(self, world, index, spec, school):
        staff_roles = [
            ("teacher", "guru", Membership.Role.TEACHER, world.teachers, 2),
            ("librarian", "pustakawan", Membership.Role.LIBRARIAN, world.librarians, 1),
            ("operator", "operator", Membership.Role.OPERATOR, world.operators, 1),
        ]
        # Number the adults across schools, so names vary from school to school.
        position = index * sum(count for *_fields, count in staff_roles)
        for role, prefix, membership_role, registry, count in staff_roles:
            people = []
            for number in range(1, count + 1):
                username = f"{prefix}.{spec.code}"
                if count > 1:
                    username = f"{username}.{number:02d}"
                sex = Sex.FEMALE if position % 2 == 0 else Sex.MALE
                first_name, last_name = adult_name(position, sex)
                person = self.user(
                    username,
                    role,
                    first_name=first_name,
                    last_name=last_name,
                    sex=sex,
                    email=f"{username}@{MAIL_DOMAIN}",
                )
                Membership.objects.get_or_create(
                    user=person, school=school, role=membership_role
                )
                people.append(person)
                position += 1
            registry[school.npsn] = people

    def build_students(self, world, index, spec, school):
        teachers = world.teachers[school.npsn]
        students = {}
        groups = []
        for position, (grade, name, numbers) in enumerate(CLASS_GROUPS[spec.level]):
            group, _created = ClassGroup.objects.get_or_create(
                school=school,
                academic_year=world.year,
                name=name,
                defaults={
                    "grade": grade,
                    "homeroom_teacher": teachers[position % len(teachers)],
                },
            )
            groups.append(group)
            for number in numbers:
                students[number] = self.student(
                    world, index, spec, school, grade, number
                )
            group.students.add(*[students[number] for number in numbers])
        world.class_groups[school.npsn] = groups
        world.students[school.npsn] = [students[n] for n in sorted(students)]

    def student(self, world, index, spec, school, grade, number):
        serial = index * STUDENTS_PER_SCHOOL + number
        sex = Sex.MALE if serial % 2 else Sex.FEMALE
        names = MALE_NAMES if sex == Sex.MALE else FEMALE_NAMES
        birth_date = student_birth_date(world.year.starts_on.year, grade, serial)
        student = self.user(
            f"siswa.{spec.code}.{number:02d}",
            "student",
            first_name=names[serial % len(names)],
            last_name=student_family_name(index, number),
            sex=sex,
            birth_date=birth_date,
            nisn=student_nisn(birth_date, index, number),
        )
        Membership.objects.get_or_create(
            user=student, school=school, role=Membership.Role.STUDENT
        )
        return student

    def build_parents(self, world):
        """
        Link parents to students 01 to 03 of every school.

        The mother of student 01 of an SMP is also the mother of student 01
        of the SD at the same position in ``SCHOOLS``. Students 02 and 03
        each have one parent of their own. Parents with an odd number have
        a phone number for phone login, and the others an e-mail address.
        """
        families = []
        for pair in range(SIBLING_PAIRS):
            children = [
                world.students[SCHOOLS[pair].npsn][0],
                world.students[SCHOOLS[pair + SIBLING_PAIRS].npsn][0],
            ]
            families.append((GuardianLink.Relation.MOTHER, children))
        for spec in SCHOOLS:
            second, third = world.students[spec.npsn][1:3]
            families.append((GuardianLink.Relation.FATHER, [second]))
            families.append((GuardianLink.Relation.MOTHER, [third]))

        for number, (relation, children) in enumerate(families, start=1):
            world.parents.append(self.parent(number, relation, children))

    def parent(self, number, relation, children):
        username = f"ortu.{number:02d}"
        sex = Sex.MALE if relation == GuardianLink.Relation.FATHER else Sex.FEMALE
        first_name, last_name = adult_name(100 + number, sex)
        if sex == Sex.MALE:
            # A father passes his family name on to his children.
            last_name = children[0].last_name
        if number % 2:
            contact = {"phone": f"08128{number:07d}"}
        else:
            contact = {"email": f"{username}@{MAIL_DOMAIN}"}
        parent = self.user(
            username,
            "parent",
            first_name=first_name,
            last_name=last_name,
            sex=sex,
            **contact,
        )
        for child in children:
            GuardianLink.objects.get_or_create(
                guardian=parent, child=child, defaults={"relation": relation}
            )
        return parent

    def build_admins(self):
        city_admin = self.user(
            "admin.kota",
            "city_admin",
            first_name="Rahmat",
            last_name="Hidayat",
            sex=Sex.MALE,
            email=f"admin.kota@{MAIL_DOMAIN}",
            is_city_admin=True,
            is_staff=True,
        )
        superuser = self.user(
            "superadmin",
            "superuser",
            first_name="Super",
            last_name="Admin",
            email=f"superadmin@{MAIL_DOMAIN}",
            is_staff=True,
            is_superuser=True,
        )
        return city_admin, superuser


def build_city(stdout=None, today=None, progress=None):
    """
    Build the core of the demo city and return it as a ``DemoWorld``.

    ``stdout`` receives one line per step; ``progress`` wraps the loop over
    schools (for example ``tqdm``). Runs in one transaction.
    """
    builder = DemoBuilder(stdout, today or timezone.localdate())
    progress = progress or (lambda iterable, **kwargs: iterable)

    with transaction.atomic():
        builder.write(_("Kecamatan and kelurahan"))
        builder.build_regions()

        builder.write(_("School year, home page and city admin"))
        year, semester = builder.build_school_year()
        home = builder.build_home_page()
        city_admin, superuser = builder.build_admins()
        world = DemoWorld(
            home=home, year=year, semester=semester, city_admin=city_admin
        )

        builder.write(_("Schools, staff and students"))
        world.schools = builder.build_schools()
        pairs = list(zip(SCHOOLS, world.schools, strict=True))
        for index, (spec, school) in enumerate(progress(pairs, unit="school")):
            builder.build_staff(world, index, spec, school)
            builder.build_students(world, index, spec, school)

        builder.write(_("Parents"))
        builder.build_parents(world)

    world.accounts = demo_accounts(world, superuser)
    return world


def demo_accounts(world, superuser):
    """Return the accounts to print: every admin and one of each school role."""
    first = world.schools[0]
    sd = next(school for school in world.schools if school.level == School.Level.SD)
    student = world.students[first.npsn][0]
    parent_with_phone = next(parent for parent in world.parents if parent.phone)
    rows = [
        (_("city admin"), world.city_admin, "city_admin", ""),
        (_("superuser"), superuser, "superuser", _("Django admin at /django-admin/")),
        (_("school operator"), world.operators[first.npsn][0], "operator", ""),
        (_("teacher"), world.teachers[first.npsn][0], "teacher", ""),
        (_("librarian"), world.librarians[first.npsn][0], "librarian", ""),
        (
            _("student"),
            student,
            "student",
            _("or log in with NISN %(nisn)s") % {"nisn": student.nisn},
        ),
        (_("student"), world.students[sd.npsn][0], "student", sd.name),
        (
            _("parent"),
            parent_with_phone,
            "parent",
            _("or log in with phone %(phone)s") % {"phone": parent_with_phone.phone},
        ),
    ]
    return [
        (role, user.username, PASSWORDS[password_role], note)
        for role, user, password_role, note in rows
    ]
