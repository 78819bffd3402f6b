"""
Cost of counting library views: the item page with and without counting.

One daphne serves four paths in the same run. The bare health check is the
floor. A robot gets the item page without counting, so nothing is written.
A returning reader costs one INSERT that does nothing on conflict, and a new
reader on every request costs that INSERT and the monthly upsert. The
ratios hold on a noisy machine where the absolute figures do not.
"""

import http.client
import time
from urllib.parse import urlparse

import pytest
from django.core.files.base import ContentFile

from library import filetypes
from library.demo import minimal_pdf
from library.uploads import ItemMetadata, create_item
from library.usage.models import ItemUsage
from tests.e2e.pages import make_home_page
from tests.library.conftest import make_library, make_person, make_school

REQUESTS = 100
ROUNDS = 3
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def requests_per_second(base_url, path, count, user_agent):
    """
    Fetch ``path`` ``count`` times over one keep-alive connection.

    ``user_agent`` is a string, or a function of the request number that
    returns one. Return the rate in requests per second; every response
    must be 200.
    """
    parsed = urlparse(base_url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    started = time.perf_counter()
    for number in range(count):
        agent = user_agent(number) if callable(user_agent) else user_agent
        connection.request("GET", path, headers={"User-Agent": agent})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def new_reader(offset):
    # A different browser string is a different anonymous visitor.
    return lambda number: f"{BROWSER} Reader/{offset + number}"


@pytest.mark.django_db(transaction=True)
def test_item_page_counting_cost(daphne_server):
    home = make_home_page()
    school = make_school("SMP Negeri 9 Contoh")
    library = make_library(home, school, "perpustakaan-bench")
    teacher = make_person("guru.bench", school, "teacher")
    item_file = create_item(
        library,
        ItemMetadata(
            title="Laporan kualitas air",
            item_type="research_paper",
            language="id",
            licence="cc-by",
            access_level="public",
            creators=[("Siti Rahma", "")],
        ),
        ContentFile(minimal_pdf("Air", ["Air sungai."]), name="air.pdf"),
        user=teacher,
        content_type=filetypes.PDF,
        publish=True,
    )
    path = item_file.item.url
    for agent in (ROBOT, BROWSER):
        requests_per_second(daphne_server, path, 20, agent)
    requests_per_second(daphne_server, "/healthz", 20, BROWSER)

    rates = {"bare": [], "robot": [], "returning": [], "new": []}
    for round_number in range(ROUNDS):
        rates["bare"].append(
            requests_per_second(daphne_server, "/healthz", REQUESTS, BROWSER)
        )
        rates["robot"].append(requests_per_second(daphne_server, path, REQUESTS, ROBOT))
        rates["returning"].append(
            requests_per_second(daphne_server, path, REQUESTS, BROWSER)
        )
        rates["new"].append(
            requests_per_second(
                daphne_server, path, REQUESTS, new_reader(round_number * REQUESTS)
            )
        )
    best = {name: max(values) for name, values in rates.items()}
    views = ItemUsage.objects.get(item_id=item_file.item_id).views

    print(  # noqa: T201
        f"\nitem page, not counted (robot): {best['robot']:.0f} req/s; "
        f"returning reader: {best['returning']:.0f} req/s "
        f"({best['returning'] / best['robot']:.2f} of not counted); "
        f"new reader each request: {best['new']:.0f} req/s "
        f"({best['new'] / best['robot']:.2f} of not counted); "
        f"bare view: {best['bare']:.0f} req/s "
        f"(item page not counted at {best['robot'] / best['bare']:.2f} of bare); "
        f"best of {ROUNDS} rounds of {REQUESTS} sequential requests"
    )
    # One returning reader plus every new reader of every round.
    assert views == 1 + ROUNDS * REQUESTS
    assert best["returning"] / best["robot"] > 0.7
    assert best["new"] / best["robot"] > 0.6
