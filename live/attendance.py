"""
Attendance of a live class, computed from its ``LiveConnection`` rows.

A person's attended time is the union of their connections' intervals, so
two tabs open at once count once and a reconnect adds only the time spent
connected. A connection still open counts up to its last heartbeat
(``last_seen_at``) or to now, whichever is earlier.
"""

import csv
import io
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .access import display_name
from .models import LiveConnection


@dataclass
class Attendance:
    """One person's attendance of one session."""

    user: object
    role: str
    seconds: int
    first_join: object
    last_leave: object
    connections: int


def merged_seconds(intervals):
    """Return the length in seconds of the union of ``(start, end)`` pairs."""
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).total_seconds()
    return int(total)


def session_attendance(session, now=None):
    """Return the attendance of everybody who connected, teachers first."""
    now = now or timezone.now()
    by_user = {}
    rows = LiveConnection.objects.filter(session=session).select_related("user")
    for row in rows:
        end = row.disconnected_at or min(row.last_seen_at, now)
        by_user.setdefault(row.user_id, []).append((row, row.connected_at, end))
    result = []
    for entries in by_user.values():
        user = entries[0][0].user
        roles = {row.role for row, _start, _end in entries}
        result.append(
            Attendance(
                user=user,
                role="teacher" if "teacher" in roles else "student",
                seconds=merged_seconds([(start, end) for _row, start, end in entries]),
                first_join=min(start for _row, start, _end in entries),
                last_leave=max(end for _row, _start, end in entries),
                connections=len(entries),
            )
        )
    result.sort(key=lambda a: (a.role != "teacher", display_name(a.user).casefold()))
    return result


def csv_response(session, attendance):
    """Return attendance as CSV in UTF-8 with a byte-order mark, for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Name"),
            _("Role"),
            _("Minutes attended"),
            _("First joined"),
            _("Last left"),
            _("Connections"),
        ]
    )
    for entry in attendance:
        writer.writerow(
            [
                display_name(entry.user),
                entry.role,
                round(entry.seconds / 60, 1),
                timezone.localtime(entry.first_join).isoformat(timespec="seconds"),
                timezone.localtime(entry.last_leave).isoformat(timespec="seconds"),
                entry.connections,
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    name = f"kehadiran-{slugify(session.title) or session.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
