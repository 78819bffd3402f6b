"""Periods with schools and applications, for the verification, seat and
import tests."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from ppdb.models import Application, ApplicationChoice, PeriodSchool
from tests.factories import make_school, make_user
from tests.ppdb.engine.helpers import DEPOK_SMP
from tests.ppdb.factories import make_period

DEPOK_RULES = DEPOK_SMP.read_text()
# A home in Beji, Kota Depok, inside the demo boundary.
HOME = (Decimal("-6.380000"), Decimal("106.820000"))
_serial = itertools.count(1)


def make_admission(capacity=32, schools=2, **period_fields):
    """Return a period with the Depok SMP rules and its ``PeriodSchool`` rows."""
    period = make_period(**period_fields)
    period.rules_toml = DEPOK_RULES
    period.save(update_fields=["rules_toml"])
    period_schools = []
    for index in range(schools):
        school = make_school(
            latitude=Decimal("-6.390000") - Decimal(index) / 100,
            longitude=Decimal("106.820000"),
        )
        period_schools.append(
            PeriodSchool.objects.create(period=period, school=school, capacity=capacity)
        )
    return period, period_schools


def make_application(period, choices, parent=None, **fields):
    """Return a submitted application with ``choices`` (``PeriodSchool`` rows)."""
    serial = next(_serial)
    now = timezone.now().replace(microsecond=0)
    values = {
        "period": period,
        "parent": parent or make_user(),
        "registration_number": f"SMP-2099-{serial:06d}",
        "submission_token": f"token-{serial}",
        "track": "domisili",
        "full_name": f"Anak Nomor {serial}",
        "nik": f"3276010503{12:02d}{serial:04d}",
        "birth_place": "Depok",
        "birth_date": datetime.date(2012, 3, 5),
        "sex": "L",
        "kk_number": f"327601010120{serial:04d}",
        "kk_issued_on": datetime.date(2024, 1, 10),
        "address": "Jl. Margonda Raya 1",
        "kelurahan_code": "32.76.06.1001",
        "latitude": HOME[0],
        "longitude": HOME[1],
        "consent_version": "2025-1",
        "consented_at": now,
        "submitted_at": now,
    }
    values.update(fields)
    application = Application.objects.create(**values)
    for rank, period_school in enumerate(choices, start=1):
        ApplicationChoice.objects.create(
            application=application, rank=rank, period_school=period_school
        )
    return application
