"""
Two aiortc peers negotiate through the classroom's signalling on daphne.

The teacher and a student connect to daphne over TCP with ``websockets``
clients. The student offers a data channel, both trickle their ICE
candidates through ``rtc_ice`` messages, and the peers then exchange data
directly. ICE uses host candidates on 127.0.0.1 only. aioice skips
127.0.0.1 when it lists the host's addresses, so the test replaces that
lookup. It passes an empty ICE server list, because aiortc would otherwise
add a public STUN server, and asserts that no other address was gathered.
"""

import asyncio
import json

import aioice.ice
import pytest
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.rtcicetransport import RTCIceGatherer
from aiortc.sdp import candidate_from_sdp
from channels.db import database_sync_to_async

from live.models import LiveEvent

from .conftest import session_cookie
from .test_tcp import open_connection, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TIMEOUT = 20
LOOPBACK = "127.0.0.1"


@pytest.fixture
def loopback_ice(monkeypatch):
    """Gather host candidates on 127.0.0.1 only, and never ask a STUN server."""
    monkeypatch.setattr(
        aioice.ice,
        "get_host_addresses",
        lambda use_ipv4, use_ipv6: [LOOPBACK],
    )

    def no_default_servers():
        raise AssertionError("the test must pass its own, empty ICE server list")

    monkeypatch.setattr(RTCIceGatherer, "getDefaultIceServers", no_default_servers)


def split_candidates(sdp):
    """Return the SDP without its candidate lines, and those candidates."""
    lines = sdp.split("\r\n")
    candidates = [line[2:] for line in lines if line.startswith("a=candidate:")]
    kept = [
        line
        for line in lines
        if not line.startswith("a=candidate:") and line != "a=end-of-candidates"
    ]
    return "\r\n".join(kept), candidates


def candidate_address(candidate):
    """Return the connection address of a ``candidate:...`` line."""
    return candidate.split()[4]


async def send_description(socket, pc, message_type, to, peer=None):
    """
    Send the local description without candidates, then trickle them.

    Return the candidates that were sent.
    """
    sdp, candidates = split_candidates(pc.localDescription.sdp)
    addressing = {"to": to} if peer is None else {"to": to, "peer": peer}
    await socket.send(json.dumps({"type": message_type, "sdp": sdp, **addressing}))
    for candidate in [*candidates, ""]:
        await socket.send(
            json.dumps(
                {
                    "type": "rtc_ice",
                    "candidate": candidate,
                    "sdp_mid": "0",
                    "sdp_mline_index": 0,
                    **addressing,
                }
            )
        )
    return candidates


async def receive_candidates(socket, pc):
    """Add the peer's trickled candidates until its end-of-candidates."""
    while True:
        message = await receive(socket, "rtc_ice")
        if message["candidate"] == "":
            await pc.addIceCandidate(None)
            return
        candidate = candidate_from_sdp(message["candidate"].split(":", 1)[1])
        candidate.sdpMid = message["sdp_mid"]
        candidate.sdpMLineIndex = message["sdp_mline_index"]
        await pc.addIceCandidate(candidate)


async def answer_calls(socket, pc, caller_id):
    """Take the offer from ``caller_id``, answer it and add its candidates."""
    offer = await receive(socket, "rtc_offer")
    assert offer["from"]["id"] == caller_id
    assert "a=candidate" not in offer["sdp"]
    await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
    await receive_candidates(socket, pc)
    await pc.setLocalDescription(await pc.createAnswer())
    return await send_description(
        socket, pc, "rtc_answer", caller_id, peer=offer["peer"]
    )


async def test_aiortc_peers_exchange_data(daphne_server, classroom, loopback_ice):
    await negotiate_and_exchange(classroom, daphne_server, daphne_server)


async def test_aiortc_peers_on_two_daphnes(two_daphnes, classroom, loopback_ice):
    """The teacher and the student reach different processes on one Redis."""
    first, second = two_daphnes
    await negotiate_and_exchange(classroom, first, second)


async def negotiate_and_exchange(classroom, teacher_server, student_server):
    """
    Let the student's peer call the teacher's peer and exchange a message.

    Assert that only loopback host candidates were gathered and that the
    signalling left no event in the log.
    """
    session = classroom.session
    teacher_cookie = await database_sync_to_async(session_cookie)(classroom.teacher)
    student_cookie = await database_sync_to_async(session_cookie)(classroom.student)
    events_before = await database_sync_to_async(
        LiveEvent.objects.filter(session=session).count
    )()
    config = RTCConfiguration(iceServers=[])
    caller = RTCPeerConnection(config)
    callee = RTCPeerConnection(config)
    received = asyncio.get_running_loop().create_future()

    @callee.on("datachannel")
    def on_datachannel(channel):
        @channel.on("message")
        def echo(message):
            channel.send(f"echo: {message}")

    try:
        async with (
            open_connection(teacher_server, session, teacher_cookie) as teacher,
            open_connection(student_server, session, student_cookie) as student,
        ):
            await receive(teacher, "welcome")
            await receive(student, "welcome")

            channel = caller.createDataChannel("classroom")

            @channel.on("open")
            def say_hello():
                channel.send("halo dari Budi")

            @channel.on("message")
            def on_reply(message):
                if not received.done():
                    received.set_result(message)

            await caller.setLocalDescription(await caller.createOffer())
            answering = asyncio.ensure_future(
                answer_calls(teacher, callee, classroom.student.pk)
            )
            offered = await send_description(
                student, caller, "rtc_offer", classroom.teacher.pk
            )
            answered = await asyncio.wait_for(answering, TIMEOUT)

            answer = await receive(student, "rtc_answer")
            assert answer["from"]["id"] == classroom.teacher.pk
            await caller.setRemoteDescription(
                RTCSessionDescription(answer["sdp"], "answer")
            )
            await receive_candidates(student, caller)

            reply = await asyncio.wait_for(received, TIMEOUT)
            assert reply == "echo: halo dari Budi"
    finally:
        await caller.close()
        await callee.close()

    # Both peers gathered host candidates on the loopback address only.
    assert offered
    assert answered
    assert {candidate_address(c) for c in offered} == {LOOPBACK}
    assert {candidate_address(c) for c in answered} == {LOOPBACK}
    assert all(" typ host" in c for c in [*offered, *answered])
    # Signalling does not enter the event log.
    events_after = await database_sync_to_async(
        LiveEvent.objects.filter(session=session).count
    )()
    assert events_after == events_before
