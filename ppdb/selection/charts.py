"""
Bar charts drawn as SVG on the server, so reports need no JavaScript.

Plain Python with no Django import: callers pass labels already translated
and get back the markup of one ``<svg>`` element that scales to its
container's width through its ``viewBox``.
"""

from xml.sax.saxutils import escape

WIDTH = 640
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LABEL_WIDTH = 230
VALUE_WIDTH = 80
PADDING = 8
COLUMN_CHART_HEIGHT = 220
AXIS_LABEL_HEIGHT = 40


def _svg(height, title, description, body, chart_id):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _truncate(text, length):
    return text if len(text) <= length else text[: length - 1] + "\u2026"


def seat_fill_chart(rows, *, title, description, chart_id="seat-fill"):
    """
    Return a horizontal bar chart of filled seats, one bar per school.

    ``rows`` is a list of ``(label, seats, filled)``. Each bar spans the
    school's seats in a light colour, with the filled part drawn over it,
    and the figures ``filled/seats`` at its end. A school with more
    accepted than seats, which a valid run never has, gets a full bar.
    """
    height = PADDING * 2 + ROW_HEIGHT * max(len(rows), 1)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - PADDING * 2
    max_seats = max((seats for _label, seats, _filled in rows), default=0) or 1
    body = []
    for index, (label, seats, filled) in enumerate(rows):
        top = PADDING + index * ROW_HEIGHT
        bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) // 2
        seats_width = round(span * seats / max_seats, 1)
        filled_width = round(span * min(filled, seats) / max_seats, 1) if seats else 0
        x = LABEL_WIDTH + PADDING
        body.append(
            f'<text x="{LABEL_WIDTH}" y="{top + ROW_HEIGHT - 7}" '
            f'text-anchor="end" class="chart-label">'
            f"{escape(_truncate(label, 34))}</text>"
            f'<rect x="{x}" y="{bar_top}" width="{seats_width}" '
            f'height="{BAR_HEIGHT}" class="chart-capacity"/>'
            f'<rect x="{x}" y="{bar_top}" width="{filled_width}" '
            f'height="{BAR_HEIGHT}" class="chart-filled"/>'
            f'<text x="{x + seats_width + 4}" y="{top + ROW_HEIGHT - 7}" '
            f'class="chart-value">{filled}/{seats}</text>'
        )
    return _svg(height, title, description, body, chart_id)


def column_chart(columns, *, title, description, chart_id="per-day"):
    """
    Return a column chart, one column per ``(label, count)`` in ``columns``.

    Used for applications per day. Labels are written under every column
    when they fit and under every n-th column when they do not.
    """
    height = COLUMN_CHART_HEIGHT + AXIS_LABEL_HEIGHT
    count = max(len(columns), 1)
    slot = (WIDTH - PADDING * 2) / count
    width = max(slot * 0.7, 1)
    max_value = max((value for _label, value in columns), default=0) or 1
    # About 8 characters of label fit in 56 units of width.
    every = max(1, round(56 / slot + 0.49))
    body = [
        f'<line x1="{PADDING}" y1="{COLUMN_CHART_HEIGHT}" '
        f'x2="{WIDTH - PADDING}" y2="{COLUMN_CHART_HEIGHT}" class="chart-axis"/>'
    ]
    for index, (label, value) in enumerate(columns):
        bar_height = round((COLUMN_CHART_HEIGHT - 20) * value / max_value, 1)
        x = round(PADDING + index * slot + (slot - width) / 2, 1)
        centre = round(x + width / 2, 1)
        top = round(COLUMN_CHART_HEIGHT - bar_height, 1)
        body.append(
            f'<rect x="{x}" y="{top}" width="{round(width, 1)}" '
            f'height="{bar_height}" class="chart-filled">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if value:
            body.append(
                f'<text x="{centre}" y="{top - 4}" text-anchor="middle" '
                f'class="chart-value">{value}</text>'
            )
        if index % every == 0:
            body.append(
                f'<text x="{centre}" y="{COLUMN_CHART_HEIGHT + 16}" '
                f'text-anchor="middle" class="chart-label">{escape(label)}</text>'
            )
    return _svg(height, title, description, body, chart_id)
