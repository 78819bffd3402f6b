"""
Demo admission periods: one for SMP and one for SD, open for registration.

The dates are computed from the day the demo is built, so the demo always
shows a registration that is open now, followed by verification, the
announcement and re-registration.
"""

import datetime
import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AdmissionPeriod, Stage
from .registration import demo as registration_demo

logger = logging.getLogger(__name__)

# Each stage as (kind, Indonesian name, first day, last day), with days
# counted from the day the demo is built. Stages open at 08:00 on their first
# day and close at 16:00 local time on their last day.
SCHEDULE = [
    (Stage.Kind.REGISTRATION, "Pendaftaran", -2, 7),
    (Stage.Kind.VERIFICATION, "Verifikasi berkas", 8, 11),
    (Stage.Kind.ANNOUNCEMENT, "Pengumuman hasil seleksi", 13, 14),
    (Stage.Kind.REREGISTRATION, "Daftar ulang", 15, 19),
]

DESCRIPTIONS = {
    AdmissionPeriod.Level.SMP: (
        "Pendaftaran peserta didik baru kelas 7 SMP negeri. Calon peserta "
        "didik adalah lulusan SD atau sederajat yang berusia paling tinggi "
        "15 tahun pada 1 Juli.\n\n"
        "Siapkan Kartu Keluarga, akta kelahiran, ijazah atau surat keterangan "
        "lulus SD, dan rapor kelas 4 sampai 6 untuk jalur prestasi."
    ),
    AdmissionPeriod.Level.SD: (
        "Pendaftaran peserta didik baru kelas 1 SD negeri. Anak berusia 7 "
        "tahun pada 1 Juli diutamakan; anak berusia paling rendah 6 tahun "
        "juga dapat mendaftar.\n\n"
        "Siapkan Kartu Keluarga dan akta kelahiran anak."
    ),
}


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(world, stdout):
    """Create or refresh the demo SMP and SD admission periods."""
    today = timezone.localdate()
    now = timezone.now()
    year = world.year.next_year()
    for level in (AdmissionPeriod.Level.SMP, AdmissionPeriod.Level.SD):
        period, created = AdmissionPeriod.objects.get_or_create(
            academic_year=year,
            level=level,
            name=f"PPDB {level} {year.name}",
            defaults={"is_published": True, "description": DESCRIPTIONS[level]},
        )
        # A demo built on an earlier day may have closed by now: move its
        # schedule so that registration is open again.
        if created or not period.is_open(now):
            for kind, name, first_day, last_day in SCHEDULE:
                Stage.objects.update_or_create(
                    period=period,
                    kind=kind,
                    defaults={
                        "name": name,
                        "opens_at": _at(today + datetime.timedelta(first_day), 8),
                        "closes_at": _at(today + datetime.timedelta(last_day), 16),
                    },
                )
            logger.info("demo admission period scheduled period=%s", period.pk)
        stdout.write(
            _("Admission period %(name)s: registration open until %(closes)s.")
            % {
                "name": period.name,
                "closes": timezone.localtime(
                    period.stages.get(kind=Stage.Kind.REGISTRATION).closes_at
                ).strftime("%Y-%m-%d %H:%M"),
            }
        )
        registration_demo.build(world, period, stdout)
