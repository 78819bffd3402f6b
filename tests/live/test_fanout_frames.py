"""
The hub's frames, written once and sent unchanged to every daphne websocket.

These tests build the chain of ``send`` callables that daphne and channels
give a consumer, from the installed versions' own classes, so an upgrade
that changes the chain fails here instead of silently slowing delivery.
The tests of ``write_now`` put a daphne connection on Twisted's TCP
transport over a real loopback socket, with a reactor that only records
which sockets are registered for writing, so a test drives the writes.
"""

import socket
import struct
from functools import partial
from types import SimpleNamespace

import pytest
from autobahn.websocket.protocol import TrafficStats
from channels.sessions import InstanceSessionWrapper
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet import tcp
from twisted.internet.testing import StringTransport

from live.fanout import Frame, daphne_connection, send_prepared, write_now

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


class RecordingReactor:
    """The reader and writer registrations of Twisted transports, and no loop."""

    def __init__(self):
        self.readers = set()
        self.writers = set()

    def addReader(self, reader):  # noqa: N802
        self.readers.add(reader)

    def removeReader(self, reader):  # noqa: N802
        self.readers.discard(reader)

    def addWriter(self, writer):  # noqa: N802
        self.writers.add(writer)

    def removeWriter(self, writer):  # noqa: N802
        self.writers.discard(writer)


@pytest.fixture
def tcp_connection():
    """
    Yield a daphne connection on a loopback TCP transport, its reactor and peer.

    Both ends have small socket buffers, so a frame of a megabyte fills them
    while the peer reads nothing, like a student on a slow phone.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    peer = socket.socket()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    peer.connect(listener.getsockname())
    accepted, address = listener.accept()
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    port = SimpleNamespace(_realPortNumber=listener.getsockname()[1])
    listener.close()

    reactor = RecordingReactor()
    _server, connection = open_connection()
    connection.transport = tcp.Server(accepted, connection, address, port, 1, reactor)
    peer.settimeout(10)
    yield connection, reactor, peer
    peer.close()
    accepted.close()


def read_exactly(peer, size):
    data = b""
    while len(data) < size:
        chunk = peer.recv(size - len(data))
        assert chunk, f"the connection closed after {len(data)} of {size} bytes"
        data += chunk
    return data


def text_frames(data):
    """Return the texts of the unmasked websocket text frames in ``data``."""
    texts = []
    while data:
        first, length = data[0], data[1]
        assert first == 0x81, f"not a final text frame: {first:#x}"
        header = 2
        if length == 126:
            (length,) = struct.unpack("!H", data[2:4])
            header = 4
        elif length == 127:
            (length,) = struct.unpack("!Q", data[2:10])
            header = 10
        texts.append(data[header : header + length].decode("utf-8"))
        data = data[header + length :]
    return texts


def test_write_now_sends_at_once(tcp_connection):
    connection, reactor, peer = tcp_connection
    payload = Frame(TEXT).prepared(connection).payloadHybi

    send_prepared(connection, Frame(TEXT).prepared(connection))

    assert reactor.writers == set()
    assert text_frames(read_exactly(peer, len(payload))) == [TEXT]
    assert connection.trafficStats.outgoingOctetsWireLevel == len(payload)


def test_partial_send_buffers_the_rest_in_order(tcp_connection):
    connection, reactor, peer = tcp_connection
    transport = connection.transport
    large = '{"type":"chat","text":"' + "a" * 1_000_000 + '"}'
    small = [f'{{"type":"chat","seq":{seq}}}' for seq in range(1, 4)]
    prepared = [Frame(text).prepared(connection) for text in [large, *small]]

    send_prepared(connection, prepared[0])

    # The socket took part of the frame, and the rest waits for the reactor.
    assert reactor.writers == {transport}
    assert 0 < transport._tempDataLen < len(large)

    # While bytes wait, later frames queue behind them.
    assert write_now(transport, prepared[1].payloadHybi) is False
    for message in prepared[1:]:
        send_prepared(connection, message)

    # The peer reads a little at a time, and the reactor writes in between.
    received = b""
    while reactor.writers:
        assert transport.doWrite() is None
        received += peer.recv(8192)
    expected = sum(len(message.payloadHybi) for message in prepared)
    received += read_exactly(peer, expected - len(received))
    assert text_frames(received) == [large, *small]


def test_write_now_skips_other_transports(tcp_connection):
    connection, reactor, peer = tcp_connection
    transport = connection.transport
    data = Frame(TEXT).prepared(connection).payloadHybi

    assert write_now(StringTransport(), data) is False

    transport.TLS = True
    assert write_now(transport, data) is False
    transport.TLS = False

    transport.loseConnection()
    assert write_now(transport, data) is False


def test_lost_peer_leaves_the_error_to_the_reactor(tcp_connection):
    connection, reactor, peer = tcp_connection
    transport = connection.transport
    # A zero linger time makes close() reset the connection.
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()
    frame = Frame(TEXT)

    send_prepared(connection, frame.prepared(connection))
    send_prepared(connection, frame.prepared(connection))

    assert reactor.writers == {transport}
    assert isinstance(transport.doWrite(), Exception)
