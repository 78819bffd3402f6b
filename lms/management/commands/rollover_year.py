import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from lms.models import AcademicYear, Semester, rollover

# The rollover is rejected earlier than this before the current year's end,
# so that running it twice by mistake cannot move students up two grades.
EARLIEST_BEFORE_END = datetime.timedelta(days=60)


class Command(BaseCommand):
    help = (
        "Move every school's class groups from the current school year to the "
        "next one, a grade up: 7A becomes 8A and the final grade graduates. "
        "Then mark the next year as current and give it an odd (July to "
        "December) and an even (January to June) semester if it has none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="from_year",
            metavar="YEAR",
            help="Name of the year to move from, such as 2026/2027. "
            "Default: the current year.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would change, then roll everything back.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the year to move from ends more than "
            f"{EARLIEST_BEFORE_END.days} days from today.",
        )

    def handle(self, *args, from_year, dry_run, force, verbosity, **options):
        source = self._source_year(from_year)
        today = timezone.localdate()
        if not force and today < source.ends_on - EARLIEST_BEFORE_END:
            raise CommandError(
                f"The year {source} runs until {source.ends_on:%Y-%m-%d}, so "
                "moving students up now would skip a year. Run it near the "
                "year's end, or pass --force if a rollover now is intended."
            )

        with transaction.atomic():
            target = source.next_year()
            counts = rollover(source, target, progress=self._progress(verbosity))
            semesters = self._add_semesters(target)
            AcademicYear.objects.filter(is_current=True).update(is_current=False)
            target.is_current = True
            target.save(update_fields=["is_current"])
            if dry_run:
                transaction.set_rollback(True)

        summary = (
            f"{source} -> {target}: {counts['groups']} class groups created, "
            f"{counts['students']} students moved, "
            f"{counts['graduated']} students graduated, "
            f"{semesters} semesters added."
        )
        if dry_run:
            summary += " Dry run: nothing was saved."
        else:
            summary += f" {target} is now the current year."
        self.stdout.write(self.style.SUCCESS(summary))

    def _source_year(self, name):
        if name:
            year = AcademicYear.objects.filter(name=name).first()
            if year is None:
                raise CommandError(f"No school year is named {name!r}.")
            return year
        year = AcademicYear.current()
        if year is None:
            raise CommandError(
                "No school year is marked current. Mark one in the admin, or "
                "name the year with --from."
            )
        return year

    def _add_semesters(self, year):
        """Add the two usual semesters to ``year`` unless it has some already."""
        if year.semesters.exists():
            return 0
        first_half_end = datetime.date(year.starts_on.year, 12, 31)
        Semester.objects.bulk_create(
            [
                Semester(
                    academic_year=year,
                    number=Semester.Number.ODD,
                    starts_on=year.starts_on,
                    ends_on=first_half_end,
                ),
                Semester(
                    academic_year=year,
                    number=Semester.Number.EVEN,
                    starts_on=first_half_end + datetime.timedelta(days=1),
                    ends_on=year.ends_on,
                ),
            ]
        )
        return 2

    def _progress(self, verbosity):
        def wrap(groups):
            # tqdm writes carriage returns, which the command's line-based
            # OutputWrapper would split, so it gets the raw stream.
            return tqdm(
                groups,
                desc="class groups",
                unit="group",
                file=self.stderr._out,
                disable=verbosity == 0,
            )

        return wrap
