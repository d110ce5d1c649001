"""Nothing saved is lost: kill the server with SIGKILL in the middle of a burst of saves."""

import http.client
import json
import sqlite3
import threading
import time
from urllib.parse import urlsplit

from bench.server import running_server
from tests.helpers import SEVEN, data_url, drawing_png


def body():
    return json.dumps({"image": data_url(drawing_png(SEVEN)), "label": 7, "strokes": SEVEN})


def burst_of_saves(url, acknowledged, enough, stop, seconds=90):
    """Save until the connection dies (or time runs out), recording every id the server acknowledged."""
    address = urlsplit(url)
    payload = body()
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
            connection.request("POST", "/api/samples", body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            if response.status != 201:
                return
            acknowledged.append(json.loads(response.read())["id"])
            if len(acknowledged) >= 40:
                enough.set()
        except (OSError, http.client.HTTPException):
            return


def all_ids(url):
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    ids, pages, page = set(), 1, 1
    while page <= pages:
        connection.request("GET", f"/api/samples?page={page}&per_page=100")
        listing = json.loads(connection.getresponse().read())
        ids.update(sample["id"] for sample in listing["samples"])
        pages = listing["pages"]
        page += 1
    return ids


def test_acknowledged_saves_survive_sigkill(tmp_path):
    database = tmp_path / "samples.sqlite3"
    env = {"SAMPLES_DB": str(database)}
    acknowledged, enough, stop = [], threading.Event(), threading.Event()
    with running_server(env=env) as (url, process):
        clients = [threading.Thread(target=burst_of_saves, args=(url, acknowledged, enough, stop))
                   for _ in range(4)]
        for client in clients:
            client.start()
        assert enough.wait(timeout=60), "the saves did not get going"
        process.kill()
        process.wait(timeout=10)
        stop.set()
        for client in clients:
            client.join(timeout=15)
    assert len(acknowledged) >= 40
    with running_server(env=env) as (url, _):
        stored = all_ids(url)
    assert set(acknowledged) <= stored
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
