"""The store of saved drawings, the same on both databases: SQLite in a file, PostgreSQL shared by many."""

import io
import json
import threading
import zipfile
from urllib.parse import urlsplit

import numpy as np
import psycopg
import pytest

from bench.postgres import new_database
from bench.server import free_port
from tests.helpers import FOUR, ONE, SEVEN, data_url, drawing_png, fresh_app, save
from webapp.storage import connections, databases


def ids(listing):
    return [sample["id"] for sample in listing["samples"]]


def test_saved_drawings_are_listed_newest_first_and_deleted(store_app):
    client = store_app.test_client()
    saved = [save(client, strokes, label).get_json()["id"] for strokes, label in ((SEVEN, 7), (ONE, 7), (FOUR, 4))]
    assert saved == sorted(saved)
    listing = client.get("/api/samples").get_json()
    assert ids(listing) == saved[::-1] and listing["total"] == 3
    assert listing["samples"][0]["image"].startswith("data:image/png;base64,")
    assert ids(client.get("/api/samples?mistakes=1").get_json()) == [saved[1]]
    assert client.delete(f"/api/samples/{saved[1]}").status_code == 204
    assert client.delete(f"/api/samples/{saved[1]}").status_code == 404
    assert ids(client.get("/api/samples").get_json()) == [saved[2], saved[0]]


def test_keyset_pages_stay_put_while_others_save(store_app):
    client = store_app.test_client()
    saved = [save(client, SEVEN, 7).get_json()["id"] for _ in range(5)]
    first = client.get("/api/samples?per_page=2").get_json()
    assert ids(first) == saved[:2:-1] and first["next_before"] == saved[3]
    save(client, ONE, 1)
    save(client, ONE, 1)
    second = client.get(f"/api/samples?per_page=2&before={first['next_before']}").get_json()
    assert ids(second) == [saved[2], saved[1]]
    last = client.get(f"/api/samples?per_page=2&before={second['next_before']}").get_json()
    assert ids(last) == [saved[0]] and "next_before" not in last
    for bad in ("0", "-1", "x", "1e3", str(2**63)):
        assert client.get(f"/api/samples?before={bad}").status_code == 400


def test_concurrent_saves_get_distinct_ids_and_all_are_kept(store_app):
    got, lock = [], threading.Lock()

    first = save(store_app.test_client(), SEVEN, 7, writer="many").get_json()
    got.append(first["id"])
    key = first["writer_key"]

    def saver():
        client = store_app.test_client()
        for _ in range(5):
            response = save(client, SEVEN, 7, writer="many", key=key)
            with lock:
                got.append(response.get_json()["id"])

    threads = [threading.Thread(target=saver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = store_app.test_client()
    assert len(set(got)) == 21
    assert set(ids(client.get("/api/samples?per_page=100").get_json())) == set(got)
    assert client.get("/api/writers").get_json() == [{"writer": "many", "samples": 21, "per_digit": [0] * 7 + [21, 0, 0]}]


def test_the_export_holds_every_drawing(store_app):
    client = store_app.test_client()
    save(client, SEVEN, 7)
    save(client, FOUR, 4)
    client.post("/api/samples", json={"image": data_url(drawing_png(ONE)), "label": 1})
    with zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export").data)) as archive:
        strokes = json.loads(archive.read("strokes.json"))
        with np.load(io.BytesIO(archive.read("digits.npz"))) as digits:
            assert digits["labels"].tolist() == [7, 4, 1] and digits["images"].shape == (3, 28, 28)
    assert [record["label"] for record in strokes] == [7, 4] and strokes[1]["strokes"] == FOUR


def test_the_schema_is_brought_up_to_date_once(store_app):
    with store_app.app_context():
        db = connections.connection()
        assert connections.schema_version(db) == connections.database().newest
        connections.migrate(db)
        assert connections.schema_version(db) == connections.database().newest


def test_health_reports_the_database(store_app):
    response = store_app.test_client().get("/api/health")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


@pytest.fixture(params=["sqlite", "postgresql"])
def unreachable_app(request, tmp_path):
    """An app whose database cannot be reached: a SQLite file under a regular file, or no PostgreSQL server."""
    if request.param == "sqlite":
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        return fresh_app(tmp_path, SAMPLES_DB=str(blocker / "samples.sqlite3"))
    return fresh_app(tmp_path, DATABASE_URL=f"postgresql://digitpad@127.0.0.1:{free_port()}/digitpad")


def test_without_a_database_predictions_work_and_saves_fail_cleanly(unreachable_app):
    client = unreachable_app.test_client()
    health = client.get("/api/health")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    body = {"image": data_url(drawing_png(SEVEN))}
    assert client.post("/api/predict", json=body).get_json()["digit"] == 7
    with_writer = client.post("/api/predict", json={**body, "writer": "ann"}).get_json()
    assert with_writer["digit"] == 7 and with_writer["adapted"] is False and "not adapted" in with_writer["warning"]
    for response in (save(client, SEVEN, 7), client.get("/api/samples"), client.delete("/api/writers/ann")):
        assert response.status_code == 503 and "error" in response.get_json()


EXPECTED_COLUMNS = {
    "samples": {"id", "created_at", "label", "prediction", "probabilities", "model", "image_png", "input_png",
                "strokes", "stroke_count", "writer", "room"},
    "adaptation_vectors": {"sample_id", "model", "vectors"},
    "rooms": {"code", "created_at", "closed_at"},
    "room_events": {"id", "room", "kind", "data"},
    "rate_limits": {"bucket", "tokens", "updated"},
}


def columns_of(db, backend):
    """{table: {column, ...}} of the database, read from its own catalogue."""
    if backend == "sqlite":
        tables = [row["name"] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: {row["name"] for row in db.execute(f"PRAGMA table_info({table})")} for table in tables}
    found = {}
    for row in db.execute("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = current_schema()"):
        found.setdefault(row["table_name"], set()).add(row["column_name"])
    return found


def test_the_migrations_make_every_table_and_column(store_app):
    """The schema is read back from the database itself, not from the version the migrations wrote."""
    with store_app.app_context():
        db = connections.connection()
        found = columns_of(db, connections.database().backend)
    assert {table: found.get(table) for table in EXPECTED_COLUMNS} == EXPECTED_COLUMNS


def test_a_constraint_the_database_refuses_is_a_503_not_a_500(store_app):
    client = store_app.test_client()
    with store_app.app_context(), connections.transaction() as db:
        if connections.database().backend == "sqlite":
            connections.run(db, "CREATE TRIGGER no_sevens BEFORE INSERT ON samples WHEN NEW.label = 7 "
                                "BEGIN SELECT RAISE(ABORT, 'no sevens; here'); END")
        else:
            connections.run(db, "ALTER TABLE samples ADD CONSTRAINT no_sevens CHECK (label <> 7)")
    refused = save(client, SEVEN, 7)
    assert refused.status_code == 503 and "request_id" in refused.get_json()
    assert "no_sevens" not in refused.get_json()["error"] and "sevens" not in refused.get_json()["error"]
    assert save(client, ONE, 1).status_code == 201


def test_a_503_names_no_file_host_or_port(unreachable_app, tmp_path):
    database = connections.database(unreachable_app)
    answer = unreachable_app.test_client().get("/api/samples")
    assert answer.status_code == 503 and answer.get_json()["request_id"] == answer.headers["X-Request-ID"]
    text = answer.get_data(as_text=True)
    secrets = [str(tmp_path)] if database.backend == "sqlite" else ["127.0.0.1", str(urlsplit(database.url).port)]
    assert not [secret for secret in secrets if secret in text]


def test_connections_a_database_restart_broke_are_replaced(store_app):
    client = store_app.test_client()
    assert save(client, SEVEN, 7).status_code == 201
    database = connections.database(store_app)
    if database.backend == "sqlite":
        pytest.skip("SQLite has no server to restart")
    with psycopg.connect(database.url, autocommit=True) as outside:
        ended = outside.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    assert ended, "the pool kept no connection to break"
    assert [save(client, SEVEN, 7).status_code for _ in range(3)] == [201] * 3


def test_while_postgresql_is_down_requests_fail_at_once_until_it_is_tried_again(tmp_path, monkeypatch):
    app = fresh_app(tmp_path, DATABASE_URL=f"postgresql://digitpad@127.0.0.1:{free_port()}/digitpad")
    database = connections.database(app)
    tries, now = [], [100.0]
    real = database.pool.getconn
    monkeypatch.setattr(database.pool, "getconn", lambda: tries.append(now[0]) or real(timeout=0.2))
    database.clock = lambda: now[0]
    client = app.test_client()
    assert [client.get("/api/samples").status_code for _ in range(3)] == [503] * 3
    assert tries == [100.0]
    now[0] += databases.DOWN_SECONDS
    assert client.get("/api/samples").status_code == 503
    assert tries == [100.0, 100.0 + databases.DOWN_SECONDS]
    database.close()


def test_a_pool_lending_every_connection_fails_only_the_request_that_waited_not_the_next(postgres_server, tmp_path,
                                                                                            monkeypatch):
    app = fresh_app(tmp_path, DATABASE_URL=new_database(postgres_server), DATABASE_POOL_SIZE=1)
    database = connections.database(app)
    real = database.pool.getconn
    monkeypatch.setattr(database.pool, "getconn", lambda: real(timeout=0.2))
    database.clock = lambda: 100.0
    client = app.test_client()
    assert save(client, SEVEN, 7).status_code == 201
    held = database.connect()
    assert save(client, SEVEN, 7).status_code == 503
    database.release(held)
    assert save(client, SEVEN, 7).status_code == 201
    database.close()


def test_an_export_from_a_database_that_cannot_be_reached_is_a_503_not_a_short_200(unreachable_app):
    answer = unreachable_app.test_client().get("/api/samples/export")
    assert answer.status_code == 503 and "error" in answer.get_json()
