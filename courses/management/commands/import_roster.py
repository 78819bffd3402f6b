"""Enrol the students of a Dapodik roster CSV in one course."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from courses.api import get_course
from courses.roster import import_roster


class Command(BaseCommand):
    help = (
        "Enrol the students of a roster CSV (Dapodik layout: NISN, Nama, JK, "
        "Tanggal Lahir, Rombel) in a course, creating missing accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument("course_id", type=int, help="Page id of the course.")
        parser.add_argument("file", type=Path, help="Path of the CSV file.")

    def handle(self, course_id, file, verbosity=1, **options):
        course = get_course(course_id)
        if course is None:
            raise CommandError(f"No live course has the id {course_id}.")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        # tqdm writes carriage returns, which the command's line-based
        # OutputWrapper would split, so it gets the raw stream.
        with tqdm(
            desc="students", unit="row", file=self.stderr._out, disable=verbosity == 0
        ) as bar:
            try:
                result = import_roster(course, data, progress=lambda row: bar.update())
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(
            f"{course.title}: {result.enrolled} enrolled, "
            f"{result.already_enrolled} already enrolled, "
            f"{result.created_users} accounts created, "
            f"{len(result.errors)} rows rejected."
        )
