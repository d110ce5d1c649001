"""Two hosts, one PostgreSQL database: a drawing saved on one is the same drawing on the other."""

import http.client
import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit

from bench.postgres import new_database
from bench.server import running_server
from tests.helpers import SEVEN, all_ids, data_url, drawing_png, ids_acknowledged_before_a_sigkill

TOKEN = "a token of sixteen characters or more"


def call(url, method, path, body=None, headers=None):
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {**({"Content-Type": "application/json"} if body is not None else {}), **(headers or {})}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, json.loads(payload) if payload.startswith(b"{") else None


def two_hosts(database_url, tmp_path):
    """Two servers on their own ports with their own SAMPLES_DB (unused) and the same DATABASE_URL."""
    return [running_server(env={"DATABASE_URL": database_url, "SAMPLES_DB": str(tmp_path / f"host-{name}.sqlite3")})
            for name in "ab"]


def test_a_drawing_saved_on_one_host_is_listed_and_deleted_on_the_other(postgres_server, tmp_path):
    database_url = new_database(postgres_server)
    first, second = two_hosts(database_url, tmp_path)
    with first as (url_a, _), second as (url_b, _):
        status, saved = call(url_a, "POST", "/api/samples", {"image": data_url(drawing_png(SEVEN)), "label": 7,
                                                             "strokes": SEVEN, "writer": "ann"})
        assert status == 201
        status, listing = call(url_b, "GET", "/api/samples")
        assert [sample["id"] for sample in listing["samples"]] == [saved["id"]]
        assert listing["samples"][0]["writer"] == "ann"
        status, answer = call(url_b, "POST", "/api/predict", {"image": data_url(drawing_png(SEVEN)), "writer": "ann",
                                                              "writer_key": saved["writer_key"]})
        assert answer["adapted"] is True and answer["writer_samples"] == 1
        assert call(url_b, "DELETE", f"/api/samples/{saved['id']}")[0] == 204
        assert call(url_a, "GET", "/api/samples")[1]["total"] == 0
        assert call(url_a, "DELETE", f"/api/samples/{saved['id']}")[0] == 404
        for url in (url_a, url_b):
            assert call(url, "GET", "/api/health") == (200, {"status": "ok", "model": "digitpad-cnn", "database": "ok"})
    assert not (tmp_path / "host-a.sqlite3").exists() and not (tmp_path / "host-b.sqlite3").exists()


def test_killing_one_host_during_a_burst_of_saves_loses_no_acknowledged_save(postgres_server, tmp_path):
    database_url = new_database(postgres_server)
    first, second = two_hosts(database_url, tmp_path)
    with first as (url_a, process_a), second as (url_b, _):
        acknowledged = ids_acknowledged_before_a_sigkill(url_a, process_a)
        assert acknowledged <= all_ids(url_b)


def test_the_readmes_many_people_command_serves_with_workers_postgresql_and_the_admin_token(postgres_server, tmp_path):
    env = {"DATABASE_URL": new_database(postgres_server), "ADMIN_TOKEN": TOKEN,
           "SAMPLES_DB": str(tmp_path / "unused.sqlite3")}
    with running_server("--workers", "2", "--host", "127.0.0.1", "--public-url", "https://digits.example.org",
                        "--behind-proxy", env=env) as (url, process):
        assert workers_started(process.pid, 2)
        proxied = {"Host": "digits.example.org", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        status, saved = call(url, "POST", "/api/samples", {"image": data_url(drawing_png(SEVEN)), "label": 7},
                             headers={**proxied, "Origin": "https://digits.example.org"})
        assert status == 201
        assert call(url, "GET", "/api/samples", headers=proxied)[0] == 401
        status, listing = call(url, "GET", "/api/samples", headers={**proxied, "Authorization": f"Bearer {TOKEN}"})
        assert status == 200 and [sample["id"] for sample in listing["samples"]] == [saved["id"]]
        assert call(url, "GET", "/api/health", headers={**proxied, "Host": "elsewhere.example"})[0] == 400
    assert not (tmp_path / "unused.sqlite3").exists()


def workers_started(pid, count, seconds=30):
    """Whether the server process has ``count`` child processes within ``seconds`` (the first may answer alone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            if len(listing.read().split()) == count:
                return True
        time.sleep(0.1)
    return False


def test_a_wall_on_one_host_shows_a_drawing_sent_to_another(postgres_server, tmp_path):
    first, second = two_hosts(new_database(postgres_server), tmp_path)
    with first as (url_a, _), second as (url_b, _):
        room = call(url_a, "POST", "/api/rooms")[1]["room"]
        address = urlsplit(url_b)
        stream = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        stream.request("GET", f"/api/rooms/{room}/events")
        events = stream.getresponse()
        assert events.status == 200 and events.readline().startswith(b"retry: ")
        status, drawing = call(url_a, "POST", f"/api/rooms/{room}/drawings",
                               {"image": data_url(drawing_png(SEVEN)), "label": 7})
        assert status == 201
        lines = [events.readline() for _ in range(4)]
        stream.close()
    assert lines[0] == b"\n" and lines[1].startswith(b"id: ")
    assert lines[2] == b"event: drawing\n" and json.loads(lines[3].removeprefix(b"data: "))["id"] == drawing["id"]


def test_workers_refuse_a_port_another_server_listens_on(tmp_path):
    with running_server(env={"SAMPLES_DB": str(tmp_path / "samples.sqlite3")}) as (url, _):
        port = urlsplit(url).port
        started = subprocess.run([sys.executable, "-m", "webapp", "--port", str(port), "--workers", "2"],
                                 capture_output=True, text=True, timeout=60,
                                 env={**os.environ, "SAMPLES_DB": str(tmp_path / "other.sqlite3")})
        assert started.returncode == 1 and "Address already in use" in started.stderr
        assert call(url, "GET", "/api/health")[0] == 200


def test_a_single_process_refuses_a_port_in_use_with_one_line(tmp_path):
    with running_server(env={"SAMPLES_DB": str(tmp_path / "samples.sqlite3")}) as (url, _):
        port = urlsplit(url).port
        started = subprocess.run([sys.executable, "-m", "webapp", "--port", str(port)], capture_output=True,
                                 text=True, timeout=60, env={**os.environ, "SAMPLES_DB": str(tmp_path / "b.sqlite3")})
        assert started.returncode == 1 and "serving" not in started.stdout
        assert "Traceback" not in started.stderr
        assert started.stderr.strip().splitlines()[-1] == f"digitpad: cannot serve 127.0.0.1:{port}: Address already in use"
        assert call(url, "GET", "/api/health")[0] == 200


def test_serving_ipv6_loopback_trusts_its_bracketed_name(tmp_path):
    with running_server("--host", "::1", env={"SAMPLES_DB": str(tmp_path / "samples.sqlite3")}) as (url, _):
        assert url.startswith("http://[::1]:")
        assert call(url, "GET", "/api/health")[0] == 200
