"""
A Redis cache that misses, and logs, instead of failing when Redis is down.

The platform caches data that can be rebuilt from the database (page
routes, course outlines, admission tables, sessions that ``cached_db`` also
stores in the database). So while Redis cannot be reached, reads miss,
writes and deletes are skipped, and pages keep working from the database,
only slower. ``incr`` and ``decr`` still raise, because a counter that
silently stops counting would lift a limit.

NOTE: a count kept with ``get`` and ``set``, such as the failed course
joins counted in ``courses/views.py``, does not count while Redis is down.
"""

import logging
import threading
import time

import redis.exceptions
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# While Redis is down every cache call fails, so at most one warning is
# logged per LOG_INTERVAL_SECONDS, counting the failures in between.
LOG_INTERVAL_SECONDS = 10.0


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache``, degrading to a cache miss on connection errors."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._log_lock = threading.Lock()
        self._last_logged = None
        self._unlogged = 0

    def _failed(self, operation, error):
        now = time.monotonic()
        with self._log_lock:
            if (
                self._last_logged is not None
                and now - self._last_logged < LOG_INTERVAL_SECONDS
            ):
                self._unlogged += 1
                return
            unlogged, self._unlogged = self._unlogged, 0
            self._last_logged = now
        logger.warning(
            "cache unavailable, treated as a miss operation=%s error=%s "
            "unlogged_since_last=%s",
            operation,
            error,
            unlogged,
        )

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except REDIS_ERRORS as error:
            self._failed("add", error)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except REDIS_ERRORS as error:
            self._failed("get", error)
            return default

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except REDIS_ERRORS as error:
            self._failed("set", error)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except REDIS_ERRORS as error:
            self._failed("touch", error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except REDIS_ERRORS as error:
            self._failed("delete", error)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except REDIS_ERRORS as error:
            self._failed("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except REDIS_ERRORS as error:
            self._failed("has_key", error)
            return False

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except REDIS_ERRORS as error:
            self._failed("set_many", error)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except REDIS_ERRORS as error:
            self._failed("delete_many", error)

    def clear(self):
        try:
            return super().clear()
        except REDIS_ERRORS as error:
            self._failed("clear", error)
            return False
