"""Run the admission selection on files, without touching the database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ppdb.engine import EngineError, InputError, simulate
from ppdb.messages import describe, translate


def step_label(step):
    """Return the progress bar's label for a step of the simulation."""
    labels = {
        "rules": _("reading rules"),
        "schools": _("reading schools"),
        "applicants": _("reading applicants"),
        "rank": _("ranking"),
        "check": _("checking invariants"),
        "write": _("writing results"),
    }
    # Every other step matches one track.
    return labels.get(step) or _("matching %(track)s") % {"track": step}


class Command(BaseCommand):
    help = (
        "Run the admission selection on a rule set, a schools file and an "
        "applicants file, and write one result row per applicant. Reads and "
        "writes only the given files; ppdb/RULES.md documents the formats."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rules", type=Path, required=True, help="Rule set (TOML) to apply."
        )
        parser.add_argument(
            "--schools",
            type=Path,
            required=True,
            help="CSV of schools: npsn,name,latitude,longitude,capacity.",
        )
        parser.add_argument(
            "--applicants", type=Path, required=True, help="CSV of applicants."
        )
        parser.add_argument(
            "--out", type=Path, required=True, help="CSV of results to write."
        )
        parser.add_argument(
            "--explain",
            type=Path,
            help="Also write a CSV with one row per applicant and choice.",
        )

    def handle(self, **options):
        verbosity = options["verbosity"]
        # tqdm writes carriage returns, which the command's line-based
        # OutputWrapper would split, so it gets the raw stream.
        with tqdm(
            desc=_("reading"),
            unit=_("row"),
            file=self.stderr._out,
            disable=verbosity == 0,
        ) as bar:

            def progress(step, rows):
                if rows is None:
                    bar.set_description_str(step_label(step))
                else:
                    bar.update(rows)

            try:
                summary = simulate(
                    options["rules"],
                    options["schools"],
                    options["applicants"],
                    options["out"],
                    options["explain"],
                    progress=progress,
                )
            except InputError as error:
                raise CommandError(
                    "\n".join(describe(problem) for problem in error.problems)
                ) from error
            except EngineError as error:
                raise CommandError(translate(error.template, error.params)) from error
            except OSError as error:
                raise CommandError(
                    _("Cannot read or write %(file)s: %(error)s")
                    % {"file": error.filename, "error": error.strerror}
                ) from error
        self.write_summary(summary, options)

    def write_summary(self, summary, options):
        for track, counts in sorted(summary.by_track.items()):
            self.stdout.write(
                _(
                    "%(track)s: %(accepted)s accepted, %(not_accepted)s not "
                    "accepted, %(ineligible)s ineligible"
                )
                % {
                    "track": track,
                    "accepted": counts["accepted"],
                    "not_accepted": counts["not_accepted"],
                    "ineligible": counts["ineligible"],
                }
            )
        for (source, target), count in sorted(summary.moves.items()):
            self.stdout.write(
                _("%(count)s unused seats moved from %(source)s to %(target)s")
                % {"count": count, "source": source, "target": target}
            )
        written = [str(options["out"])]
        if options["explain"]:
            written.append(str(options["explain"]))
        self.stdout.write(
            _(
                "%(applicants)s applicants, %(schools)s schools; input hash "
                "%(hash)s; written: %(files)s"
            )
            % {
                "applicants": summary.applicants,
                "schools": summary.schools,
                "hash": summary.input_hash,
                "files": ", ".join(written),
            }
        )
