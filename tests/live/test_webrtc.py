"""The checks of SDP and ICE candidate text in ``live.webrtc``."""

import pytest

from live import webrtc

OFFER = (
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
)


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "candidate:842163049 1 udp 1677729535 127.0.0.1 50120 typ host",
        "candidate:1 1 UDP 2130706431 2001:db8::7 9 typ host tcptype active",
        "candidate:3 1 udp 2122262783 5a0b9c51-2f2d-4c1e-9d3b-7d1f2e3a4b5c.local "
        "54400 typ host generation 0 ufrag x9Yz network-cost 999",
        "candidate:4 2 udp 1686052607 192.0.2.7 50121 typ srflx "
        "raddr 10.0.0.2 rport 50121",
        "candidate:a+b/c 1 tcp 1518280447 relay.example.org 443 typ relay",
    ],
)
def test_valid_candidates_pass(candidate):
    assert webrtc.candidate_problem(candidate) is None


@pytest.mark.parametrize(
    ("candidate", "problem"),
    [
        ("842163049 1 udp 1677729535 127.0.0.1 50120 typ host", "bad_format"),
        ("candidate:1 1 udp 1 127.0.0.1 50120 host", "bad_format"),
        ("candidate:1 1 udp 1 127.0.0.1 50120 typ host trailing", "bad_format"),
        ("candidate:1 1 udp 1 127.0.0.1 50120 typ host\nx", "bad_format"),
        ("candidate:1 1 udp 1 127.0.0.1 50120 typ host\n", "bad_format"),
        ("candidate:" + "f" * 33 + " 1 udp 1 127.0.0.1 5 typ host", "bad_format"),
        ("candidate:1 0 udp 1 127.0.0.1 50120 typ host", "bad_component"),
        ("candidate:1 1 udp 4294967296 127.0.0.1 50120 typ host", "bad_priority"),
        ("candidate:1 1 udp 1 127.0.0.1 65536 typ host", "bad_port"),
        ("candidate:1 1 udp 1 <script> 5 typ host", "bad_address"),
        ("candidate:1 1 udp 1 -bad-.local 5 typ host", "bad_address"),
    ],
)
def test_invalid_candidates_name_problem(candidate, problem):
    assert webrtc.candidate_problem(candidate) == problem


def test_offer_with_lf_line_ends_passes():
    assert webrtc.sdp_problem(OFFER) is None
    assert webrtc.sdp_problem(OFFER.replace("\r\n", "\n")) is None


@pytest.mark.parametrize(
    ("sdp", "problem"),
    [
        (OFFER.replace("s=-", "s=é"), "not_ascii"),
        (OFFER.replace("v=0\r\n", ""), "no_version_line"),
        (OFFER + "\r\n", "bad_line"),
        (OFFER + "A=upper\r\n", "bad_line"),
        (OFFER + "a=tab\there\r\n", "bad_line"),
        (OFFER.replace("m=application", "x=application"), "no_media_section"),
    ],
)
def test_invalid_sdp_names_problem(sdp, problem):
    assert webrtc.sdp_problem(sdp) == problem


def test_mid_must_be_printable_without_spaces():
    assert webrtc.mid_problem("0") is None
    assert webrtc.mid_problem("audio") is None
    assert webrtc.mid_problem("a b") == "bad_mid"
    assert webrtc.mid_problem("0\n") == "bad_mid"
