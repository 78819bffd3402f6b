"""
Cache the ranking pages of the run shown to the public.

A finished run never changes except for being published, so its pages
are cached without expiry. Their key contains the run's id and whether it
is official. Only the pointer from a period to the page set it shows
changes, when a run finishes or is published, and both events delete the
pointer.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache

from ..models import SelectionRun

SHOWN_RUN_KEY = "ppdb:shown-run:{period}:{round}"
PAGE_KEY = "ppdb:ranking:{name}:{language}:{page}"
# Returned by ``find_shown_run_id`` for a period with no run to show.
NO_RUN = 0
# The pointer also expires after this many seconds, so that a change made
# outside the two events (a period unpublished in the admin) shows soon.
SHOWN_RUN_TIMEOUT = 60


class _LocalPointers:
    """
    Per-process copy of each period's shown page set, kept a few seconds.

    Reading the shared cache on every request of a ranking page costs more
    than the rest of the request, so each process keeps the pointer for
    ``PPDB_RANKING_POINTER_SECONDS`` (default 5). Another process therefore
    shows a newly published run up to that long after the one that
    published it.
    """

    def __init__(self):
        self.pointers = {}
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.pointers.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key, name):
        seconds = getattr(settings, "PPDB_RANKING_POINTER_SECONDS", 5)
        with self.lock:
            self.pointers[key] = (name, time.monotonic() + seconds)

    def forget(self, keys):
        with self.lock:
            for key in keys:
                self.pointers.pop(key, None)

    def clear(self):
        with self.lock:
            self.pointers.clear()


local_pointers = _LocalPointers()


def page_set(run):
    """
    Return the name of the pages rendered from ``run`` in its current state.

    A run's pages change once, when it is published and its label turns
    from provisional to official, so the name carries that state.
    """
    state = "official" if run.is_official else "provisional"
    return f"{run.pk}-{state}"


def shown_page_set(period_id, round=SelectionRun.Round.MAIN):
    """
    Return the ``page_set`` of the run shown for a period and round, or "".

    The run shown is the official run, else the latest run that succeeded
    and is not a dry run, which pages label provisional. Dry runs stay
    internal.
    """
    key = SHOWN_RUN_KEY.format(period=period_id, round=round)
    name = local_pointers.get(key)
    if name is not None:
        return name
    name = cache.get(key)
    if name is None:
        run_id = find_shown_run_id(period_id, round)
        run = SelectionRun.objects.filter(pk=run_id).only("is_official").first()
        name = page_set(run) if run is not None else ""
        cache.set(key, name, SHOWN_RUN_TIMEOUT)
    local_pointers.put(key, name)
    return name


def find_shown_run_id(period_id, round=SelectionRun.Round.MAIN):
    runs = SelectionRun.objects.filter(
        period_id=period_id, period__is_published=True, round=round
    )
    official = runs.filter(is_official=True).values_list("pk", flat=True).first()
    if official:
        return official
    latest = (
        runs.filter(status=SelectionRun.Status.SUCCEEDED, is_dry_run=False)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    return latest or NO_RUN


def forget_shown_run(period_id):
    keys = [
        SHOWN_RUN_KEY.format(period=period_id, round=round)
        for round in SelectionRun.Round.values
    ]
    cache.delete_many(keys)
    local_pointers.forget(keys)


def run_finished(run):
    """Delete the period's pointer, so the next request finds the new run."""
    forget_shown_run(run.period_id)


def run_published(run):
    forget_shown_run(run.period_id)


def page_key(name, language, page):
    return PAGE_KEY.format(name=name, language=language, page=page)


def get_page(name, language, page):
    return cache.get(page_key(name, language, page))


def set_pages(name, language, pages):
    """Store ``{page: html}`` of the page set ``name`` in ``language``."""
    cache.set_many(
        {page_key(name, language, page): html for page, html in pages.items()},
        None,
    )
