"""
Websocket part of the access matrix: every route, for every role.

The consumer reads the database from another thread, which cannot see an
open transaction, so this module commits its own world instead of sharing
the access matrix module's rolled-back one.
"""

import json
import re

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import Client

from .access_rules import WEBSOCKET_RULES
from .world import ROLES, build_world


def websocket_routes():
    from lms.routing import websocket_urlpatterns

    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def test_every_websocket_route_has_row():
    missing = sorted(set(websocket_routes()) - set(WEBSOCKET_RULES))
    assert not missing, (
        f"websocket routes without a row in WEBSOCKET_RULES of "
        f"tests/security/access_rules.py: {missing}"
    )


async def websocket_outcome(path, cookie):
    """Open ``path`` with the session ``cookie`` and return the matrix outcome."""
    from channels.testing import WebsocketCommunicator

    from lms.asgi import application

    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _subprotocol = await communicator.connect(timeout=5)
    if not connected:
        return "rejected"
    try:
        first = await communicator.receive_output(timeout=5)
        if first["type"] == "websocket.close":
            return str(first.get("code"))
        message = json.loads(first["text"])
        if message["type"] == "welcome":
            return "join"
        closing = await communicator.receive_output(timeout=5)
        return str(closing.get("code"))
    finally:
        await communicator.disconnect()


def websocket_path(route, rule, world):
    path = route
    for name, value in rule.kwargs.items():
        filled = value.resolve(world) if hasattr(value, "resolve") else value
        path = re.sub(rf"<(?:\w+:)?{name}>", str(filled), path)
    return "/" + path


@pytest.mark.slow
@pytest.mark.parametrize("route", sorted(WEBSOCKET_RULES))
def test_websocket_access(transactional_db, route):
    """Open the websocket route as every role and compare with its row."""
    rule = WEBSOCKET_RULES[route]
    built = build_world()
    path = websocket_path(route, rule, built)
    mismatches = []
    for role in ROLES:
        user = getattr(built, role)
        cookie = None
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        actual = async_to_sync(fresh_websocket_outcome)(path, cookie)
        if actual != rule.outcomes[role]:
            mismatches.append(
                f"{path} as {role}: expected {rule.outcomes[role]}, got {actual}"
            )
    assert not mismatches, "\n".join(mismatches)


async def fresh_websocket_outcome(path, cookie):
    """Run ``websocket_outcome`` on a fresh event loop's channel layer and hub."""
    from channels.layers import channel_layers

    from live.eventlog import close_log
    from live.fanout import close_hub

    channel_layers.backends = {}
    try:
        return await websocket_outcome(path, cookie)
    finally:
        await close_hub()
        await close_log()
        channel_layers.backends = {}
