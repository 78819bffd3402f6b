"""
The calendar event that the apps of the courses folder return to the calendar.

Assignments, quizzes and live classes each expose
``events_for(user, start, end)`` returning a list of ``CalendarEvent``; the
gradebook app merges them into one calendar page and iCal feed per person.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarEvent:
    """One dated thing on a person's calendar, with aware datetimes."""

    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None = None
    url: str = ""
    # A short machine name such as "assignment", "quiz" or "live".
    kind: str = ""
    course_title: str = ""
