"""Export the results of a selection run as CSV or XLSX."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ppdb.models import AdmissionPeriod, SelectionResult, SelectionRun
from ppdb.selection import exports
from ppdb.selection.cache import find_shown_run_id


class Command(BaseCommand):
    help = (
        "Write the results of a period's selection run to OUT: the official "
        "run, else the latest run that succeeded and is not a dry run, or the "
        "run given by --run. --public leaves out identifiers and shortens "
        "names; --internal includes NIK, NISN, KK and address and is recorded "
        "in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", type=int, required=True, help="Id of the admission period."
        )
        parser.add_argument("--run", type=int, help="Run number within the period.")
        audience = parser.add_mutually_exclusive_group(required=True)
        audience.add_argument(
            "--public", action="store_const", const=exports.PUBLIC, dest="audience"
        )
        audience.add_argument(
            "--internal", action="store_const", const=exports.INTERNAL, dest="audience"
        )
        parser.add_argument(
            "--format", choices=exports.FORMATS, default="csv", dest="file_format"
        )
        parser.add_argument("out", type=Path, help="File to write.")

    def find_run(self, period, number):
        runs = SelectionRun.objects.filter(
            period=period, status=SelectionRun.Status.SUCCEEDED
        )
        if number is not None:
            run = runs.filter(number=number).first()
            if run is None:
                raise CommandError(
                    _(
                        "Run %(number)s of this period does not exist or did not "
                        "succeed."
                    )
                    % {"number": number}
                )
            return run
        run = runs.filter(pk=find_shown_run_id(period.pk)).first()
        if run is None:
            raise CommandError(
                _("The period has no official or provisional run; give one with --run.")
            )
        return run

    def handle(self, **options):
        try:
            period = AdmissionPeriod.objects.get(pk=options["period"])
        except AdmissionPeriod.DoesNotExist:
            raise CommandError(
                _("No admission period has the id %(id)s.") % {"id": options["period"]}
            ) from None
        run = self.find_run(period, options["run"])
        audience, file_format, out = (
            options["audience"],
            options["file_format"],
            options["out"],
        )
        total = SelectionResult.objects.filter(run=run).count()
        rows = exports.export_rows(run, audience)
        with tqdm(
            total=total,
            desc=_("exporting"),
            unit=_("row"),
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
        ) as bar:

            def counted():
                for row in rows:
                    bar.update(1)
                    yield row

            try:
                if file_format == "csv":
                    with open(out, "w", encoding="utf-8", newline="") as file:
                        count = exports.write_csv(run, audience, file, rows=counted())
                else:
                    with open(out, "wb") as file:
                        count = exports.write_xlsx(run, audience, file, rows=counted())
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s")
                    % {"file": out, "error": error.strerror}
                ) from error
        if audience == exports.INTERNAL:
            exports.record_internal_export(run, None, file_format, destination=str(out))
        self.stdout.write(
            _("%(count)s results of run %(number)s (%(audience)s) written to %(file)s")
            % {
                "count": count,
                "number": run.number,
                "audience": audience,
                "file": out,
            }
        )
