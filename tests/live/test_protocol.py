"""The classroom message protocol, as plain Python with no database."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from live import protocol
from live.protocol import CHAT_MAX_LENGTH, MAX_FRAME_BYTES, ProtocolError


def parse_error(frame):
    with pytest.raises(ProtocolError) as caught:
        protocol.parse(frame)
    return caught.value


def test_parse_chat_strips_text():
    message = protocol.parse('{"type": "chat", "text": "  halo  ", "ref": "a1"}')
    assert message.type == "chat"
    assert message.fields == {"text": "halo"}
    assert message.ref == "a1"


def test_parse_ping_without_ref():
    message = protocol.parse('{"type": "ping"}')
    assert message.type == "ping"
    assert message.fields == {}
    assert message.ref is None


def test_parse_ignores_unknown_fields():
    message = protocol.parse('{"type": "ping", "colour": "red"}')
    assert message.fields == {}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("", "not_json"),
        ("{", "not_json"),
        ("chat", "not_json"),
        ('{"type": "chat", "text": NaN}', "not_json"),
        ('{"type": "chat", "text": Infinity}', "not_json"),
        ("[" * 5000 + "]" * 5000, "not_json"),
        ("[]", "not_object"),
        ('"chat"', "not_object"),
        ("null", "not_object"),
        ("{}", "missing_type"),
        ('{"type": null}', "missing_type"),
        ('{"type": 1}', "wrong_type"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"type": "CHAT", "text": "x"}', "unknown_type"),
        ('{"type": "chat"}', "missing_field"),
        ('{"type": "chat", "text": null}', "missing_field"),
        ('{"type": "chat", "text": 1}', "wrong_type"),
        ('{"type": "chat", "text": true}', "wrong_type"),
        ('{"type": "chat", "text": {"a": 1}}', "wrong_type"),
        ('{"type": "chat", "text": ""}', "blank"),
        ('{"type": "chat", "text": " \\n\\t "}', "blank"),
        ('{"type": "ping", "ref": 5}', "invalid_ref"),
        ('{"type": "ping", "ref": "' + "r" * 65 + '"}', "invalid_ref"),
    ],
)
def test_parse_rejects_with_code(frame, code):
    assert parse_error(frame).code == code


def test_parse_rejects_binary_frame():
    assert parse_error(b'{"type": "ping"}').code == "not_text"


def test_chat_length_limit_after_strip():
    longest = " " + "a" * CHAT_MAX_LENGTH + " "
    message = protocol.parse(json.dumps({"type": "chat", "text": longest}))
    assert len(message.fields["text"]) == CHAT_MAX_LENGTH

    error = parse_error(json.dumps({"type": "chat", "text": "a" * 1001}))
    assert error.code == "too_long"
    assert error.params == {"field": "text", "limit": 1000, "length": 1001}


def test_chat_length_counts_characters_not_bytes():
    emoji = "\U0001f600" * CHAT_MAX_LENGTH
    message = protocol.parse(json.dumps({"type": "chat", "text": emoji}))
    assert message.fields["text"] == emoji


def test_frame_size_limit():
    frame = json.dumps({"type": "chat", "text": "a" * MAX_FRAME_BYTES})
    error = parse_error(frame)
    assert error.code == "frame_too_large"
    assert error.params["limit"] == MAX_FRAME_BYTES
    assert error.params["size"] == len(frame)


def test_error_keeps_ref_once_read():
    error = parse_error('{"type": "chat", "text": 3, "ref": "m9"}')
    assert error.code == "wrong_type"
    assert error.ref == "m9"
    assert error.params == {"field": "text", "expected": "string"}


def test_unknown_type_lists_known_types():
    error = parse_error('{"type": "shout"}')
    assert error.params["type"] == "shout"
    known = error.params["known"].split(", ")
    assert known == sorted(protocol.CLIENT_MESSAGES)
    for message_type in ("chat", "resume", "rtc_offer", "slide_show"):
        assert message_type in known


def test_server_messages_shape():
    sender = protocol.person(7, "Budi", "student")
    assert protocol.chat(3, sender, "halo", "2026-01-05T08:00:00+00:00") == {
        "type": "chat",
        "seq": 3,
        "from": {"id": 7, "name": "Budi", "role": "student"},
        "text": "halo",
        "at": "2026-01-05T08:00:00+00:00",
    }
    assert protocol.error("too_long", "Terlalu panjang", "m1") == {
        "type": "error",
        "code": "too_long",
        "message": "Terlalu panjang",
        "ref": "m1",
    }
    assert protocol.error("not_json", "x") == {
        "type": "error",
        "code": "not_json",
        "message": "x",
    }
    assert protocol.pong() == {"type": "pong"}
    assert protocol.presence([sender]) == {
        "type": "presence",
        "participants": [sender],
    }
    welcome = protocol.welcome({"id": 1}, sender, [sender], 4)
    assert welcome["type"] == "welcome"
    assert welcome["last_seq"] == 4


def test_encode_keeps_unicode_compact():
    assert protocol.encode({"type": "chat", "text": "é"}) == (
        '{"type":"chat","text":"é"}'
    )


def test_protocol_imports_no_django():
    # A fresh interpreter, because this one has Django loaded already.
    check = (
        "import sys, live.protocol; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == "[]"
