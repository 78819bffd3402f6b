from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from library.indexing import BATCH_SIZE, index_all
from library.models import LibraryItemPage, SearchDocument


class Command(BaseCommand):
    help = (
        "Rebuild the search index rows of every library item from the stored "
        "items. Run it once after upgrading to the search index, and after "
        "changing items with bulk SQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"Items per statement. Default: {BATCH_SIZE}.",
        )
        parser.add_argument(
            "--embargo-ended",
            action="store_true",
            help="Only add the files' text of items whose embargo has ended "
            "since they were indexed. The scheduler runs this daily.",
        )

    def handle(self, *args, batch_size, embargo_ended, verbosity, **options):
        if embargo_ended:
            total = SearchDocument.objects.filter(
                full_text_withheld_until__lte=timezone.localdate()
            ).count()
        else:
            total = LibraryItemPage.objects.count()
        indexed = 0
        with tqdm(
            total=total, unit="item", disable=verbosity == 0, file=self.stderr
        ) as progress:
            batches = index_all(
                batch_size=max(batch_size, 1), embargo_ended=embargo_ended
            )
            for count in batches:
                indexed += count
                progress.update(count)
        self.stdout.write(f"Indexed {indexed} library items for search.")
