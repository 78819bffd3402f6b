from django.core.management.base import BaseCommand, CommandError

from lms import catalogue


class Command(BaseCommand):
    help = (
        "Update, compile or check the translation catalogues of the project's "
        "apps, without the GNU gettext tools."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "compile", "check"])
        parser.add_argument(
            "--app",
            action="append",
            choices=sorted(catalogue.CATALOGUES),
            help="Only this app's catalogue; repeat for several. Default: all.",
        )
        parser.add_argument(
            "--language", default="id", help="Language code. Default: id."
        )

    def handle(self, action, app, language, **options):
        failed = False
        for app_label in app or sorted(catalogue.CATALOGUES):
            path = catalogue.po_path(app_label, language)
            if action == "update":
                added, removed = catalogue.update(app_label, language)
                self.stdout.write(f"{path}: {added} messages added, {removed} removed")
            elif action == "compile":
                catalogue.compile_po(path)
                self.stdout.write(f"{path.with_suffix('.mo')} written")
            else:
                problems = catalogue.check(app_label, language)
                for kind in ("missing", "untranslated", "fuzzy", "stale_mo"):
                    for msgid in getattr(problems, kind):
                        self.stdout.write(f"{path}: {kind}: {msgid!r}")
                failed = failed or bool(problems)
        if failed:
            raise CommandError("Some catalogues are incomplete; see the list above.")
