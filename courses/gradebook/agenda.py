"""
Gather a person's calendar from assignments, quizzes and live classes.

Each source app exposes ``events_for(user, start, end)``. A source that is
not installed is skipped, so the calendar works while those apps are absent.
Guardians get their children's events too, labelled with the child's name.
"""

import importlib
import logging

from django.contrib.auth import get_user_model

logger = logging.getLogger(__name__)

SOURCES = [
    "courses.assignments.calendar",
    "courses.quizzes.calendar",
    "live.calendar",
]


def load_sources():
    """Return the ``events_for`` functions of the source modules that exist."""
    functions = []
    for name in SOURCES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            logger.debug("calendar source missing module=%s", name)
            continue
        functions.append(module.events_for)
    return functions


def children_of(user):
    return list(
        get_user_model()
        .objects.filter(guardian_links__guardian=user)
        .distinct()
        .order_by("first_name", "username")
    )


def events_for(user, start, end, people=None):
    """
    Return the events of ``user`` (and of their children) in [start, end).

    ``people`` limits the result to the events of those people, which the
    parent page uses for one child. Events that two sources or two people
    share (the same kind, URL and start) appear once.
    """
    if people is None:
        people = [user, *children_of(user)]
    sources = load_sources()
    events = []
    seen = set()
    for person in people:
        for source in sources:
            for event in source(person, start, end):
                key = (event.kind, event.url, event.starts_at)
                if key in seen:
                    continue
                seen.add(key)
                if person.pk != user.pk:
                    name = person.get_full_name() or person.username
                    if not event.title.endswith(f"({name})"):
                        event = type(event)(
                            title=f"{event.title} ({name})",
                            starts_at=event.starts_at,
                            ends_at=event.ends_at,
                            url=event.url,
                            kind=event.kind,
                            course_title=event.course_title,
                        )
                events.append(event)
    events.sort(key=lambda event: (event.starts_at, event.title))
    return events
