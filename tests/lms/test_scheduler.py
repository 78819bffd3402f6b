"""The periodic job scheduler: schedules, claims, leases, failures, signals."""

import datetime
import json
import logging
import signal
import subprocess
import sys
import threading
import time
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from lms.models import ScheduledJob
from lms.scheduler import Scheduler, next_time_of_day, parse_jobs
from tests.platform.helpers import ROOT, clean_environment

from . import scheduler_jobs

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
UTC = datetime.UTC
RECORD = "tests.lms.scheduler_jobs.record_run"
FAIL = "tests.lms.scheduler_jobs.fail"


def utc(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clear_runs():
    scheduler_jobs.runs.clear()


def make_scheduler(jobs, at, **kwargs):
    """Return a scheduler without Redis whose clock reads ``at[0]``."""
    return Scheduler(parse_jobs(jobs), redis_url="", clock=lambda: at[0], **kwargs)


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ([], "mapping of job names"),
        ({"x": 5}, "must be a mapping"),
        ({"x": {}}, "exactly one of"),
        ({"x": {"every": 5, "at": "06:00"}}, "exactly one of"),
        ({"x": {"every": 0}}, "above 0"),
        ({"x": {"every": "5"}}, "whole number"),
        ({"x": {"at": "25:00"}}, "a time such as"),
        ({"x": {"every": 5, "lease": -1}}, "'lease'"),
        ({"x": {"every": 5, "args": "--hours 2"}}, "list of strings"),
        ({"x": {"every": 5, "when": 1}}, "unknown keys: when"),
    ],
)
def test_parse_jobs_rejects_bad_config(config, fragment):
    with pytest.raises(ImproperlyConfigured, match=fragment):
        parse_jobs(config)


def test_parse_jobs_defaults():
    (job,) = parse_jobs({"remind_assignments": {"every": 60, "args": ["--hours", "2"]}})
    assert job.command == "remind_assignments"
    assert job.args == ("--hours", "2")
    assert job.lease_seconds == 3600
    assert job.describe() == "every 60s remind_assignments --hours 2"


def test_time_of_day_in_jakarta():
    six = datetime.time(6, 0)
    # 22:30 UTC is 05:30 the next morning in Jakarta (UTC+7).
    assert next_time_of_day(utc(2026, 12, 4, 22, 30), six, JAKARTA) == utc(
        2026, 12, 4, 23, 0
    )
    assert next_time_of_day(utc(2026, 12, 4, 23, 0), six, JAKARTA) == utc(
        2026, 12, 5, 23, 0
    )
    assert next_time_of_day(utc(2026, 12, 4, 10, 0), six, JAKARTA) == utc(
        2026, 12, 4, 23, 0
    )


@pytest.mark.django_db
def test_daily_job_runs_at_jakarta_time(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    now = [utc(2026, 12, 4, 22, 0)]
    scheduler = make_scheduler({"digest": {"at": "06:00", "callable": RECORD}}, now)
    assert scheduler.run_due() == []
    now[0] = utc(2026, 12, 4, 22, 59, 59)
    assert scheduler.run_due() == []
    now[0] = utc(2026, 12, 4, 23, 0)
    assert scheduler.run_due() == [("digest", "succeeded")]
    now[0] = utc(2026, 12, 4, 23, 30)
    assert scheduler.run_due() == []
    row = ScheduledJob.objects.get(name="digest")
    assert row.next_run_at == utc(2026, 12, 5, 23, 0)
    assert row.last_started_at == utc(2026, 12, 4, 23, 0)
    assert len(scheduler_jobs.runs) == 1


@pytest.mark.django_db
def test_interval_job_waits_its_interval():
    now = [utc(2026, 12, 4, 1, 0)]
    scheduler = make_scheduler({"tick": {"every": 300, "callable": RECORD}}, now)
    assert scheduler.run_due() == [("tick", "succeeded")]
    now[0] += datetime.timedelta(seconds=299)
    assert scheduler.run_due() == []
    now[0] += datetime.timedelta(seconds=1)
    assert scheduler.run_due() == [("tick", "succeeded")]
    assert ScheduledJob.objects.get(name="tick").run_count == 2


@pytest.mark.django_db
def test_changed_schedule_is_recomputed(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    now = [utc(2026, 12, 4, 1, 0)]
    make_scheduler({"job": {"every": 60, "callable": RECORD}}, now).run_due()
    changed = make_scheduler({"job": {"at": "12:00", "callable": RECORD}}, now)
    assert changed.run_due() == []
    row = ScheduledJob.objects.get(name="job")
    assert row.schedule == f"at 12:00 {RECORD}"
    assert row.next_run_at == utc(2026, 12, 4, 5, 0)


@pytest.mark.django_db
def test_failing_job_does_not_stop_others(caplog):
    now = [utc(2026, 12, 4, 1, 0)]
    scheduler = make_scheduler(
        {
            "broken": {"every": 60, "callable": FAIL},
            "fine": {"every": 60, "callable": RECORD},
        },
        now,
    )
    with caplog.at_level(logging.INFO, logger="lms.scheduler"):
        results = scheduler.run_due()
    assert results == [("broken", "failed"), ("fine", "succeeded")]
    failures = [r for r in caplog.records if "scheduler job failed" in r.getMessage()]
    assert len(failures) == 1
    assert "job=broken" in failures[0].getMessage()
    assert failures[0].exc_info is not None
    broken = ScheduledJob.objects.get(name="broken")
    assert broken.last_outcome == "failed"
    assert broken.last_error == "RuntimeError: gateway timed out"
    assert broken.failure_count == 1
    assert broken.lease_owner == ""
    assert ScheduledJob.objects.get(name="fine").last_outcome == "succeeded"
    assert len(scheduler_jobs.runs) == 1


@pytest.mark.django_db
def test_held_lease_blocks_second_scheduler():
    now = [utc(2026, 12, 4, 1, 0)]
    config = {"job": {"every": 60, "lease": 600, "callable": RECORD}}
    first = make_scheduler(config, now, owner="first")
    second = make_scheduler(config, now, owner="second")
    first.sync()
    job = first.jobs[0]
    assert first._claim(job, now[0]) is True
    assert second.run_due() == []

    # Due again a minute later, but the first run still holds the lease.
    now[0] += datetime.timedelta(seconds=60)
    assert second.run_due() == []
    assert scheduler_jobs.runs == []

    # A lease that outlives its time (a crashed process) is taken over.
    now[0] += datetime.timedelta(seconds=600)
    assert second.run_due() == [("job", "succeeded")]
    row = ScheduledJob.objects.get(name="job")
    assert row.lease_owner == ""
    assert row.run_count == 1


def _run_in_parallel(schedulers, now):
    barrier = threading.Barrier(len(schedulers))
    results, errors = [], []

    def run(scheduler):
        try:
            barrier.wait(timeout=10)
            results.extend(scheduler.run_due(now))
        except Exception as error:  # noqa: BLE001 - reported by the caller's assert
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_parallel_schedulers_run_job_once(postgres):
    now = utc(2026, 12, 4, 1, 0)
    jobs = parse_jobs({"job": {"every": 60, "callable": RECORD}})
    schedulers = [Scheduler(jobs, owner=f"s{n}", redis_url="") for n in range(4)]
    results, errors = _run_in_parallel(schedulers, now)
    assert errors == []
    assert results == [("job", "succeeded")]
    assert len(scheduler_jobs.runs) == 1
    assert ScheduledJob.objects.get(name="job").run_count == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_schedulers_with_redis_lock(postgres, redis_url):
    now = utc(2026, 12, 4, 1, 0)
    jobs = parse_jobs({"redis-job": {"every": 60, "callable": RECORD}})
    schedulers = [Scheduler(jobs, owner=f"r{n}", redis_url=redis_url) for n in range(4)]
    results, errors = _run_in_parallel(schedulers, now)
    assert errors == []
    assert results == [("redis-job", "succeeded")]
    assert len(scheduler_jobs.runs) == 1
    lock_key = f"{schedulers[0].lock_prefix}:redis-job"
    assert not schedulers[0].redis.exists(lock_key)


@pytest.mark.django_db
def test_once_command_reports_failures(settings):
    settings.SCHEDULER_JOBS = {
        "broken": {"every": 60, "callable": FAIL},
        "fine": {"every": 60, "callable": RECORD},
    }
    with pytest.raises(CommandError, match="Jobs failed: broken"):
        call_command("run_scheduler", "--once")
    assert ScheduledJob.objects.get(name="fine").run_count == 1


@pytest.mark.django_db
def test_status_lists_jobs(settings, capsys):
    settings.SCHEDULER_JOBS = {"close_expired_attempts": {"every": 300}}
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--status")
    output = capsys.readouterr().out
    assert "close_expired_attempts: every 300s close_expired_attempts" in output
    assert "last succeeded; runs 1, failures 0" in output


@pytest.mark.django_db
def test_default_jobs_run_their_commands(settings):
    # The daily digest is left out: it sends through the configured gateway.
    settings.SCHEDULER_JOBS = {
        "close_expired_attempts": {"every": 300},
        "remind_assignments": {"every": 3600, "args": ["--hours", "24"]},
    }
    call_command("run_scheduler", "--once")
    outcomes = dict(ScheduledJob.objects.values_list("name", "last_outcome"))
    assert outcomes == {
        "close_expired_attempts": "succeeded",
        "remind_assignments": "succeeded",
    }


def _child_environment(tmp_path, jobs):
    settings_dict = connection.settings_dict
    if "postgresql" in settings_dict["ENGINE"]:
        url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
            **{key: settings_dict.get(key) or "" for key in settings_dict}
        )
    else:
        name = str(settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the child process needs a database file or server")
        url = f"sqlite:///{name}"
    return clean_environment(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        DATABASE_URL=url,
        SCHEDULER_JOBS=json.dumps(jobs),
        SCHEDULER_TEST_FILE=str(tmp_path / "runs.txt"),
        PYTHONPATH=str(ROOT),
    )


def _start(environment, *arguments):
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_processes_run_job_once(tmp_path):
    jobs = {
        "file": {"every": 3600, "callable": "tests.lms.scheduler_jobs.append_to_file"}
    }
    environment = _child_environment(tmp_path, jobs)
    children = [_start(environment, "--once") for _ in range(2)]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    lines = (tmp_path / "runs.txt").read_text().splitlines()
    assert len(lines) == 1
    summaries = sorted(out.splitlines()[-1] for out, _err in outputs)
    assert summaries[0].startswith("0 jobs run")
    assert summaries[1].startswith("1 jobs run")


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_cleanly(tmp_path):
    jobs = {
        "file": {"every": 3600, "callable": "tests.lms.scheduler_jobs.append_to_file"}
    }
    environment = _child_environment(tmp_path, jobs)
    child = _start(environment, "--poll", "1")
    runs_file = tmp_path / "runs.txt"
    deadline = time.monotonic() + 60
    while not runs_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert runs_file.exists(), "the scheduler never ran its job"
    child.send_signal(signal.SIGTERM)
    _out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert "scheduler started" in err
    assert "scheduler stopped" in err
    assert ScheduledJob.objects.get(name="file").last_outcome == "succeeded"
