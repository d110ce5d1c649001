"""The handwriting lab's API: save labelled drawings, list them, delete them, download them."""

import math

from flask import Blueprint, Response, abort, jsonify, request

from recognition.adaptation import kept_vectors
from recognition.pictures import data_url
from webapp.lab.drawings import sent_drawing
from webapp.lab.export import zip_chunks
from webapp.predicting.answers import prediction
from webapp.predicting.served import default_model
from webapp.storage import limits, samples
from webapp.storage.connections import transaction
from webapp.web.access import admin_only, refuse_cross_site_writes
from webapp.web.parsing import json_object, query_flag, query_whole_number
from webapp.web.streams import streamed
from webapp.writers.names import valid_writer
from webapp.writers.owners import given_key, writer_for_saving

bp = Blueprint("lab", __name__, url_prefix="/api/samples")

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
SQLITE_MAX_ID = 2**63 - 1


bp.before_request(refuse_cross_site_writes)


@bp.post("")
def save():
    """Save a labelled drawing; under a name, the first save creates the writer and answers with its key."""
    limits.take(limits.SAVES, limits.save_cost())
    payload = json_object()
    drawing = sent_drawing(payload)
    key = given_key(payload)
    classifier = default_model().classifier
    answer, _ = prediction(drawing.image, drawing.input_png, classifier)
    vectors = None if drawing.writer is None else kept_vectors(classifier, drawing.image, drawing.strokes)
    with transaction() as db:
        writer, new_key = (None, None) if drawing.writer is None else writer_for_saving(db, drawing.writer, key)
        sample_id = samples.insert(db, drawing.label, answer["digit"], answer["probabilities"], answer["model"],
                                   drawing.picture_png, drawing.input_png, drawing.strokes, writer, vectors)
    saved = {"id": sample_id, "prediction": answer["digit"], "not_a_digit": answer["not_a_digit"]}
    if new_key is not None:
        saved["writer_key"] = new_key
    return jsonify(saved), 201


@bp.get("")
@admin_only
def listing():
    page = query_whole_number("page", 1, MAX_PAGE)
    per_page = query_whole_number("per_page", 20, MAX_PER_PAGE)
    mistakes_only = query_flag("mistakes")
    writer = request.args.get("writer")
    before = query_whole_number("before", None, SQLITE_MAX_ID) if "before" in request.args else None
    rows, total = samples.page(page, per_page, mistakes_only, None if writer is None else valid_writer(writer), before)
    listing = {"samples": [summary(row) for row in rows], "page": page, "per_page": per_page, "total": total,
               "pages": max(1, math.ceil(total / per_page))}
    if len(rows) == per_page:
        listing["next_before"] = rows[-1]["id"]
    return jsonify(listing)


@bp.delete(f"/<int(min=1, max={SQLITE_MAX_ID}):sample_id>")
@admin_only
def remove(sample_id):
    if not samples.delete(sample_id):
        abort(404, description=f"there is no sample {sample_id}")
    return "", 204


@bp.get("/export")
@admin_only
def download():
    return Response(streamed(zip_chunks()), mimetype="application/zip",
                    headers={"Content-Disposition": "attachment; filename=digitpad-samples.zip"})


def summary(row):
    probabilities = row["probabilities"]
    return {
        "id": row["id"], "created_at": row["created_at"], "label": row["label"],
        "prediction": row["prediction"], "confidence": probabilities[row["prediction"]],
        "probabilities": probabilities, "model": row["model"], "strokes": row["stroke_count"],
        "writer": row["writer"], "room": row["room"],
        "image": data_url(row["image_png"]),
        "input": data_url(row["input_png"]),
    }
