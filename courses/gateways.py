"""
Send short text messages (SMS, WhatsApp) through a gateway of the deployment.

A deployment configures one HTTP webhook (``NOTIFY_GATEWAY_URL``) that takes
a JSON POST ``{"channel": "sms" | "whatsapp", "to": "0812…", "text": "…"}``
with ``Authorization: Bearer <NOTIFY_GATEWAY_TOKEN>`` and responds with 2xx once
it has accepted the message. Other gateways subclass ``Gateway``.
"""

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlparse

from django.conf import settings

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """The gateway did not accept a message."""


class Gateway:
    """Base class of the ways to send a short message to a phone."""

    def send(self, channel, phone, text):
        """Send ``text`` to ``phone`` by ``channel``; raise ``GatewayError``."""
        raise NotImplementedError


class WebhookGateway(Gateway):
    """Post each message as JSON to the deployment's webhook."""

    def __init__(self, url, token="", timeout=10.0):
        if urlparse(url).scheme not in ("http", "https"):
            raise ValueError(f"The gateway URL must be http or https, not {url!r}.")
        self.url = url
        self.token = token
        self.timeout = timeout

    def send(self, channel, phone, text):
        payload = json.dumps({"channel": channel, "to": phone, "text": text})
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=payload.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(  # noqa: S310 - scheme checked above
                request, timeout=self.timeout
            ) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            raise GatewayError(f"gateway responded with HTTP {error.code}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise GatewayError(f"gateway unreachable: {error}") from error
        if not 200 <= status < 300:
            raise GatewayError(f"gateway responded with HTTP {status}")


def get_gateway():
    """Return the configured gateway, or ``None`` when the deployment has none."""
    if not settings.NOTIFY_GATEWAY_URL:
        return None
    return WebhookGateway(
        settings.NOTIFY_GATEWAY_URL,
        token=settings.NOTIFY_GATEWAY_TOKEN,
        timeout=settings.NOTIFY_GATEWAY_TIMEOUT,
    )
