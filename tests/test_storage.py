"""The samples database: schema versions and migrations, listings that skip strokes, consistent reads, streamed export."""

import io
import json
import sqlite3
import tracemalloc
import zipfile

import flask
import numpy as np

from tests.helpers import ONE, SEVEN, data_url, drawing_png, fresh_app, save
from webapp.storage import connections, samples
from webapp.storage.databases import SQLiteDatabase, statements

TODAYS_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
    prediction INTEGER NOT NULL CHECK (prediction BETWEEN 0 AND 9),
    probabilities TEXT NOT NULL,
    model TEXT NOT NULL,
    image_png BLOB NOT NULL,
    input_png BLOB NOT NULL,
    strokes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_mistakes ON samples (id) WHERE label != prediction;
"""
"""The schema as the first released version created it, with no user_version."""


def database_from_the_first_version(path):
    """A samples file as the first version wrote it: a drawn 7 read right, an uploaded 1 read as 7."""
    input_png = drawing_png(SEVEN)
    probabilities = json.dumps([0.0] * 7 + [1.0, 0.0, 0.0])
    with sqlite3.connect(path) as db:
        db.executescript(TODAYS_SCHEMA)
        db.execute("PRAGMA journal_mode=WAL")
        insert = ("INSERT INTO samples (created_at, label, prediction, probabilities, model, image_png, input_png,"
                  " strokes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        db.execute(insert, ("2026-11-01T10:00:00.000+00:00", 7, 7, probabilities, "digitpad-cnn",
                            drawing_png(SEVEN), input_png, json.dumps(SEVEN + ONE)))
        db.execute(insert, ("2026-11-01T10:01:00.000+00:00", 1, 7, probabilities, "digitpad-cnn",
                            drawing_png(ONE), input_png, "[]"))
    db.close()


def test_a_database_from_the_first_version_is_upgraded_without_losing_a_drawing(tmp_path):
    path = tmp_path / "lab" / "samples.sqlite3"
    path.parent.mkdir()
    database_from_the_first_version(path)
    app = fresh_app(tmp_path)
    client = app.test_client()
    listing = client.get("/api/samples").get_json()
    assert listing["total"] == 2
    assert [(s["label"], s["prediction"], s["strokes"], s["writer"]) for s in listing["samples"]] == \
        [(1, 7, 0, None), (7, 7, 2, None)]
    assert [s["id"] for s in client.get("/api/samples?mistakes=1").get_json()["samples"]] == [2]
    assert save(client, SEVEN, 7).status_code == 201
    with zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export").data)) as archive:
        with np.load(io.BytesIO(archive.read("digits.npz"))) as digits:
            assert digits["labels"].tolist() == [7, 1, 7]
        assert [record["sample"] for record in json.loads(archive.read("strokes.json"))] == [1, 3]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SQLiteDatabase.newest
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 3
    db.close()


def test_a_database_is_migrated_once(tmp_path):
    app = fresh_app(tmp_path)
    with app.test_request_context():
        db = connections.connection()
        assert connections.schema_version(db) == SQLiteDatabase.newest
        statements = []
        db.set_trace_callback(statements.append)
        connections.migrate(db)
        assert statements == ["PRAGMA user_version"]


def test_a_listing_does_not_read_the_strokes(tmp_path):
    app = fresh_app(tmp_path)
    client = app.test_client()
    save(client, SEVEN, 7)
    with sqlite3.connect(app.config["SAMPLES_DB"]) as db:
        db.execute("UPDATE samples SET strokes = 'not JSON at all'")
    db.close()
    listing = client.get("/api/samples")
    assert listing.status_code == 200 and listing.get_json()["samples"][0]["strokes"] == 1


def test_the_total_and_the_page_are_read_in_one_transaction(tmp_path):
    app = fresh_app(tmp_path)
    save(app.test_client(), SEVEN, 7)
    with app.test_request_context():
        statements = []
        connections.connection().set_trace_callback(statements.append)
        rows, total = samples.page(1, 10)
    assert total == 1 and len(rows) == 1
    assert [statement.split()[0] for statement in statements] == ["BEGIN", "SELECT", "SELECT", "COMMIT"]


def test_the_export_is_streamed_with_little_memory(tmp_path):
    """60 drawings with 6 MB of strokes in all; building the zip in memory would hold all of it at once."""
    app = fresh_app(tmp_path)
    long_drawing = [[[x % 280, (x * 7) % 280, x * 16] for x in range(5000)]]
    png = drawing_png(SEVEN)
    with app.test_request_context():
        for _ in range(60):
            samples.add(7, 7, [0.1] * 10, "digitpad-cnn", png, png, long_drawing)
    client = app.test_client()
    response = client.get("/api/samples/export")
    assert response.is_streamed
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in response.response)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"peak {peak} bytes for an export of {size} bytes"
    with zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export").data)) as archive:
        records = json.loads(archive.read("strokes.json"))
        with np.load(io.BytesIO(archive.read("digits.npz"))) as digits:
            assert digits["images"].shape == (60, 28, 28) and digits["labels"].tolist() == [7] * 60
    assert len(records) == 60 and records[0]["strokes"] == long_drawing


def test_a_database_from_a_newer_version_is_left_alone_with_a_clear_503(tmp_path):
    app = fresh_app(tmp_path)
    client = app.test_client()
    save(client, SEVEN, 7)
    with sqlite3.connect(app.config["SAMPLES_DB"]) as db:
        db.execute(f"PRAGMA user_version = {SQLiteDatabase.newest + 1}")
    db.close()
    response = client.get("/api/samples")
    assert response.status_code == 503 and "newer" in response.get_json()["error"]
    assert save(client, SEVEN, 7).status_code == 503
    with sqlite3.connect(app.config["SAMPLES_DB"]) as db:
        assert db.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 1
        assert db.execute("PRAGMA user_version").fetchone()[0] == SQLiteDatabase.newest + 1
    db.close()


def test_the_upgrade_never_gives_a_deleted_drawings_id_again(tmp_path):
    path = tmp_path / "lab" / "samples.sqlite3"
    path.parent.mkdir()
    database_from_the_first_version(path)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM samples WHERE id = 2")
    db.close()
    client = fresh_app(tmp_path).test_client()
    assert save(client, SEVEN, 7).get_json()["id"] == 3


def test_a_writers_prediction_on_a_database_from_a_newer_version_is_the_general_answer_with_a_warning(tmp_path):
    app = fresh_app(tmp_path)
    client = app.test_client()
    save(client, SEVEN, 1, writer="ann")
    with sqlite3.connect(app.config["SAMPLES_DB"]) as db:
        db.execute(f"PRAGMA user_version = {SQLiteDatabase.newest + 1}")
    db.close()
    response = client.post("/api/predict", json={"image": data_url(drawing_png(SEVEN)), "writer": "ann"})
    assert response.status_code == 200
    assert response.get_json()["digit"] == 7 and "newer" in response.get_json()["warning"]


def test_a_file_that_is_not_a_database_is_a_503_that_names_no_path(tmp_path):
    path = tmp_path / "samples.sqlite3"
    path.write_bytes(b"not a database " * 400)
    answer = fresh_app(tmp_path, SAMPLES_DB=str(path)).test_client().get("/api/samples")
    assert answer.status_code == 503 and str(tmp_path) not in answer.get_data(as_text=True)


def test_migration_statements_end_where_sql_ends_them(tmp_path):
    """A ';' or '--' inside a string or a trigger's body belongs to its statement."""
    text = ("-- a comment; with a semicolon\nCREATE TABLE notes (body TEXT DEFAULT 'a; b -- c');\n"
            "CREATE TRIGGER stamp AFTER INSERT ON notes BEGIN\n    UPDATE notes SET body = body || ';';\nEND;\n"
            "INSERT INTO notes DEFAULT VALUES;\n")
    found = statements(text)
    assert len(found) == 3
    db = sqlite3.connect(tmp_path / "notes.sqlite3")
    for statement in found:
        db.execute(statement)
    assert db.execute("SELECT body FROM notes").fetchone() == ("a; b -- c;",)
    db.close()


def test_a_transaction_gives_back_the_connection_it_took_but_not_one_the_request_held(tmp_path):
    app = fresh_app(tmp_path)
    with app.test_request_context():
        with connections.transaction() as db:
            db.execute("SELECT 1")
        assert "samples_db" not in flask.g
        held = connections.connection()
        with connections.snapshot() as db:
            assert db is held
        assert flask.g.samples_db is held
