"""
The budget of classroom form posts per person and session.

A websocket connection may send ``consumers.FRAME_BURST`` frames at once and
``consumers.FRAME_RATE`` frames a second after that (settings
``LIVE_FRAME_BURST`` and ``LIVE_FRAME_RATE``), and faster frames wait. An HTTP
post cannot wait that way, so the plain forms get the same numbers as a
sliding window instead: at most the burst within the seconds the rate needs
to refill it (40 posts in 2 seconds by default). A post over the budget is
rejected before its action runs, so it stores nothing, and does not count.
Posts that the action itself rejects do count.

With ``REDIS_URL`` every daphne process counts in one Redis sorted set per
person, and without it the one process counts in memory.
"""

import math
import uuid

import redis.exceptions
from django.conf import settings

from .consumers import FRAME_BURST, FRAME_RATE
from .eventlog import LOCAL_LIMITER, LogUnavailable, redis_prefix, sync_redis
from .models import RateLimited

# Remove the hits older than the window, then add this one unless the window
# is full. Return 1 when the post fits the budget and 0 when it does not.
SPEND_SCRIPT = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now_ms, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 1
"""


def post_limit():
    """Return the budget as ``(posts, seconds)``."""
    burst = getattr(settings, "LIVE_FRAME_BURST", FRAME_BURST)
    rate = getattr(settings, "LIVE_FRAME_RATE", FRAME_RATE)
    # Rounded up to whole seconds for the error message, so the budget is
    # never looser than the websocket's.
    return burst, max(1, math.ceil(burst / rate))


def spend(session_id, user_id):
    """
    Count one form post of ``user_id`` in the session.

    Raise ``RateLimited`` when the person is over the budget, and
    ``LogUnavailable`` when Redis is unreachable.
    """
    limit, seconds = post_limit()
    key = f"{session_id}:{user_id}:post"
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        LOCAL_LIMITER.hit(key, limit, seconds)
        return
    try:
        fits = sync_redis(url).eval(
            SPEND_SCRIPT,
            1,
            f"{redis_prefix()}rate:{key}",
            limit,
            seconds * 1000,
            # A unique member, because two posts may share a millisecond.
            uuid.uuid4().hex,
        )
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
        raise LogUnavailable(str(error)) from error
    if not fits:
        raise RateLimited(limit, seconds)
