"""
Read the usage counts back: monthly series, school summaries and chart shapes.

The chart is drawn on the server as SVG, so it needs no JavaScript. Every
chart comes with the same numbers as a table for screen readers.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from .models import ItemUsage

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


@dataclass
class MonthUsage:
    month: datetime.date
    views: int = 0
    downloads: int = 0


def month_starts(last_month, count):
    """Return the first days of ``count`` months up to ``last_month``, oldest first."""
    months = []
    year, month = last_month.year, last_month.month
    for _index in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def monthly_series(usage_rows, today, months=DEFAULT_MONTHS):
    """
    Return one ``MonthUsage`` per month for the ``months`` months up to ``today``.

    ``usage_rows`` are dicts with ``month``, ``views`` and ``downloads``;
    months without a row count zero.
    """
    series = {start: MonthUsage(start) for start in month_starts(today, months)}
    for row in usage_rows:
        entry = series.get(row["month"])
        if entry is not None:
            entry.views += row["views"] or 0
            entry.downloads += row["downloads"] or 0
    return list(series.values())


def item_series(item, today, months=DEFAULT_MONTHS):
    """Return the monthly views and downloads of ``item``."""
    first = month_starts(today, months)[0]
    rows = ItemUsage.objects.filter(item=item, month__gte=first).values(
        "month", "views", "downloads"
    )
    return monthly_series(rows, today, months)


def school_series(school, today, months=DEFAULT_MONTHS):
    """Return the monthly views and downloads of all items of ``school``."""
    first = month_starts(today, months)[0]
    rows = (
        ItemUsage.objects.filter(item__school=school, month__gte=first)
        .values("month")
        .annotate(views=Sum("views"), downloads=Sum("downloads"))
        .order_by("month")
    )
    return monthly_series(rows, today, months)


def top_items(school, today, months=DEFAULT_MONTHS, limit=10):
    """Return the most used items of ``school`` in the period, with their totals."""
    first = month_starts(today, months)[0]
    return list(
        ItemUsage.objects.filter(item__school=school, month__gte=first)
        .values("item", "item__title")
        .annotate(views=Sum("views"), downloads=Sum("downloads"))
        .order_by("-views", "-downloads", "item__title")[:limit]
    )


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int


@dataclass
class ChartColumn:
    label: str
    label_x: float
    views: Bar
    downloads: Bar


@dataclass
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    maximum: int
    ticks: list
    columns: list


def nice_maximum(value):
    """Round ``value`` up to 1, 2 or 5 times a power of ten (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def build_chart(series, width=640, height=240):
    """
    Lay out a grouped bar chart of ``series`` (views and downloads per month).

    Return a ``Chart`` whose coordinates a template draws as SVG. The y axis
    runs from zero to a round maximum.
    """
    plot_left, plot_right, plot_top, plot_bottom = 40, width - 8, 12, height - 28
    maximum = nice_maximum(max((max(m.views, m.downloads) for m in series), default=0))
    plot_height = plot_bottom - plot_top
    slot = (plot_right - plot_left) / max(len(series), 1)
    bar_width = slot * 0.36

    def bar(x, value):
        bar_height = plot_height * value / maximum
        return Bar(
            x=round(x, 1),
            y=round(plot_bottom - bar_height, 1),
            width=round(bar_width, 1),
            height=round(bar_height, 1),
            value=value,
        )

    columns = []
    for index, month in enumerate(series):
        left = plot_left + index * slot + slot * 0.14
        columns.append(
            ChartColumn(
                label=month.month.strftime("%m/%y"),
                label_x=round(plot_left + (index + 0.5) * slot, 1),
                views=bar(left, month.views),
                downloads=bar(left + bar_width, month.downloads),
            )
        )
    # The maximum is 1, 2 or a multiple of 5, so every tick is a whole number.
    steps = maximum if maximum < 5 else 5
    ticks = [
        {
            "value": maximum * step // steps,
            "y": round(plot_bottom - plot_height * step / steps, 1),
        }
        for step in range(steps + 1)
    ]
    return Chart(
        width=width,
        height=height,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        plot_left=plot_left,
        maximum=maximum,
        ticks=ticks,
        columns=columns,
    )
