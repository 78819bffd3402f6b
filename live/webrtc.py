"""
Checks of the WebRTC signalling data that the classroom relays between peers.

The server does not take part in a call: it passes session descriptions
(SDP, RFC 8866) and ICE candidates (RFC 8839) from one participant to
another. It still checks their shape, so that the relay carries only
bounded, printable text that a browser's ``RTCPeerConnection`` could accept,
and not arbitrary data between two people.

This module is plain Python with no Django import. Each check returns
``None`` for a valid value, or a short English ``detail`` code that names the
invalid part. ``live.protocol`` turns that code into an ``error`` message.
"""

import ipaddress
import re

# aiortc 1.16's offer for audio, video and a data channel is 3 789
# characters. Browsers list more codecs, and each renegotiation can add media
# sections, so their offers run larger (an estimate: up to about 8 000).
# 12 000 characters leave room for that and still fit, escaped as JSON, in
# the 16 KiB frame limit of the protocol.
MAX_SDP_LENGTH = 12_000
# RFC 8839 limits the foundation to 32 characters. A host candidate of
# aiortc is about 90 characters. With an IPv6 address, a related address and
# extensions a browser's candidate stays well below 512 (an estimate).
MAX_CANDIDATE_LENGTH = 512
# The media ID ("a=mid") of a media section, at most 16 characters in
# practice (RFC 8843 allows any token). sdp_mline_index counts media
# sections, which a call of a few people keeps far below 64.
MAX_MID_LENGTH = 32
MAX_MLINE_INDEX = 63

SDP_LINE = re.compile(r"^[a-z]=[\x20-\x7e]*$")
# candidate:<foundation> <component> <transport> <priority> <address> <port>
# typ <type>, then pairs of extension attributes such as "raddr 0.0.0.0" or
# "generation 0" (RFC 8839 section 5.1).
CANDIDATE = re.compile(
    r"^candidate:(?P<foundation>[A-Za-z0-9+/]{1,32})"
    r" (?P<component>[0-9]{1,3})"
    r" (?P<transport>[A-Za-z][A-Za-z0-9-]{0,15})"
    r" (?P<priority>[0-9]{1,10})"
    r" (?P<address>[^\s]{1,255})"
    r" (?P<port>[0-9]{1,5})"
    r" typ (?P<type>[A-Za-z][A-Za-z0-9-]{0,15})"
    r"(?P<extensions>(?: [\x21-\x7e]{1,64} [\x21-\x7e]{1,255})*)$"
)
HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
MID = re.compile(r"^[\x21-\x7e]+$")


def sdp_problem(sdp):
    """
    Return what is wrong with a session description, or ``None``.

    Offers and answers alike need the version line first, printable ASCII
    lines of the form ``x=...`` and at least one media section ("m=" line).
    """
    if not sdp.isascii():
        return "not_ascii"
    lines = sdp.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "v=0":
        return "no_version_line"
    for line in lines:
        if not SDP_LINE.fullmatch(line):
            return "bad_line"
    if not any(line.startswith("m=") for line in lines):
        return "no_media_section"
    return None


def address_problem(address):
    """Return ``None`` for an IP address or a host name, else ``"bad_address"``."""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        if not HOSTNAME.fullmatch(address):
            return "bad_address"
    return None


def candidate_problem(candidate):
    """
    Return what is wrong with an ICE candidate line, or ``None``.

    The empty string is valid because it marks the end of the candidates
    (the ``candidate`` of the last ``icecandidate`` event).
    """
    if candidate == "":
        return None
    match = CANDIDATE.fullmatch(candidate)
    if match is None:
        return "bad_format"
    if not 1 <= int(match["component"]) <= 256:
        return "bad_component"
    if int(match["priority"]) > 2**32 - 1:
        return "bad_priority"
    if int(match["port"]) > 65535:
        return "bad_port"
    return address_problem(match["address"])


def mid_problem(mid):
    if not MID.fullmatch(mid):
        return "bad_mid"
    return None
