from django.core.management.base import BaseCommand
from tqdm import tqdm

from library.indexing import BATCH_SIZE, index_all
from library.models import LibraryItemPage


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

    def handle(self, *args, batch_size, verbosity, **options):
        total = LibraryItemPage.objects.count()
        indexed = 0
        with tqdm(
            total=total, unit="item", disable=verbosity == 0, file=self.stderr
        ) as progress:
            for count in index_all(batch_size=max(batch_size, 1)):
                indexed += count
                progress.update(count)
        self.stdout.write(f"Indexed {indexed} library items for search.")
