"""
Actions in a live session, shared by the websocket consumer and the views.

Functions here are synchronous and touch the database, so the consumer calls
them through ``database_sync_to_async``. They return protocol messages ready
to send, and ``group_name`` names the channel layer group that carries them
to everybody in the session, on every process.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from courses import api as courses_api
from lms import sanitize

from . import protocol
from .access import display_name
from .models import LiveConnection, LiveEvent, LiveSession, SessionState
from .protocol import ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# At most CHAT_RATE_LIMIT chat messages per person within
# CHAT_RATE_WINDOW_SECONDS in one session. The settings of the same names
# with a LIVE_ prefix override both.
CHAT_RATE_LIMIT = 5
CHAT_RATE_WINDOW_SECONDS = 5

# Presence lists teachers first, then everybody by name.
ROLE_ORDER = {"teacher": 0, "student": 1}


def chat_rate_limit():
    """Return the chat rate limit as ``(messages, seconds)``."""
    return (
        getattr(settings, "LIVE_CHAT_RATE_LIMIT", CHAT_RATE_LIMIT),
        getattr(settings, "LIVE_CHAT_RATE_WINDOW_SECONDS", CHAT_RATE_WINDOW_SECONDS),
    )


def group_name(session_id):
    return f"live.session.{session_id}"


def isoformat(value):
    return value.isoformat() if value is not None else None


def describe_session(session, course=None):
    """Describe ``session`` as the ``welcome`` message does."""
    if course is None:
        course = courses_api.get_course(session.course_id)
    return {
        "id": session.pk,
        "title": session.title,
        "course": {
            "id": session.course_id,
            "title": course.title if course is not None else "",
        },
        "state": session.state,
        "starts_at": isoformat(session.starts_at),
        "ends_at": isoformat(session.ends_at),
        "opened_at": isoformat(session.opened_at),
        "ended_at": isoformat(session.ended_at),
    }


def describe_person(user, role):
    return protocol.person(user.pk, display_name(user), role)


def participants(session_id):
    """Return everybody connected to the session, once each, in display order."""
    people = {}
    connections = LiveConnection.objects.filter(session_id=session_id).select_related(
        "user"
    )
    for connection in connections:
        user = connection.user
        # A teacher connected twice, once as a student, is still a teacher.
        known = people.get(user.pk)
        if known is None or ROLE_ORDER.get(connection.role, 9) < ROLE_ORDER.get(
            known["role"], 9
        ):
            people[user.pk] = describe_person(user, connection.role)
    return sorted(
        people.values(),
        key=lambda p: (ROLE_ORDER.get(p["role"], 9), p["name"].casefold(), p["id"]),
    )


def join(session_id, user, role, channel_name):
    """Record an open connection and return the session's participants."""
    LiveConnection.objects.create(
        session_id=session_id, user=user, role=role, channel_name=channel_name
    )
    return participants(session_id)


def leave(channel_name, session_id):
    """Forget a closed connection and return the session's participants."""
    LiveConnection.objects.filter(channel_name=channel_name).delete()
    return participants(session_id)


def chat_message(event, sender_description):
    return protocol.chat(
        event.seq, sender_description, event.text, isoformat(event.created_at)
    )


def post_chat(session_id, user, role, text):
    """
    Store a chat message of ``user`` and return the ``chat`` message to send.

    ``text`` has passed the protocol's length check. Invisible control
    characters are removed before it is stored, and a text that is left
    empty raises ``ProtocolError`` with code ``blank``. Raise ``RateLimited``
    when the person sends too fast and ``SessionEnded`` when the session has
    ended; nothing is stored in either case.
    """
    text = sanitize.clean_text(text).strip()
    if not text:
        raise ProtocolError(ErrorCode.BLANK, field="text")
    event = LiveEvent.append(
        session_id,
        LiveEvent.Kind.CHAT,
        sender=user,
        payload={"text": text, "role": role},
        rate_limit=chat_rate_limit(),
    )
    logger.info("live chat session=%s seq=%s sender=%s", session_id, event.seq, user.pk)
    return chat_message(event, describe_person(user, role))


def state_message(session, event):
    """Return the ``session`` message that announces a state change."""
    return protocol.session_state(
        event.seq,
        session.state,
        isoformat(session.opened_at),
        isoformat(session.ended_at),
    )


def broadcast(session_id, message, *, close=False):
    """
    Send ``message`` to everybody connected to the session, from sync code.

    With ``close``, every consumer closes its websocket after sending it.
    """
    async_to_sync(get_channel_layer().group_send)(
        group_name(session_id),
        {"type": "live.broadcast", "message": message, "close": close},
    )


def change_state(session, new_state, by):
    """
    Open or end ``session`` for ``by``, log it and tell everybody connected.

    Raise ``InvalidTransition`` when the current state does not allow it.
    """
    if new_state == SessionState.OPEN:
        event = session.open(by=by)
    else:
        event = session.end(by=by)
    logger.info(
        "live state session=%s state=%s by=%s seq=%s",
        session.pk,
        session.state,
        by.pk if by is not None else None,
        event.seq,
    )
    broadcast(
        session.pk,
        state_message(session, event),
        close=session.state == SessionState.ENDED,
    )
    return event


def recent_chat(session, limit=50):
    """Return the last ``limit`` chat events of ``session``, oldest first."""
    events = (
        LiveEvent.objects.filter(session=session, kind=LiveEvent.Kind.CHAT)
        .select_related("sender")
        .order_by("-seq")[:limit]
    )
    return list(reversed(events))


def get_session(session_id):
    try:
        return LiveSession.objects.get(pk=session_id)
    except LiveSession.DoesNotExist:
        return None
