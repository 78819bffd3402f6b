"""Two identical registrations at the same moment make one application."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from ppdb.models import Application, ApplicationDocument
from tests.factories import make_user

from .registration_factories import (
    documents,
    form_data,
    give_consent,
    make_registration_period,
)


def post_together(clients, url, data_for):
    """POST from every client at once; return the responses in order."""
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)
    errors = []

    def send(index, client):
        try:
            barrier.wait(timeout=10)
            responses[index] = client.post(url, data_for(index))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, client))
        for index, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return responses


@pytest.fixture
def race(transactional_db, postgres):
    period = make_registration_period()
    parent = make_user()
    clients = []
    for _index in range(2):
        client = Client()
        client.force_login(parent)
        give_consent(client, period)
        clients.append(client)
    return period, parent, clients


def same_form(period):
    data = form_data(period)

    def data_for(_index):
        copy = {k: v for k, v in data.items() if not k.startswith("document_")}
        copy.update(documents())
        return copy

    return data_for


def test_double_submit_one_application(race):
    period, parent, clients = race
    url = reverse("ppdb:register_form", args=[period.pk])

    responses = post_together(clients, url, same_form(period))

    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Application.objects.count() == 1
    assert Application.objects.get().parent == parent
    assert ApplicationDocument.objects.count() == 2


def test_concurrent_registrations_get_distinct_numbers(race):
    period, _parent, clients = race
    url = reverse("ppdb:register_form", args=[period.pk])

    responses = post_together(clients, url, lambda _index: form_data(period))

    assert [response.status_code for response in responses] == [302, 302]
    numbers = sorted(Application.objects.values_list("registration_number", flat=True))
    assert [number[-6:] for number in numbers] == ["000001", "000002"]
