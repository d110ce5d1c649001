"""Saved drawings in SQLite: what was drawn, what it really was, and what the model said.

Every write is one transaction, committed before the request is answered,
in WAL mode with full syncing, so an acknowledged save survives the server
being killed. Each request opens its own connection. Reads that must agree
with each other (a page and the total, an export) share one read transaction.

The schema's version is SQLite's ``user_version``; a database from an older
version is brought up to date, in one transaction, by the first connection.
"""

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app, g

MIGRATIONS = (
    (  # 1: the first schema
        """CREATE TABLE IF NOT EXISTS samples (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
            prediction INTEGER NOT NULL CHECK (prediction BETWEEN 0 AND 9),
            probabilities TEXT NOT NULL,
            model TEXT NOT NULL,
            image_png BLOB NOT NULL,
            input_png BLOB NOT NULL,
            strokes TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS samples_mistakes ON samples (id) WHERE label != prediction",
    ),
    (  # 2: the number of strokes, so that a listing need not read them
        "ALTER TABLE samples ADD COLUMN stroke_count INTEGER NOT NULL DEFAULT 0",
        "UPDATE samples SET stroke_count = json_array_length(strokes)",
    ),
    (  # 3: who drew it, and the vectors writer adaptation compares new drawings with, per model
        "ALTER TABLE samples ADD COLUMN writer TEXT",
        "CREATE INDEX samples_by_writer ON samples (writer, id) WHERE writer IS NOT NULL",
        """CREATE TABLE adaptation_vectors (
            sample_id INTEGER NOT NULL,
            model TEXT NOT NULL,
            vectors BLOB NOT NULL,
            PRIMARY KEY (sample_id, model)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

LISTED = "id, created_at, label, prediction, probabilities, model, image_png, input_png, stroke_count, writer"


class SchemaError(Exception):
    """The database was written by a newer version of the app."""


def connection():
    """This request's connection, opened (and the schema brought up to date) on first use."""
    if "samples_db" not in g:
        path = Path(current_app.config["SAMPLES_DB"])
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        g.samples_db = db
        migrate(db)
    return g.samples_db


def schema_version(db):
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db):
    """Apply the migrations the database has not had yet, all in one write transaction."""
    if schema_version(db) == SCHEMA_VERSION:
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        version = schema_version(db)
        if version > SCHEMA_VERSION:
            raise SchemaError(f"{current_app.config['SAMPLES_DB']} has schema version {version}, but this app "
                              f"knows only up to {SCHEMA_VERSION}: run a newer Digit Pad")
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def close_connection(_error=None):
    db = g.pop("samples_db", None)
    if db is not None:
        db.close()


@contextmanager
def snapshot():
    """A read transaction: everything read inside sees the same samples."""
    db = connection()
    db.execute("BEGIN")
    try:
        yield db
    finally:
        db.execute("COMMIT")


def add(label, prediction, probabilities, model, image_png, input_png, strokes, writer=None, vectors=None):
    """Store one sample, and the adaptation ``vectors`` (model key, bytes) if given, in one transaction; its id."""
    db = connection()
    with db:
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT INTO samples (created_at, label, prediction, probabilities, model, image_png, input_png,"
            " strokes, stroke_count, writer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(timezone.utc).isoformat(timespec="milliseconds"), label, prediction,
             json.dumps(probabilities), model, image_png, input_png, json.dumps(strokes), len(strokes), writer))
        if vectors is not None:
            db.execute("INSERT INTO adaptation_vectors (sample_id, model, vectors) VALUES (?, ?, ?)",
                       (cursor.lastrowid, *vectors))
    return cursor.lastrowid


def page(number, per_page, mistakes_only=False, writer=None):
    """One page of samples, newest first (without their strokes, only how many), and the total count."""
    conditions, values = [], []
    if mistakes_only:
        conditions.append("label != prediction")
    if writer is not None:
        conditions.append("writer = ?")
        values.append(writer)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    with snapshot() as db:
        total = db.execute(f"SELECT COUNT(*) FROM samples {where}", values).fetchone()[0]
        rows = db.execute(f"SELECT {LISTED} FROM samples {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                          (*values, per_page, (number - 1) * per_page)).fetchall()
    return [{**row, "probabilities": json.loads(row["probabilities"])} for row in map(dict, rows)], total


def count():
    return connection().execute("SELECT COUNT(*) FROM samples").fetchone()[0]


def model_inputs():
    """(label, input_png) of every sample, oldest first, one at a time."""
    return connection().execute("SELECT label, input_png FROM samples ORDER BY id")


def drawn_strokes():
    """(id, label, strokes as JSON text) of every sample drawn on the pad, oldest first, one at a time."""
    return connection().execute("SELECT id, label, strokes FROM samples WHERE stroke_count > 0 ORDER BY id")


def delete(sample_id):
    """Delete one sample and its adaptation vectors; False when there was none with that id."""
    db = connection()
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM adaptation_vectors WHERE sample_id = ?", (sample_id,))
        return db.execute("DELETE FROM samples WHERE id = ?", (sample_id,)).rowcount == 1


def writer_vectors(writer, model):
    """A writer's samples, oldest first: id, label and their vectors for ``model``, or, where there are
    none yet, the strokes and input to make them from."""
    return connection().execute(
        "SELECT s.id, s.label, v.vectors, CASE WHEN v.vectors IS NULL THEN s.strokes END AS strokes,"
        " CASE WHEN v.vectors IS NULL THEN s.input_png END AS input_png"
        " FROM samples s LEFT JOIN adaptation_vectors v ON v.sample_id = s.id AND v.model = ?"
        " WHERE s.writer = ? ORDER BY s.id", (model, writer)).fetchall()


def store_vectors(sample_id, model, vectors):
    """Keep a sample's vectors for a model (a no-op if another request stored them first or it was deleted)."""
    db = connection()
    with db:
        db.execute("INSERT OR IGNORE INTO adaptation_vectors (sample_id, model, vectors)"
                   " SELECT id, ?, ? FROM samples WHERE id = ?", (model, vectors, sample_id))


def writers():
    """Every writer with samples: name, sample count and count per digit, by name."""
    rows = connection().execute("SELECT writer, label, COUNT(*) FROM samples WHERE writer IS NOT NULL"
                                " GROUP BY writer, label ORDER BY writer").fetchall()
    found = {}
    for writer, label, count in rows:
        found.setdefault(writer, [0] * 10)[label] = count
    return [{"writer": writer, "samples": sum(per_digit), "per_digit": per_digit}
            for writer, per_digit in found.items()]


def delete_writer(writer):
    """Delete a writer's samples and their vectors in one transaction; how many samples there were."""
    db = connection()
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM adaptation_vectors WHERE sample_id IN (SELECT id FROM samples WHERE writer = ?)",
                   (writer,))
        return db.execute("DELETE FROM samples WHERE writer = ?", (writer,)).rowcount


def init_app(app):
    app.teardown_appcontext(close_connection)
