"""
Demo content of the registration: the SMP period's rule set, its schools
and a few applications from the demo parents.

Applications go through ``services.submit``, like a parent's form, with a
fixed submission token each, so building the demo again finds them instead
of adding more.
"""

import datetime
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.models import School

from ..models import AdmissionPeriod, PeriodSchool
from . import services
from .forms import PRIVACY_NOTICE_VERSION

logger = logging.getLogger(__name__)

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "depok-smp-2025.toml"

# New students per demo SMP: three classes of 32.
CAPACITY = 96

# A one-page PDF and the start of a JPEG: enough for the content check.
DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
DEMO_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@dataclass(frozen=True)
class DemoChild:
    """A demo child. ``nik_mismatch`` gives the operator an identity flag."""

    name: str
    sex: str
    track: str
    kelurahan: str
    latitude: str
    longitude: str
    score: str | None = None
    documents: dict = field(default_factory=dict)
    nik_mismatch: bool = False


CHILDREN = [
    DemoChild("Rizky Pratama", "L", "domisili", "32.76.01.1007", "-6.3918", "106.8124"),
    DemoChild("Siti Aisyah", "P", "domisili", "32.76.05.1003", "-6.3999", "106.8417"),
    DemoChild(
        "Dewi Lestari",
        "P",
        "afirmasi_ekonomi",
        "32.76.03.1011",
        "-6.4041",
        "106.7723",
        documents={"kip": "kip.pdf"},
    ),
    DemoChild(
        "Fajar Nugroho",
        "L",
        "prestasi_akademik",
        "32.76.01.1007",
        "-6.3933",
        "106.8170",
        score="88.50",
        documents={"report_card": "rapor.pdf"},
    ),
    DemoChild(
        "Putri Maharani",
        "P",
        "domisili",
        "32.76.05.1003",
        "-6.4012",
        "106.8465",
        nik_mismatch=True,
    ),
]


def rules_for(period):
    """Return Depok's SMP rule set moved to the period's school year."""
    reference = period.academic_year.starts_on
    kk_date = reference.replace(year=reference.year - 1)
    text = RULES_PATH.read_text(encoding="utf-8")
    text = text.replace("reference_date = 2025-07-01", f"reference_date = {reference}")
    text = text.replace("date = 2024-07-01", f"date = {kk_date}")
    return text.replace('name = "SPMB SMP Kota Depok 2025"', f'name = "{period.name}"')


def build(world, period, stdout):
    """Give the SMP demo ``period`` its rules, schools and applications."""
    if period.level != AdmissionPeriod.Level.SMP:
        return
    if not period.rules_toml:
        period.rules_toml = rules_for(period)
        period.save(update_fields=["rules_toml", "updated_at"])
        period = AdmissionPeriod.objects.get(pk=period.pk)

    schools = [school for school in world.schools if school.level == School.Level.SMP]
    entries = [
        PeriodSchool.objects.get_or_create(
            period=period, school=school, defaults={"capacity": CAPACITY}
        )[0]
        for school in schools
    ]
    if not entries or not world.parents:
        return
    created = 0
    for index, child in enumerate(CHILDREN):
        parent = world.parents[index % len(world.parents)]
        choices = [entries[(index + offset) % len(entries)] for offset in range(3)]
        _application, is_new = services.submit(
            period,
            parent,
            _child_data(period, index, child, choices),
            consent=(PRIVACY_NOTICE_VERSION, timezone.now()),
        )
        created += int(is_new)
    logger.info("demo applications built period=%s created=%s", period.pk, created)
    stdout.write(
        _("%(period)s: %(schools)s schools, %(created)s new demo applications.")
        % {"period": period.name, "schools": len(entries), "created": created}
    )


def _child_data(period, index, child, choices):
    reference = period.academic_year.starts_on
    birth_date = reference.replace(year=reference.year - 12) - datetime.timedelta(
        days=30 * index + 45
    )
    nik_date = birth_date
    if child.nik_mismatch:
        nik_date += datetime.timedelta(days=1)
    day = nik_date.day + (40 if child.sex == "P" else 0)
    nik = f"327601{day:02d}{nik_date.month:02d}{nik_date.year % 100:02d}{index + 1:04d}"
    flags = ["nik_birth_date_mismatch"] if child.nik_mismatch else []
    uploads = {
        "kk": _upload("kk.pdf", DEMO_PDF),
        "birth_certificate": _upload("akta-kelahiran.jpg", DEMO_JPEG),
    }
    for kind, file_name in child.documents.items():
        uploads[kind] = _upload(file_name, DEMO_PDF)
    return {
        "submission_token": f"demo-{period.pk}-child-{index + 1:02d}",
        "track": child.track,
        "full_name": child.name,
        "nik": nik,
        "nisn": f"{3120000001 + index:010d}",
        "birth_place": "Depok",
        "birth_date": birth_date,
        "sex": child.sex,
        "identity_flags": flags,
        "kk_number": f"3276010101{index + 1:06d}",
        "kk_issued_on": reference.replace(year=reference.year - 5),
        "kk_reissue_reason": "",
        "address": f"Jl. Contoh No. {index + 1}, Kota Depok",
        "kelurahan_code": child.kelurahan,
        "latitude": child.latitude,
        "longitude": child.longitude,
        "previous_school_name": "SD Negeri Depok Contoh",
        "previous_school_npsn": "",
        "score": child.score,
        "choices": choices,
        "documents": uploads,
    }


def _upload(name, content):
    upload = SimpleUploadedFile(name, content)
    # The form records the sniffed type; these contents are known.
    upload.sniffed_content_type = (
        "application/pdf" if content.startswith(b"%PDF") else "image/jpeg"
    )
    return upload
