"""
Actions in a live session, shared by the websocket consumer and the views.

Functions here are synchronous and touch the database, so the consumer calls
them through ``database_sync_to_async``. They return protocol messages ready
to send, and ``group_name`` names the channel layer group that carries them
to everybody in the session, on every process.
"""

import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from courses import api as courses_api
from lms import sanitize

from . import classroom, protocol
from .access import display_name
from .eventlog import get_sync_log
from .models import (
    LiveConnection,
    LiveEvent,
    LiveSession,
    Removal,
    SessionState,
    isoformat,
)
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


def chat_rate_key(session_id, user_id):
    return f"{session_id}:{user_id}:chat"


def group_name(session_id):
    return f"live.session.{session_id}"


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
    from .fanout import stale_after

    people = {}
    connections = LiveConnection.objects.filter(
        session_id=session_id,
        disconnected_at__isnull=True,
        last_seen_at__gt=timezone.now() - stale_after(),
    ).select_related("user")
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


def leave(channel_name, session_id):
    """Close a connection's row and return the session's participants."""
    LiveConnection.objects.filter(
        channel_name=channel_name, disconnected_at__isnull=True
    ).update(disconnected_at=timezone.now())
    return participants(session_id)


def close_stale(seen_before):
    """
    Close the open rows not seen since ``seen_before``, left by dead processes.

    A closed row keeps the time it was last seen as its end, so attendance
    counts no more than the process vouched for. Return the ids of the
    sessions that lost someone.
    """
    stale = LiveConnection.objects.filter(
        disconnected_at__isnull=True, last_seen_at__lt=seen_before
    )
    session_ids = set(stale.values_list("session_id", flat=True))
    if session_ids:
        count = stale.update(disconnected_at=F("last_seen_at"))
        logger.warning(
            "live closed stale connections count=%s sessions=%s",
            count,
            sorted(session_ids),
        )
    return session_ids


def clean_chat_text(text):
    """
    Remove invisible control characters and surrounding white space.

    ``text`` has passed the protocol's length check. A text that is left
    empty raises ``ProtocolError`` with code ``blank``.
    """
    text = sanitize.clean_text(text).strip()
    if not text:
        raise ProtocolError(ErrorCode.BLANK, field="text")
    return text


def chat_rate(session_id, user):
    limit, seconds = chat_rate_limit()
    return (chat_rate_key(session_id, user.pk), limit, seconds)


def post_chat(session_id, user, role, text):
    """
    Store a chat message of ``user`` and return the ``chat`` message to send.

    This is the synchronous path of the form that works without
    JavaScript. Raise ``RateLimited`` when the person sends too fast,
    ``SessionEnded`` when the session has ended and
    ``eventlog.LogUnavailable`` when Redis is unreachable. Nothing is stored
    in any of these cases.
    """
    text = clean_chat_text(text)
    event = get_sync_log().append_sync(
        session_id,
        LiveEvent.Kind.CHAT,
        sender_id=user.pk,
        payload={"text": text, "role": role},
        rate_limit=chat_rate(session_id, user),
    )
    logger.info("live chat session=%s seq=%s sender=%s", session_id, event.seq, user.pk)
    return event_message(event, describe_person(user, role))


def event_message(event, sender):
    """
    Build the server message that carries a logged event.

    ``sender`` describes the person who sent it, or is ``None``.
    """
    payload = event.payload
    if event.kind == LiveEvent.Kind.CHAT:
        return protocol.chat(
            event.seq, sender, payload.get("text", ""), isoformat(event.created_at)
        )
    if event.kind == LiveEvent.Kind.STATE:
        return protocol.session_state(
            event.seq,
            payload.get("state"),
            payload.get("opened_at"),
            payload.get("ended_at"),
        )
    if event.kind == LiveEvent.Kind.DRAW:
        changes = {key: value for key, value in payload.items() if key != "role"}
        return protocol.draw(event.seq, sender, changes)
    if event.kind in CLASSROOM_MESSAGES:
        fields = {key: value for key, value in payload.items() if key != "role"}
        if fields.get("op") == "results":
            # Live poll counts do not say who answered.
            sender = None
        return CLASSROOM_MESSAGES[event.kind](event.seq, sender, **fields)
    if event.kind == LiveEvent.Kind.SLIDE:
        from .slides import slide_message

        return slide_message(event.session_id, event.seq, sender, payload)
    raise ValueError(f"no message for event kind {event.kind!r}")


# The builders of the hand, poll and teacher control messages, whose
# stored payload contains the message's fields.
CLASSROOM_MESSAGES = {
    LiveEvent.Kind.HAND: protocol.hand,
    LiveEvent.Kind.POLL: protocol.poll,
    LiveEvent.Kind.CONTROL: protocol.control,
}


def event_messages(events):
    """Build the messages of logged events, loading their senders at once."""
    sender_ids = {event.sender_id for event in events if event.sender_id}
    users = get_user_model().objects.in_bulk(sender_ids)
    messages = []
    for event in events:
        user = users.get(event.sender_id)
        sender = None
        if user is not None:
            sender = describe_person(user, event.payload.get("role", "student"))
        messages.append(event_message(event, sender))
    return messages


def publication(session_id, message, close=False):
    """Wrap a message for the session group, read by ``fanout.Hub``."""
    return {
        "type": "live.event",
        "session": session_id,
        "seq": message.get("seq"),
        "message": message,
        "close": close,
    }


def broadcast(session_id, message, *, close=False):
    """
    Send ``message`` to everybody connected to the session, from sync code.

    With ``close``, every consumer closes its websocket after sending it.
    """
    async_to_sync(get_channel_layer().group_send)(
        group_name(session_id), publication(session_id, message, close)
    )


async def abroadcast(session_id, message, *, close=False):
    """Send ``message`` to everybody connected to the session."""
    await get_channel_layer().group_send(
        group_name(session_id), publication(session_id, message, close)
    )


async def aparticipants(session_id):
    return await database_sync_to_async(participants)(session_id)


def change_state(session, new_state, by):
    """
    Open or end ``session`` for ``by``, log it and tell everybody connected.

    Raise ``InvalidTransition`` when the current state does not allow it.
    """
    if new_state == SessionState.OPEN:
        event = session.open(by=by)
    else:
        if session.state != SessionState.ENDED:
            # Polls close with their results before the class ends.
            for closed in classroom.close_open_polls(session.pk, by):
                broadcast(
                    session.pk,
                    event_message(
                        closed, describe_person(by, "teacher") if by else None
                    ),
                )
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
        event_message(event, describe_person(by, "teacher") if by else None),
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


def get_session(session_id, person=None):
    """
    Return the session ``session_id``, or ``None``.

    With ``person``, the session's ``person_removed`` is whether the
    teacher removed that person from it, read in the same query.
    """
    sessions = LiveSession.objects.filter(pk=session_id)
    if person is not None:
        removals = Removal.objects.filter(session_id=OuterRef("pk"), user_id=person.pk)
        sessions = sessions.annotate(person_removed=Exists(removals))
    return sessions.first()
