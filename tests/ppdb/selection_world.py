"""
Build admission periods with schools and applications for selection tests.

``make_selection_period(phase=...)`` places the schedule so that ``now``
falls in the named stage. Applications are created directly, as if
registered and verified, with the fields the selection reads.
"""

import datetime
import itertools
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from ppdb.models import (
    AdmissionPeriod,
    Application,
    ApplicationChoice,
    PeriodSchool,
    Stage,
)
from tests.factories import make_school, make_user
from tests.ppdb.engine.helpers import DEPOK_SMP
from tests.ppdb.factories import next_academic_year

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
# Homes and schools near the centre of Kota Depok.
CENTRE = (Decimal("-6.400000"), Decimal("106.800000"))
# About 111 m of latitude.
STEP = Decimal("0.001000")
PHASES = (
    "registration",
    "verification",
    "announcement",
    "objection",
    "re_registration",
    "fill_round",
)
_serial = itertools.count(1)


def make_selection_period(phase="verification", now=None, rules_toml=None, **fields):
    """
    Return an SMP period under the Depok 2025 rules with all six stages.

    Each stage lasts two days and the next follows at once; ``now`` falls
    on the first day of ``phase``.
    """
    now = now or timezone.now()
    fields.setdefault("name", f"PPDB SMP {next(_serial)}")
    fields.setdefault("public_name_format", "first_name_initials")
    period = AdmissionPeriod.objects.create(
        level=AdmissionPeriod.Level.SMP,
        academic_year=next_academic_year(),
        is_published=True,
        rules_toml=rules_toml or DEPOK_SMP.read_text(encoding="utf-8"),
        **fields,
    )
    day = datetime.timedelta(days=2)
    start = now - datetime.timedelta(hours=1) - PHASES.index(phase) * day
    for kind in PHASES:
        Stage.objects.create(
            period=period, kind=kind, opens_at=start, closes_at=start + day
        )
        start += day
    return period


def make_period_school(period, capacity=10, offset=0, name=None):
    """Add a school ``offset`` steps east of the centre, with ``capacity``."""
    school = make_school(
        name=name,
        latitude=CENTRE[0],
        longitude=CENTRE[1] + STEP * offset,
    )
    return PeriodSchool.objects.create(period=period, school=school, capacity=capacity)


def make_application(
    period,
    choices,
    *,
    parent=None,
    north=1,
    track="domisili",
    status=Application.Status.VERIFIED,
    birth_date=datetime.date(2012, 5, 5),
    score=None,
    full_name=None,
    submitted_at=None,
    kk_issued_on=datetime.date(2023, 1, 10),
    east=0,
):
    """
    Create an application whose home is ``north`` steps north of the centre.

    ``choices`` are ``PeriodSchool`` rows, first choice first.
    """
    serial = next(_serial)
    parent = parent or make_user()
    application = Application.objects.create(
        period=period,
        parent=parent,
        registration_number=f"SMP-2025-{serial:06d}",
        submission_token=f"token-{serial}",
        status=status,
        track=track,
        full_name=full_name or f"Anak Nomor {serial} Putra",
        nik=f"3276014505{serial % 100:02d}{serial % 10000:04d}",
        birth_place="Depok",
        birth_date=birth_date,
        sex="L",
        kk_number=f"32760100000{serial % 100000:05d}",
        kk_issued_on=kk_issued_on,
        address=f"Jalan Margonda {serial}",
        kelurahan_code="32.76.01.1001",
        latitude=CENTRE[0] + STEP * north,
        longitude=CENTRE[1] + STEP * east,
        score=score,
        consent_version="2025-1",
        consented_at=timezone.now(),
        submitted_at=submitted_at
        or datetime.datetime(2025, 6, 2, 8, 0, serial % 60, tzinfo=WIB),
    )
    for rank, period_school in enumerate(choices, start=1):
        ApplicationChoice.objects.create(
            application=application, rank=rank, period_school=period_school
        )
    return application


def make_city_admin():
    return make_user(is_city_admin=True)
