"""
ASGI entry point served by daphne.

HTTP goes to Django. Websockets pass the allowed-hosts origin check
(``lms.origin``) and the session authentication before they reach the
routes of the apps. The authentication is channels' own, with its database
work on the threads of ``lms.connect_threads``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

# Django must be set up before the routes import models.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from lms.connect_threads import AuthMiddlewareStack  # noqa: E402
from lms.origin import AllowedHostsOriginValidator  # noqa: E402
from lms.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
