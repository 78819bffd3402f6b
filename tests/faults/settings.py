"""
Settings of the platform processes that the fault tests start.

The test settings run every task at once. Here ``TASKS_BACKEND`` from the
environment picks the backend instead, so a test can queue tasks in the
database and serve them with a real ``db_worker`` process. The queue's
tables of django-tasks-db are always installed, so that one schema serves
every fault test.
"""

import os

from lms.settings.test import *  # noqa: F403
from lms.settings.test import INSTALLED_APPS

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
if "django_tasks_db" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]
