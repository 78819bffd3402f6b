"""Settings for a developer's machine and the ``make run`` demo."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# Serve static files straight from the app folders, so the demo works
# without running collectstatic first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
