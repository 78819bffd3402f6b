"""
Write calendar events as an iCalendar (RFC 5545) file by hand.

The format is small enough that a dependency is not worth it: CRLF line
endings, content lines folded at 75 octets, escaped text values, a UID and
DTSTAMP per event, and times in UTC.
"""

import datetime
import hashlib

from django.utils import timezone

PRODUCT_ID = "-//lms//courses gradebook calendar//EN"
LINE_OCTETS = 75


def escape_text(value):
    """Escape a TEXT value: backslash, semicolon, comma and newlines."""
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """
    Fold a content line into chunks of at most 75 octets joined by CRLF+space.

    Folding never splits a multi-byte UTF-8 character.
    """
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line
    parts = []
    current = ""
    limit = LINE_OCTETS
    for character in line:
        size = len(character.encode("utf-8"))
        if len(current.encode("utf-8")) + size > limit:
            parts.append(current)
            current = ""
            # Continuation lines start with a space, which takes one octet.
            limit = LINE_OCTETS - 1
        current += character
    parts.append(current)
    return "\r\n ".join(parts)


def format_utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def event_uid(event, domain):
    """Return a UID that stays the same for the same event across downloads."""
    seed = f"{event.kind}|{event.url}|{event.title}|{event.starts_at.isoformat()}"
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]
    return f"{digest}@{domain}"


def render_calendar(events, *, name, domain, base_url="", now=None):
    """Return the iCalendar text of ``events`` with CRLF line endings."""
    stamp = format_utc(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        summary = event.title
        if event.course_title:
            summary = f"{event.title} · {event.course_title}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event_uid(event, domain)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{format_utc(event.starts_at)}",
        ]
        if event.ends_at is not None and event.ends_at > event.starts_at:
            lines.append(f"DTEND:{format_utc(event.ends_at)}")
        lines.append(f"SUMMARY:{escape_text(summary)}")
        if event.kind:
            lines.append(f"CATEGORIES:{escape_text(event.kind)}")
        if event.url:
            url = event.url if "://" in event.url else base_url + event.url
            lines.append(f"URL:{url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
