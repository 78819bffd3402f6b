"""Import applicants of an admission period from another system's CSV file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from lms.models import User
from ppdb.engine import InputError
from ppdb.import_csv import FileError
from ppdb.importing import import_rows, read_for_period
from ppdb.messages import describe
from ppdb.models import AdmissionPeriod

# Invalid rows listed one by one; the summary counts the rest.
LISTED_PROBLEMS = 200


class Command(BaseCommand):
    help = (
        "Import the applicants of an admission period from a CSV file exported "
        "by another system. Invalid rows are listed with their line numbers and "
        "skipped; valid rows are stored once, so the import can be run again. "
        "ppdb/import_csv.py documents the columns."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", type=int, required=True, help="Id of the admission period."
        )
        parser.add_argument("file", type=Path, help="CSV file to import.")
        parser.add_argument(
            "--verified-by",
            metavar="USERNAME",
            help=(
                "Record rows with verified=true as verified by this operator or "
                "city admin. Without it, every row waits for verification."
            ),
        )

    def handle(self, **options):
        period = self.period(options["period"])
        verified_by = self.verifier(options["verified_by"])
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s")
                % {"file": options["file"], "error": error.strerror}
            ) from error
        try:
            result = read_for_period(period, data)
        except FileError as error:
            for problem in error.problems:
                problem.source = str(options["file"])
            raise CommandError(
                "\n".join(describe(problem) for problem in error.problems)
            ) from error
        for problem in result.problems:
            problem.source = str(options["file"])

        with tqdm(
            total=len(result.rows),
            desc=_("importing"),
            unit=_("row"),
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
        ) as bar:
            summary = import_rows(
                period,
                result,
                verified_by=verified_by,
                progress=bar.update,
                source=str(options["file"]),
            )
        self.write_summary(summary)

    def period(self, pk):
        try:
            period = AdmissionPeriod.objects.select_related("academic_year").get(pk=pk)
        except AdmissionPeriod.DoesNotExist as error:
            raise CommandError(
                _("Admission period %(id)s does not exist.") % {"id": pk}
            ) from error
        try:
            period.rule_set  # noqa: B018 - parsed here to report its problems.
        except InputError as error:
            raise CommandError(
                _("The period's rule set is invalid; fix it before importing:")
                + "\n"
                + "\n".join(describe(problem) for problem in error.problems)
            ) from error
        return period

    def verifier(self, username):
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(
                _("No active user is called %(username)s.") % {"username": username}
            )
        if not (
            user.is_superuser
            or user.is_city_admin
            or user.memberships.filter(role="operator").exists()
        ):
            raise CommandError(
                _(
                    "%(username)s is neither a school operator nor a city admin, "
                    "so cannot verify applications."
                )
                % {"username": username}
            )
        return user

    def write_summary(self, summary):
        for problem in summary.problems[:LISTED_PROBLEMS]:
            self.stderr.write(describe(problem))
        if len(summary.problems) > LISTED_PROBLEMS:
            self.stderr.write(
                _("%(count)s more problems are not listed.")
                % {"count": len(summary.problems) - LISTED_PROBLEMS}
            )
        self.stdout.write(
            _(
                "%(total)s rows: %(imported)s imported (%(verified)s verified, "
                "%(parents)s new parent accounts), %(present)s already present, "
                "%(invalid)s invalid."
            )
            % {
                "total": summary.total,
                "imported": summary.imported,
                "verified": summary.verified,
                "parents": summary.parents_created,
                "present": summary.already_present,
                "invalid": summary.invalid,
            }
        )
