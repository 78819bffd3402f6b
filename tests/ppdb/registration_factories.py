"""
Build what the registration tests need: a period with a rule set and
schools, the city's kelurahan, form data that passes, and small documents.

The rule set is Kota Depok's SMP rule set with its dates moved to the
period's school year, so ages and family card dates in the tests are
written relative to ``REFERENCE`` (1 July of the year the school year
starts).
"""

import datetime
import itertools
import secrets
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lms.models import Kecamatan, Kelurahan
from ppdb.models import AdmissionPeriod, PeriodSchool
from tests.factories import make_school

from .factories import make_period, next_academic_year

RULES_PATH = (
    Path(__file__).resolve().parents[2] / "ppdb" / "rules" / "depok-smp-2025.toml"
)

# A place inside the default city boundary (Pancoran Mas, Depok) and one
# outside it (central Jakarta).
INSIDE = ("-6.400000", "106.805000")
OUTSIDE = ("-6.175000", "106.827000")

KELURAHAN_CODE = "32.76.01.1001"

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32

_nik_serial = itertools.count(1)


def reference_date():
    """Return the reference date of the test rule set: 1 July of next year."""
    return next_academic_year().starts_on


def rules_toml(choices=3, mechanism="deferred_acceptance", extra=""):
    """Return Depok's SMP rule set moved to the period's school year."""
    reference = reference_date()
    text = RULES_PATH.read_text(encoding="utf-8")
    text = text.replace("reference_date = 2025-07-01", f"reference_date = {reference}")
    kk_date = reference.replace(year=reference.year - 1)
    text = text.replace("date = 2024-07-01", f"date = {kk_date}")
    text = text.replace("choices = 3", f"choices = {choices}")
    text = text.replace(
        'mechanism = "deferred_acceptance"', f'mechanism = "{mechanism}"'
    )
    return text + extra


def make_kelurahan(code=KELURAHAN_CODE, name="Pancoran Mas"):
    kecamatan, _created = Kecamatan.objects.get_or_create(
        code=code[:8], defaults={"name": "Pancoran Mas"}
    )
    kelurahan, _created = Kelurahan.objects.get_or_create(
        code=code, defaults={"name": name, "kecamatan": kecamatan}
    )
    return kelurahan


def make_registration_period(schools=3, capacity=32, rules=None, **kwargs):
    """Return an SMP period open for registration, with rules and schools."""
    kwargs.setdefault("level", AdmissionPeriod.Level.SMP)
    period = make_period(**kwargs)
    period.rules_toml = rules if rules is not None else rules_toml()
    period.save(update_fields=["rules_toml", "updated_at"])
    for _index in range(schools):
        PeriodSchool.objects.create(
            period=period,
            school=make_school(latitude="-6.395000", longitude="106.810000"),
            capacity=capacity,
        )
    make_kelurahan()
    return AdmissionPeriod.objects.get(pk=period.pk)


def nik_for(birth_date, sex="L", region="327601"):
    """Return a NIK whose embedded birth date and sex match."""
    day = birth_date.day + (40 if sex == "P" else 0)
    serial = next(_nik_serial) % 10000
    birth = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    return f"{region}{birth}{serial:04d}"


def child_birth_date(years=12):
    """Return the birth date of a child ``years`` old on the reference date."""
    reference = reference_date()
    return reference.replace(year=reference.year - years) - datetime.timedelta(days=40)


def form_data(period, **overrides):
    """Return registration POST data that the form accepts, domisili track."""
    birth_date = overrides.pop("birth_date", child_birth_date())
    sex = overrides.pop("sex", "L")
    schools = list(PeriodSchool.objects.filter(period=period).order_by("pk"))
    kk_issued_on = reference_date().replace(year=reference_date().year - 3)
    data = {
        "submission_token": secrets.token_urlsafe(24),
        "full_name": "Budi Santoso",
        "nik": nik_for(birth_date, sex),
        "nisn": "0123456789",
        "birth_place": "Depok",
        "birth_date": birth_date.isoformat(),
        "sex": sex,
        "kk_number": "3276010101010001",
        "kk_issued_on": kk_issued_on.isoformat(),
        "kk_reissue_reason": "",
        "address": "Jl. Nusantara No. 1, Depok",
        "kelurahan_code": KELURAHAN_CODE,
        "latitude": INSIDE[0],
        "longitude": INSIDE[1],
        "previous_school_name": "SD Negeri Depok 1",
        "previous_school_npsn": "20200001",
        "track": "domisili",
        "score": "",
        "choice_1": str(schools[0].pk),
        "choice_2": str(schools[1].pk) if len(schools) > 1 else "",
    }
    data.update(documents())
    data.update(overrides)
    return data


def upload(name, content):
    return SimpleUploadedFile(name, content)


def documents(**kinds):
    """Return the family card and birth certificate uploads, plus ``kinds``."""
    files = {
        "document_kk": upload("kk.pdf", PDF),
        "document_birth_certificate": upload("akta.jpg", JPEG),
    }
    for kind, (name, content) in kinds.items():
        files[f"document_{kind}"] = upload(name, content)
    return files


def give_consent(client, period):
    """Post the consent form, as the first step of registration does."""
    response = client.post(reverse("ppdb:register", args=[period.pk]), {"agree": "on"})
    assert response.status_code == 302, response.content[:500]
    return response
