"""
The run shown to the public, and the ranking pages rendered from it, cached.

A finished run never changes, so a page rendered from it stays valid for
as long as the run is the one shown; keys carry the run's id and never
expire. Only the pointer from a period to the run it shows changes, when
a run finishes or is published, and those two events delete it.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache

from ..models import SelectionRun

SHOWN_RUN_KEY = "ppdb:shown-run:{period}:{round}"
PAGE_KEY = "ppdb:ranking:{run}:{language}:{page}"
# Stored for a period with no run to show, since the cache cannot store None.
NO_RUN = 0
# The pointer also expires after this many seconds, so that a change made
# outside the two events (a period unpublished in the admin) shows soon.
SHOWN_RUN_TIMEOUT = 60


class _LocalPointers:
    """
    Each period's shown run as this process last read it, for a few seconds.

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

    def put(self, key, run_id):
        seconds = getattr(settings, "PPDB_RANKING_POINTER_SECONDS", 5)
        with self.lock:
            self.pointers[key] = (run_id, time.monotonic() + seconds)

    def forget(self, keys):
        with self.lock:
            for key in keys:
                self.pointers.pop(key, None)

    def clear(self):
        with self.lock:
            self.pointers.clear()


local_pointers = _LocalPointers()


def shown_run_id(period_id, round=SelectionRun.Round.MAIN):
    """
    Return the id of the run shown for a period and round, or 0.

    That is the official run, else the latest run that succeeded and is
    not a dry run, which pages label provisional. Dry runs stay internal.
    """
    key = SHOWN_RUN_KEY.format(period=period_id, round=round)
    run_id = local_pointers.get(key)
    if run_id is not None:
        return run_id
    run_id = cache.get(key)
    if run_id is None:
        run_id = find_shown_run_id(period_id, round)
        cache.set(key, run_id, SHOWN_RUN_TIMEOUT)
    local_pointers.put(key, run_id)
    return run_id


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
    """Point the period's pages at a newly finished run, if it is shown."""
    forget_shown_run(run.period_id)


def run_published(run):
    forget_shown_run(run.period_id)


def page_key(run_id, language, page):
    return PAGE_KEY.format(run=run_id, language=language, page=page)


def get_page(run_id, language, page):
    return cache.get(page_key(run_id, language, page))


def set_pages(run_id, language, pages):
    """Store ``{page: html}`` rendered from run ``run_id`` in ``language``."""
    cache.set_many(
        {page_key(run_id, language, page): html for page, html in pages.items()},
        None,
    )
