"""
A full OAI-PMH harvest by sickle over HTTP, against a bare view.

``library_generate`` adds OAI_BENCH_ITEMS items (default 100,000) on
PostgreSQL, of which the public ones (about 70 %) are exposed. sickle then
harvests every record with ListRecords, following resumption tokens, from a
daphne on 127.0.0.1, and the run prints records per second. The bare view
is the health check served by the same daphne in the same run, so the ratio
of a list page's time to a bare request's time holds on a noisy machine.

Measured on a shared 2-core machine with a load average of 10 to 12 from
other test runs. 100,000 generated items gave 69,816 public records. sickle
harvested them in 253 s, 276 records/s or 362 ms a page of 100 records,
against 7.3 ms a bare request (ratio 50). 20,000 items gave the same 362 ms a page,
so a page costs the same however deep into the list it is. The same page
took 125 to 135 ms inside one process with Django's test client, so most
of the rest is daphne, the HTTP round trip and sickle's parsing.
"""

import os
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from sickle import Sickle

from library.oai.records import exposed_items
from tests.benchmarks.helpers import requests_per_second
from tests.e2e.pages import make_home_page

ITEMS = int(os.environ.get("OAI_BENCH_ITEMS", "100000"))
BARE_REQUESTS = 300


@pytest.mark.django_db(transaction=True)
def test_sickle_harvest_rate(postgres, daphne_server):
    make_home_page()
    started = time.perf_counter()
    call_command("library_generate", count=ITEMS, seed=4, verbosity=0)
    generated_in = time.perf_counter() - started
    expected = exposed_items().count()

    requests_per_second(daphne_server, "/healthz", 20)
    bare = requests_per_second(daphne_server, "/healthz", BARE_REQUESTS)

    harvester = Sickle(f"{daphne_server}/oai/", max_retries=0, timeout=120)
    seen = set()
    started = time.perf_counter()
    for record in harvester.ListRecords(metadataPrefix="oai_dc"):
        seen.add(record.header.identifier)
    elapsed = time.perf_counter() - started

    pages = -(-len(seen) // settings.OAI_PAGE_SIZE)
    page_ms = elapsed / pages * 1000
    bare_ms = 1000 / bare
    print(  # noqa: T201
        f"\nOAI-PMH harvest by sickle: {len(seen)} records of {ITEMS} generated "
        f"items (generated in {generated_in:.0f} s) in {elapsed:.1f} s, "
        f"{len(seen) / elapsed:.0f} records/s; {pages} pages of "
        f"{settings.OAI_PAGE_SIZE}, {page_ms:.1f} ms a page; bare view "
        f"{bare_ms:.2f} ms a request ({bare:.0f} req/s), ratio "
        f"{page_ms / bare_ms:.0f}"
    )
    assert len(seen) == expected
