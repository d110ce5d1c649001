"""The production server's event loop (webapp.idle_connections): idle connections cost nothing, and every
connection is still served as waitress serves it."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel

from webapp.idle_connections import ReadinessLoop

IDLE = 300
NEVER = 3600
"""The loop's own timeout in these tests, in seconds: a connection the loop forgot would wait for it, and its
request time out (30 s), instead of being picked up a second later."""


class CountedChannel(HTTPChannel):
    """A waitress connection that counts how often the loop asks whether it wants to read."""

    asked = 0

    def readable(self):
        CountedChannel.asked += 1
        return super().readable()


def app(environ, start_response):
    """Echoes the body; ``/stream`` answers in three chunks."""
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    if environ["PATH_INFO"] == "/stream":
        return (f"part {n};".encode() for n in range(3))
    return [b"echo:" + body]


def serving(**adjustments):
    served = create_server(app, host="127.0.0.1", port=0, threads=4, connection_limit=2 * IDLE + 50, **adjustments)
    served.channel_class = CountedChannel
    served.asyncore = ReadinessLoop
    loop = threading.Thread(target=served.run, daemon=True)
    loop.start()
    yield served
    served.trigger.pull_trigger(lambda: wasyncore.close_all(served._map))
    loop.join(timeout=30)
    served.task_dispatcher.shutdown()
    assert not loop.is_alive()


@pytest.fixture
def server():
    yield from serving(asyncore_loop_timeout=NEVER)


@pytest.fixture
def server_that_closes_idle_connections():
    yield from serving(channel_timeout=1, cleanup_interval=1)


def connect(server):
    return http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=30)


def ask(connection, body=b"hello", path="/"):
    connection.request("POST", path, body=body)
    response = connection.getresponse()
    return response.status, response.read()


def opened(server, count):
    """``count`` keep-alive connections, each having made one request."""
    connections = [connect(server) for _ in range(count)]
    for connection in connections:
        assert ask(connection) == (200, b"echo:hello")
    return connections


def test_a_request_asks_a_few_connections_however_many_idle_ones_are_open(server):
    idle = opened(server, IDLE)
    client = connect(server)
    ask(client)
    CountedChannel.asked = 0
    for n in range(50):
        assert ask(client, str(n).encode()) == (200, f"echo:{n}".encode())
    assert CountedChannel.asked < 50 * 10
    for connection in idle:
        connection.close()


def test_every_idle_connection_is_served_when_it_speaks_again(server):
    connections = opened(server, IDLE)
    for n, connection in enumerate(reversed(connections)):
        assert ask(connection, b"again %d" % n) == (200, b"echo:again %d" % n)
        connection.close()


def test_connections_that_take_closed_ones_numbers_are_served(server):
    first = opened(server, 50)
    for connection in first:
        connection.close()
    second = opened(server, 50)
    for connection in second:
        assert ask(connection, b"second") == (200, b"echo:second")
        connection.close()


def test_a_streamed_answer_arrives_whole_and_large_bodies_are_read(server):
    connection = connect(server)
    assert ask(connection, path="/stream") == (200, b"part 0;part 1;part 2;")
    large = bytes(range(256)) * 4096
    assert ask(connection, large) == (200, b"echo:" + large)
    connection.close()


def test_clients_asking_at_once_beside_idle_connections_are_all_answered(server):
    idle = opened(server, IDLE)

    def client(n):
        connection = connect(server)
        answers = [ask(connection, b"%d-%d" % (n, k), "/stream" if k % 3 == 0 else "/") for k in range(30)]
        connection.close()
        return answers

    with ThreadPoolExecutor(8) as pool:
        for n, answers in enumerate(pool.map(client, range(8))):
            for k, answer in enumerate(answers):
                assert answer == (200, b"part 0;part 1;part 2;" if k % 3 == 0 else b"echo:%d-%d" % (n, k))
    for connection in idle:
        connection.close()


def test_a_connection_idle_for_longer_than_its_timeout_is_closed_by_the_server(server_that_closes_idle_connections):
    server = server_that_closes_idle_connections
    connection = connect(server)
    ask(connection)
    connection.sock.settimeout(30)
    assert connection.sock.recv(1) == b""
    connection.close()
