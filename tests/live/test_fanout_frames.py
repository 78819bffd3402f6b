"""
The hub's frames, written once and sent unchanged to every daphne websocket.

These tests build the chain of ``send`` callables that daphne and channels
give a consumer, from the installed versions' own classes, so an upgrade
that changes the chain fails here instead of silently slowing delivery.
"""

from functools import partial

from autobahn.websocket.protocol import TrafficStats
from channels.sessions import InstanceSessionWrapper
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet.testing import StringTransport

from live.fanout import Frame, daphne_connection

TEXT = '{"type":"chat","seq":7,"text":"Selamat pagi, kelas ☀"}'


def open_connection():
    """Return a daphne websocket protocol in the open state, on a test transport."""
    # Server() only stores its options, and run() would listen, so the
    # factory is built here as run() builds it.
    server = Server(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])
    connection = WebSocketProtocol()
    connection.factory = WebSocketFactory(server, server=server.server_name)
    connection.server = server
    connection.transport = StringTransport()
    connection.state = WebSocketProtocol.STATE_OPEN
    connection._perMessageCompress = None
    connection.send_queue = []
    connection.trafficStats = TrafficStats()
    connection.logOctets = False
    return server, connection


def test_daphne_send_unwraps_to_connection():
    server, connection = open_connection()
    send = partial(server.handle_reply, connection)

    assert daphne_connection(send) is connection


def test_session_wrapped_send_unwraps_to_connection():
    server, connection = open_connection()
    wrapper = InstanceSessionWrapper(
        {"type": "websocket", "cookies": {}}, partial(server.handle_reply, connection)
    )

    assert daphne_connection(wrapper.send) is connection


def test_other_send_has_no_connection():
    async def send(message):
        return None

    assert daphne_connection(send) is None
    assert daphne_connection(partial(send)) is None
    assert daphne_connection(None) is None


def test_prepared_frame_is_one_text_frame():
    _server, connection = open_connection()
    payload = TEXT.encode("utf-8")
    frame = Frame(TEXT)

    connection.sendPreparedMessage(frame.prepared(connection))
    connection.sendPreparedMessage(frame.prepared(connection))

    # FIN and the text opcode, then the unmasked length (under 126 bytes).
    expected = bytes([0x81, len(payload)]) + payload
    assert len(payload) < 126
    assert connection.transport.value() == expected * 2


def test_frame_is_prepared_once():
    _server, first = open_connection()
    _server, second = open_connection()
    frame = Frame(TEXT)

    assert frame.prepared(first) is frame.prepared(second)
