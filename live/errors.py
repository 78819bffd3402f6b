"""The readable, translated message for each error code of the protocol."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .protocol import ErrorCode

ERROR_MESSAGES = {
    ErrorCode.NOT_TEXT: _("Send messages as text frames that contain JSON."),
    ErrorCode.FRAME_TOO_LARGE: _(
        "The message is too large: %(size)s bytes, at most %(limit)s allowed."
    ),
    ErrorCode.NOT_JSON: _("The message is not valid JSON."),
    ErrorCode.NOT_OBJECT: _("The message must be a JSON object."),
    ErrorCode.MISSING_TYPE: _('The message has no "type" field.'),
    ErrorCode.UNKNOWN_TYPE: _(
        'Unknown message type "%(type)s". Known types: %(known)s.'
    ),
    ErrorCode.INVALID_REF: _(
        'The "ref" field must be a string of at most %(limit)s characters.'
    ),
    ErrorCode.MISSING_FIELD: _('The field "%(field)s" is missing.'),
    ErrorCode.WRONG_TYPE: _('The field "%(field)s" must be a JSON %(expected)s.'),
    ErrorCode.BLANK: _("The message is empty. Write something before sending."),
    ErrorCode.TOO_SHORT: _(
        "The message is too short: %(length)s characters, at least %(limit)s needed."
    ),
    ErrorCode.TOO_LONG: _(
        "The message is too long: %(length)s characters, at most %(limit)s allowed."
    ),
    ErrorCode.OUT_OF_RANGE: _(
        'The field "%(field)s" must be a whole number from %(min)s to %(max)s.'
    ),
    ErrorCode.INVALID_STROKES: _(
        "The whiteboard strokes are invalid (%(detail)s). Send at most "
        "32 strokes with 1000 points in total, each with an id, a colour "
        "like #1a2b3c, a width from 1 to 100 and points from 0 to 10000."
    ),
    ErrorCode.INVALID_SDP: _(
        "The session description is invalid (%(detail)s). Send the SDP text "
        "of an RTCPeerConnection offer or answer unchanged."
    ),
    ErrorCode.INVALID_CANDIDATE: _(
        "The ICE candidate is invalid (%(detail)s). Send the candidate text "
        "of an RTCPeerConnection icecandidate event unchanged."
    ),
    ErrorCode.INVALID_PEER: _(
        'The field "peer" must be the peer id of a connection, as received '
        "in a signalling message."
    ),
    ErrorCode.INVALID_CHOICE: _('The field "%(field)s" must be one of: %(choices)s.'),
    ErrorCode.UNKNOWN_PEER: _(
        "Person %(peer)s is not connected to this live class, so the message "
        "was not sent."
    ),
    ErrorCode.PEER_GONE: _(
        "Person %(peer)s has left the live class, so the message was not sent."
    ),
    ErrorCode.OWN_PEER: _(
        "Signalling messages go to another participant, not to yourself."
    ),
    ErrorCode.MEDIA_SERVER_NEEDED: _(
        "Audio and video between participants work for up to %(limit)s people. "
        "This class has %(count)s, which needs a media server that is not "
        "available yet. Use the chat and the slides instead."
    ),
    ErrorCode.DOCUMENT_NOT_FOUND: _(
        "Document %(document)s was not found. Choose a PDF from a lesson of "
        "this course or from the library."
    ),
    ErrorCode.DOCUMENT_NOT_ALLOWED: _(
        "You may not show document %(document)s to this class. Choose a PDF "
        "from a lesson of this course, or a library file you may download."
    ),
    ErrorCode.NOT_PDF: _(
        "The document %(title)s is not a PDF that can be read. Choose a PDF "
        "file to show as slides."
    ),
    ErrorCode.PDF_TOO_LARGE: _(
        "The document %(title)s is too large to show as slides: %(size)s "
        "bytes, at most %(limit)s allowed."
    ),
    ErrorCode.RENDER_FAILED: _(
        "Page %(page)s of the document could not be shown. Try again, or "
        "choose another page or document."
    ),
    ErrorCode.NO_SLIDES: _("No slides are shown. Choose a document first."),
    ErrorCode.PAGE_OUT_OF_RANGE: _(
        "The document has %(count)s pages, so page %(page)s cannot be shown."
    ),
    ErrorCode.TEACHER_ONLY: _("Only the teacher can do this."),
    ErrorCode.INVALID_POLL_OPTIONS: _(
        "The poll options are invalid (%(detail)s). Give 2 to 10 different "
        "options of 1 to 100 characters each."
    ),
    ErrorCode.CHAT_MUTED: _(
        "The teacher has muted the chat. You can write again when the "
        "teacher turns it back on."
    ),
    ErrorCode.HAND_ALREADY_RAISED: _("Your hand is already raised."),
    ErrorCode.HAND_NOT_RAISED: _("This hand is not raised."),
    ErrorCode.POLL_ALREADY_OPEN: _(
        "Another poll is still open. Close it before asking a new question."
    ),
    ErrorCode.POLL_NOT_FOUND: _("Poll %(poll)s does not exist in this live class."),
    ErrorCode.POLL_CLOSED: _("This poll is closed and takes no more answers."),
    ErrorCode.ALREADY_ANSWERED: _(
        "You have already answered this poll. Each person answers once."
    ),
    ErrorCode.NOT_A_STUDENT: _(
        "Person %(user)s is not a student of this live class, so the action "
        "was not done."
    ),
    # The in-class variant of ``forbidden``, for teacher controls.
    (ErrorCode.FORBIDDEN, "control"): _(
        "Only the teachers of this live class can do this."
    ),
    ErrorCode.REMOVED: _(
        "The teacher removed you from this live class. You cannot join it again."
    ),
    ErrorCode.UNAVAILABLE: _(
        "The live class server is unreachable for a moment, so the message "
        "was not sent. Try again in a few seconds."
    ),
    ErrorCode.RATE_LIMITED: _(
        "You can send at most %(limit)s messages in %(seconds)s seconds. Wait "
        "a moment and try again."
    ),
    ErrorCode.SESSION_ENDED: _("This live class has ended."),
    ErrorCode.SERVER_ERROR: _(
        "The server could not process the message. Try again in a moment."
    ),
    ErrorCode.LOGIN_REQUIRED: _("Log in to join the live class."),
    ErrorCode.NOT_FOUND: _("This live class does not exist."),
    ErrorCode.FORBIDDEN: _(
        "Only the teachers and students of this course can join its live class."
    ),
}


def error_message(code, params=None, language=None):
    """
    Return the message for ``code`` in ``language`` (default: the active one).

    ``params`` fill the message's named placeholders.
    """
    # A "reason" parameter picks a variant of the code's message.
    template = ERROR_MESSAGES.get((code, (params or {}).get("reason")))
    if template is None:
        template = ERROR_MESSAGES[code]
    with translation.override(language or translation.get_language()):
        message = str(template)
    if params:
        message = message % params
    return message


def rejection_message(error):
    """
    Return the message for an action that the classroom or the log rejected.

    ``error`` is a ``ProtocolError``, ``RateLimited`` or ``SessionEnded``.
    """
    from .models import RateLimited, SessionEnded

    if isinstance(error, RateLimited):
        return error_message(
            ErrorCode.RATE_LIMITED,
            {"limit": error.limit, "seconds": error.window_seconds},
        )
    if isinstance(error, SessionEnded):
        return error_message(ErrorCode.SESSION_ENDED)
    return error_message(error.code, error.params)
