"""Run the periodic jobs of ``settings.SCHEDULER_JOBS`` until stopped."""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms.models import ScheduledJob
from lms.scheduler import DEFAULT_POLL_SECONDS, Scheduler


class Command(BaseCommand):
    help = (
        "Run the periodic jobs of SCHEDULER_JOBS (closing expired quiz attempts, "
        "assignment reminders, the parents' digest) at their intervals or times "
        "of day. Several schedulers may run at once: each due job runs once. "
        "Stops cleanly on SIGTERM or SIGINT after the job that is running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Run the jobs that are due now, then exit.",
        )
        parser.add_argument(
            "--status",
            action="store_true",
            help="Print each job's schedule, next run and last outcome, then exit.",
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=DEFAULT_POLL_SECONDS,
            help=(
                "Longest sleep between two looks at the jobs, in seconds "
                f"(default {DEFAULT_POLL_SECONDS})."
            ),
        )

    def handle(self, *args, once, status, poll, **options):
        if poll <= 0:
            raise CommandError("--poll must be above 0 seconds.")
        scheduler = Scheduler()
        if status:
            self.print_status(scheduler)
            return
        if once:
            self.run_once(scheduler)
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stderr.write(
                f"Stopping after the current job ({signal.Signals(signum).name})."
            )
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        scheduler.run_forever(stop, poll_seconds=poll)

    def run_once(self, scheduler):
        results = scheduler.run_due()
        failed = [name for name, outcome in results if outcome == "failed"]
        for name, outcome in results:
            self.stdout.write(f"{name}: {outcome}")
        self.stdout.write(
            f"{len(results)} jobs run, {len(failed)} failed, "
            f"{len(scheduler.jobs) - len(results)} not due or held elsewhere."
        )
        if failed:
            raise CommandError(f"Jobs failed: {', '.join(failed)}. See the log.")

    def print_status(self, scheduler):
        scheduler.sync()
        names = [job.name for job in scheduler.jobs]
        for row in ScheduledJob.objects.filter(name__in=names):
            next_run = (
                timezone.localtime(row.next_run_at).strftime("%Y-%m-%d %H:%M %Z")
                if row.next_run_at
                else "-"
            )
            self.stdout.write(
                f"{row.name}: {row.schedule}; next {next_run}; "
                f"last {row.last_outcome or 'never run'}; runs {row.run_count}, "
                f"failures {row.failure_count}"
            )
            if row.last_error:
                self.stdout.write(f"  last error: {row.last_error}")
