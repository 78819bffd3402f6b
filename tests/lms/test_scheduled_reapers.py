"""The scheduler's reapers finish work whose worker died."""

import pytest
from django.conf import settings
from django.utils import timezone

from lms.scheduler import Scheduler, parse_jobs
from ppdb.models import SelectionRun
from ppdb.selection.runs import start_run
from tests.ppdb.selection_world import make_city_admin
from tests.ppdb.test_runs import build_city

pytestmark = pytest.mark.django_db


def run_scheduled_job(name):
    """Run the job ``name`` of ``SCHEDULER_JOBS`` once, as the scheduler does."""
    now = timezone.now()
    scheduler = Scheduler(
        parse_jobs({name: settings.SCHEDULER_JOBS[name]}),
        redis_url="",
        clock=lambda: now,
    )
    return scheduler.run_due(now=now)


def test_scheduler_fails_abandoned_selection_run(settings):
    # A lease of 0 seconds has passed by the time the reaper runs, as the
    # lease of a run whose worker was killed passes after 10 minutes.
    settings.PPDB_RUN_LEASE_SECONDS = 0
    period, *_ = build_city()
    run = start_run(period, make_city_admin(), execute=False)

    results = run_scheduled_job("ppdb_reap_runs")

    run.refresh_from_db()
    assert results == [("ppdb_reap_runs", "succeeded")]
    assert run.status == SelectionRun.Status.FAILED
    assert run.summary["error"]["code"] == "worker_lost"
    assert run.lease_expires_at is None
