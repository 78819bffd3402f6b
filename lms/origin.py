"""
channels' allowed-hosts origin check, with a denial that uses no channel layer.

channels 4.3.2's ``OriginValidator`` rejects a websocket from a foreign
``Origin`` with ``WebsocketDenier``, an ``AsyncWebsocketConsumer`` on the
default channel layer. With the Redis layer, each rejected handshake would
then open a Redis connection and wait in BZPOPMIN until the client goes
away, and share the process's turn to pop with the live hub. A receive
cancelled on disconnect can also go on reading (see
``live.fanout.stop_task``), and channels' consumer cancels it only once.
"""

from urllib.parse import urlparse

from channels.security import websocket
from django.conf import settings


class WebsocketDenier(websocket.WebsocketDenier):
    """channels' denier without a channel layer: it accepts nothing and closes."""

    channel_layer_alias = None


class OriginValidator(websocket.OriginValidator):
    """channels' ``OriginValidator``, rejecting with a denier without a layer."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError(
                "You cannot use OriginValidator on a non-WebSocket connection"
            )
        if self.valid_origin(parsed_origin(scope)):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


def parsed_origin(scope):
    """Return the ``Origin`` header of ``scope`` as ``urlparse`` parts, or None."""
    origin = None
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                origin = urlparse(value.decode("latin1"))
            except UnicodeDecodeError:
                pass
    return origin


def AllowedHostsOriginValidator(application):  # noqa: N802
    """Return an ``OriginValidator`` for ``settings.ALLOWED_HOSTS``, like channels."""
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return OriginValidator(application, allowed_hosts)
