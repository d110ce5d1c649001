"""A body over the limit is refused from its declared length, by the app and by the production server."""

import socket
from urllib.parse import urlsplit

import pytest

from bench.server import running_server

GIBIBYTE = 1024 ** 3


@pytest.mark.parametrize("method, path", [("GET", "/api/health"), ("POST", "/api/predict"), ("POST", "/api/read"),
                                          ("POST", "/api/samples"), ("GET", "/api/samples")])
def test_the_app_refuses_a_declared_oversize_body_before_reading_it(client, method, path):
    response = client.open(path, method=method, data=b"x", content_type="image/png",
                           environ_overrides={"CONTENT_LENGTH": str(GIBIBYTE)})
    assert response.status_code == 413
    assert "8 MB" in response.get_json()["error"]


def first_response_line(url, headers, seconds):
    """Send only a request's headers and return the status line, or '' if none came in time."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=seconds) as connection:
        connection.sendall(headers.encode("ascii"))
        try:
            return connection.recv(1024).decode("latin-1").split("\r\n", 1)[0]
        except TimeoutError:
            return ""


def test_the_production_server_answers_a_huge_declared_body_at_once():
    with running_server() as (url, _):
        line = first_response_line(url, "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        f"Content-Type: image/png\r\nContent-Length: {GIBIBYTE}\r\n\r\n", 10)
        assert line.startswith("HTTP/1.1 413"), line
        line = first_response_line(url, "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        f"Content-Type: image/png\r\nContent-Length: {8 * 1024 * 1024 + 1}\r\n\r\n", 10)
        assert line.startswith("HTTP/1.1 413"), line
