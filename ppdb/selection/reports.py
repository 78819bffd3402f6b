"""
Figures of a run for the education office: per school and track, and per day.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Application, PeriodSchool
from .charts import column_chart, seat_fill_chart
from .explanations import describe_cutoff, track_label


@dataclass
class ProgramRow:
    npsn: str
    school_name: str
    track: str
    track_label: str
    initial_seats: int
    seats: int
    applicants: int
    accepted: int
    cutoff: list
    moved_in: int
    moved_out: int


def cutoff_text(pairs):
    return ";".join(f"{key}={value}" for key, value in pairs)


def program_rows(run):
    """Return one ``ProgramRow`` per school and track of ``run``."""
    names = dict(
        PeriodSchool.objects.filter(period_id=run.period_id).values_list(
            "school__npsn", "school__name"
        )
    )
    moved_in, moved_out = Counter(), Counter()
    for move in run.summary.get("moves", []):
        moved_out[move["npsn"], move["source"]] += move["count"]
        moved_in[move["npsn"], move["target"]] += move["count"]
    rows = []
    for program in run.summary.get("programs", []):
        key = (program["npsn"], program["track"])
        rows.append(
            ProgramRow(
                npsn=program["npsn"],
                school_name=names.get(program["npsn"], program["npsn"]),
                track=program["track"],
                track_label=str(track_label(program["track"])),
                initial_seats=program["initial_seats"],
                seats=program["seats"],
                applicants=program["applicants"],
                accepted=program["accepted"],
                cutoff=describe_cutoff(cutoff_text(program["cutoff"])),
                moved_in=moved_in[key],
                moved_out=moved_out[key],
            )
        )
    rows.sort(key=lambda row: (row.school_name, row.npsn))
    return rows


def seat_fill(rows):
    """Return ``[(school name, seats, accepted)]`` summed over tracks."""
    totals = defaultdict(lambda: [0, 0])
    for row in rows:
        totals[row.school_name][0] += row.seats
        totals[row.school_name][1] += row.accepted
    return [(name, seats, filled) for name, (seats, filled) in sorted(totals.items())]


def applications_per_day(period):
    """Return ``[(date, count)]`` of submitted applications per local day."""
    counts = dict(
        Application.objects.filter(period=period)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    if not counts:
        return []
    first, last = min(counts), max(counts)
    days = []
    day = first
    while day <= last:
        days.append((day, counts.get(day, 0)))
        day += datetime.timedelta(days=1)
    return days


def charts(rows, per_day):
    """Return the two report charts as SVG markup."""
    fill = seat_fill(rows)
    fill_chart = seat_fill_chart(
        fill,
        title=_("Seat fill per school"),
        description=_(
            "Accepted applicants against seats, summed over all tracks, "
            "for %(count)s schools."
        )
        % {"count": len(fill)},
    )
    day_chart = column_chart(
        [(formats.date_format(day, "j M"), count) for day, count in per_day],
        title=_("Applications per day"),
        description=_("Applications submitted on each day, %(total)s in all.")
        % {"total": sum(count for _day, count in per_day)},
    )
    return fill_chart, day_chart
