"""Parsing of the hand, poll, control and low-data messages, and visibility."""

import pytest

from live import protocol
from live.errors import error_message
from live.protocol import ErrorCode, ProtocolError, is_visible, parse


def parse_dict(message):
    return parse(protocol.encode(message))


def test_poll_open_strips_question_and_options():
    message = parse_dict(
        {"type": "poll_open", "question": " Siap? ", "options": [" Ya", "Belum "]}
    )
    assert message.fields == {"question": "Siap?", "options": ["Ya", "Belum"]}


def test_poll_open_live_results_is_boolean():
    message = parse_dict(
        {
            "type": "poll_open",
            "question": "Q",
            "options": ["a", "b"],
            "live_results": False,
        }
    )
    assert message.fields["live_results"] is False
    with pytest.raises(ProtocolError) as caught:
        parse_dict(
            {
                "type": "poll_open",
                "question": "Q",
                "options": ["a", "b"],
                "live_results": 0,
            }
        )
    assert caught.value.code == ErrorCode.WRONG_TYPE


@pytest.mark.parametrize(
    ("options", "detail"),
    [
        ([], "count"),
        (["a"], "count"),
        ([str(n) for n in range(protocol.POLL_MAX_OPTIONS + 1)], "count"),
        (["a", None], "not_text"),
        (["a", " "], "blank"),
        (["a", "b" * (protocol.POLL_OPTION_MAX_LENGTH + 1)], "too_long"),
        (["Ya", "yA "], "duplicate"),
    ],
)
def test_poll_options_rejected(options, detail):
    with pytest.raises(ProtocolError) as caught:
        protocol.check_poll_options(options, "r1")
    assert caught.value.code == ErrorCode.INVALID_POLL_OPTIONS
    assert caught.value.params == {"detail": detail}
    assert caught.value.ref == "r1"


def test_poll_options_limits_accepted():
    longest = "x" * protocol.POLL_OPTION_MAX_LENGTH
    options = [longest] + [str(n) for n in range(protocol.POLL_MAX_OPTIONS - 1)]
    assert protocol.check_poll_options(options, None) == options


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "poll_answer", "poll": 1}, ErrorCode.MISSING_FIELD),
        ({"type": "poll_answer", "poll": 0, "option": 0}, ErrorCode.OUT_OF_RANGE),
        ({"type": "poll_answer", "poll": 1, "option": 10}, ErrorCode.OUT_OF_RANGE),
        ({"type": "poll_close", "poll": 1.5}, ErrorCode.WRONG_TYPE),
        ({"type": "hand_lower", "user": "12"}, ErrorCode.WRONG_TYPE),
        ({"type": "hand_lower", "user": 2**63}, ErrorCode.OUT_OF_RANGE),
        ({"type": "remove"}, ErrorCode.MISSING_FIELD),
        ({"type": "low_data", "enabled": "true"}, ErrorCode.WRONG_TYPE),
    ],
)
def test_classroom_messages_rejected(message, code):
    with pytest.raises(ProtocolError) as caught:
        parse_dict(message)
    assert caught.value.code == code


def test_hand_lower_user_optional():
    assert parse_dict({"type": "hand_lower"}).fields == {}
    assert parse_dict({"type": "hand_lower", "user": 12}).fields == {"user": 12}


def test_teacher_controls_listed():
    assert protocol.TEACHER_CONTROLS == {
        "hands_lower_all",
        "poll_open",
        "poll_close",
        "chat_mute",
        "chat_unmute",
        "remove",
        "end_class",
    }
    assert protocol.TEACHER_CONTROLS <= set(protocol.CLIENT_MESSAGES)


RESULTS_LIVE = {"type": "poll", "op": "results", "live_results": True}
RESULTS_AT_END = {"type": "poll", "op": "results", "live_results": False}


@pytest.mark.parametrize(
    ("message", "role", "low_data", "visible"),
    [
        ({"type": "draw"}, "student", False, True),
        ({"type": "draw"}, "student", True, False),
        ({"type": "presence"}, "teacher", True, False),
        ({"type": "chat"}, "student", True, True),
        ({"type": "session"}, "student", True, True),
        ({"type": "slide"}, "student", True, True),
        ({"type": "rtc_offer"}, "student", True, True),
        ({"type": "hand"}, "student", True, True),
        ({"type": "control"}, "student", True, True),
        ({"type": "poll", "op": "open"}, "student", True, True),
        ({"type": "poll", "op": "close"}, "student", True, True),
        (RESULTS_LIVE, "student", False, True),
        (RESULTS_LIVE, "student", True, False),
        (RESULTS_LIVE, "teacher", True, False),
        (RESULTS_AT_END, "student", False, False),
        (RESULTS_AT_END, "teacher", False, True),
    ],
)
def test_visibility(message, role, low_data, visible):
    assert is_visible(message, role, low_data) is visible


def test_forbidden_control_message_differs_from_connect():
    control = error_message(ErrorCode.FORBIDDEN, {"reason": "control"}, "en")
    connect = error_message(ErrorCode.FORBIDDEN, None, "en")
    assert control == "Only the teachers of this live class can do this."
    assert control != connect


def test_new_error_codes_translated():
    params = {"poll": 4, "user": 12, "detail": "count"}
    for code in (
        ErrorCode.INVALID_POLL_OPTIONS,
        ErrorCode.CHAT_MUTED,
        ErrorCode.HAND_ALREADY_RAISED,
        ErrorCode.HAND_NOT_RAISED,
        ErrorCode.POLL_ALREADY_OPEN,
        ErrorCode.POLL_NOT_FOUND,
        ErrorCode.POLL_CLOSED,
        ErrorCode.ALREADY_ANSWERED,
        ErrorCode.NOT_A_STUDENT,
        ErrorCode.REMOVED,
    ):
        english = error_message(code, params, "en")
        assert english
        assert error_message(code, params, "id") != english, code


def test_removed_close_code():
    assert protocol.CloseCode.REMOVED == 4430
