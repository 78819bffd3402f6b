"""Retry or fail library text extractions whose worker died."""

from django.core.management.base import BaseCommand

from library.extraction import reap_expired_extractions


class Command(BaseCommand):
    help = (
        "Queue again the library files whose text extraction is 'running' "
        "with an expired lease (its worker died), or mark them failed once "
        "LIBRARY_EXTRACT_MAX_ATTEMPTS attempts are used. Also queue again the "
        "files still 'pending' LIBRARY_EXTRACT_QUEUE_TIMEOUT seconds after "
        "they were queued. Safe to run often and from several processes."
    )

    def handle(self, verbosity=1, **options):
        result = reap_expired_extractions()
        if verbosity > 1:
            for pk in result.requeued:
                self.stdout.write(f"item file {pk}: queued again")
            for pk in result.failed:
                self.stdout.write(f"item file {pk}: failed, no attempts left")
            for pk in result.stale:
                self.stdout.write(f"item file {pk}: still pending, queued again")
        self.stdout.write(
            f"{len(result.requeued)} extractions queued again, "
            f"{len(result.failed)} marked failed, "
            f"{len(result.stale)} pending ones queued again."
        )
