"""
The JSON message protocol of the live classroom websocket.

This module is plain Python with no Django import: it parses and validates
the frames a client sends, and builds the messages the server sends. The
consumer in ``live.consumers`` does the talking, the permission checks and
the storage. ``live/PROTOCOL.md`` documents every message for client authors.

Every frame is one JSON object with a ``type`` string. A client may add a
``ref`` string to any message, and the server copies it into the ``error``
or ``pong`` that replies to the message. Fields a message type does not define are
ignored, so that older servers accept messages from newer clients.

To add a client message type, add its fields to ``CLIENT_MESSAGES``. To add
a server message type, add a builder function next to the others.
"""

import json
import re
from dataclasses import dataclass, field

from . import webrtc

# Larger frames are rejected before they are parsed. A chat message of 1000
# characters fits: even written entirely as escaped surrogate pairs
# ("\ud83d\ude00", 12 bytes per character) it is 12 000 bytes.
MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64
# LiveEvent.seq is a PositiveIntegerField, at most 2**31 - 1 on PostgreSQL.
MAX_SEQ = 2**31 - 1
CHAT_MAX_LENGTH = 1000
# Whiteboard coordinates are integers on a 10 000 x 10 000 board, so they
# do not depend on the size of anybody's screen. A batch of 1000 points
# fits in the frame limit: 2000 numbers of up to 5 digits and a comma each.
BOARD_SIZE = 10_000
MAX_STROKES_PER_BATCH = 32
MAX_POINTS_PER_BATCH = 1000
MAX_STROKE_WIDTH = 100
STROKE_ID_MAX_LENGTH = 16
STROKE_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# Database ids (users, polls) are at most the largest BigAutoField value.
MAX_ID = 2**63 - 1
POLL_QUESTION_MAX_LENGTH = 300
POLL_MIN_OPTIONS = 2
POLL_MAX_OPTIONS = 10
POLL_OPTION_MAX_LENGTH = 100


class ErrorCode:
    """The stable ``code`` of every ``error`` message the server sends."""

    # Frames the protocol rejects.
    NOT_TEXT = "not_text"
    FRAME_TOO_LARGE = "frame_too_large"
    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    MISSING_TYPE = "missing_type"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_REF = "invalid_ref"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    BLANK = "blank"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    INVALID_STROKES = "invalid_strokes"
    INVALID_POLL_OPTIONS = "invalid_poll_options"
    INVALID_SDP = "invalid_sdp"
    INVALID_CANDIDATE = "invalid_candidate"
    INVALID_PEER = "invalid_peer"
    INVALID_CHOICE = "invalid_choice"
    # Messages that are valid but not accepted now.
    TEACHER_ONLY = "teacher_only"
    RATE_LIMITED = "rate_limited"
    SESSION_ENDED = "session_ended"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    # Hands, polls and teacher controls that the classroom's state rejects.
    CHAT_MUTED = "chat_muted"
    HAND_ALREADY_RAISED = "hand_already_raised"
    HAND_NOT_RAISED = "hand_not_raised"
    POLL_ALREADY_OPEN = "poll_already_open"
    POLL_NOT_FOUND = "poll_not_found"
    POLL_CLOSED = "poll_closed"
    ALREADY_ANSWERED = "already_answered"
    NOT_A_STUDENT = "not_a_student"
    # Signalling to a peer that cannot take it.
    UNKNOWN_PEER = "unknown_peer"
    PEER_GONE = "peer_gone"
    OWN_PEER = "own_peer"
    MEDIA_SERVER_NEEDED = "media_server_needed"
    # Slides the server cannot show.
    DOCUMENT_NOT_FOUND = "document_not_found"
    DOCUMENT_NOT_ALLOWED = "document_not_allowed"
    NOT_PDF = "not_pdf"
    PDF_TOO_LARGE = "pdf_too_large"
    RENDER_FAILED = "render_failed"
    NO_SLIDES = "no_slides"
    PAGE_OUT_OF_RANGE = "page_out_of_range"
    # Reasons to close the connection right after it opens.
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    REMOVED = "removed"


class CloseCode:
    """Websocket close codes, from the private-use range 4000-4999 (RFC 6455)."""

    LOGIN_REQUIRED = 4401
    FORBIDDEN = 4403
    NOT_FOUND = 4404
    # The server heard nothing from the client for too long. A client that
    # is still alive may reconnect.
    IDLE_TIMEOUT = 4408
    SESSION_ENDED = 4410
    # The teacher removed the person from the session, who may not rejoin.
    REMOVED = 4430
    # The server failed to check the connection, so a later retry may work.
    SERVER_ERROR = 4500


class ProtocolError(Exception):
    """
    A client frame that the server rejects, with a stable ``code``.

    ``params`` are the values that a readable message about the error needs,
    for example the field name and the limit. ``ref`` is the client's ``ref``
    when the frame was read far enough to find one.
    """

    def __init__(self, code, ref=None, **params):
        super().__init__(code)
        self.code = code
        self.ref = ref
        self.params = params


@dataclass(frozen=True)
class Field:
    """One field of a client message and its limits."""

    name: str
    kind: type
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    # Strip surrounding white space before the length check and keep the
    # stripped value.
    strip: bool = False
    min_value: int | None = None
    max_value: int | None = None
    # Checks the value further and returns it, or raises ProtocolError.
    check: object = None

    def validate(self, value, ref):
        # bool is a subclass of int in Python, but not a number in JSON.
        if not isinstance(value, self.kind) or (
            self.kind is int and isinstance(value, bool)
        ):
            raise ProtocolError(
                ErrorCode.WRONG_TYPE,
                ref,
                field=self.name,
                expected=JSON_TYPE_NAMES[self.kind],
            )
        if isinstance(value, str):
            return self._validate_string(value, ref)
        if isinstance(value, int) and not (
            (self.min_value is None or value >= self.min_value)
            and (self.max_value is None or value <= self.max_value)
        ):
            raise ProtocolError(
                ErrorCode.OUT_OF_RANGE,
                ref,
                field=self.name,
                min=self.min_value,
                max=self.max_value,
            )
        if self.check is not None:
            return self.check(value, ref)
        return value

    def _validate_string(self, value, ref):
        value = self._check_string_length(value, ref)
        if self.check is not None:
            return self.check(value, ref)
        return value

    def _check_string_length(self, value, ref):
        if self.strip:
            value = value.strip()
        if self.min_length is not None and len(value) < self.min_length:
            code = ErrorCode.BLANK if value == "" else ErrorCode.TOO_SHORT
            raise ProtocolError(
                code, ref, field=self.name, limit=self.min_length, length=len(value)
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise ProtocolError(
                ErrorCode.TOO_LONG,
                ref,
                field=self.name,
                limit=self.max_length,
                length=len(value),
            )
        return value


JSON_TYPE_NAMES = {
    str: "string",
    int: "integer",
    bool: "boolean",
    dict: "object",
    list: "array",
}


def _invalid_strokes(ref, detail, **params):
    raise ProtocolError(ErrorCode.INVALID_STROKES, ref, detail=detail, **params)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_strokes(strokes, ref):
    """
    Validate a batch of whiteboard strokes and return it in a compact form.

    Each stroke is ``{"id", "color", "width", "points"}``, where ``points``
    is a flat list ``[x0, y0, x1, y1, ...]`` of board coordinates.
    """
    if not 1 <= len(strokes) <= MAX_STROKES_PER_BATCH:
        _invalid_strokes(ref, "count", limit=MAX_STROKES_PER_BATCH)
    total_points = 0
    clean = []
    for stroke in strokes:
        if not isinstance(stroke, dict):
            _invalid_strokes(ref, "stroke")
        stroke_id = stroke.get("id")
        if not (
            isinstance(stroke_id, str)
            and len(stroke_id) <= STROKE_ID_MAX_LENGTH
            and STROKE_ID_PATTERN.match(stroke_id)
        ):
            _invalid_strokes(ref, "id")
        color = stroke.get("color")
        if not (isinstance(color, str) and COLOR_PATTERN.match(color)):
            _invalid_strokes(ref, "color")
        width = stroke.get("width")
        if not (_is_int(width) and 1 <= width <= MAX_STROKE_WIDTH):
            _invalid_strokes(ref, "width")
        points = stroke.get("points")
        if not (isinstance(points, list) and points and len(points) % 2 == 0):
            _invalid_strokes(ref, "points")
        if not all(_is_int(p) and 0 <= p <= BOARD_SIZE for p in points):
            _invalid_strokes(ref, "points")
        total_points += len(points) // 2
        if total_points > MAX_POINTS_PER_BATCH:
            _invalid_strokes(ref, "too_many_points", limit=MAX_POINTS_PER_BATCH)
        clean.append(
            {"id": stroke_id, "color": color.lower(), "width": width, "points": points}
        )
    return clean


def check_stroke_id(stroke_id, ref):
    if not STROKE_ID_PATTERN.match(stroke_id):
        _invalid_strokes(ref, "id")
    return stroke_id


def check_sdp(sdp, ref):
    problem = webrtc.sdp_problem(sdp)
    if problem is not None:
        raise ProtocolError(ErrorCode.INVALID_SDP, ref, detail=problem)
    return sdp


def check_candidate(candidate, ref):
    problem = webrtc.candidate_problem(candidate)
    if problem is not None:
        raise ProtocolError(ErrorCode.INVALID_CANDIDATE, ref, detail=problem)
    return candidate


def check_mid(mid, ref):
    if webrtc.mid_problem(mid) is not None:
        raise ProtocolError(ErrorCode.INVALID_CANDIDATE, ref, detail="bad_mid")
    return mid


def check_peer(peer, ref):
    if not PEER_PATTERN.fullmatch(peer):
        raise ProtocolError(ErrorCode.INVALID_PEER, ref)
    return peer


def check_slide_source(source, ref):
    if source not in SLIDE_SOURCES:
        raise ProtocolError(
            ErrorCode.INVALID_CHOICE,
            ref,
            field="source",
            choices=", ".join(SLIDE_SOURCES),
        )
    return source


# Where a slide deck comes from: a document in a lesson of the session's
# course, or a file of a library item (see ``live.slides``).
SLIDE_SOURCES = ("course", "library")
# A connection's peer id, which signalling messages carry in ``peer``.
PEER_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# A user id that a signalling message is addressed to.
PEER_FIELDS = (
    Field("to", int, min_value=1, max_value=MAX_SEQ),
    Field("peer", str, required=False, check=check_peer),
)
# Page numbers of a slide deck start at 1.
MAX_SLIDE_PAGE = 10_000


def check_poll_options(options, ref):
    """
    Validate the options of a new poll and return them stripped.

    A poll has ``POLL_MIN_OPTIONS`` to ``POLL_MAX_OPTIONS`` options, each a
    string of 1 to ``POLL_OPTION_MAX_LENGTH`` characters after stripping,
    and no two options that differ only in case or surrounding spaces.
    """

    def invalid(detail):
        raise ProtocolError(ErrorCode.INVALID_POLL_OPTIONS, ref, detail=detail)

    if not POLL_MIN_OPTIONS <= len(options) <= POLL_MAX_OPTIONS:
        invalid("count")
    clean = []
    seen = set()
    for option in options:
        if not isinstance(option, str):
            invalid("not_text")
        option = option.strip()
        if not option:
            invalid("blank")
        if len(option) > POLL_OPTION_MAX_LENGTH:
            invalid("too_long")
        if option.casefold() in seen:
            invalid("duplicate")
        seen.add(option.casefold())
        clean.append(option)
    return clean


# The messages a client may send, by type, with their fields.
CLIENT_MESSAGES = {
    "chat": (Field("text", str, min_length=1, max_length=CHAT_MAX_LENGTH, strip=True),),
    "ping": (),
    "resume": (Field("last_seq", int, min_value=0, max_value=MAX_SEQ),),
    "draw": (Field("strokes", list, check=check_strokes),),
    "draw_undo": (
        Field(
            "stroke",
            str,
            min_length=1,
            max_length=STROKE_ID_MAX_LENGTH,
            check=check_stroke_id,
        ),
    ),
    "draw_clear": (),
    # Hands: anybody raises or lowers their own; teachers lower anybody's.
    "hand_raise": (),
    "hand_lower": (Field("user", int, required=False, min_value=1, max_value=MAX_ID),),
    "hands_lower_all": (),
    # Polls: the teacher opens and closes them, students answer once.
    "poll_open": (
        Field(
            "question",
            str,
            min_length=1,
            max_length=POLL_QUESTION_MAX_LENGTH,
            strip=True,
        ),
        Field("options", list, check=check_poll_options),
        Field("live_results", bool, required=False),
    ),
    "poll_answer": (
        Field("poll", int, min_value=1, max_value=MAX_ID),
        Field("option", int, min_value=0, max_value=POLL_MAX_OPTIONS - 1),
    ),
    "poll_close": (Field("poll", int, min_value=1, max_value=MAX_ID),),
    # Teacher controls.
    "chat_mute": (),
    "chat_unmute": (),
    "remove": (Field("user", int, min_value=1, max_value=MAX_ID),),
    "end_class": (),
    # Low-data mode of this connection.
    "low_data": (Field("enabled", bool),),
    # WebRTC signalling, relayed to one peer and not logged.
    "rtc_offer": (
        *PEER_FIELDS,
        Field(
            "sdp", str, min_length=1, max_length=webrtc.MAX_SDP_LENGTH, check=check_sdp
        ),
    ),
    "rtc_answer": (
        *PEER_FIELDS,
        Field(
            "sdp", str, min_length=1, max_length=webrtc.MAX_SDP_LENGTH, check=check_sdp
        ),
    ),
    "rtc_ice": (
        *PEER_FIELDS,
        Field(
            "candidate",
            str,
            max_length=webrtc.MAX_CANDIDATE_LENGTH,
            check=check_candidate,
        ),
        Field(
            "sdp_mid",
            str,
            required=False,
            min_length=1,
            max_length=webrtc.MAX_MID_LENGTH,
            check=check_mid,
        ),
        Field(
            "sdp_mline_index",
            int,
            required=False,
            min_value=0,
            max_value=webrtc.MAX_MLINE_INDEX,
        ),
    ),
    "rtc_hangup": PEER_FIELDS,
    # Slides: a PDF of the course or the library, one page at a time.
    "slide_show": (
        Field("source", str, min_length=1, max_length=10, check=check_slide_source),
        Field("document", int, min_value=1, max_value=MAX_SEQ),
        Field("page", int, required=False, min_value=1, max_value=MAX_SLIDE_PAGE),
    ),
    "slide_page": (Field("page", int, min_value=1, max_value=MAX_SLIDE_PAGE),),
    "slide_stop": (),
}

# The controls only the session's teachers may send. Others get the
# error ``forbidden``.
TEACHER_CONTROLS = frozenset(
    {
        "hands_lower_all",
        "poll_open",
        "poll_close",
        "chat_mute",
        "chat_unmute",
        "remove",
        "end_class",
    }
)

# The server messages a connection in low-data mode receives from the
# session, besides the replies to its own messages (welcome, ack, error,
# pong, resumed, low_data). Whiteboard strokes and presence lists are left
# out, and so are the live counts of polls (see ``is_visible``).
LOW_DATA_TYPES = frozenset(
    {
        "chat",
        "session",
        "control",
        "hand",
        "poll",
        "slide",
        "rtc_offer",
        "rtc_answer",
        "rtc_ice",
        "rtc_hangup",
    }
)


def is_visible(message, role, low_data):
    """
    Return whether a session message goes to a connection.

    The live counts of a poll (``op`` ``results``) go to teachers, and to
    students only when the teacher chose live results. No connection in
    low-data mode receives them: everybody gets the results when the poll
    closes.
    """
    kind = message.get("type")
    if kind == "poll" and message.get("op") == "results":
        if low_data:
            return False
        return role == "teacher" or bool(message.get("live_results"))
    return not low_data or kind in LOW_DATA_TYPES


# The messages only a teacher may send.
TEACHER_ONLY = frozenset(
    {"draw", "draw_undo", "draw_clear", "slide_show", "slide_page", "slide_stop"}
)


@dataclass(frozen=True)
class ClientMessage:
    """A validated client message: its type, its fields and the client's ref."""

    type: str
    fields: dict = field(default_factory=dict)
    ref: str | None = None


def _reject_constant(name):
    # json.loads accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not valid JSON")


def parse(frame):
    """
    Parse and validate one client frame, and return a ``ClientMessage``.

    ``frame`` is the text of a websocket frame, or ``bytes`` when the client
    sent a binary frame. Raise ``ProtocolError`` for anything but a valid
    message.
    """
    if not isinstance(frame, str):
        raise ProtocolError(ErrorCode.NOT_TEXT)
    size = len(frame.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FRAME_BYTES:
        raise ProtocolError(ErrorCode.FRAME_TOO_LARGE, limit=MAX_FRAME_BYTES, size=size)
    try:
        data = json.loads(frame, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        # ValueError covers json.JSONDecodeError. Deep nesting that fits in
        # the size limit raises RecursionError.
        raise ProtocolError(ErrorCode.NOT_JSON) from None
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.NOT_OBJECT)

    ref = data.get("ref")
    if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF_LENGTH):
        raise ProtocolError(ErrorCode.INVALID_REF, limit=MAX_REF_LENGTH)

    message_type = data.get("type")
    if message_type is None:
        raise ProtocolError(ErrorCode.MISSING_TYPE, ref)
    if not isinstance(message_type, str):
        raise ProtocolError(ErrorCode.WRONG_TYPE, ref, field="type", expected="string")
    if message_type not in CLIENT_MESSAGES:
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            ref,
            type=message_type[:MAX_REF_LENGTH],
            known=", ".join(sorted(CLIENT_MESSAGES)),
        )

    fields = {}
    for spec in CLIENT_MESSAGES[message_type]:
        if spec.name not in data or data[spec.name] is None:
            if spec.required:
                raise ProtocolError(ErrorCode.MISSING_FIELD, ref, field=spec.name)
            continue
        fields[spec.name] = spec.validate(data[spec.name], ref)
    return ClientMessage(type=message_type, fields=fields, ref=ref)


def encode(message):
    """Serialise a server message to the text of one websocket frame."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _with_ref(message, ref):
    if ref is not None:
        message["ref"] = ref
    return message


# Server messages. Each builder returns a dict ready for ``encode``. People
# are dicts {"id", "name", "role"} and times are ISO 8601 strings.


def person(person_id, name, role):
    """Describe a participant as the server messages do."""
    return {"id": person_id, "name": name, "role": role}


def welcome(session, you, presence, last_seq, **classroom):
    """
    Greet a client that has joined: the session, who it is, who is present.

    ``last_seq`` is the sequence number of the session's latest event, so a
    client can tell whether it missed events since it last saw the session.
    ``classroom`` adds the current state of hands and polls.
    """
    return {
        "type": "welcome",
        "session": session,
        "you": you,
        "presence": presence,
        "last_seq": last_seq,
        **classroom,
    }


def presence(participants):
    """List everybody connected to the session, sent whenever it changes."""
    return {"type": "presence", "participants": participants}


def chat(seq, sender, text, at):
    """Carry one accepted chat message to everybody in the session."""
    return {"type": "chat", "seq": seq, "from": sender, "text": text, "at": at}


def session_state(seq, state, opened_at, ended_at):
    """Announce that the teacher opened or ended the session."""
    return {
        "type": "session",
        "seq": seq,
        "state": state,
        "opened_at": opened_at,
        "ended_at": ended_at,
    }


def draw(seq, sender, payload):
    """
    Carry one whiteboard change to everybody in the session.

    ``payload`` is the stored one: ``{"op": "strokes", "strokes": [...]}``,
    ``{"op": "undo", "stroke": id}`` or ``{"op": "clear"}``.
    """
    return {"type": "draw", "seq": seq, "from": sender, **payload}


def ack(seq, ref=None):
    """Confirm to its sender that a message is stored as event ``seq``."""
    return _with_ref({"type": "ack", "seq": seq}, ref)


def resumed(last_seq, count, ref=None):
    """Mark the end of a replay: ``count`` events sent, up to ``last_seq``."""
    return _with_ref({"type": "resumed", "last_seq": last_seq, "count": count}, ref)


def error(code, message, ref=None):
    """Tell the client that its message was rejected, and why."""
    return _with_ref({"type": "error", "code": code, "message": message}, ref)


def rtc_signal(message_type, sender, peer, fields):
    """
    Relay a signalling message to the one peer it is addressed to.

    ``sender`` describes who sent it and ``peer`` is the id of the sender's
    connection, which the reply names in its own ``peer`` field.
    """
    return {"type": message_type, "from": sender, "peer": peer, **fields}


def slide(seq, sender, version, deck, page, image):
    """
    Show everybody the current slide, or no slide when ``deck`` is ``None``.

    ``seq`` is ``None`` in the snapshot sent after ``welcome``. ``version``
    orders snapshots and events: a client keeps the highest it has seen.
    """
    return {
        "type": "slide",
        "seq": seq,
        "from": sender,
        "version": version,
        "deck": deck,
        "page": page,
        "image": image,
    }


def hand(seq, sender, op, **fields):
    """
    Carry one change of the hand queue to everybody in the session.

    ``op`` is ``raise`` or ``lower`` with ``user``, the person whose hand
    it is, or ``lower_all`` with ``count``, the number of hands lowered.
    """
    return {"type": "hand", "seq": seq, "from": sender, "op": op, **fields}


def poll(seq, sender, op, **fields):
    """
    Carry one poll change: ``open``, ``results`` (live counts) or ``close``.
    """
    return {"type": "poll", "seq": seq, "from": sender, "op": op, **fields}


def control(seq, sender, op, **fields):
    """
    Announce a teacher control: ``chat_muted``, ``chat_unmuted`` or ``removed``.
    """
    return {"type": "control", "seq": seq, "from": sender, "op": op, **fields}


def low_data(enabled, ref=None):
    """Confirm the low-data mode of the connection."""
    return _with_ref({"type": "low_data", "enabled": enabled}, ref)


def pong(ref=None):
    """Build the reply to a ``ping``."""
    return _with_ref({"type": "pong"}, ref)
