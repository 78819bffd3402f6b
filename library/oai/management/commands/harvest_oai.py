from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from library.oai.client import HarvestError, OAIClient, parse_datestamp
from library.oai.harvest import Harvester
from library.oai.models import HarvestSource


class Command(BaseCommand):
    help = (
        "Harvest the oai_dc records of another OAI-PMH repository into a library "
        "of their own. Later runs fetch only what changed since the newest "
        "datestamp of the last complete run."
    )

    def add_arguments(self, parser):
        parser.add_argument("base_url", help="The repository's OAI-PMH base URL.")
        parser.add_argument(
            "--set", dest="set_spec", default="", help="Harvest only this setSpec."
        )
        parser.add_argument(
            "--from",
            dest="from_date",
            help="Harvest records changed on or after this date "
            "(YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ). Default: the last run's newest "
            "datestamp.",
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Harvest every record, ignoring the last run.",
        )
        parser.add_argument(
            "--name",
            help="Title of the library that shows the records. "
            "Default: the repository's name.",
        )

    def handle(self, base_url, set_spec, from_date, full, name, **options):
        if from_date and full:
            raise CommandError("Give either --from or --full, not both.")
        if from_date:
            try:
                parse_datestamp(from_date)
            except ValueError as error:
                raise CommandError(f"--from: {error}") from error
        try:
            client = OAIClient(base_url)
            identity = client.identify()
        except HarvestError as error:
            raise CommandError(f"Harvest of {base_url} failed: {error}") from error

        with transaction.atomic():
            source, _created = HarvestSource.objects.get_or_create(
                base_url=base_url,
                set_spec=set_spec,
                defaults={"name": name or identity.name},
            )
            source.granularity = identity.granularity
            if name:
                source.name = name
            source.save()
        if not from_date and not full and source.last_datestamp is not None:
            from_date = _format(source.last_datestamp, identity.granularity)

        self.stdout.write(
            f"Harvesting {base_url}"
            + (f" set {set_spec}" if set_spec else "")
            + (f" from {from_date}" if from_date else " (all records)")
        )
        progress = tqdm(
            unit="record", desc="records", disable=None, file=self.stderr._out
        )
        harvester = Harvester(source, client, progress)
        try:
            summary = harvester.run(from_date)
        except HarvestError as error:
            progress.close()
            self.stdout.write(f"Stored before the failure: {harvester.summary}")
            raise CommandError(
                f"Harvest of {base_url} failed: {error}. The harvest state was not "
                "advanced, so the next run starts from the same point."
            ) from error
        progress.close()
        for failure in summary.failures:
            self.stderr.write(f"not stored: {failure}")
        self.stdout.write(self.style.SUCCESS(f"Harvest finished: {summary}"))


def _format(moment, granularity):
    if granularity == "YYYY-MM-DD":
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
