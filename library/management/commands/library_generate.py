import itertools
import random
import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm
from wagtail.models import Page

from library.generation import describe_items, insert_items
from library.models import (
    ItemContributor,
    ItemCreator,
    LibraryIndexPage,
    LibraryItemPage,
    LibraryItemPageTag,
    SearchDocument,
    SearchFacetGroup,
    SearchSubjectSet,
)
from lms.models import HomePage, School

# The slug of the city-wide library, as the demo data names it.
CITY_LIBRARY_SLUG = "perpustakaan"
# Generated schools get NPSNs from 69990001 up, outside the demo's range.
GENERATED_NPSN_BASE = 69990000
# The tables that the command fills, vacuumed and analysed at the end on
# PostgreSQL.
ANALYZED_MODELS = (
    Page,
    LibraryItemPage,
    ItemCreator,
    ItemContributor,
    LibraryItemPageTag,
    SearchDocument,
    SearchFacetGroup,
    SearchSubjectSet,
)


class Command(BaseCommand):
    help = (
        "Add generated library items with Indonesian and English text, for "
        "search and harvesting benchmarks. Items are spread over the school "
        "libraries and the city-wide library, and bulk-inserted with their "
        "creators, subjects and search index rows. The same seed gives the "
        "same items."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, required=True, help="Number of items to add."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed. Default: 1."
        )
        parser.add_argument(
            "--schools",
            type=int,
            default=8,
            help="Number of school libraries to fill; missing schools and "
            "libraries are created. Default: 8.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Items per transaction. Default: 2000.",
        )

    def handle(self, *args, count, seed, schools, batch_size, verbosity, **options):
        if count < 1 or batch_size < 1 or schools < 0:
            raise CommandError(
                f"Invalid numbers: --count {count}, --batch-size {batch_size}, "
                f"--schools {schools}. --count and --batch-size must be at "
                "least 1, and --schools at least 0."
            )
        home = HomePage.objects.order_by("path").first()
        if home is None:
            raise CommandError(
                "There is no home page to put libraries under. Run "
                "`manage.py demo_data` or create the site's home page first."
            )
        libraries = self._libraries(home, schools)
        school_names = [lib.school.name for lib in libraries if lib.school]

        started = time.monotonic()
        # Places items and draws publication times, apart from their text.
        rng = random.Random(f"{seed}-placement")  # noqa: S311
        descriptions = describe_items(count, seed, school_names)
        tags = {}
        per_library = Counter()
        per_language = Counter()
        with tqdm(
            total=count, unit="item", disable=verbosity == 0, file=self.stderr
        ) as progress:
            for _start in range(0, count, batch_size):
                batch = list(itertools.islice(descriptions, batch_size))
                groups = {}
                for description in batch:
                    library = rng.choice(libraries)
                    groups.setdefault(library.pk, (library, []))[1].append(description)
                for library, group in groups.values():
                    insert_items(library, group, rng, tags)
                    per_library[library.title] += len(group)
                per_language.update(d.language for d in batch)
                progress.update(len(batch))

        if connection.vendor == "postgresql":
            # Autovacuum analyses new rows only later, and until then the
            # planner takes the bulk-loaded tables for nearly empty. VACUUM
            # also marks the new pages all-visible, as autovacuum would
            # later, so that scans skip checking each row's visibility. It
            # cannot run in a transaction, where ANALYZE does alone.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                for model in ANALYZED_MODELS:
                    cursor.execute(f"{command} {model._meta.db_table}")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Added {count} items to {len(per_library)} libraries in "
            f"{elapsed:.1f} s ({count / elapsed:.0f} items/s). Languages: "
            + ", ".join(f"{lang} {n}" for lang, n in sorted(per_language.items()))
            + "."
        )
        if verbosity > 1:
            for title, added in sorted(per_library.items()):
                self.stdout.write(f"  {title}: {added}")

    def _libraries(self, home, count):
        """Return the libraries to fill, creating missing ones under ``home``."""
        libraries = list(
            LibraryIndexPage.objects.filter(school__isnull=False)
            .select_related("school")
            .order_by("path")[:count]
        )
        schools_with_library = set(
            LibraryIndexPage.objects.filter(school__isnull=False).values_list(
                "school_id", flat=True
            )
        )
        number = 0
        while len(libraries) < count:
            number += 1
            npsn = str(GENERATED_NPSN_BASE + number)
            school, _created = School.objects.get_or_create(
                npsn=npsn,
                defaults={
                    "name": f"SMP Negeri {100 + number} Depok",
                    "level": School.Level.SMP,
                    "kecamatan_code": "32.76.01",
                },
            )
            if school.pk in schools_with_library:
                continue
            libraries.append(self._add_library(home, school, f"perpustakaan-{npsn}"))
        city = LibraryIndexPage.objects.filter(
            school__isnull=True, slug=CITY_LIBRARY_SLUG
        ).first()
        if city is None:
            city = self._add_library(home, None, CITY_LIBRARY_SLUG)
        return [*libraries, city]

    def _add_library(self, home, school, slug):
        title = f"Perpustakaan {school.name}" if school else "Perpustakaan Kota"
        library = LibraryIndexPage(title=title, slug=slug, school=school)
        home.add_child(instance=library)
        library.save_revision().publish()
        return library
