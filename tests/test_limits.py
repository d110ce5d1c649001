"""Rate limits held in the database: saves and room sends per address, across workers, on a clock the test moves."""

import pytest

from tests.helpers import SEVEN, another_worker, data_url, drawing_png, save
from webapp.storage import limits

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def workers(store_app, tmp_path, clock):
    """Two apps on one database, as two workers (or hosts) would be."""
    store_app.config["RATE_LIMIT_CLOCK"] = clock
    with another_worker(store_app, tmp_path / "other", RATE_LIMIT_CLOCK=clock) as other:
        yield store_app, other


def client_of(app, address="192.0.2.7"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_saves_are_limited_per_address_across_workers(workers, clock):
    first, second = (client_of(app) for app in workers)
    statuses = [save(client, SEVEN, 7).status_code for client in (first, second) * (limits.SAVES.burst // 2)]
    assert statuses == [201] * limits.SAVES.burst
    refused = save(second, SEVEN, 7)
    assert refused.status_code == 429 and "error" in refused.get_json()
    assert refused.headers["Retry-After"] == "1"
    assert save(client_of(workers[0], "192.0.2.8"), SEVEN, 7).status_code == 201
    clock.now += 1
    assert save(first, SEVEN, 7).status_code == 201
    assert save(first, SEVEN, 7).status_code == 429


def test_a_large_save_costs_more_than_a_small_one(store_app, clock):
    store_app.config["RATE_LIMIT_CLOCK"] = clock
    client = client_of(store_app)
    padding = "x" * (limits.SAVE_TOKEN_BYTES * 20)
    body = {"image": data_url(drawing_png(SEVEN)), "label": 7, "strokes": SEVEN, "padding": padding}
    statuses = [client.post("/api/samples", json=body).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_room_sends_from_one_address_are_limited_across_workers(workers, clock):
    first, second = (client_of(app, "127.0.0.1") for app in workers)
    room = first.post("/api/rooms").get_json()["room"]
    body = {"image": data_url(drawing_png(SEVEN)), "strokes": SEVEN}

    def send(client, phone):
        return client.post(f"/api/rooms/{room}/drawings", json=body, headers={"X-Client-Id": phone}).status_code

    statuses = [send(client, f"phone-{number}") for number in range(limits.ROOM_SENDS.burst // 2)
                for client in (first, second)]
    assert statuses == [201] * limits.ROOM_SENDS.burst
    assert send(first, "a-new-phone") == 429
    clock.now += 1
    assert send(second, "a-new-phone") == 201


def test_a_send_a_phone_makes_too_fast_spends_none_of_its_addresss_sends(store_app, clock):
    store_app.config["RATE_LIMIT_CLOCK"] = clock
    client = client_of(store_app, "127.0.0.1")
    room = client.post("/api/rooms").get_json()["room"]
    body = {"image": data_url(drawing_png(SEVEN)), "strokes": SEVEN}

    def send(phone):
        return client.post(f"/api/rooms/{room}/drawings", json=body, headers={"X-Client-Id": phone}).status_code

    assert [send("eager") for _ in range(limits.PHONE_SENDS.burst + 50)] == \
        [201] * limits.PHONE_SENDS.burst + [429] * 50
    others = limits.ROOM_SENDS.burst - limits.PHONE_SENDS.burst
    assert [send(f"phone-{number}") for number in range(others)] == [201] * others
    assert send("one-too-many") == 429
