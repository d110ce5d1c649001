"""Room mode through the API: rooms, drawings from phones, the live event stream, hiding and closing."""

import io
import json
import zipfile

import pytest

from tests.helpers import FOUR, ONE, SEVEN, data_url, drawing_png
from webapp.rooms import store
from webapp.rooms.store import ALPHABET
from webapp.storage.databases import DatabaseUnavailable

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}
DRAWING_FIELDS = {"id", "digit", "confidence", "probabilities", "input", "label", "writer"}


@pytest.fixture
def app(store_app):
    store_app.config["ROOM_STREAM_SECONDS"] = 0.5
    return store_app


@pytest.fixture
def client(app):
    return app.test_client()


def open_room(client):
    response = client.post("/api/rooms")
    assert response.status_code == 201
    return response.get_json()["room"]


def send(client, room, strokes=SEVEN, phone="phone-1", **fields):
    body = {"image": data_url(drawing_png(strokes)), "strokes": strokes, **fields}
    return client.post(f"/api/rooms/{room}/drawings", json=body, headers={"X-Client-Id": phone})


def events(client, room, after=None):
    """(id, kind, data) of the events a stream gives until it ends."""
    headers = {"Last-Event-ID": str(after)} if after is not None else {}
    response = client.get(f"/api/rooms/{room}/events", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            found.append((int(fields["id"]), fields["event"], json.loads(fields["data"])))
    return found


def test_a_room_has_a_short_code_easy_to_read_aloud_and_its_addresses(client):
    answer = client.post("/api/rooms").get_json()
    room = answer["room"]
    assert len(room) == 6 and set(room) <= set(ALPHABET)
    assert not set(room) & set("01258BGILOSZ")
    assert answer["join_url"] == f"http://localhost/room/{room}"
    assert answer["present_url"] == f"http://localhost/room/{room}/present"
    assert client.get(f"/room/{room}").status_code == 200
    assert client.get(f"/room/{room.lower()}/present").status_code == 200
    qr = client.get(f"/room/{room}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert client.get("/room/AAAAAA").status_code == 404


def test_only_this_machine_or_the_admin_token_opens_a_room(app):
    client = app.test_client()
    client.environ_base.update(ELSEWHERE)
    assert client.post("/api/rooms").status_code == 403
    app.config["ADMIN_TOKEN"] = "a token of sixteen characters or more"
    assert client.post("/api/rooms").status_code == 401
    assert client.post("/api/rooms", headers={"Authorization": "Bearer a token of sixteen characters or more"}).status_code == 201


def test_a_phone_sends_a_drawing_and_gets_the_models_answer(client):
    room = open_room(client)
    response = send(client, room.lower(), label=7, writer="Ann")
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == {"id", "digit", "confidence"} and answer["digit"] == 7
    assert send(client, "ACDEF3").status_code == 404
    assert send(client, "nope").status_code == 404
    assert send(client, room, label=10).status_code == 400
    assert send(client, room, writer="a/b").status_code == 400
    assert client.post(f"/api/rooms/{room}/drawings", json={"image": data_url(drawing_png([]))}).status_code == 422
    assert client.post(f"/api/rooms/{room}/drawings", data="x", content_type="text/plain").status_code == 400


def test_every_accepted_drawing_is_an_event_and_a_stream_resumes_after_the_last_it_saw(client):
    room = open_room(client)
    first = send(client, room, SEVEN, label=7, writer="Ann").get_json()["id"]
    second = send(client, room, ONE).get_json()["id"]
    seen = events(client, room)
    assert [(kind, data["id"]) for _, kind, data in seen] == [("drawing", first), ("drawing", second)]
    _, _, drawing = seen[0]
    assert set(drawing) == DRAWING_FIELDS
    assert (drawing["digit"], drawing["label"], drawing["writer"]) == (7, 7, "Ann")
    assert drawing["input"].startswith("data:image/png;base64,") and len(drawing["probabilities"]) == 10
    assert seen[1][2]["label"] is None and seen[1][2]["writer"] is None
    third = send(client, room, FOUR).get_json()["id"]
    assert [data["id"] for _, _, data in events(client, room, after=seen[-1][0])] == [third]
    assert events(client, room, after=10**12) == []
    assert client.get(f"/api/rooms/{room}/events", headers={"Last-Event-ID": "x"}).status_code == 400


def test_the_presenter_hides_a_drawing_and_closes_the_room(app):
    client = app.test_client()
    room = open_room(client)
    kept = send(client, room).get_json()["id"]
    hidden = send(client, room, ONE).get_json()["id"]
    stranger = app.test_client()
    stranger.environ_base.update(ELSEWHERE)
    assert stranger.delete(f"/api/rooms/{room}/drawings/{hidden}").status_code == 403
    assert stranger.delete(f"/api/rooms/{room}").status_code == 403
    assert client.delete(f"/api/rooms/{room}/drawings/{hidden}").status_code == 204
    assert client.delete(f"/api/rooms/{room}/drawings/{hidden + 100}").status_code == 404
    assert client.delete(f"/api/rooms/{room}").status_code == 204
    assert client.delete(f"/api/rooms/{room}").status_code == 404
    assert send(client, room).status_code == 404
    seen = [(kind, data.get("id")) for _, kind, data in events(client, room)]
    assert seen == [("drawing", kept), ("drawing", hidden), ("hide", hidden), ("closed", None)]
    assert b"closed" in client.get(f"/room/{room}").data


def test_each_phone_is_limited_to_the_pace_of_drawing(app, client):
    app.config["RATE_LIMIT_CLOCK"] = lambda: 1000.0
    room = open_room(client)
    statuses = [send(client, room, phone="eager").status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    refused = send(client, room, phone="eager")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "error" in refused.get_json()
    assert send(client, room, phone="another").status_code == 201


def test_room_drawings_are_saved_like_other_drawings_with_the_room(client):
    room = open_room(client)
    send(client, room, SEVEN, label=7, writer="Ann")
    send(client, room, ONE)
    listing = client.get("/api/samples").get_json()["samples"]
    assert [(s["room"], s["label"], s["writer"]) for s in listing] == [(room, None, None), (room, 7, "Ann")]
    with zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export").data)) as archive:
        assert [record["label"] for record in json.loads(archive.read("strokes.json"))] == [7]
    assert client.get("/api/writers").get_json()[0]["per_digit"][7] == 1


def test_writes_from_other_sites_are_refused(client):
    room = open_room(client)
    evil = {"Origin": "https://evil.example"}
    assert client.post(f"/api/rooms/{room}/drawings", headers=evil, json={}).status_code == 403
    assert client.delete(f"/api/rooms/{room}", headers=evil).status_code == 403


def test_guessing_room_codes_is_limited_per_address(app):
    clock = [1000.0]
    app.config["RATE_LIMIT_CLOCK"] = lambda: clock[0]
    room = open_room(app.test_client())
    guesser = app.test_client()
    guesser.environ_base.update(ELSEWHERE)
    guesses = [f"/api/rooms/{'A' * 6}/events", f"/room/{'C' * 6}"] * 5 + [f"/room/{'D' * 6}"]
    assert [guesser.get(guess).status_code for guess in guesses] == [404] * 10 + [429]
    refused = send(guesser, room)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert send(app.test_client(), room).status_code == 201
    clock[0] += int(refused.headers["Retry-After"])
    assert send(guesser, room).status_code == 201


def test_a_drawing_id_too_large_for_the_database_is_not_there(client):
    room = open_room(client)
    assert client.delete(f"/api/rooms/{room}/drawings/{10**30}").status_code == 404


def test_a_stream_that_fails_ends_with_an_error_event(app, client, monkeypatch):
    room = open_room(client)
    real = store.events_after
    calls = []

    def failing_after_the_first(code, after):
        calls.append(after)
        if len(calls) > 1:
            raise DatabaseUnavailable(f"cannot reach {app.config['SAMPLES_DB']}")
        return real(code, after)

    monkeypatch.setattr(store, "events_after", failing_after_the_first)
    text = client.get(f"/api/rooms/{room}/events").get_data(as_text=True)
    assert text.rstrip().splitlines()[-2] == "event: error"
    error = json.loads(text.rstrip().splitlines()[-1].removeprefix("data: "))
    assert error["request_id"] and app.config["SAMPLES_DB"] not in text
