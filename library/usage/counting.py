"""
Count views and downloads of library items.

``count_use`` adds one view or download to the item's month, at most once
per visitor, item, kind and day, and never for a known robot. A counted hit
costs two statements (an insert into ``ItemVisit`` that does nothing on a
conflict, then an upsert of ``ItemUsage``), and a repeated hit only the
first one.
"""

import hashlib
import hmac
import logging
import re

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from lms.audit import client_ip

from .models import ItemUsage, ItemVisit, UsageKind

logger = logging.getLogger(__name__)

# User agents of robots, crawlers, link checkers and command-line clients,
# matched case-insensitively anywhere in the User-Agent header. The list
# follows the kinds of agents that the COUNTER Code of Practice excludes
# from usage reports; it is written for this project and is not a copy of
# COUNTER's own list, so extend it when the logs show new robots.
ROBOT_PATTERNS = [
    # "cubot" is a phone brand, not a robot.
    r"(?<!cu)bot\b",
    r"(?<!cu)bot[/_-]",
    r"crawl",
    r"spider",
    r"slurp",
    r"archiver",
    r"harvest",
    r"indexer",
    r"fetcher",
    r"scrap",
    r"validator",
    r"link ?check",
    r"monitor",
    r"uptime",
    r"preview",
    r"headless",
    r"phantomjs",
    r"lighthouse",
    r"curl/",
    r"wget",
    r"python-requests",
    r"python-urllib",
    r"python-httpx",
    r"aiohttp",
    r"httpclient",
    r"okhttp",
    r"java/",
    r"libwww",
    r"go-http-client",
    r"node-fetch",
    r"axios/",
    r"postmanruntime",
    r"facebookexternalhit",
    r"whatsapp",
    r"telegram",
    r"embedly",
    r"sickle",
    r"oai-?pmh",
    r"zotero",
    r"mendeley",
    r"ia_archiver",
    r"yandex",
    r"baidu",
    r"bingpreview",
    r"mediapartners",
    r"apis-google",
    r"feedfetcher",
    r"google-read-aloud",
    r"petalbot",
    r"semrush",
    r"ahrefs",
    r"mj12",
    r"dotbot",
    r"bytespider",
    r"gptbot",
    r"ccbot",
    r"claudebot",
    r"anthropic-ai",
    r"perplexity",
]
ROBOT_RE = re.compile("|".join(ROBOT_PATTERNS), re.IGNORECASE)


def is_robot(user_agent):
    """Return whether ``user_agent`` names a robot; a missing agent counts as one."""
    user_agent = (user_agent or "").strip()
    return not user_agent or ROBOT_RE.search(user_agent) is not None


def visitor_key(request, day):
    """
    Return who is visiting, for counting: a user id or a daily anonymous hash.

    Anonymous visitors are an HMAC of the address and the browser, keyed with
    the secret key and ``day``. The key changes every day, so visits cannot
    be linked across days, and no address is stored.
    """
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    day_key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"library-usage:{day.isoformat()}".encode(),
        hashlib.sha256,
    ).digest()
    seen = "\n".join([client_ip(request) or "", request.headers.get("User-Agent", "")])
    digest = hmac.new(day_key, seen.encode(), hashlib.sha256).hexdigest()
    return f"a:{digest[:40]}"


def is_prefetch(request):
    """Return whether the browser fetches the page ahead of a click."""
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose")
    return bool(purpose) and "prefetch" in purpose.lower()


def count_use(request, item_id, kind):
    """
    Count a view or download of item ``item_id`` by the requester.

    Return whether it was counted. Robots, prefetches and a second use of the
    same kind by the same visitor on the same day are not counted. A database
    error is logged and swallowed, so counting cannot break the page.
    """
    if kind not in UsageKind.values:
        raise ValueError(f"unknown usage kind {kind!r}")
    if request.method != "GET" or is_prefetch(request):
        return False
    if is_robot(request.headers.get("User-Agent")):
        return False
    day = timezone.localdate()
    visitor = visitor_key(request, day)
    try:
        with transaction.atomic():
            counted = _record_visit(item_id, day, kind, visitor)
            if counted:
                _add_to_month(item_id, day.replace(day=1), kind)
    except DatabaseError:
        logger.exception("library usage not counted item=%s kind=%s", item_id, kind)
        return False
    return counted


def _record_visit(item_id, day, kind, visitor):
    table = connection.ops.quote_name(ItemVisit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (item_id, day, kind, visitor) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (item_id, day, kind, visitor) DO NOTHING RETURNING id",
            [item_id, day, kind, visitor],
        )
        return cursor.fetchone() is not None


def _add_to_month(item_id, month, kind):
    table = connection.ops.quote_name(ItemUsage._meta.db_table)
    views, downloads = (1, 0) if kind == UsageKind.VIEW else (0, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (item_id, month, views, downloads) "  # noqa: S608
            "VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (item_id, month) DO UPDATE SET "
            f"views = {table}.views + excluded.views, "
            f"downloads = {table}.downloads + excluded.downloads",
            [item_id, month, views, downloads],
        )


def purge_visits(before):
    """
    Delete the per-day visit records older than the date ``before``.

    They are only needed to skip repeats on the same day, and a user id per
    item and day is reading history, so keep them no longer than needed.
    Return the number of rows deleted.
    """
    deleted, _counts = ItemVisit.objects.filter(day__lt=before).delete()
    logger.info("library usage visits purged before=%s rows=%s", before, deleted)
    return deleted
