"""
Create the platform's tables in an empty database without running migrations.

Run as ``python -m tests.faults.schema`` with ``DATABASE_URL`` set. Building
the tables from the models, as Django's test runner does with
``TEST["MIGRATE"] = False``, takes seconds where the migrations take over a
minute. The rows that Wagtail's migrations insert (root page, locale,
collection) are created afterwards.

NOTE: the indexes that migrations create with SQL of their own (the library
search document's GIN index, the OAI-PMH keyset index) are missing, which
the fault tests do not depend on.
"""

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command


def main():
    django.setup()
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)

    from tests.conftest import restore_wagtail_root

    restore_wagtail_root()


if __name__ == "__main__":
    main()
