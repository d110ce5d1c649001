"""Saved drawings: what was drawn, what it really was, what the model said, and who drew it.

Every function here is one transaction on the request's connection (:mod:`webapp.storage.connections`),
or runs inside the caller's.
"""

import json

from webapp.storage.connections import connection, now, run, snapshot, stream, transaction

MAX_ID = 2**63 - 1
"""The largest id either database can hold; a larger one in a URL is simply not there."""
LISTED = "id, created_at, label, prediction, probabilities, model, image_png, input_png, stroke_count, writer, room"


def add(label, prediction, probabilities, model, image_png, input_png, strokes, writer=None, vectors=None):
    """Store one sample, and the adaptation ``vectors`` (model key, bytes) if given, in one transaction; its id."""
    with transaction() as db:
        return insert(db, label, prediction, probabilities, model, image_png, input_png, strokes, writer, vectors)


def insert(db, label, prediction, probabilities, model, image_png, input_png, strokes, writer=None, vectors=None,
           room=None):
    """Store one sample inside the caller's write transaction; its id. ``label`` may be None only in a room."""
    sample_id = run(db, "INSERT INTO samples (created_at, label, prediction, probabilities, model, image_png,"
                        " input_png, strokes, stroke_count, writer, room) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " RETURNING id",
                    (now(), label, prediction, json.dumps(probabilities), model, image_png, input_png,
                     json.dumps(strokes), len(strokes), writer, room)).fetchone()["id"]
    if vectors is not None:
        run(db, "INSERT INTO adaptation_vectors (sample_id, model, vectors) VALUES (?, ?, ?)", (sample_id, *vectors))
    return sample_id


def page(number, per_page, mistakes_only=False, writer=None, before=None):
    """One page of samples, newest first (without their strokes, only how many), and the total count.

    With ``before`` (a sample id) the page holds the samples older than it and
    ``number`` is ignored: pages that stay put while others save.
    """
    conditions, values = [], []
    if mistakes_only:
        conditions.append("label != prediction")
    if writer is not None:
        conditions.append("writer = ?")
        values.append(writer)
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    older = f"{'AND' if where else 'WHERE'} id < ?" if before is not None else ""
    skip = 0 if before is not None else (number - 1) * per_page
    with snapshot() as db:
        total = run(db, f"SELECT COUNT(*) AS n FROM samples {where}", values).fetchone()["n"]
        rows = run(db, f"SELECT {LISTED} FROM samples {where} {older} ORDER BY id DESC LIMIT ? OFFSET ?",
                   (*values, *([before] if before is not None else []), per_page, skip)).fetchall()
    return [{**row, "probabilities": json.loads(row["probabilities"]), "image_png": bytes(row["image_png"]),
             "input_png": bytes(row["input_png"])} for row in map(dict, rows)], total


def count():
    """How many samples have a label: what an export holds."""
    return run(connection(), "SELECT COUNT(*) AS n FROM samples WHERE label IS NOT NULL").fetchone()["n"]


def model_inputs():
    """(label, input_png) of every sample, oldest first, one at a time (inside a transaction)."""
    return stream("SELECT label, input_png FROM samples WHERE label IS NOT NULL ORDER BY id")


def drawn_strokes():
    """(id, label, strokes as JSON text) of every sample drawn on the pad, oldest first, one at a time."""
    return stream("SELECT id, label, strokes FROM samples WHERE stroke_count > 0 AND label IS NOT NULL ORDER BY id")


def delete(sample_id):
    """Delete one sample and its adaptation vectors; False when there was none with that id."""
    with transaction() as db:
        run(db, "DELETE FROM adaptation_vectors WHERE sample_id = ?", (sample_id,))
        return run(db, "DELETE FROM samples WHERE id = ?", (sample_id,)).rowcount == 1


def writer_vectors(writer, model):
    """A writer's samples, oldest first: id, label and their vectors for ``model``, or, where there are
    none yet, the strokes and input to make them from."""
    with transaction(write=False) as db:
        return run(db, "SELECT s.id, s.label, v.vectors, CASE WHEN v.vectors IS NULL THEN s.strokes END AS strokes,"
                       " CASE WHEN v.vectors IS NULL THEN s.input_png END AS input_png"
                       " FROM samples s LEFT JOIN adaptation_vectors v ON v.sample_id = s.id AND v.model = ?"
                       " WHERE s.writer = ? AND s.label IS NOT NULL ORDER BY s.id", (model, writer)).fetchall()


def store_vectors(sample_id, model, vectors):
    """Keep a sample's vectors for a model (a no-op if another request stored them first or it was deleted)."""
    with transaction() as db:
        run(db, "INSERT INTO adaptation_vectors (sample_id, model, vectors) SELECT id, ?, ? FROM samples"
                " WHERE id = ? ON CONFLICT DO NOTHING", (model, vectors, sample_id))


def writers():
    """Every writer with samples: name, sample count and count per digit, by name."""
    with transaction(write=False) as db:
        rows = run(db, "SELECT writer, label, COUNT(*) AS n FROM samples WHERE writer IS NOT NULL"
                       " AND label IS NOT NULL GROUP BY writer, label ORDER BY writer").fetchall()
    found = {}
    for row in rows:
        found.setdefault(row["writer"], [0] * 10)[row["label"]] = row["n"]
    return [{"writer": writer, "samples": sum(per_digit), "per_digit": per_digit}
            for writer, per_digit in found.items()]


def delete_writer_in(db, writer):
    """Delete a writer's samples and their vectors inside the caller's transaction; how many samples there were."""
    run(db, "DELETE FROM adaptation_vectors WHERE sample_id IN (SELECT id FROM samples WHERE writer = ?)", (writer,))
    return run(db, "DELETE FROM samples WHERE writer = ?", (writer,)).rowcount
