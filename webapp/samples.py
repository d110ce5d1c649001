"""Saved drawings in SQLite: what was drawn, what it really was, and what the model said.

Every write is one transaction, committed before the request is answered,
in WAL mode with full syncing, so an acknowledged save survives the server
being killed. Each request opens its own connection.
"""

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app, g

SCHEMA = """
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

COLUMNS = "id, created_at, label, prediction, probabilities, model, image_png, input_png, strokes"


def connection():
    """This request's connection, opened (and the table created) on first use."""
    if "samples_db" not in g:
        path = Path(current_app.config["SAMPLES_DB"])
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(SCHEMA)
        g.samples_db = db
    return g.samples_db


def close_connection(_error=None):
    db = g.pop("samples_db", None)
    if db is not None:
        db.close()


def add(label, prediction, probabilities, model, image_png, input_png, strokes):
    """Store one sample in its own transaction and return its id."""
    db = connection()
    with db:
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT INTO samples (created_at, label, prediction, probabilities, model, image_png, input_png, strokes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="milliseconds"), label, prediction,
             json.dumps(probabilities), model, image_png, input_png, json.dumps(strokes)))
    return cursor.lastrowid


def page(number, per_page, mistakes_only=False):
    """One page of samples, newest first, and the total count."""
    where = "WHERE label != prediction" if mistakes_only else ""
    db = connection()
    total = db.execute(f"SELECT COUNT(*) FROM samples {where}").fetchone()[0]
    rows = db.execute(f"SELECT {COLUMNS} FROM samples {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                      (per_page, (number - 1) * per_page)).fetchall()
    return [decoded(row) for row in rows], total


def every_sample():
    """All samples, oldest first."""
    return [decoded(row) for row in connection().execute(f"SELECT {COLUMNS} FROM samples ORDER BY id")]


def delete(sample_id):
    """Delete one sample; False when there was none with that id."""
    db = connection()
    with db:
        return db.execute("DELETE FROM samples WHERE id = ?", (sample_id,)).rowcount == 1


def decoded(row):
    sample = dict(row)
    sample["probabilities"] = json.loads(sample["probabilities"])
    sample["strokes"] = json.loads(sample["strokes"])
    return sample


def init_app(app):
    app.teardown_appcontext(close_connection)
