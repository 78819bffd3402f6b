"""
WebRTC signalling relayed over the classroom websocket to one named peer.

Every test goes through the full ASGI stack with WebsocketCommunicator. The
aiortc test in ``test_webrtc_tcp`` runs a real negotiation over daphne.
"""

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from live.models import LiveEvent
from live.webrtc import MAX_SDP_LENGTH

from .test_consumer import join, receive_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_channel_layer"),
]

SDP = (
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
)
CANDIDATE = "candidate:842163049 1 udp 1677729535 127.0.0.1 50120 typ host generation 0"


async def expect_error(socket, code):
    error = await receive_until(socket, "error")
    assert error["code"] == code, error
    return error


async def still_open(socket):
    await socket.send_json_to({"type": "ping", "ref": "alive"})
    pong = await receive_until(socket, "pong")
    assert pong["ref"] == "alive"


async def stored_events(session):
    return await database_sync_to_async(
        LiveEvent.objects.filter(session=session).count
    )()


async def test_offer_answer_ice_and_hangup_reach_one_peer(classroom):
    session = classroom.session
    events_before = await stored_events(session)
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)

    await student.send_json_to(
        {"type": "rtc_offer", "to": classroom.teacher.pk, "sdp": SDP, "ref": "o1"}
    )
    offer = await receive_until(teacher, "rtc_offer")
    assert offer["sdp"] == SDP
    assert offer["from"]["id"] == classroom.student.pk
    assert offer["from"]["role"] == "student"
    assert len(offer["peer"]) == 32
    assert "seq" not in offer

    await teacher.send_json_to(
        {
            "type": "rtc_answer",
            "to": classroom.student.pk,
            "peer": offer["peer"],
            "sdp": SDP,
        }
    )
    answer = await receive_until(student, "rtc_answer")
    assert answer["sdp"] == SDP
    assert answer["from"]["id"] == classroom.teacher.pk

    await teacher.send_json_to(
        {
            "type": "rtc_ice",
            "to": classroom.student.pk,
            "peer": offer["peer"],
            "candidate": CANDIDATE,
            "sdp_mid": "0",
            "sdp_mline_index": 0,
        }
    )
    ice = await receive_until(student, "rtc_ice")
    assert ice["candidate"] == CANDIDATE
    assert ice["sdp_mid"] == "0"
    assert ice["sdp_mline_index"] == 0

    await student.send_json_to(
        {"type": "rtc_ice", "to": classroom.teacher.pk, "candidate": ""}
    )
    end_of_candidates = await receive_until(teacher, "rtc_ice")
    assert end_of_candidates["candidate"] == ""

    await student.send_json_to({"type": "rtc_hangup", "to": classroom.teacher.pk})
    hangup = await receive_until(teacher, "rtc_hangup")
    assert hangup["from"]["id"] == classroom.student.pk

    # The sender gets no copy, and nothing enters the log.
    await still_open(student)
    assert student.output_queue.empty()
    assert await stored_events(session) == events_before
    await student.disconnect()
    await teacher.disconnect()


async def test_peer_field_picks_one_connection(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    first_tab, _welcome = await join(session, classroom.student)
    second_tab, _welcome = await join(session, classroom.student)

    await first_tab.send_json_to(
        {"type": "rtc_offer", "to": classroom.teacher.pk, "sdp": SDP}
    )
    first_peer = (await receive_until(teacher, "rtc_offer"))["peer"]
    await second_tab.send_json_to(
        {"type": "rtc_offer", "to": classroom.teacher.pk, "sdp": SDP}
    )
    second_peer = (await receive_until(teacher, "rtc_offer"))["peer"]
    assert first_peer != second_peer

    await teacher.send_json_to(
        {
            "type": "rtc_answer",
            "to": classroom.student.pk,
            "peer": first_peer,
            "sdp": SDP,
        }
    )
    answer = await receive_until(first_tab, "rtc_answer")
    assert answer["from"]["id"] == classroom.teacher.pk
    await still_open(second_tab)
    assert second_tab.output_queue.empty()

    # A peer id of somebody else's connection does not reach them.
    await first_tab.send_json_to(
        {
            "type": "rtc_answer",
            "to": classroom.teacher.pk,
            "peer": second_peer,
            "sdp": SDP,
        }
    )
    await expect_error(first_tab, "unknown_peer")
    for socket in (teacher, first_tab, second_tab):
        await socket.disconnect()


async def test_signal_to_outsider_is_unknown_peer(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    for target in (classroom.outsider.pk, classroom.parent.pk, 999_999):
        await teacher.send_json_to(
            {"type": "rtc_offer", "to": target, "sdp": SDP, "ref": "x"}
        )
        error = await expect_error(teacher, "unknown_peer")
        assert error["ref"] == "x"
        assert str(target) in error["message"]
    await still_open(teacher)
    await teacher.disconnect()


async def test_signal_to_other_session_is_unknown_peer(classroom):
    from .conftest import make_session

    other_session = await database_sync_to_async(make_session)(
        classroom.other_course, classroom.other_teacher
    )
    outsider, _welcome = await join(other_session, classroom.outsider)
    teacher, _welcome = await join(classroom.session, classroom.teacher)

    await teacher.send_json_to(
        {"type": "rtc_offer", "to": classroom.outsider.pk, "sdp": SDP}
    )
    await expect_error(teacher, "unknown_peer")
    await still_open(outsider)
    assert outsider.output_queue.empty()
    await outsider.disconnect()
    await teacher.disconnect()


async def test_signal_to_person_who_left_is_peer_gone(classroom):
    session = classroom.session
    teacher, _welcome = await join(session, classroom.teacher)
    student, _welcome = await join(session, classroom.student)
    await student.disconnect()

    await teacher.send_json_to(
        {"type": "rtc_ice", "to": classroom.student.pk, "candidate": CANDIDATE}
    )
    error = await expect_error(teacher, "peer_gone")
    assert str(classroom.student.pk) in error["message"]
    await still_open(teacher)
    await teacher.disconnect()


async def test_signal_to_self_is_rejected(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    await teacher.send_json_to(
        {"type": "rtc_offer", "to": classroom.teacher.pk, "sdp": SDP}
    )
    await expect_error(teacher, "own_peer")
    await teacher.disconnect()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "rtc_offer", "sdp": SDP}, "missing_field"),
        ({"type": "rtc_offer", "to": "3", "sdp": SDP}, "wrong_type"),
        ({"type": "rtc_offer", "to": 0, "sdp": SDP}, "out_of_range"),
        ({"type": "rtc_offer", "to": 3}, "missing_field"),
        ({"type": "rtc_offer", "to": 3, "sdp": ""}, "blank"),
        ({"type": "rtc_offer", "to": 3, "sdp": "hello"}, "invalid_sdp"),
        ({"type": "rtc_offer", "to": 3, "sdp": "v=0\r\ns=-\r\n"}, "invalid_sdp"),
        ({"type": "rtc_answer", "to": 3, "sdp": SDP + "a=x\x00\r\n"}, "invalid_sdp"),
        (
            {"type": "rtc_answer", "to": 3, "sdp": SDP + "a=" + "x" * MAX_SDP_LENGTH},
            "too_long",
        ),
        ({"type": "rtc_ice", "to": 3, "candidate": "hello"}, "invalid_candidate"),
        (
            {
                "type": "rtc_ice",
                "to": 3,
                "candidate": CANDIDATE.replace("50120", "70000"),
            },
            "invalid_candidate",
        ),
        (
            {"type": "rtc_ice", "to": 3, "candidate": CANDIDATE, "sdp_mid": " "},
            "invalid_candidate",
        ),
        (
            {"type": "rtc_ice", "to": 3, "candidate": CANDIDATE, "sdp_mline_index": 99},
            "out_of_range",
        ),
        ({"type": "rtc_ice", "to": 3}, "missing_field"),
        ({"type": "rtc_hangup", "to": 3, "peer": "not-a-peer"}, "invalid_peer"),
    ],
)
async def test_invalid_signalling_is_rejected(classroom, message, code):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)
    message = {**message, "ref": "bad"}
    if message.get("to") == 3:
        message["to"] = classroom.student.pk

    await teacher.send_json_to(message)
    error = await expect_error(teacher, code)
    assert error["ref"] == "bad"
    assert error["message"]
    await still_open(teacher)
    await still_open(student)
    assert student.output_queue.empty()
    await student.disconnect()
    await teacher.disconnect()


async def test_signalling_flood_is_rate_limited(classroom, settings):
    settings.LIVE_SIGNAL_RATE_LIMIT = 3
    settings.LIVE_SIGNAL_RATE_WINDOW_SECONDS = 60
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)

    for _number in range(3):
        await student.send_json_to(
            {"type": "rtc_ice", "to": classroom.teacher.pk, "candidate": CANDIDATE}
        )
        await receive_until(teacher, "rtc_ice")
    await student.send_json_to(
        {"type": "rtc_ice", "to": classroom.teacher.pk, "candidate": CANDIDATE}
    )
    error = await expect_error(student, "rate_limited")
    assert "3" in error["message"]
    await still_open(teacher)
    assert teacher.output_queue.empty()

    # The limit counts per connection: the teacher may still signal.
    await teacher.send_json_to(
        {"type": "rtc_ice", "to": classroom.student.pk, "candidate": CANDIDATE}
    )
    await receive_until(student, "rtc_ice")
    await student.disconnect()
    await teacher.disconnect()


async def test_offer_above_peer_cap_needs_media_server(classroom, settings):
    settings.LIVE_P2P_MAX_PARTICIPANTS = 1
    settings.LIVE_PRESENCE_DELAY_SECONDS = 0
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    student, _welcome = await join(classroom.session, classroom.student)

    await teacher.send_json_to(
        {"type": "rtc_offer", "to": classroom.student.pk, "sdp": SDP}
    )
    error = await expect_error(teacher, "media_server_needed")
    assert "1" in error["message"]
    assert "2" in error["message"]
    await still_open(student)
    assert student.output_queue.empty()

    # Candidates and hang-ups of a call already running still pass.
    await teacher.send_json_to({"type": "rtc_hangup", "to": classroom.student.pk})
    await receive_until(student, "rtc_hangup")
    await student.disconnect()
    await teacher.disconnect()


async def test_signalling_errors_are_translated(classroom):
    teacher, _welcome = await join(classroom.session, classroom.teacher)
    await teacher.send_json_to(
        {"type": "rtc_offer", "to": classroom.outsider.pk, "sdp": SDP}
    )
    error = await expect_error(teacher, "unknown_peer")
    # Bahasa Indonesia is the default language of the site.
    assert "not connected" not in error["message"]
    assert str(classroom.outsider.pk) in error["message"]
    await teacher.disconnect()


def test_session_page_states_peer_limit(classroom, settings, client):
    settings.LIVE_P2P_MAX_PARTICIPANTS = 3
    client.force_login(classroom.student)
    page = client.get(
        reverse("live:session", args=[classroom.session.pk])
    ).content.decode()
    assert 'data-max-peers="3"' in page
    assert "data-media-audio" in page
    # No ICE servers unless a deployment sets LIVE_ICE_SERVERS.
    assert '<script id="live-ice-servers" type="application/json">[]</script>' in page
    assert "3 orang" in page
