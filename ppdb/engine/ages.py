"""Ages on the reference date, compared as birth dates, never whole years."""

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgeSpan:
    """An age in completed years and months, written ``"5y6m"`` in TOML."""

    years: int
    months: int = 0

    def __str__(self):
        return f"{self.years}y{self.months}m" if self.months else f"{self.years}y"


def shift(day, years=0, months=0):
    """
    Return ``day`` moved by whole years and months.

    A day that does not exist in the target month becomes that month's last
    day, so 29 February minus one year is 28 February.
    """
    month_index = day.year * 12 + (day.month - 1) + years * 12 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def born_by(reference_date, span):
    """Return the latest birth date of a child at least ``span`` old."""
    return shift(reference_date, years=-span.years, months=-span.months)


def next_unit(span):
    """Return ``span`` plus one of its smallest written unit."""
    if span.months:
        years, months = divmod(span.years * 12 + span.months + 1, 12)
        return AgeSpan(years, months)
    return AgeSpan(span.years + 1, 0)
