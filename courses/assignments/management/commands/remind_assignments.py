"""Notify students of the assignments that are due soon; run it every hour."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from courses.assignments import services
from courses.assignments.models import Assignment


class Command(BaseCommand):
    help = (
        "Send a due-soon notification to the students who have not handed in "
        "an assignment that is due within the given number of hours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Remind of assignments due within this many hours (default 24).",
        )

    def handle(self, *args, hours, verbosity, **options):
        if hours < 1:
            raise CommandError("--hours must be 1 or more.")
        now = timezone.now()
        due = Assignment.objects.filter(
            opens_at__lte=now,
            due_at__gt=now,
            due_at__lte=now + datetime.timedelta(hours=hours),
            reminded_at__isnull=True,
        ).select_related("course")
        assignments = list(due)
        sent = 0
        # tqdm writes carriage returns, which the command's line-based
        # OutputWrapper would split, so it gets the raw stream.
        for assignment in tqdm(
            assignments,
            desc="assignments",
            unit="assignment",
            file=self.stderr._out,
            disable=verbosity == 0,
        ):
            sent += services.remind_due(assignment)
        self.stdout.write(
            f"Reminded of {len(assignments)} assignments; {sent} notifications sent."
        )
