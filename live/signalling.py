"""
WebRTC signalling: offers, answers, ICE candidates and hang-ups between two
participants of a live session, relayed over the classroom websocket.

A signalling message names one person (``to``, a user id) and may name one
of their connections (``peer``, taken from a message that connection sent).
Without ``peer`` it goes to the person's newest open connection in the
session. The server checks the target here, in the database, because the
connection may be served by another daphne process: the message then
travels through the session's channel layer group, and only the process
that serves the target connection delivers it (``fanout.Hub``).

Signalling messages are not stored in the event log, and the debug log line
of a relayed message contains only ids. The messages are useful only for the
seconds a negotiation takes, and a late joiner or a replay must never act on
an old offer. ICE candidates also contain the network addresses of people's
homes and phones, which the platform should not keep.

Peer-to-peer media works for small groups: every participant sends a
stream to every other one, so the upload a phone needs grows with the
group. ``p2p_max_participants()`` is the largest session in which the
server relays offers. A larger class needs a media server (an SFU), which
the platform does not have yet. The page then says so, and ``rtc_offer``
gets the error ``media_server_needed``.
"""

import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from . import protocol, services
from .eventlog import LOCAL_LIMITER
from .models import LiveConnection
from .protocol import ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# In a mesh of N people every phone sends N - 1 streams (setting
# LIVE_P2P_MAX_PARTICIPANTS). These are estimates: Opus speech takes about
# 30-40 kbit/s a stream, and the small video of media.js about 300 kbit/s.
# Four people with video then need about 1 Mbit/s of upload per phone, which
# is about what a weak mobile connection carries.
P2P_MAX_PARTICIPANTS = 4
# At most SIGNAL_RATE_LIMIT signalling messages per connection within
# SIGNAL_RATE_WINDOW_SECONDS (settings of the same names with a LIVE_
# prefix). Starting media in a group of four takes 3 offers and about 10
# ICE candidates per peer, so the limit allows a few such rounds at once.
SIGNAL_RATE_LIMIT = 100
SIGNAL_RATE_WINDOW_SECONDS = 10

# The fields of each signalling message that the peer receives.
RELAYED_FIELDS = {
    "rtc_offer": ("sdp",),
    "rtc_answer": ("sdp",),
    "rtc_ice": ("candidate", "sdp_mid", "sdp_mline_index"),
    "rtc_hangup": (),
}


def p2p_max_participants():
    return getattr(settings, "LIVE_P2P_MAX_PARTICIPANTS", P2P_MAX_PARTICIPANTS)


def ice_servers():
    """
    Return the ICE servers (STUN and TURN) that browsers use for calls.

    By default the list is empty, so peers reach each other only through
    host candidates, which works on one network. Deployments set
    ``LIVE_ICE_SERVERS`` to a list in the form of ``RTCConfiguration``'s
    ``iceServers``, for example ``[{"urls": "stun:stun.example.org"}]``.
    """
    return list(getattr(settings, "LIVE_ICE_SERVERS", []))


def signal_rate_limit():
    """Return the signalling rate limit as ``(messages, seconds)``."""
    return (
        getattr(settings, "LIVE_SIGNAL_RATE_LIMIT", SIGNAL_RATE_LIMIT),
        getattr(
            settings, "LIVE_SIGNAL_RATE_WINDOW_SECONDS", SIGNAL_RATE_WINDOW_SECONDS
        ),
    )


def peer_id(channel_name):
    """Return the peer id of a connection: its channel name without ``live.``."""
    return channel_name.removeprefix("live.")


def find_peer_channel(session_id, user_id, peer=None):
    """
    Return the channel name of the connection a signalling message goes to.

    Raise ``ProtocolError`` with ``unknown_peer`` when the person has never
    been connected to the session (with ``peer``: never on that connection),
    and with ``peer_gone`` when they were and have left.
    """
    from .fanout import stale_after

    connections = LiveConnection.objects.filter(session_id=session_id, user_id=user_id)
    if peer is not None:
        connections = connections.filter(channel_name=f"live.{peer}")
    channel_name = (
        connections.filter(
            disconnected_at__isnull=True,
            last_seen_at__gt=timezone.now() - stale_after(),
        )
        .order_by("-connected_at", "-pk")
        .values_list("channel_name", flat=True)
        .first()
    )
    if channel_name is not None:
        return channel_name
    code = ErrorCode.PEER_GONE if connections.exists() else ErrorCode.UNKNOWN_PEER
    raise ProtocolError(code, peer=user_id)


async def relay(consumer, message):
    """
    Send ``consumer``'s signalling ``message`` to the one peer it names.

    Raise ``ProtocolError`` for a peer that cannot take it, ``RateLimited``
    for a sender over the signalling rate limit, and the channel layer's
    errors when Redis is unreachable.
    """
    fields = message.fields
    target = fields["to"]
    if target == consumer.user.pk:
        raise ProtocolError(ErrorCode.OWN_PEER)
    limit, seconds = signal_rate_limit()
    LOCAL_LIMITER.hit(f"{consumer.channel_name}:rtc", limit, seconds)
    if message.type == "rtc_offer":
        await check_group_size(consumer)

    channel_name = await database_sync_to_async(find_peer_channel)(
        consumer.session_id, target, fields.get("peer")
    )
    relayed = {
        name: fields.get(name)
        for name in RELAYED_FIELDS[message.type]
        if name in fields or name == "candidate"
    }
    signal = protocol.rtc_signal(
        message.type, consumer.person, peer_id(consumer.channel_name), relayed
    )
    await get_channel_layer().group_send(
        services.group_name(consumer.session_id),
        {
            "type": "live.event",
            "session": consumer.session_id,
            "seq": None,
            "message": signal,
            "to": channel_name,
        },
    )
    logger.debug(
        "live signal session=%s type=%s from=%s to=%s",
        consumer.session_id,
        message.type,
        consumer.user.pk,
        target,
    )


async def check_group_size(consumer):
    """Reject offers in a session too large for peer-to-peer media."""
    from .fanout import get_hub

    people = await get_hub().participants(consumer.session_id)
    cap = p2p_max_participants()
    if len(people) > cap:
        raise ProtocolError(ErrorCode.MEDIA_SERVER_NEEDED, limit=cap, count=len(people))
