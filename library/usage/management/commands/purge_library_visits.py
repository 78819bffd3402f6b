import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from library.usage.counting import purge_visits


class Command(BaseCommand):
    help = (
        "Delete the per-day records that stop a person from being counted twice "
        "in the library usage statistics. The monthly counts are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=2,
            help="Keep the records of this many most recent days, today included. "
            "At least 1; default 2.",
        )

    def handle(self, keep_days, **options):
        if keep_days < 1:
            raise CommandError(
                f"--keep-days must be at least 1, not {keep_days}: today's records "
                "are needed to count each person once a day."
            )
        before = timezone.localdate() - datetime.timedelta(days=keep_days - 1)
        deleted = purge_visits(before)
        self.stdout.write(f"Deleted {deleted} visit records from before {before}.")
