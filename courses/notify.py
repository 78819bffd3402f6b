"""
Send in-app notifications; the one entry point other apps call.

``notify(users, kind, title, url)`` stores one ``courses.Notification`` per
active recipient in a single query. The kinds are the values of
``Notification.Kind``: "new_material", "due_soon", "grade", "reply" and
"announcement".
"""

import logging

from django.contrib.auth import get_user_model

from .models import Notification

logger = logging.getLogger(__name__)

__all__ = ["Notification", "notify"]


def notify(users, kind, title, url=""):
    """
    Store a notification of ``kind`` for each active user in ``users``.

    ``users`` is a queryset or an iterable of users or user ids. Inactive
    users and duplicates are skipped. Return the number of notifications
    stored. Raise ``ValueError`` on an unknown kind.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    ids = {getattr(user, "pk", user) for user in users}
    ids.discard(None)
    if not ids:
        return 0
    active_ids = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .values_list("pk", flat=True)
    )
    title = str(title)[: Notification._meta.get_field("title").max_length]
    created = Notification.objects.bulk_create(
        [
            Notification(recipient_id=user_id, kind=kind, title=title, url=url)
            for user_id in sorted(active_ids)
        ]
    )
    logger.info("notifications sent kind=%s recipients=%s", kind, len(created))
    return len(created)
