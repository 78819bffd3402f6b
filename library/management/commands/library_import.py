"""Import library items from a folder of files and a CSV file of metadata."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from library.importer import CSVFileError, import_items
from library.models import LibraryIndexPage


def find_library(value):
    """
    Return the library that ``value`` names: a page id, an NPSN or "city".

    Libraries that show the records of an OAI-PMH harvest source are left
    out, because the harvester owns their items.
    """
    local = LibraryIndexPage.objects.filter(harvest_source__isnull=True)
    if value.casefold() == "city":
        libraries = list(local.filter(school__isnull=True)[:2])
    else:
        libraries = list(local.filter(school__npsn=value)[:2])
        if not libraries and value.isdigit():
            libraries = list(local.filter(pk=int(value)))
    if not libraries:
        raise CommandError(
            f"No library matches {value!r}. Give the page id of a library, the "
            "NPSN of its school or 'city'."
        )
    if len(libraries) > 1:
        raise CommandError(
            f"Several libraries match {value!r}. Give the page id of one of them."
        )
    return libraries[0]


class Command(BaseCommand):
    help = (
        "Import library items from a CSV file of Dublin Core metadata and a "
        "folder of their files. Every row is checked first, each bad row is "
        "reported with its line number, and rows imported before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="Folder of the item files.")
        parser.add_argument("csv_file", type=Path, help="Path of the CSV file.")
        parser.add_argument(
            "--library",
            required=True,
            help="Target library: its page id, its school's NPSN, or 'city'.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report, but store nothing.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Import nothing when any row is bad.",
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Keep the new items as drafts instead of publishing them.",
        )
        parser.add_argument(
            "--user",
            help="Username recorded as the uploader and owner of the new items.",
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of the report (default: %(default)s).",
        )

    def handle(self, folder, csv_file, verbosity=1, **options):
        with translation.override(options["language"]):
            self.import_file(folder, csv_file, verbosity, options)

    def import_file(self, folder, csv_file, verbosity, options):
        library = find_library(options["library"])
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user has the username {options['user']!r}.")
        if not folder.is_dir():
            raise CommandError(f"The folder {folder} does not exist.")
        try:
            data = csv_file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {csv_file}: {error}") from error

        # tqdm writes carriage returns, which the command's line-based
        # OutputWrapper would split, so it gets the raw stream.
        with tqdm(
            desc=_("items"), unit="row", file=self.stderr._out, disable=verbosity == 0
        ) as bar:
            try:
                result = import_items(
                    library,
                    folder,
                    data,
                    user=user,
                    dry_run=options["dry_run"],
                    strict=options["strict"],
                    publish=not options["draft"],
                    progress=lambda row: bar.update(),
                )
            except CSVFileError as error:
                raise CommandError(str(error)) from error

        for line, message in result.errors:
            self.stderr.write(
                _("line %(line)s: %(message)s") % {"line": line, "message": message}
            )
        if verbosity > 1:
            for line, page in result.imported:
                self.stdout.write(
                    _("line %(line)s: imported as page %(page)s")
                    % {"line": line, "page": page.pk}
                )
            for line, page_id in result.skipped:
                self.stdout.write(
                    _("line %(line)s: skipped, already imported as page %(page)s")
                    % {"line": line, "page": page_id}
                )
        self.stdout.write(
            _(
                "%(library)s: %(imported)s imported, %(skipped)s skipped (imported "
                "before), %(bad)s bad rows, %(not_imported)s good rows not imported."
            )
            % {
                "library": library.title,
                "imported": len(result.imported),
                "skipped": len(result.skipped),
                "bad": len(result.errors),
                "not_imported": result.not_imported,
            }
        )
        if options["strict"] and result.errors:
            raise CommandError(
                _("Nothing was imported because %(count)s rows are bad (--strict).")
                % {"count": len(result.errors)}
            )
