"""A small server-side SVG chart of attendance, so no script is needed."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 180
BAR_WIDTH = 300


def attendance_chart(rows, session_seconds):
    """
    Return an SVG bar chart of minutes attended, one bar per person.

    ``rows`` are ``(name, seconds)`` pairs. Each bar's full width is the
    length of the class, so a short bar shows a student who missed part of
    it at a glance.
    """
    span = max(session_seconds, max((seconds for _name, seconds in rows), default=0))
    span = span or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + 70
    bars = []
    for index, (name, seconds) in enumerate(rows):
        top = GAP + index * (BAR_HEIGHT + GAP)
        filled = round(BAR_WIDTH * min(seconds, span) / span, 1)
        bars.append(
            (
                top + BAR_HEIGHT - 5,
                LABEL_WIDTH - 6,
                name[:28],
                LABEL_WIDTH,
                top,
                BAR_WIDTH,
                BAR_HEIGHT,
                LABEL_WIDTH,
                top,
                filled,
                BAR_HEIGHT,
                LABEL_WIDTH + BAR_WIDTH + 6,
                top + BAR_HEIGHT - 5,
                _("%(minutes)s min") % {"minutes": round(seconds / 60)},
            )
        )
    body = format_html_join(
        "",
        '<text x="{1}" y="{0}" text-anchor="end">{2}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="{6}" class="chart-span"/>'
        '<rect x="{7}" y="{8}" width="{9}" height="{10}" class="chart-filled"/>'
        '<text x="{11}" y="{12}">{13}</text>',
        bars,
    )
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {} {}" width="100%" '
        'aria-labelledby="attendance-chart-title">'
        '<title id="attendance-chart-title">{}</title>{}</svg>',
        width,
        height,
        _("Minutes attended per person, against the length of the class"),
        body,
    )
