"""Who may reach the app under which name, and who may list, export or delete saved drawings."""

import itertools
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from bench.server import running_server
from recognition.model_files import PROJECT_ROOT
from tests.helpers import SEVEN, drawing_png, fresh_app, save
from webapp.web import access

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}
TOKEN = "correct horse battery staple"


def client_of(tmp_path, **settings):
    return fresh_app(tmp_path, **settings).test_client()


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:5000"])
def test_loopback_names_are_served(tmp_path, host):
    client = client_of(tmp_path)
    assert client.get("/api/samples", headers={"Host": host}).status_code == 200
    assert save(client, SEVEN, 7, Host=host, Origin=f"http://{host}").status_code == 201


@pytest.mark.parametrize("host", ["rebound.example", "rebound.example:8000", "localhost.evil.example"])
def test_another_name_for_this_server_is_refused(tmp_path, host):
    """DNS rebinding: the attacker's page is same-origin with itself, but its Host names the attacker."""
    client = client_of(tmp_path)
    origin = {"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"}
    response = save(client, SEVEN, 7, Host=host, **origin)
    assert response.status_code == 400 and "error" in response.get_json()
    assert client.get("/api/samples", headers={"Host": host}).status_code == 400
    assert client.delete("/api/samples/1", headers={"Host": host, **origin}).status_code == 400
    assert client.get("/api/samples").get_json()["total"] == 0


def test_the_public_url_and_trusted_hosts_are_served(tmp_path):
    client = client_of(tmp_path, PUBLIC_URL="http://digits.example.org:8080", TRUSTED_HOSTS=["pad.lan"])
    for host in ("digits.example.org:8080", "pad.lan", "localhost"):
        assert save(client, SEVEN, 7, Host=host, Origin=f"http://{host}").status_code == 201, host
    assert save(client, SEVEN, 7, Host="other.example").status_code == 400


def test_forwarded_headers_count_only_behind_a_proxy(tmp_path):
    tls = {"Host": "digits.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4",
           "Origin": "https://digits.example.org"}
    direct = client_of(tmp_path / "direct", PUBLIC_URL="https://digits.example.org")
    assert save(direct, SEVEN, 7, **tls).status_code == 403
    proxied = client_of(tmp_path / "proxied", PUBLIC_URL="https://digits.example.org", BEHIND_PROXY=True)
    assert save(proxied, SEVEN, 7, **tls).status_code == 201
    assert save(proxied, SEVEN, 7, **{**tls, "X-Forwarded-Proto": "http"}).status_code == 403


def test_serving_every_address_needs_a_public_name(tmp_path):
    result = subprocess.run([sys.executable, "-m", "webapp", "--host", "0.0.0.0", "--port", "1"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "SAMPLES_DB": str(tmp_path / "s.sqlite3")})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--public-url" in lines[0], result.stderr


def private_routes(client, sample_id, **headers):
    """Status codes of listing, exporting and deleting."""
    return (client.get("/api/samples", headers=headers).status_code,
            client.get("/api/samples/export", headers=headers).status_code,
            client.delete(f"/api/samples/{sample_id}", headers=headers).status_code)


def test_without_a_token_private_routes_are_for_this_machine_only(tmp_path):
    client = client_of(tmp_path)
    client.environ_base.update(ELSEWHERE)
    response = save(client, SEVEN, 7)
    assert response.status_code == 201
    assert client.post("/api/predict", data=drawing_png(SEVEN), content_type="image/png").status_code == 200
    answer = client.get("/api/samples")
    assert answer.status_code == 403 and "ADMIN_TOKEN" in answer.get_json()["error"]
    assert private_routes(client, response.get_json()["id"]) == (403, 403, 403)
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    assert private_routes(client, response.get_json()["id"]) == (200, 200, 204)


def test_other_clients_need_the_admin_token(tmp_path):
    a_minute_between_attempts = itertools.count(step=60.0)
    client = client_of(tmp_path, ADMIN_TOKEN=TOKEN, RATE_LIMIT_CLOCK=lambda: next(a_minute_between_attempts))
    client.environ_base.update(ELSEWHERE)
    sample_id = save(client, SEVEN, 7).get_json()["id"]
    response = client.get("/api/samples")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.get_json()["error"]
    for wrong in ("", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"):
        assert private_routes(client, sample_id, Authorization=wrong) == (401, 401, 401), wrong
    assert private_routes(client, sample_id, Authorization=f"Bearer {TOKEN}") == (200, 200, 204)


def test_a_loopback_request_that_a_proxy_forwarded_is_not_local(tmp_path):
    client = client_of(tmp_path)
    assert client.get("/api/samples", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    behind = client_of(tmp_path / "behind", BEHIND_PROXY=True, ADMIN_TOKEN=TOKEN)
    assert behind.get("/api/samples", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    assert behind.get("/api/samples", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


@pytest.mark.parametrize("header", ["X-Forwarded-Port", "X-Forwarded-Server", "True-Client-IP", "CF-Connecting-IP",
                                    "X-Real-IP", "Forwarded", "Via"])
def test_any_sign_of_a_proxy_makes_a_loopback_request_a_strangers(tmp_path, header):
    client = client_of(tmp_path)
    assert client.get("/api/samples").status_code == 200
    assert client.get("/api/samples", headers={header: "203.0.113.9"}).status_code == 403


@pytest.mark.parametrize("headers", [{}, {"X-Real-IP": "127.0.0.1"}, {"Forwarded": "for=127.0.0.1"},
                                     {"X-Forwarded-For": ""}, {"X-Forwarded-For": "127.0.0.1, 203.0.113.9"}])
def test_behind_a_proxy_only_the_proxys_forwarded_for_makes_a_client_local(tmp_path, headers):
    """nginx adds no X-Forwarded-For unless told to: then the proxy's own loopback address says nothing."""
    behind = client_of(tmp_path, BEHIND_PROXY=True, ADMIN_TOKEN=TOKEN)
    assert behind.get("/api/samples", headers=headers).status_code == 401
    assert behind.get("/api/samples", headers={"X-Forwarded-For": "203.0.113.9, ::1"}).status_code == 200


def test_an_admin_token_shorter_than_16_characters_is_refused(tmp_path):
    with pytest.raises(ValueError, match="16"):
        fresh_app(tmp_path, ADMIN_TOKEN="s3cret")
    assert fresh_app(tmp_path, ADMIN_TOKEN="x" * 16).config["ADMIN_TOKEN"] == "x" * 16


def test_wrong_admin_tokens_are_limited_per_address(tmp_path):
    clock = [1000.0]
    client = client_of(tmp_path, ADMIN_TOKEN=TOKEN, RATE_LIMIT_CLOCK=lambda: clock[0])
    client.environ_base.update(ELSEWHERE)
    wrong = {"Authorization": "Bearer guess"}
    statuses = [client.get("/api/samples", headers=wrong).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = client.get("/api/samples", headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    neighbour = app_client_at(client, "192.0.2.8")
    assert neighbour.get("/api/samples", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    clock[0] += int(refused.headers["Retry-After"])
    assert client.get("/api/samples", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def app_client_at(client, address):
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def test_tokens_are_compared_in_constant_time(tmp_path, monkeypatch):
    compared = []
    real = access.hmac.compare_digest
    monkeypatch.setattr(access.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    client = client_of(tmp_path, ADMIN_TOKEN=TOKEN)
    client.environ_base.update(ELSEWHERE)
    assert client.get("/api/samples", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert compared == [(b"guess", TOKEN.encode())]


def listing_status(url, **headers):
    with urllib.request.urlopen(urllib.request.Request(url + "/api/samples", headers=headers), timeout=10) as answer:
        return answer.status


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_the_production_server_passes_forwarded_headers_to_the_app(tmp_path, behind_proxy):
    """waitress would drop them, hiding that a proxy on this machine forwarded a stranger's request."""
    env = {"SAMPLES_DB": str(tmp_path / "samples.sqlite3"), "ADMIN_TOKEN": TOKEN}
    with running_server(*(["--behind-proxy"] if behind_proxy else []), env=env) as (url, _):
        if not behind_proxy:
            assert listing_status(url) == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            listing_status(url, **{"X-Forwarded-For": "203.0.113.9"})
        assert refused.value.code == 401
        assert listing_status(url, **{"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"}) == 200
        if behind_proxy:
            assert listing_status(url, **{"X-Forwarded-For": "127.0.0.1"}) == 200


@pytest.mark.parametrize("url", ["http://", "https://:8000", "ftp://digits.example.org", "digits.example.org"])
def test_a_public_url_needs_an_http_scheme_and_a_host_name(url):
    with pytest.raises(ValueError, match="host name"):
        access.public_host(url)


def test_a_trusted_ipv6_address_is_served_under_its_bracketed_name(tmp_path):
    client = client_of(tmp_path, TRUSTED_HOSTS=["[::1]"])
    assert client.get("/api/samples", headers={"Host": "[::1]:8000"}).status_code == 200
    assert client.get("/api/samples", headers={"Host": "[::2]:8000"}).status_code == 400
