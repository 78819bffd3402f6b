"""Send each parent the daily digest about their children."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from courses.digest import DigestSummary, guardians, send_digest
from courses.gateways import get_gateway


class Command(BaseCommand):
    help = (
        "Send every parent a digest of their children's new grades, due dates, "
        "announcements and notifications by the channel the parent chose."
    )

    def handle(self, verbosity=1, **options):
        gateway = get_gateway()
        now = timezone.now()
        summary = DigestSummary()
        people = guardians()
        # tqdm writes carriage returns, which the command's line-based
        # OutputWrapper would split, so it gets the raw stream.
        for guardian in tqdm(
            people.iterator(),
            total=people.count(),
            desc="parents",
            unit="parent",
            file=self.stderr._out,
            disable=verbosity == 0,
        ):
            send_digest(guardian, gateway, now, summary)
        self.stdout.write(
            f"{summary.sent} digests sent, {summary.empty} with nothing new, "
            f"{summary.skipped} skipped, {summary.failed} failed."
        )
