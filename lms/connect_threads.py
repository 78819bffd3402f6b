"""
The database work of websocket handshakes, on a bounded pool of threads.

Channels' ``database_sync_to_async`` runs every call of a process on one
thread, one after another (asgiref 3.13's thread-sensitive mode). When a
whole class opens the classroom at once, each handshake's session and user
lookup and its access check wait behind those of all the others, and behind
the rest of the process's database work. ``connect_sync_to_async`` runs
such calls on at most ``WEBSOCKET_CONNECT_THREADS`` threads of their own,
so that one handshake's queries overlap with another's round trips.

Each thread has its own Django database connection, which channels'
``DatabaseSyncToAsync`` closes after each call, as it does on the shared
thread. With ``DATABASE_POOL_MAX_SIZE`` set, every connection comes from
the process's pool, which still caps the connections of the process.
Without a pool, the threads add at most ``WEBSOCKET_CONNECT_THREADS``
connections per process, held during a call when ``CONN_MAX_AGE`` is 0.

Only calls that keep no state between calls belong here. They run at the
same time as each other and as the shared thread, so a transaction cannot
span two of them.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from channels.auth import AuthMiddleware as ChannelsAuthMiddleware
from channels.auth import CookieMiddleware, SessionMiddleware
from channels.auth import get_user as channels_get_user
from channels.db import DatabaseSyncToAsync
from django.conf import settings

# Threads per process (setting WEBSOCKET_CONNECT_THREADS). An estimate, not
# a measured optimum. The threads mostly wait for the database, and many
# more of them would mostly wait for the interpreter lock.
CONNECT_THREADS = 4

_executor = None
_executor_lock = threading.Lock()


def _forget_executor():
    # A forked child, such as a daphne process started by multiprocessing,
    # inherits the parent's executor without its threads. Work submitted to
    # that executor would wait forever, so the child starts its own.
    global _executor, _executor_lock
    _executor = None
    _executor_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_executor)


def connect_executor():
    """Return the process's pool of connect threads, started on first use."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=getattr(
                    settings, "WEBSOCKET_CONNECT_THREADS", CONNECT_THREADS
                ),
                thread_name_prefix="websocket-connect",
            )
    return _executor


def connect_sync_to_async(function):
    """Wrap ``function`` like ``database_sync_to_async``, for the connect threads."""
    return DatabaseSyncToAsync(
        function, thread_sensitive=False, executor=connect_executor()
    )


class AuthMiddleware(ChannelsAuthMiddleware):
    """
    Channels' ``AuthMiddleware`` with its user lookup on the connect threads.

    The lookup is channels' own ``get_user`` (channels 4.3): the session's
    user through the configured authentication backend, with the session
    hash checked and the session flushed when the hash does not match.
    """

    async def resolve_scope(self, scope):
        lookup = connect_sync_to_async(channels_get_user.func)
        scope["user"]._wrapped = await lookup(scope)


def AuthMiddlewareStack(inner):
    """Wrap ``inner`` in cookie, session and user middleware, as channels does."""
    return CookieMiddleware(SessionMiddleware(AuthMiddleware(inner)))
