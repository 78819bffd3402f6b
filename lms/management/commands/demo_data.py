"""
Build the demo city: schools, people, the school year and each app's content.

The core comes from ``lms.demo_city``. Then the ``build(world, stdout)``
function of each app's ``demo`` module adds that app's content. Every step
looks its rows up before it creates them, so running the command twice
leaves the database as the first run left it.
"""

import importlib
import logging

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm
from wagtail.models import Page

from lms.demo_city import SCHOOLS, build_city

logger = logging.getLogger(__name__)

# Apps whose demo content is built after the core, in this order: live
# classes need courses, and admission comes last.
DEMO_APPS = ["courses", "library", "live", "ppdb"]


def demo_data_allowed():
    """
    Return whether demo accounts with printed passwords may be created here.

    Production settings set ``DEMO_DATA_ALLOWED = False``. A settings module
    that does not set it allows the demo unless it is the production module
    itself.
    """
    if settings.SETTINGS_MODULE == "lms.settings.production":
        return False
    return getattr(settings, "DEMO_DATA_ALLOWED", True)


class Command(BaseCommand):
    help = (
        "Build a demo city with schools, people and content, and print the demo "
        "accounts. Safe to run twice. Production settings reject it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip",
            action="append",
            choices=DEMO_APPS,
            default=[],
            help="Skip this app's demo content. Repeat the option for several apps.",
        )

    def handle(self, *args, skip, **options):
        if not demo_data_allowed():
            raise CommandError(
                _(
                    "demo_data is disabled in these settings (%(module)s) because "
                    "it creates accounts with published passwords. Run it only "
                    "against a development or demo database."
                )
                % {"module": settings.SETTINGS_MODULE}
            )
        logger.info("demo data build started")

        steps = 1 + len(DEMO_APPS)
        self.step(1, steps, _("Core: regions, schools and people"))
        world = build_city(stdout=self.stdout, progress=self.progress)

        for number, app_label in enumerate(DEMO_APPS, start=2):
            app_name = apps.get_app_config(app_label).verbose_name
            self.step(number, steps, f"{app_name} ({app_label})")
            if app_label in skip:
                self.stdout.write(_("Skipped on request."))
                continue
            self.build_app(app_label, world)

        self.print_counts()
        self.print_accounts(world.accounts, len(world.parents))
        logger.info("demo data build finished")

    def step(self, number, total, title):
        self.stdout.write(self.style.MIGRATE_HEADING(f"[{number}/{total}] {title}"))

    def progress(self, iterable, **kwargs):
        # tqdm writes to stderr and hides itself when that is not a terminal,
        # so logs and tests receive only the step lines.
        return tqdm(iterable, disable=None, leave=False, **kwargs)

    def build_app(self, app_label, world):
        module_name = f"{app_label}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            # Only the module itself may be missing; a missing import inside
            # it is a bug to report.
            if error.name != module_name:
                raise
            self.stdout.write(
                _("No demo content: %(module)s does not exist.")
                % {"module": module_name}
            )
            return
        build = getattr(module, "build", None)
        if build is None:
            raise CommandError(
                _("%(module)s has no build(world, stdout) function.")
                % {"module": module_name}
            )
        with transaction.atomic():
            build(world, self.stdout)
        logger.info("demo data built app=%s", app_label)

    def print_counts(self):
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("What the database holds")))
        rows = [(str(Page._meta.verbose_name_plural), Page.objects.count())]
        for app_label in ["lms", *DEMO_APPS]:
            for model in apps.get_app_config(app_label).get_models():
                rows.append(
                    (
                        str(model._meta.verbose_name_plural),
                        model._default_manager.count(),
                    )
                )
        width = max(len(name) for name, _count in rows)
        for name, count in rows:
            self.stdout.write(f"  {name:<{width}}  {count:>6}")

    def print_accounts(self, accounts, parent_count):
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo accounts")))
        self.stdout.write(
            _(
                "The passwords are fixed demo values, the same for every account "
                "of a role. Every school has the same accounts as the first one: "
                "replace its code in the username (for example guru.smpn2.01). "
                "Parents are ortu.01 to ortu.%(last)02d."
            )
            % {"last": parent_count}
        )
        self.stdout.write(
            _("School codes: %(codes)s")
            % {"codes": ", ".join(spec.code for spec in SCHOOLS)}
        )
        header = (_("role"), _("username"), _("password"), "")
        rows = [header, *accounts]
        widths = [max(len(str(row[column])) for row in rows) for column in range(3)]
        for row in rows:
            cells = [f"{str(row[c]):<{widths[c]}}" for c in range(3)]
            line = "  ".join(cells)
            if row[3]:
                line = f"{line}  ({row[3]})"
            self.stdout.write(f"  {line}".rstrip())
