"""Build admission periods and stages for tests; other suites may import these."""

import datetime

from django.utils import timezone

from lms.models import AcademicYear
from ppdb.models import AdmissionPeriod, Stage


def next_academic_year(today=None):
    today = today or timezone.localdate()
    start_year = today.year if today.month >= 7 else today.year - 1
    return AcademicYear.for_start_year(start_year + 1)


def make_period(
    name="PPDB SMP",
    level=AdmissionPeriod.Level.SMP,
    is_published=True,
    registration_open=True,
    now=None,
    description="",
):
    """
    Return a period with the four stages, one day apart after registration.

    Registration runs from a day before ``now`` to five days after it when
    ``registration_open``, else it starts ten days after ``now``.
    """
    now = now or timezone.now()
    period = AdmissionPeriod.objects.create(
        name=name,
        level=level,
        academic_year=next_academic_year(),
        is_published=is_published,
        description=description,
    )
    start = now - datetime.timedelta(days=1)
    if not registration_open:
        start = now + datetime.timedelta(days=10)
    day = datetime.timedelta(days=1)
    kinds = [
        (Stage.Kind.REGISTRATION, 6),
        (Stage.Kind.VERIFICATION, 3),
        (Stage.Kind.ANNOUNCEMENT, 1),
        (Stage.Kind.REREGISTRATION, 3),
    ]
    for kind, length in kinds:
        Stage.objects.create(
            period=period, kind=kind, opens_at=start, closes_at=start + length * day
        )
        start = start + (length + 1) * day
    return period
