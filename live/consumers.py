"""
The classroom websocket at ``/ws/live/<session id>/``.

A connection that may not join is accepted, sent one ``error`` message with
the reason and closed with a 4xxx code (see ``protocol.CloseCode``). A
browser cannot read why a websocket was refused during the handshake, so
accepting first is how the person gets a readable reason. The only
exception is a foreign ``Origin``: ``AllowedHostsOriginValidator`` in
``lms.asgi`` refuses that handshake before this consumer runs.

``live/PROTOCOL.md`` documents the messages.
"""

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from courses import api as courses_api

from . import protocol, services
from .access import participant_role
from .errors import error_message
from .models import RateLimited, SessionEnded, SessionState
from .protocol import CloseCode, ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# The first protocol errors of a connection are logged one by one. The rest
# are only counted, and the count is logged when the connection closes.
LOGGED_ERRORS_PER_CONNECTION = 5


def choose_language(scope):
    """
    Pick the language of error messages the way the web pages pick theirs.

    The language cookie comes first, then the account's saved language,
    then the site default, Bahasa Indonesia.
    """
    supported = {code for code, _name in settings.LANGUAGES}
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in supported:
        return cookie
    preference = getattr(scope.get("user"), "language", "")
    if preference in supported:
        return preference
    return settings.LANGUAGE_CODE


class Rejection(Exception):
    def __init__(self, code, close_code):
        super().__init__(code)
        self.code = code
        self.close_code = close_code


def check_access(session_id, user):
    """
    Return ``(session, course, role)`` when ``user`` may join the session.

    Raise ``Rejection`` with the error and close codes otherwise.
    """
    if user is None or not user.is_authenticated:
        raise Rejection(ErrorCode.LOGIN_REQUIRED, CloseCode.LOGIN_REQUIRED)
    session = services.get_session(session_id)
    course = courses_api.get_course(session.course_id) if session else None
    if session is None or course is None:
        raise Rejection(ErrorCode.NOT_FOUND, CloseCode.NOT_FOUND)
    role = participant_role(user, session, course)
    if role is None:
        raise Rejection(ErrorCode.FORBIDDEN, CloseCode.FORBIDDEN)
    if session.state == SessionState.ENDED:
        raise Rejection(ErrorCode.SESSION_ENDED, CloseCode.SESSION_ENDED)
    return session, course, role


class ClassroomConsumer(AsyncWebsocketConsumer):
    """One person's websocket in one live session."""

    async def connect(self):
        self.joined = False
        self.rejected_frames = 0
        self.user = self.scope.get("user")
        self.language = choose_language(self.scope)
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.group = services.group_name(self.session_id)
        user_id = getattr(self.user, "pk", None)

        await self.accept()
        try:
            session, course, self.role = await database_sync_to_async(check_access)(
                self.session_id, self.user
            )
        except Rejection as rejection:
            logger.info(
                "live rejected session=%s user=%s reason=%s",
                self.session_id,
                user_id,
                rejection.code,
            )
            await self.send_error(rejection.code)
            await self.close(code=rejection.close_code)
            return
        except DatabaseError:
            logger.exception(
                "live database error on connect session=%s user=%s",
                self.session_id,
                user_id,
            )
            await self.send_error(ErrorCode.SERVER_ERROR)
            await self.close(code=CloseCode.SERVER_ERROR)
            return

        self.person = services.describe_person(self.user, self.role)
        await self.channel_layer.group_add(self.group, self.channel_name)
        people = await database_sync_to_async(services.join)(
            self.session_id, self.user, self.role, self.channel_name
        )
        self.joined = True
        logger.info(
            "live connected session=%s user=%s role=%s channel=%s",
            self.session_id,
            user_id,
            self.role,
            self.channel_name,
        )
        await self.send_message(
            protocol.welcome(
                services.describe_session(session, course),
                self.person,
                people,
                session.last_seq,
            )
        )
        await self.broadcast(protocol.presence(people))

    async def disconnect(self, code):
        if not self.joined:
            return
        self.joined = False
        await self.channel_layer.group_discard(self.group, self.channel_name)
        people = await database_sync_to_async(services.leave)(
            self.channel_name, self.session_id
        )
        await self.broadcast(protocol.presence(people))
        logger.info(
            "live disconnected session=%s user=%s code=%s rejected_frames=%s",
            self.session_id,
            self.user.pk,
            code,
            self.rejected_frames,
        )

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        frame = text_data if text_data is not None else bytes_data
        try:
            message = protocol.parse(frame)
        except ProtocolError as error:
            await self.reject_frame(error.code, error.params, error.ref)
            return
        handler = getattr(self, f"handle_{message.type}")
        try:
            await handler(message)
        except ProtocolError as error:
            await self.reject_frame(error.code, error.params, message.ref)
        except RateLimited as error:
            await self.reject_frame(
                ErrorCode.RATE_LIMITED,
                {"limit": error.limit, "seconds": error.window_seconds},
                message.ref,
            )
        except SessionEnded:
            await self.send_error(ErrorCode.SESSION_ENDED, ref=message.ref)
            await self.close(code=CloseCode.SESSION_ENDED)
        except DatabaseError:
            logger.exception(
                "live database error session=%s user=%s type=%s",
                self.session_id,
                self.user.pk,
                message.type,
            )
            await self.send_error(ErrorCode.SERVER_ERROR, ref=message.ref)

    async def handle_ping(self, message):
        await self.send_message(protocol.pong(message.ref))

    async def handle_chat(self, message):
        chat = await database_sync_to_async(services.post_chat)(
            self.session_id, self.user, self.role, message.fields["text"]
        )
        await self.broadcast(chat)

    # Channel layer events from the session's group.

    async def live_broadcast(self, event):
        await self.send_message(event["message"])
        if event.get("close"):
            await self.close(code=CloseCode.SESSION_ENDED)

    # Helpers.

    async def broadcast(self, message):
        await self.channel_layer.group_send(
            self.group, {"type": "live.broadcast", "message": message}
        )

    async def send_message(self, message):
        await self.send(text_data=protocol.encode(message))

    async def send_error(self, code, params=None, ref=None):
        text = error_message(code, params, self.language)
        await self.send_message(protocol.error(code, text, ref))

    async def reject_frame(self, code, params, ref):
        self.rejected_frames += 1
        if self.rejected_frames <= LOGGED_ERRORS_PER_CONNECTION:
            logger.info(
                "live rejected frame session=%s user=%s code=%s",
                self.session_id,
                self.user.pk,
                code,
            )
        await self.send_error(code, params, ref)
