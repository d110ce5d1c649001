"""Room mode through the API: rooms, drawings from phones, the live event stream, hiding and closing."""

import http.client
import io
import json
import socket
import time
import zipfile
from urllib.parse import urlsplit

import pytest

from bench.server import running_server
from tests.helpers import FOUR, ONE, SEVEN, another_worker, data_url, drawing_png, save
from webapp.rooms import store
from webapp.rooms.routes import POLL_RETRY_MS, RESUME_RETRY_MS
from webapp.rooms.shared_reads import ROOM_READS
from webapp.rooms.slots import STREAM_SLOTS
from webapp.rooms.store import ALPHABET
from webapp.storage.databases import DatabaseUnavailable

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}
DRAWING_FIELDS = {"id", "digit", "confidence", "probabilities", "not_a_digit", "input", "label", "writer"}


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
    assert set(answer) == {"id", "digit", "confidence", "not_a_digit", "writer_key"} and answer["digit"] == 7
    assert answer["not_a_digit"] is False
    assert send(client, "ACDEF3").status_code == 404
    assert send(client, "nope").status_code == 404
    assert send(client, room, label=10).status_code == 400
    assert send(client, room, writer="a/b").status_code == 400
    assert client.post(f"/api/rooms/{room}/drawings", json={"image": data_url(drawing_png([]))}).status_code == 422
    assert client.post(f"/api/rooms/{room}/drawings", data="x", content_type="text/plain").status_code == 400


def test_every_accepted_drawing_is_an_event_and_a_stream_resumes_after_the_last_it_saw(client):
    room = open_room(client)
    first = send(client, room, SEVEN, label=7, writer="Ann", writer_key=claimed(client, "Ann")).get_json()["id"]
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
    assert seen == [("drawing", kept), ("hide", hidden), ("closed", None)]
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
    key = claimed(client, "Ann")
    send(client, room, SEVEN, label=7, writer="Ann", writer_key=key)
    send(client, room, ONE)
    listing = client.get("/api/samples").get_json()["samples"]
    assert [(s["room"], s["label"], s["writer"]) for s in listing][:2] == [(room, None, None), (room, 7, "Ann")]
    with zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export").data)) as archive:
        assert [record["label"] for record in json.loads(archive.read("strokes.json"))] == [4, 7]
    assert client.get("/api/writers").get_json()[0]["per_digit"] == [0, 0, 0, 0, 1, 0, 0, 1, 0, 0]


def test_a_room_drawing_counts_as_a_writers_only_with_their_key(client):
    room = open_room(client)
    key = claimed(client, "Ana")
    other_ana = send(client, room, SEVEN, label=7, writer="Ana", phone="other")
    assert other_ana.status_code == 201
    ana = send(client, room, ONE, label=1, writer="Ana", writer_key=key)
    walls = {data["id"]: data["writer"] for _, _, data in events(client, room)}
    assert walls == {other_ana.get_json()["id"]: None, ana.get_json()["id"]: "Ana"}
    assert client.delete("/api/writers/Ana", headers={"X-Writer-Key": key}).get_json() == {"forgotten": 2}
    assert [s["id"] for s in client.get("/api/samples").get_json()["samples"]] == [other_ana.get_json()["id"]]
    assert "writer_key" not in other_ana.get_json() and "writer_key" not in ana.get_json()


def test_a_phones_first_drawing_under_a_free_name_makes_it_theirs(client):
    room = open_room(client)
    first = send(client, room, SEVEN, label=7, writer="Bea")
    key = first.get_json()["writer_key"]
    again = send(client, room, ONE, label=1, writer="Bea", writer_key=key)
    assert "writer_key" not in again.get_json()
    assert save(client, FOUR, 4, writer="Bea").status_code == 403
    assert save(client, FOUR, 4, writer="Bea", key=key).status_code == 201
    assert client.get("/api/writers").get_json()[0]["per_digit"] == [0, 1, 0, 0, 1, 0, 0, 1, 0, 0]


def claimed(client, name):
    """The key of ``name``, claimed by saving a drawing of a 4 under it."""
    return save(client, FOUR, 4, writer=name).get_json()["writer_key"]


def test_writes_from_other_sites_are_refused(client):
    room = open_room(client)
    evil = {"Origin": "https://evil.example"}
    assert client.post(f"/api/rooms/{room}/drawings", headers=evil, json={}).status_code == 403
    assert client.delete(f"/api/rooms/{room}", headers=evil).status_code == 403


def stream_text(client, room, after=0):
    return client.get(f"/api/rooms/{room}/events", headers={"Last-Event-ID": str(after)}).get_data(as_text=True)


def test_a_hidden_drawing_is_replayed_only_as_its_hide_never_with_its_picture_or_writer(app, client):
    app.config["ROOM_WAITING_STREAMS"] = 0
    room = open_room(client)
    hidden = send(client, room, SEVEN, writer="Hidden Hannah").get_json()["id"]
    picture = events(client, room)[0][2]["input"]
    assert client.delete(f"/api/rooms/{room}/drawings/{hidden}").status_code == 204
    assert [(kind, data) for _, kind, data in events(client, room)] == [("hide", {"id": hidden})]
    assert client.delete(f"/api/rooms/{room}").status_code == 204
    replay = stream_text(client, room)
    assert "Hidden Hannah" not in replay and picture not in replay


def test_forget_me_takes_the_writers_drawings_out_of_every_rooms_events(app, client):
    app.config["ROOM_WAITING_STREAMS"] = 0
    rooms = [open_room(client), open_room(client)]
    first = send(client, rooms[0], SEVEN, phone=rooms[0], writer="Fran").get_json()
    again = send(client, rooms[1], SEVEN, phone=rooms[1], writer="Fran", writer_key=first["writer_key"]).get_json()
    forgotten = [first["id"], again["id"]]
    kept = send(client, rooms[0], ONE, phone="other", writer="Kim").get_json()["id"]
    assert all("Fran" in stream_text(client, room) for room in rooms)
    assert client.delete("/api/writers/Fran", headers={"X-Writer-Key": first["writer_key"]}).status_code == 200
    assert [(kind, data["id"]) for _, kind, data in events(client, rooms[0])] == [("drawing", kept),
                                                                                  ("hide", forgotten[0])]
    assert [(kind, data["id"]) for _, kind, data in events(client, rooms[1])] == [("hide", forgotten[1])]
    assert all("Fran" not in stream_text(client, room) for room in rooms)


def test_a_closed_rooms_stream_says_so_even_to_a_wall_that_saw_everything(client):
    room = open_room(client)
    send(client, room)
    client.delete(f"/api/rooms/{room}")
    last = events(client, room)[-1][0]
    assert [kind for _, kind, _ in events(client, room, after=last)] == ["closed"]
    assert [kind for _, kind, _ in events(client, room, after=10**12)] == ["closed"]


def test_each_client_may_hold_only_so_many_waiting_streams_and_the_rest_answer_at_once(app, client):
    app.config.update(ROOM_STREAM_SECONDS=600, ROOM_STREAMS_PER_CLIENT=1, ROOM_WAITING_STREAMS=2)
    slots = STREAM_SLOTS.get(app)
    room = open_room(client)
    waiting = client.get(f"/api/rooms/{room}/events", buffered=False)
    assert slots.held("127.0.0.1") == 1
    assert stream_text(client, room).startswith(f"retry: {POLL_RETRY_MS}")
    assert slots.held("127.0.0.1") == 1
    elsewhere = app.test_client()
    elsewhere.environ_base.update(ELSEWHERE)
    other = elsewhere.get(f"/api/rooms/{room}/events", buffered=False)
    assert slots.held() == 2
    third = app.test_client()
    third.environ_base.update(REMOTE_ADDR="192.0.2.8")
    assert stream_text(third, room).startswith(f"retry: {POLL_RETRY_MS}")
    other.close()  # the last opened first: each open stream holds its request context
    waiting.close()
    assert slots.held() == 0
    seated = third.get(f"/api/rooms/{room}/events", buffered=False)
    assert slots.held("192.0.2.8") == 1
    seated.close()


def new_streams_retry(address, room):
    """The ``retry`` a new event stream starts with: RESUME_RETRY_MS when it got a seat, POLL_RETRY_MS when not."""
    connection = http.client.HTTPConnection(*address)
    try:
        connection.request("GET", f"/api/rooms/{room}/events")
        return int(connection.getresponse().readline().decode().removeprefix("retry: "))
    finally:
        connection.close()


def test_a_waiting_stream_frees_its_seat_when_its_client_goes_away(tmp_path):
    """With the process's one seat held by a wall whose stream may last 600 s, the seat comes back as soon as the
    wall goes away: the server notices the closed connection rather than waiting for the stream's end."""
    env = {"SAMPLES_DB": str(tmp_path / "samples.sqlite3"), "ROOM_WAITING_STREAMS": "1", "ROOM_STREAM_SECONDS": "600"}
    with running_server(env=env) as (url, _):
        address = (urlsplit(url).hostname, urlsplit(url).port)
        connection = http.client.HTTPConnection(*address)
        connection.request("POST", "/api/rooms")
        room = json.loads(connection.getresponse().read())["room"]
        connection.close()
        with socket.create_connection(address) as wall:
            wall.sendall(f"GET /api/rooms/{room}/events HTTP/1.1\r\nHost: {address[0]}\r\n\r\n".encode())
            with wall.makefile("rb") as stream:
                while not stream.readline().startswith(b"retry:"):
                    pass
            assert new_streams_retry(address, room) == POLL_RETRY_MS, "the wall holds the only seat"
        deadline = time.monotonic() + 10
        while new_streams_retry(address, room) != RESUME_RETRY_MS:
            assert time.monotonic() < deadline, "the seat of a wall that went away is still held"


def test_the_wall_says_when_phones_cannot_reach_its_address(app, client):
    room = open_room(client)
    assert b'id="unreachable"' in client.get(f"/room/{room}/present").data
    app.config["PUBLIC_URL"] = "http://192.0.2.5:8000"
    page = client.get(f"/room/{room}/present").data
    assert b'id="unreachable"' not in page and f"http://192.0.2.5:8000/room/{room}".encode() in page


def test_a_code_can_be_typed_on_the_join_page_and_an_unknown_one_gets_that_page_again(client):
    room = open_room(client)
    join = client.get("/room")
    assert join.status_code == 200 and b'name="code"' in join.data
    assert client.get(f"/room?code={room.lower()}").headers["Location"].endswith(f"/room/{room}")
    unknown = client.get("/room/ACDEF3")
    assert unknown.status_code == 404 and b'name="code"' in unknown.data and b"There is no room ACDEF3" in unknown.data


def test_a_phone_can_ask_whether_its_room_is_still_open(client):
    room = open_room(client)
    assert client.get(f"/api/rooms/{room.lower()}").get_json() == {"room": room, "open": True, "prompt": None}
    client.delete(f"/api/rooms/{room}")
    assert client.get(f"/api/rooms/{room}").get_json() == {"room": room, "open": False, "prompt": None}
    assert client.get("/api/rooms/ACDEF3").status_code == 404


def test_the_presenter_asks_everyone_to_draw_a_digit_and_phones_and_walls_learn_it(app, client):
    room = open_room(client)
    assert client.put(f"/api/rooms/{room}/prompt", json={"digit": 7}).status_code == 204
    assert client.get(f"/api/rooms/{room}").get_json()["prompt"] == 7
    assert [(kind, data) for _, kind, data in events(client, room)] == [("prompt", {"digit": 7})]
    assert client.put(f"/api/rooms/{room}/prompt", json={"digit": None}).status_code == 204
    assert client.get(f"/api/rooms/{room}").get_json()["prompt"] is None
    assert client.put(f"/api/rooms/{room}/prompt", json={"digit": 10}).status_code == 400
    assert client.put(f"/api/rooms/{room}/prompt", json={"digit": "7"}).status_code == 400
    stranger = app.test_client()
    stranger.environ_base.update(ELSEWHERE)
    assert stranger.put(f"/api/rooms/{room}/prompt", json={"digit": 1}).status_code == 403
    client.delete(f"/api/rooms/{room}")
    assert client.put(f"/api/rooms/{room}/prompt", json={"digit": 1}).status_code == 404


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


def test_walls_asking_for_the_same_events_share_one_read_until_something_happens(app, client, monkeypatch):
    app.config["ROOM_WAITING_STREAMS"] = 0
    ROOM_READS.get(app).max_age = 3600
    room = open_room(client)
    first = send(client, room).get_json()["id"]
    reads = []
    real = store.events_after
    monkeypatch.setattr(store, "events_after", lambda code, after: reads.append(after) or real(code, after))
    walls = [events(client, room, after=0) for _ in range(30)]
    assert reads == [0] and all(wall == walls[0] for wall in walls)
    second = send(client, room, ONE, phone="phone-2").get_json()["id"]
    assert [data["id"] for _, _, data in events(client, room, after=0)] == [first, second]
    assert reads == [0, 0]


def test_a_drawing_another_worker_took_reaches_this_workers_walls(app, client, tmp_path):
    room = open_room(client)
    assert events(client, room, after=0) == []
    with another_worker(app, tmp_path / "other") as other:
        sent = send(other.test_client(), room).get_json()["id"]
    deadline = time.monotonic() + 30
    while not events(client, room, after=0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [data["id"] for _, _, data in events(client, room, after=0)] == [sent]


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
