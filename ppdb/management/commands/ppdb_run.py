"""Run the admission selection of a period on the database."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ppdb.models import AdmissionPeriod, SelectionRun
from ppdb.selection.runs import RunError, execute_run, publish_run, start_run
from ppdb.selection.views import run_error

from .ppdb_simulate import step_label


class Command(BaseCommand):
    help = (
        "Freeze the period's applications and rule set into a new selection "
        "run, run it here with a progress bar, and print its summary. The run "
        "is a dry run unless --publish or --candidate is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", type=int, required=True, help="Id of the admission period."
        )
        parser.add_argument(
            "--round",
            choices=SelectionRun.Round.values,
            default=SelectionRun.Round.MAIN,
            help="Selection round. Default: main.",
        )
        parser.add_argument(
            "--candidate",
            action="store_true",
            help="Start a run that can be published later instead of a dry run.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the run as the official result once it succeeds.",
        )

    def handle(self, **options):
        try:
            period = AdmissionPeriod.objects.get(pk=options["period"])
        except AdmissionPeriod.DoesNotExist:
            raise CommandError(
                _("No admission period has the id %(id)s.") % {"id": options["period"]}
            ) from None
        dry_run = not (options["candidate"] or options["publish"])
        try:
            run = start_run(
                period, None, dry_run=dry_run, round=options["round"], execute=False
            )
        except RunError as error:
            raise CommandError(error.message) from error

        with tqdm(
            desc=_("reading"),
            unit=_("row"),
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
        ) as bar:

            def progress(step, rows):
                if rows is None:
                    bar.set_description_str(
                        _("storing results") if step == "store" else step_label(step)
                    )
                else:
                    bar.update(rows)

            run = execute_run(run.pk, progress=progress)

        if run.status != SelectionRun.Status.SUCCEEDED:
            raise CommandError(
                _("Run %(number)s %(status)s: %(error)s")
                % {
                    "number": run.number,
                    "status": run.get_status_display(),
                    "error": run_error(run),
                }
            )
        self.write_summary(run)
        if options["publish"]:
            try:
                publish_run(run, None)
            except RunError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                _("Run %(number)s is now the official result.") % {"number": run.number}
            )

    def write_summary(self, run):
        summary = run.summary
        for track, counts in sorted(summary.get("by_track", {}).items()):
            self.stdout.write(
                _(
                    "%(track)s: %(accepted)s accepted, %(not_accepted)s not "
                    "accepted, %(ineligible)s ineligible"
                )
                % {
                    "track": track,
                    "accepted": counts.get("accepted", 0),
                    "not_accepted": counts.get("not_accepted", 0),
                    "ineligible": counts.get("ineligible", 0),
                }
            )
        moved = {}
        for move in summary.get("moves", []):
            key = (move["source"], move["target"])
            moved[key] = moved.get(key, 0) + move["count"]
        for (source, target), count in sorted(moved.items()):
            self.stdout.write(
                _("%(count)s unused seats moved from %(source)s to %(target)s")
                % {"count": count, "source": source, "target": target}
            )
        self.stdout.write(
            _(
                "Run %(number)s (%(kind)s): %(applicants)s applicants, "
                "%(schools)s schools; input hash %(hash)s"
            )
            % {
                "number": run.number,
                "kind": _("dry run") if run.is_dry_run else _("for publishing"),
                "applicants": summary.get("applicants", 0),
                "schools": summary.get("schools", 0),
                "hash": run.input_hash,
            }
        )
