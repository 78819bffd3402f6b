"""
The input of a selection run, frozen into the engine's file formats.

A snapshot is a ZIP archive of ``rules.toml``, ``schools.csv`` and
``applicants.csv`` exactly as ``ppdb_simulate`` reads them (ppdb/RULES.md
documents the columns), so anyone can repeat a run from its snapshot alone.
The archive's entries carry a fixed timestamp, so the same data gives the
same bytes.
"""

import csv
import io
import zipfile
import zoneinfo
from collections import defaultdict

from ..engine.inputs import APPLICANT_COLUMNS, SCHOOL_COLUMNS
from ..engine.rules import MAX_CHOICES
from ..models import Application, ApplicationChoice, PeriodSchool, SeatOverride

RULES_NAME = "rules.toml"
SCHOOLS_NAME = "schools.csv"
APPLICANTS_NAME = "applicants.csv"
# 1980-01-01 00:00, the earliest time a ZIP entry can carry.
ENTRY_TIME = (1980, 1, 1, 0, 0, 0)

# Applications that take part in a run: every status except withdrawn and
# cancelled. Those not verified are written with ``verified`` false, so
# that each parent gets a result with its reason.
TAKING_PART = (
    Application.Status.SUBMITTED,
    Application.Status.NEEDS_FIX,
    Application.Status.VERIFIED,
    Application.Status.INELIGIBLE,
)


class Snapshot:
    """The three input files of one run, as text."""

    def __init__(self, rules_toml, schools_csv, applicants_csv):
        self.rules_toml = rules_toml
        self.schools_csv = schools_csv
        self.applicants_csv = applicants_csv

    def to_zip(self):
        """Return the snapshot as the bytes of a ZIP archive."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in self.entries():
                info = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"))
        return buffer.getvalue()

    def entries(self):
        return [
            (RULES_NAME, self.rules_toml),
            (SCHOOLS_NAME, self.schools_csv),
            (APPLICANTS_NAME, self.applicants_csv),
        ]

    def write_to(self, folder):
        """Write the three files into ``folder``; return their paths by name."""
        paths = {}
        for name, text in self.entries():
            path = folder / name
            path.write_text(text, encoding="utf-8", newline="")
            paths[name] = path
        return paths

    @classmethod
    def from_zip(cls, data):
        """Read a snapshot from the bytes of its ZIP archive."""
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [
                archive.read(name).decode("utf-8")
                for name in (RULES_NAME, SCHOOLS_NAME, APPLICANTS_NAME)
            ]
        return cls(*texts)


def _csv_text(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _decimal_text(value):
    return "" if value is None else format(value, "f")


def current_overrides(period):
    """Return ``{(period_school_id, track): seats}`` of the overrides in force."""
    overrides = {}
    # Newest first within each school and track, so setdefault keeps the
    # override in force.
    for override in SeatOverride.objects.filter(period_school__period=period).order_by(
        "period_school", "track", "-set_at", "-id"
    ):
        overrides.setdefault((override.period_school_id, override.track), override)
    return {key: override.seats for key, override in overrides.items()}


def schools_csv(period, rules, seats=None):
    """
    Return SCHOOLS.csv of the period's schools.

    ``seats``, when given, maps ``(period_school_id, track)`` to seats that
    replace every track's figure (a fill round offers only unclaimed
    seats). Otherwise the seat overrides in force are written.
    """
    schools = list(
        PeriodSchool.objects.filter(period=period)
        .select_related("school")
        .order_by("school__npsn")
    )
    overrides = current_overrides(period) if seats is None else seats
    tracks = [
        track
        for track in rules.tracks
        if any((school.pk, track) in overrides for school in schools)
    ]
    header = [*SCHOOL_COLUMNS, *(f"seats_{track}" for track in tracks)]
    rows = []
    for period_school in schools:
        school = period_school.school
        rows.append(
            [
                school.npsn,
                school.name,
                _decimal_text(school.latitude),
                _decimal_text(school.longitude),
                period_school.capacity,
                *(overrides.get((period_school.pk, track), "") for track in tracks),
            ]
        )
    return _csv_text(header, rows)


def applicants_csv(period, rules, applications=None):
    """
    Return APPLICANTS.csv of the applications taking part in a run.

    ``applications``, when given, is the queryset to write. The default is
    every application of the period with a status in ``TAKING_PART``. Submission
    times are written to the second in the rule set's time zone, and
    kelurahan codes without their dots, as the engine reads them.
    """
    if applications is None:
        applications = Application.objects.filter(period=period, status__in=TAKING_PART)
    zone = zoneinfo.ZoneInfo(rules.timezone)
    choices = defaultdict(dict)
    rows_of_choices = ApplicationChoice.objects.filter(
        application__in=applications
    ).values_list("application_id", "rank", "period_school__school__npsn")
    for application_id, rank, npsn in rows_of_choices:
        choices[application_id][rank] = npsn
    rows = []
    for application in applications.order_by("registration_number").iterator():
        chosen = choices.get(application.pk, {})
        rows.append(
            [
                application.registration_number,
                application.full_name,
                application.birth_date.isoformat(),
                application.sex,
                application.track,
                _decimal_text(application.latitude),
                _decimal_text(application.longitude),
                _decimal_text(application.score),
                application.submitted_at.astimezone(zone).isoformat(timespec="seconds"),
                application.kk_issued_on.isoformat()
                if application.kk_issued_on
                else "",
                "true" if application.recommendation else "false",
                *(chosen.get(rank, "") for rank in range(1, MAX_CHOICES + 1)),
                "true"
                if application.status == Application.Status.VERIFIED
                else "false",
                application.kelurahan_code.replace(".", ""),
            ]
        )
    return _csv_text([*APPLICANT_COLUMNS, "kelurahan"], rows)


def take_snapshot(period, rules, applications=None, seats=None):
    """Return the ``Snapshot`` of ``period`` with its current data."""
    return Snapshot(
        period.rules_toml,
        schools_csv(period, rules, seats),
        applicants_csv(period, rules, applications),
    )
