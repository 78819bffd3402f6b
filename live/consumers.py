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

import asyncio
import functools
import logging
import time
import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from courses import api as courses_api
from lms.connect_threads import connect_sync_to_async

from . import classroom, fanout, protocol, services, signalling, slides
from .access import role_in_session
from .errors import error_message
from .eventlog import LAYER_ERRORS, LogUnavailable, get_log
from .fanout import get_hub
from .joins import get_joins, personal_state
from .models import LiveEvent, RateLimited, SessionEnded, SessionState
from .protocol import CloseCode, ErrorCode, ProtocolError

logger = logging.getLogger(__name__)

# The first protocol errors of a connection are logged one by one. The rest
# are only counted, and the count is logged when the connection closes.
LOGGED_ERRORS_PER_CONNECTION = 5

# Each connection may send FRAME_BURST frames at once and FRAME_RATE frames
# a second after that (settings LIVE_FRAME_RATE and LIVE_FRAME_BURST).
# Faster frames wait, which slows the sender and nobody else.
FRAME_RATE = 20
FRAME_BURST = 40
# A replay reads this many events from the log at a time.
REPLAY_PAGE = 500
# The message types that add an event to the log, and how many of them one
# connection may have waiting for the log at once. More wait for a slot,
# which slows that sender.
PUBLISHING = frozenset({"chat", "draw", "draw_undo", "draw_clear"})
MAX_PUBLISHING = 32


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


def requested_resume(scope):
    """
    Return the ``last_seq`` of the connect query string, or ``None``.

    An invalid value counts as absent: the client then gets no replay, and
    may still send a ``resume`` message.
    """
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("last_seq")
    if not values or not values[0].isdigit():
        return None
    value = int(values[0])
    return value if value <= protocol.MAX_SEQ else None


def requested_low_data(scope):
    """Return whether the connect query string requests low-data mode."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    values = query.get("low_data")
    return bool(values) and values[0].lower() in ("1", "true", "yes", "on")


class FrameBudget:
    """A token bucket of frames per connection."""

    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = time.monotonic()

    def wait_time(self):
        """Take one frame from the bucket and return how long to wait first."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        self.tokens -= 1
        if self.tokens >= 0:
            return 0.0
        return -self.tokens / self.rate


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
    # Two queries for teachers and students: the session with whether the
    # person was removed from it, then the course with the person's role.
    session = services.get_session(session_id, person=user)
    course = course_role = None
    if session is not None:
        course, course_role = courses_api.get_course_and_role(session.course_id, user)
    if session is None or course is None:
        raise Rejection(ErrorCode.NOT_FOUND, CloseCode.NOT_FOUND)
    role = role_in_session(user, session, course_role)
    if role is None:
        raise Rejection(ErrorCode.FORBIDDEN, CloseCode.FORBIDDEN)
    if session.state == SessionState.ENDED:
        raise Rejection(ErrorCode.SESSION_ENDED, CloseCode.SESSION_ENDED)
    if session.person_removed:
        raise Rejection(ErrorCode.REMOVED, CloseCode.REMOVED)
    return session, course, role


class ClassroomConsumer(AsyncWebsocketConsumer):
    """
    One person's websocket in one live session.

    The consumer does not join the session's channel layer group itself:
    ``fanout.Hub`` does that once per process and calls ``deliver``. While
    a replay runs, delivered events wait in ``self.buffered`` and are sent
    after it, without the ones the replay already sent.
    """

    # With no channel layer of its own, the consumer has no receive loop
    # that a lost Redis connection would end, taking the websocket with it.
    # ``channel_name`` only names the connection in ``LiveConnection``.
    channel_layer_alias = None

    async def connect(self):
        self.channel_name = f"live.{uuid.uuid4().hex}"
        self.joined = False
        self.rejected_frames = 0
        self.user = self.scope.get("user")
        self.language = choose_language(self.scope)
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.last_seq = 0
        self.buffered = None
        self.low_data = requested_low_data(self.scope)
        # The last_seq when low-data mode began: leaving the mode sends the
        # events it held back since then.
        self.low_data_since = None
        self.last_received = time.monotonic()
        self.publishing = asyncio.Semaphore(MAX_PUBLISHING)
        self.publish_tasks = set()
        self.budget = FrameBudget(
            getattr(settings, "LIVE_FRAME_RATE", FRAME_RATE),
            getattr(settings, "LIVE_FRAME_BURST", FRAME_BURST),
        )
        user_id = getattr(self.user, "pk", None)

        await self.accept()
        try:
            # On the connect threads, beside the other joins' checks.
            session, course, self.role = await connect_sync_to_async(check_access)(
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

        try:
            await self.join(session, course)
        except LAYER_ERRORS + (LogUnavailable,):
            logger.exception(
                "live channel layer unreachable on connect session=%s user=%s",
                self.session_id,
                user_id,
            )
            await self.leave()
            await self.send_error(ErrorCode.UNAVAILABLE)
            await self.close(code=CloseCode.SERVER_ERROR)
        except DatabaseError:
            logger.exception(
                "live database error on join session=%s user=%s",
                self.session_id,
                user_id,
            )
            await self.leave()
            await self.send_error(ErrorCode.SERVER_ERROR)
            await self.close(code=CloseCode.SERVER_ERROR)

    async def join(self, session, course):
        self.person = services.describe_person(self.user, self.role)
        # Hold live events from here on, so that none is lost between the
        # replay's read of the log and the switch to live delivery.
        self.buffered = []
        # Joined first, so that a failure below still undoes what was done.
        self.joined = True
        await get_hub().add(self)
        last_seq = await get_log().last_seq(self.session_id)
        # Read after last_seq, so that it includes the changes of every event
        # up to last_seq. Later events follow the welcome. Joins at the same
        # moment share one read and one write (see ``live.joins``).
        joins = get_joins()
        shared = await joins.snapshot(self.session_id, last_seq)
        poll_id = shared["poll"]["id"] if shared["poll"] else None
        answered = await joins.record(
            self.session_id, self.user, self.role, self.channel_name, poll_id
        )
        state = personal_state(shared, self.role, answered)
        people = await get_hub().participants(self.session_id)
        if all(person["id"] != self.user.pk for person in people):
            # A list cached before this row existed; the next presence
            # message brings the full one.
            people = [*people, self.person]
        logger.info(
            "live connected session=%s user=%s role=%s channel=%s",
            self.session_id,
            self.user.pk,
            self.role,
            self.channel_name,
        )
        await self.send_message(
            protocol.welcome(
                services.describe_session(session, course),
                self.person,
                people,
                last_seq,
                **state,
                low_data=self.low_data,
            )
        )
        if shared["slide"] is not None:
            await self.send_message(shared["slide"])
        resume_from = requested_resume(self.scope)
        if self.low_data:
            self.low_data_since = last_seq if resume_from is None else resume_from
        if resume_from is None:
            self.last_seq = last_seq
            await self.flush_buffered()
        else:
            await self.replay(resume_from)
        get_hub().presence_changed(self.session_id)

    async def disconnect(self, code):
        if not self.joined:
            return
        await self.leave()
        get_hub().presence_changed(self.session_id)
        logger.info(
            "live disconnected session=%s user=%s code=%s rejected_frames=%s",
            self.session_id,
            self.user.pk,
            code,
            self.rejected_frames,
        )

    async def leave(self):
        if not self.joined:
            return
        self.joined = False
        await get_hub().remove(self)
        await database_sync_to_async(services.leave)(self.channel_name, self.session_id)

    async def expire(self):
        """Close a connection that sent nothing for too long (see ``fanout``)."""
        logger.info(
            "live idle timeout session=%s user=%s", self.session_id, self.user.pk
        )
        # The row is closed now: a dead socket may never report its close.
        await self.disconnect(CloseCode.IDLE_TIMEOUT)
        await self.close(code=CloseCode.IDLE_TIMEOUT)

    async def receive(self, text_data=None, bytes_data=None):
        if not self.joined:
            return
        self.last_received = time.monotonic()
        delay = self.budget.wait_time()
        if delay:
            await asyncio.sleep(delay)
        frame = text_data if text_data is not None else bytes_data
        try:
            message = protocol.parse(frame)
            if message.type in protocol.TEACHER_ONLY and self.role != "teacher":
                raise ProtocolError(ErrorCode.TEACHER_ONLY, message.ref)
            if message.type in protocol.TEACHER_CONTROLS and self.role != "teacher":
                raise ProtocolError(ErrorCode.FORBIDDEN, message.ref, reason="control")
        except ProtocolError as error:
            await self.reject_frame(error.code, error.params, error.ref)
            return
        if message.type == "chat" and self.role != "teacher":
            # Checked here and not in the chat task, because the tasks must
            # reach the log in the order the messages arrived. The database
            # is the one store that every process reads a mute from at once.
            try:
                muted = await database_sync_to_async(classroom.is_chat_muted)(
                    self.session_id
                )
            except DatabaseError:
                logger.exception("live mute check failed session=%s", self.session_id)
                await self.send_error(ErrorCode.SERVER_ERROR, ref=message.ref)
                return
            if muted:
                await self.reject_frame(ErrorCode.CHAT_MUTED, None, message.ref)
                return
        handler = getattr(self, f"handle_{message.type}")
        if message.type not in PUBLISHING:
            await self.run_handler(handler, message)
            return
        # Messages that are logged run side by side, so that the log can
        # store them in one batch instead of one commit after another. They
        # reach the log in the order they arrived, because each task queues
        # its event before its first pause (see ``eventlog``).
        await self.publishing.acquire()
        task = asyncio.get_running_loop().create_task(
            self.run_handler(handler, message)
        )
        self.publish_tasks.add(task)
        task.add_done_callback(self.publish_done)

    def publish_done(self, task):
        self.publish_tasks.discard(task)
        self.publishing.release()

    async def run_handler(self, handler, message):
        """Run one message's handler and turn its failures into errors."""
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
        except LAYER_ERRORS + (LogUnavailable,) as error:
            logger.warning(
                "live unavailable session=%s user=%s type=%s error=%s",
                self.session_id,
                self.user.pk,
                message.type,
                error,
            )
            await self.send_error(ErrorCode.UNAVAILABLE, ref=message.ref)
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

    async def handle_resume(self, message):
        self.buffered = []
        await self.replay(message.fields["last_seq"], message.ref)

    async def handle_chat(self, message):
        text = services.clean_chat_text(message.fields["text"])
        await self.publish(
            message,
            LiveEvent.Kind.CHAT,
            {"text": text, "role": self.role},
            rate_limit=services.chat_rate(self.session_id, self.user),
        )

    async def handle_draw(self, message):
        payload = {"op": "strokes", "strokes": message.fields["strokes"]}
        await self.publish(message, LiveEvent.Kind.DRAW, payload)

    async def handle_draw_undo(self, message):
        payload = {"op": "undo", "stroke": message.fields["stroke"]}
        await self.publish(message, LiveEvent.Kind.DRAW, payload)

    async def handle_draw_clear(self, message):
        await self.publish(message, LiveEvent.Kind.DRAW, {"op": "clear"})

    async def handle_rtc_offer(self, message):
        await signalling.relay(self, message)

    handle_rtc_answer = handle_rtc_ice = handle_rtc_hangup = handle_rtc_offer

    async def handle_slide_show(self, message):
        fields = message.fields
        payload = await slides.show(
            self.session_id,
            self.user,
            fields["source"],
            fields["document"],
            fields.get("page", 1),
        )
        await self.publish(message, LiveEvent.Kind.SLIDE, payload)

    async def handle_slide_page(self, message):
        payload = await slides.turn(self.session_id, message.fields["page"])
        await self.publish(message, LiveEvent.Kind.SLIDE, payload)

    async def handle_slide_stop(self, message):
        payload = await slides.stop(self.session_id)
        await self.publish(message, LiveEvent.Kind.SLIDE, payload)

    # Hands, polls and teacher controls. Each changes the database and
    # logs its event in one transaction (see ``live.classroom``).

    async def handle_hand_raise(self, message):
        await self.apply(message, classroom.raise_hand, self.user, self.role)

    async def handle_hand_lower(self, message):
        await self.apply(
            message,
            classroom.lower_hand,
            self.user,
            self.role,
            message.fields.get("user"),
        )

    async def handle_hands_lower_all(self, message):
        await self.apply(message, classroom.lower_all_hands, self.user)

    async def handle_poll_open(self, message):
        await self.apply(
            message,
            classroom.open_poll,
            self.user,
            message.fields["question"],
            message.fields["options"],
            message.fields.get("live_results", True),
        )

    async def handle_poll_answer(self, message):
        await self.apply(
            message,
            classroom.answer_poll,
            self.user,
            self.role,
            message.fields["poll"],
            message.fields["option"],
        )

    async def handle_poll_close(self, message):
        await self.apply(
            message, classroom.close_poll, self.user, message.fields["poll"]
        )

    async def handle_chat_mute(self, message):
        await self.apply(message, classroom.set_chat_muted, self.user, True)

    async def handle_chat_unmute(self, message):
        await self.apply(message, classroom.set_chat_muted, self.user, False)

    async def handle_remove(self, message):
        await self.apply(
            message, classroom.remove_participant, self.user, message.fields["user"]
        )

    async def handle_end_class(self, message):
        # change_state sends the "ended" event to everybody and closes
        # every connection of the session, this one included.
        event = await database_sync_to_async(classroom.end_class)(
            self.session_id, self.user
        )
        await self.send_message(protocol.ack(event.seq, message.ref))

    async def handle_low_data(self, message):
        enabled = message.fields["enabled"]
        if enabled and not self.low_data:
            self.low_data = True
            self.low_data_since = self.last_seq
        elif not enabled and self.low_data:
            self.low_data = False
            await self.catch_up(self.low_data_since)
            people = await get_hub().participants(self.session_id)
            await self.send_message(protocol.presence(people))
        await self.send_message(protocol.low_data(self.low_data, message.ref))

    async def apply(self, message, action, *arguments):
        """Run a classroom action, confirm it, then send its event to everybody."""
        event = await database_sync_to_async(action)(self.session_id, *arguments)
        await self.send_message(protocol.ack(event.seq, message.ref))
        await services.abroadcast(
            self.session_id, services.event_message(event, self.person)
        )

    async def publish(self, message, kind, payload, rate_limit=None):
        """
        Log an event, confirm it to the sender, then send it to everybody.

        The ``ack`` goes out only once the log has stored the event. When
        the channel layer then fails, the event stays stored, and the
        sender gets ``unavailable`` after its ``ack``.
        """
        payload = {**payload, "role": self.role}
        event = await get_log().append(
            self.session_id, kind, self.user.pk, payload, rate_limit=rate_limit
        )
        await self.send_message(protocol.ack(event.seq, message.ref))
        await services.abroadcast(
            self.session_id, services.event_message(event, self.person)
        )

    # Delivery from the hub, and replays.

    async def deliver(self, message, frame, close=False):
        """
        Send a message from the session's group, unless already sent.

        ``frame`` is the hub's ``fanout.Frame`` of ``message``.
        """
        if self.buffered is not None:
            self.buffered.append((message, frame, close))
            return
        seq = message.get("seq")
        if seq is not None:
            if seq <= self.last_seq:
                return
            self.last_seq = seq
        if protocol.is_visible(message, self.role, self.low_data):
            await self.send_frame(frame)
        if close:
            await self.leave()
            await self.close(code=CloseCode.SESSION_ENDED)
        elif self.is_removal(message):
            logger.info(
                "live closing removed session=%s user=%s",
                self.session_id,
                self.user.pk,
            )
            await self.leave()
            get_hub().presence_changed(self.session_id)
            await self.close(code=CloseCode.REMOVED)

    @functools.cached_property
    def daphne_connection(self):
        """The autobahn protocol of this websocket under daphne, else None."""
        return fanout.daphne_connection(self.base_send)

    async def send_frame(self, frame):
        """
        Send a hub frame, written straight to daphne's connection if any.

        The direct write skips channels' and daphne's per-message checks,
        which an open connection passes, and autobahn's framing, which the
        frame has done once for all. On plain TCP it also sends at once
        when nothing waits in the socket's buffer (see
        ``fanout.write_now``). It is synchronous like the ASGI path, so the
        two keep the order of the calls. A closing connection gets nothing:
        autobahn would raise ``Disconnected``, and the hub would stop
        delivering the message to the rest of the session.
        """
        connection = self.daphne_connection
        if connection is None:
            await self.send(text_data=frame.text)
        elif connection.state == connection.STATE_OPEN:
            fanout.send_prepared(connection, frame.prepared(connection))

    def is_removal(self, message):
        """Return whether ``message`` removes this connection's person."""
        return (
            message.get("type") == "control"
            and message.get("op") == "removed"
            and message.get("user", {}).get("id") == self.user.pk
        )

    async def replay(self, after, ref=None):
        """Send every event after ``after`` from the log, then the buffered ones."""
        log = get_log()
        count = 0
        self.last_seq = after
        while True:
            events = await log.events_after(
                self.session_id, self.last_seq, limit=REPLAY_PAGE
            )
            if not events:
                break
            messages = await database_sync_to_async(services.event_messages)(events)
            for message in messages:
                if protocol.is_visible(message, self.role, self.low_data):
                    await self.send_message(message)
                    count += 1
            self.last_seq = events[-1].seq
        logger.info(
            "live replayed session=%s user=%s after=%s count=%s",
            self.session_id,
            self.user.pk,
            after,
            count,
        )
        await self.send_message(protocol.resumed(self.last_seq, count, ref))
        await self.flush_buffered()

    async def catch_up(self, after):
        """
        Send the events up to ``last_seq`` that low-data mode held back.

        Events after ``last_seq`` wait in ``buffered`` meanwhile.
        """
        log = get_log()
        self.buffered = []
        position = after
        while position < self.last_seq:
            events = await log.events_after(
                self.session_id, position, until=self.last_seq, limit=REPLAY_PAGE
            )
            if not events:
                break
            messages = await database_sync_to_async(services.event_messages)(events)
            for message in messages:
                held_back = not protocol.is_visible(message, self.role, True)
                if held_back and protocol.is_visible(message, self.role, False):
                    await self.send_message(message)
            position = events[-1].seq
        await self.flush_buffered()

    async def flush_buffered(self):
        buffered, self.buffered = self.buffered or [], None
        for message, frame, close in buffered:
            await self.deliver(message, frame, close)

    # Helpers.

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
