"""
Run the platform's periodic jobs, once per due time across all processes.

``settings.SCHEDULER_JOBS`` maps a job's name to its schedule::

    {
        "close_expired_attempts": {"every": 300},
        "send_parent_digest": {"at": "18:00"},
        "remind_assignments": {"every": 3600, "args": ["--hours", "24"]},
    }

``every`` is an interval in seconds, counted from the start of the last
run. ``at`` is a time of day (``HH:MM``) in ``settings.TIME_ZONE``. A job
runs the management command of its name, or ``command`` when given, with
``args``. ``callable`` names a function (``package.module.function``) to
call in place of a command. ``lease`` is how long, in seconds, a run may
hold the job before another process may take it over (default 3600).

Each job has a ``lms.models.ScheduledJob`` row. A process claims a due job
with one conditional UPDATE that moves ``next_run_at`` forward, so however
many schedulers run, each due time is claimed once. The lease stops a run
from starting while the previous one still runs: a database lease on the
row, or a Redis lock where ``REDIS_URL`` is set.

NOTE: the lease is not renewed while a job runs, so a run that takes
longer than ``lease`` seconds may overlap the next run of the same job.
Jobs of one process run one after another, so a slow job delays the rest.
"""

import datetime
import io
import logging
import os
import socket
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledJob

logger = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 3600
# How long an idle scheduler sleeps at most before it reads the jobs again.
DEFAULT_POLL_SECONDS = 30
MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Job:
    """One periodic job, parsed from ``SCHEDULER_JOBS``."""

    name: str
    every: int | None = None
    at: datetime.time | None = None
    command: str = ""
    args: tuple = ()
    callable_path: str = ""
    lease_seconds: int = DEFAULT_LEASE_SECONDS

    def describe(self):
        """Return the schedule as text, stored to notice a changed setting."""
        when = f"every {self.every}s" if self.every else f"at {self.at:%H:%M}"
        target = self.callable_path or " ".join([self.command, *self.args])
        return f"{when} {target}"[:200]

    def first_run(self, now, zone):
        """Return the first due time of a job that has never been scheduled."""
        if self.every:
            return now
        return next_time_of_day(now, self.at, zone)

    def next_run(self, now, zone):
        """Return the due time after a run that starts at ``now``."""
        if self.every:
            return now + datetime.timedelta(seconds=self.every)
        return next_time_of_day(now, self.at, zone)


def next_time_of_day(after, at, zone):
    """Return the first moment after ``after`` whose wall time in ``zone`` is ``at``."""
    local = after.astimezone(zone)
    candidate = datetime.datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        tomorrow = local.date() + datetime.timedelta(days=1)
        candidate = datetime.datetime.combine(tomorrow, at, tzinfo=zone)
    return candidate


def parse_jobs(config):
    """
    Return the ``Job`` list of a ``SCHEDULER_JOBS`` mapping.

    Raise ``ImproperlyConfigured`` naming the job and the key at fault.
    """
    if not isinstance(config, dict):
        raise ImproperlyConfigured("SCHEDULER_JOBS must be a mapping of job names.")
    return [_parse_job(name, spec) for name, spec in config.items()]


def _parse_job(name, spec):
    if not isinstance(spec, dict):
        raise ImproperlyConfigured(f"SCHEDULER_JOBS[{name!r}] must be a mapping.")
    unknown = set(spec) - {"every", "at", "command", "args", "callable", "lease"}
    if unknown:
        raise ImproperlyConfigured(
            f"SCHEDULER_JOBS[{name!r}] has unknown keys: {', '.join(sorted(unknown))}."
        )
    if ("every" in spec) == ("at" in spec):
        raise ImproperlyConfigured(
            f"SCHEDULER_JOBS[{name!r}] needs exactly one of 'every' (seconds) "
            "and 'at' (HH:MM)."
        )
    every = at = None
    if "every" in spec:
        every = spec["every"]
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ImproperlyConfigured(
                f"SCHEDULER_JOBS[{name!r}]['every'] must be a whole number of "
                f"seconds above 0, not {every!r}."
            )
    else:
        try:
            at = datetime.time.fromisoformat(str(spec["at"]))
        except ValueError:
            raise ImproperlyConfigured(
                f"SCHEDULER_JOBS[{name!r}]['at'] must be a time such as '06:30', "
                f"not {spec['at']!r}."
            ) from None
    lease = spec.get("lease", DEFAULT_LEASE_SECONDS)
    if isinstance(lease, bool) or not isinstance(lease, int) or lease < 1:
        raise ImproperlyConfigured(
            f"SCHEDULER_JOBS[{name!r}]['lease'] must be seconds above 0, not {lease!r}."
        )
    args = spec.get("args", [])
    if not isinstance(args, list | tuple) or not all(isinstance(a, str) for a in args):
        raise ImproperlyConfigured(
            f"SCHEDULER_JOBS[{name!r}]['args'] must be a list of strings."
        )
    return Job(
        name=name,
        every=every,
        at=at,
        command=spec.get("command", name),
        args=tuple(args),
        callable_path=spec.get("callable", ""),
        lease_seconds=lease,
    )


def default_owner():
    """Return a name for this process that is unique across the machines."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Scheduler:
    """
    Claim and run due jobs; any number of instances may share one database.

    ``clock`` returns the current aware datetime and exists for tests.
    """

    def __init__(self, jobs=None, *, owner=None, redis_url=None, clock=None):
        if jobs is None:
            jobs = parse_jobs(getattr(settings, "SCHEDULER_JOBS", {}))
        self.jobs = list(jobs)
        self.owner = owner or default_owner()
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.clock = clock or timezone.now
        if redis_url is None:
            redis_url = getattr(settings, "REDIS_URL", "")
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url)
        # The cache's key prefix keeps deployments that share a Redis apart.
        prefix = settings.CACHES.get("default", {}).get("KEY_PREFIX") or "lms"
        self.lock_prefix = f"{prefix}:scheduler"

    def sync(self, now=None):
        """Create missing job rows and reschedule jobs whose setting changed."""
        now = now or self.clock()
        for job in self.jobs:
            described = job.describe()
            try:
                with transaction.atomic():
                    ScheduledJob.objects.get_or_create(
                        name=job.name,
                        defaults={
                            "schedule": described,
                            "next_run_at": job.first_run(now, self.zone),
                        },
                    )
            except IntegrityError:
                # Another scheduler created the row at the same moment.
                pass
            changed = (
                ScheduledJob.objects.filter(name=job.name)
                .exclude(schedule=described)
                .update(schedule=described, next_run_at=job.first_run(now, self.zone))
            )
            if changed:
                logger.info(
                    "scheduler job rescheduled job=%s schedule=%r", job.name, described
                )

    def run_due(self, now=None):
        """
        Run every job that is due at ``now`` and that this process can claim.

        Return ``(job name, outcome)`` pairs for the jobs it ran. A failing
        job is logged and recorded, and the others still run.
        """
        now = now or self.clock()
        self.sync(now)
        results = []
        for job in self.jobs:
            lock = self._claim(job, now)
            if lock is None:
                continue
            outcome = self._run(job, lock)
            results.append((job.name, outcome))
        return results

    def _claim(self, job, now):
        """
        Take ``job`` when it is due; return the held lease, or ``None``.

        The UPDATE moves ``next_run_at`` in the same statement that checks
        it, so of two processes that read the same due time, one claims it.
        """
        due = Q(name=job.name, next_run_at__lte=now)
        lock = True
        if self.redis is not None:
            lock = self.redis.lock(
                f"{self.lock_prefix}:{job.name}",
                timeout=job.lease_seconds,
                blocking=False,
            )
            if not lock.acquire(blocking=False):
                return None
        else:
            due &= Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)
        claimed = ScheduledJob.objects.filter(due).update(
            next_run_at=job.next_run(now, self.zone),
            lease_owner=self.owner,
            lease_expires_at=now + datetime.timedelta(seconds=job.lease_seconds),
            last_started_at=now,
        )
        if not claimed:
            self._release_lock(job, lock)
            return None
        return lock

    def _release_lock(self, job, lock):
        if lock is True:
            return
        import redis

        try:
            lock.release()
        except redis.exceptions.LockError:
            logger.warning(
                "scheduler lock expired before the run ended job=%s owner=%s",
                job.name,
                self.owner,
            )

    def _run(self, job, lock):
        logger.info("scheduler job started job=%s owner=%s", job.name, self.owner)
        started = time.monotonic()
        output = io.StringIO()
        error_text = ""
        try:
            if job.callable_path:
                import_string(job.callable_path)()
            else:
                call_command(
                    job.command, *job.args, stdout=output, stderr=output, verbosity=0
                )
        except Exception as error:  # noqa: BLE001 - recorded, and the others go on
            error_text = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
            logger.exception(
                "scheduler job failed job=%s owner=%s", job.name, self.owner
            )
        seconds = time.monotonic() - started
        outcome = (
            ScheduledJob.Outcome.FAILED
            if error_text
            else ScheduledJob.Outcome.SUCCEEDED
        )
        self._record(job, outcome, error_text)
        self._release_lock(job, lock)
        if not error_text:
            logger.info(
                "scheduler job finished job=%s seconds=%.1f output=%r",
                job.name,
                seconds,
                output.getvalue().strip()[-500:],
            )
        return outcome

    def _record(self, job, outcome, error_text):
        failed = outcome == ScheduledJob.Outcome.FAILED
        ScheduledJob.objects.filter(name=job.name).update(
            last_finished_at=self.clock(),
            last_outcome=outcome,
            last_error=error_text,
            run_count=F("run_count") + 1,
            failure_count=F("failure_count") + int(failed),
        )
        # Only the lease's holder gives it back, in case it expired meanwhile
        # and another process took the job over.
        ScheduledJob.objects.filter(name=job.name, lease_owner=self.owner).update(
            lease_owner="", lease_expires_at=None
        )

    def seconds_until_due(self, now=None, poll_seconds=DEFAULT_POLL_SECONDS):
        """Return the seconds until the next due job, at most ``poll_seconds``."""
        now = now or self.clock()
        names = [job.name for job in self.jobs]
        upcoming = (
            ScheduledJob.objects.filter(name__in=names, next_run_at__isnull=False)
            .order_by("next_run_at")
            .values_list("next_run_at", flat=True)
            .first()
        )
        if upcoming is None:
            return poll_seconds
        return max(0.0, min(poll_seconds, (upcoming - now).total_seconds()))

    def run_forever(self, stop, poll_seconds=DEFAULT_POLL_SECONDS):
        """
        Run due jobs until the ``threading.Event`` ``stop`` is set.

        A job that is running when ``stop`` is set finishes first.
        """
        names = ", ".join(job.name for job in self.jobs) or "none"
        logger.info("scheduler started owner=%s jobs=%s", self.owner, names)
        while not stop.is_set():
            close_old_connections()
            try:
                self.run_due()
                wait = self.seconds_until_due(poll_seconds=poll_seconds)
            except Exception:  # noqa: BLE001 - a database outage must not end the loop
                logger.exception(
                    "scheduler pass failed owner=%s; retrying in %ss",
                    self.owner,
                    poll_seconds,
                )
                wait = poll_seconds
            # At least a second, so a due job that another process has claimed
            # is not polled in a tight loop.
            stop.wait(max(wait, 1.0))
        close_old_connections()
        logger.info("scheduler stopped owner=%s", self.owner)
